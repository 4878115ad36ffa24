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

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
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

    for person in &persons {
        let needles: [(&str, &[u8]); 4] = [
            ("my number", person.my_number.expose_digits().as_bytes()),
            ("name", person.name.as_str().as_bytes()),
            ("kana", person.name_kana.as_str().as_bytes()),
            ("address", person.address.as_bytes()),
        ];
        for (file, bytes) in &files {
            for (what, needle) in &needles {
                // Say which field and file, never the value.
                assert!(!contains(bytes, needle), "plaintext {what} found in {file}");
            }
        }
    }
}

/// The scan itself must be able to fail: a file with a plaintext name is caught.
#[test]
fn the_scan_detects_a_planted_plaintext_value() {
    let haystack = "xx佐藤　花子yy".as_bytes();
    assert!(contains(haystack, "佐藤　花子".as_bytes()));
    assert!(!contains(haystack, "鈴木　一郎".as_bytes()));
}
