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

/// A 10,000-row CSV import (uploaded parts, processing, error rows) leaves no plaintext My
/// Number, name, kana or address in the embedded database files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_10000_row_import_leaves_no_plaintext_in_the_embedded_files() {
    use std::sync::Arc;

    use sesshu_core::import::{self, PART_SIZE, runner};
    use sesshu_core::tenancy::{Platform, TableOpener};
    use sesshu_interchange::encoding::TextEncoding;
    use sesshu_interchange::person_csv::{PersonCsvReader, RowOp};

    let data = tempfile::tempdir().unwrap();
    let code = sesshu_domain::MunicipalityCode::parse("131016").unwrap();
    let mut bytes = Vec::new();
    sesshu_interchange::generator::generate(
        10_000,
        &code,
        9,
        Some(250),
        &mut bytes,
        TextEncoding::Cp932,
    )
    .unwrap();
    {
        let tables = Arc::new(sesshu_store::EmbeddedTables::new(
            data.path().join("tables"),
        ));
        let opener: TableOpener = Arc::new(move |name: &str| tables.table(name));
        let keyring = Arc::new(
            sesshu_crypto::LocalKeyring::open_or_create(&data.path().join("master.key")).unwrap(),
        );
        let platform =
            Platform::new(opener, keyring, Arc::new(sesshu_core::clock::SystemClock)).unwrap();
        let tenant = platform.tenant(&code).unwrap();
        let job = import::create(
            &tenant,
            "scan.csv",
            bytes.len() as u64,
            "test",
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
        for (n, part) in bytes.chunks(PART_SIZE as usize).enumerate() {
            import::upload_part(&tenant, &job.job_id, n as u32, part.to_vec())
                .await
                .unwrap();
        }
        import::start(&tenant, &job.job_id).await.unwrap();
        let done = runner::run(&tenant, &job.job_id, &runner::RunConfig::default())
            .await
            .unwrap();
        assert!(done.counts.created > 9_000, "{:?}", done.counts);
    }

    let mut needles = Vec::new();
    for row in PersonCsvReader::new(bytes.as_slice(), code).unwrap() {
        if let Ok(RowOp::New(input)) = row.unwrap().result {
            needles.push((
                "my number",
                input.my_number.expose_digits().as_bytes().to_vec(),
            ));
            needles.push(("name", input.name.as_str().as_bytes().to_vec()));
            needles.push(("kana", input.name_kana.as_str().as_bytes().to_vec()));
            needles.push(("address", input.address.as_bytes().to_vec()));
        }
    }
    assert!(needles.len() > 36_000);
    let mut files = Vec::new();
    read_all_files(&data.path().join("tables"), &mut files);
    let total: usize = files.iter().map(|(_, bytes)| bytes.len()).sum();
    assert!(total > 1_000_000, "the files hold the data ({total} bytes)");
    if let Some((kind, file)) = first_plaintext(&files, &needles) {
        panic!("plaintext {kind} found in {file}");
    }
}
