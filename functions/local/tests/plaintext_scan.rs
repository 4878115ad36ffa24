//! After the demo data is written, the raw database files contain no plaintext My Number,
//! name, kana or address of anyone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use sesshu_local::{LocalConfig, build};

fn read_all_files(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            read_all_files(&path, out);
        } else {
            out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
}

/// The kind of the first needle found in any file, and the file; one automaton over all
/// needles and one pass per file (a naive search of ≈ 2,000 needles would take minutes).
fn first_plaintext(
    files: &[(String, Vec<u8>)],
    needles: &[(&str, Vec<u8>)],
) -> Option<(String, String)> {
    let automaton = aho_corasick::AhoCorasick::new(needles.iter().map(|(_, v)| v)).unwrap();
    files.iter().find_map(|(file, bytes)| {
        automaton.find(bytes.as_slice()).map(|found| {
            (
                needles[found.pattern().as_usize()].0.to_owned(),
                file.clone(),
            )
        })
    })
}

#[tokio::test]
async fn embedded_database_files_hold_no_plaintext_personal_data() {
    let data = tempfile::tempdir().unwrap();
    let config = LocalConfig {
        data_dir: data.path().to_owned(),
        app_dir: data.path().join("no-app"),
        demo: true,
        secure_cookies: true,
    };
    let system = build(&config).await.unwrap();
    let persons = system
        .generated
        .clone()
        .expect("demo data generated")
        .persons;
    assert!(
        persons.len() > 400,
        "a few hundred persons per municipality"
    );
    drop(system);

    let mut files = Vec::new();
    read_all_files(&data.path().join("tables"), &mut files);
    assert!(files.len() >= 3, "platform + two municipalities");
    let total: usize = files.iter().map(|(_, bytes)| bytes.len()).sum();
    assert!(total > 100_000, "the files hold the data ({total} bytes)");

    let mut needles = Vec::new();
    for person in &persons {
        needles.push((
            "my number",
            person.my_number.expose_digits().as_bytes().to_vec(),
        ));
        needles.push(("name", person.name.as_str().as_bytes().to_vec()));
        needles.push(("kana", person.name_kana.as_str().as_bytes().to_vec()));
        needles.push(("address", person.address.as_bytes().to_vec()));
    }
    // Say which field and file, never the value.
    if let Some((kind, file)) = first_plaintext(&files, &needles) {
        panic!("plaintext {kind} found in {file}");
    }
}

/// The scan itself must be able to fail: a file with a plaintext name is caught.
#[test]
fn the_scan_detects_a_planted_plaintext_value() {
    let files = vec![("a.redb".to_owned(), "xx佐藤　花子yy".as_bytes().to_vec())];
    let planted = [("name", "佐藤　花子".as_bytes().to_vec())];
    let absent = [("name", "鈴木　一郎".as_bytes().to_vec())];
    assert_eq!(
        first_plaintext(&files, &planted),
        Some(("name".to_owned(), "a.redb".to_owned()))
    );
    assert_eq!(first_plaintext(&files, &absent), None);
}
