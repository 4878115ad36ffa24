//! The demo data written through DynamoDB + KMS (moto): no plaintext personal data in the
//! tables, and data keys cached so that reading thousands of records costs one KMS call.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use sesshu_aws::moto::MotoServer;
use sesshu_aws::{DynamoTables, KmsKeyring};
use sesshu_core::clock::SystemClock;
use sesshu_core::records;
use sesshu_core::tenancy::{PLATFORM_TABLE, Platform, TableOpener};
use sesshu_simulators::pmh::PmhSim;

const TENANTS: [&str; 3] = [PLATFORM_TABLE, "131016", "271004"];

struct AwsPlatform {
    tables: Arc<DynamoTables>,
    keyring: Arc<KmsKeyring>,
    platform: Platform,
    dynamo: aws_sdk_dynamodb::Client,
}

async fn aws_platform(moto: &MotoServer, prefix: &str) -> AwsPlatform {
    let config = moto.sdk_config().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&config);
    let tables = Arc::new(DynamoTables::new(dynamo.clone(), prefix));
    let keyring = Arc::new(KmsKeyring::with_alias_prefix(
        aws_sdk_kms::Client::new(&config),
        prefix,
    ));
    for name in TENANTS {
        tables.ensure_table(name).await.unwrap();
        keyring.ensure_key(name).await.unwrap();
    }
    let opener_tables = tables.clone();
    let opener: TableOpener = Arc::new(move |name: &str| Ok(opener_tables.table(name)));
    let platform = Platform::new(opener, keyring.clone(), Arc::new(SystemClock)).unwrap();
    AwsPlatform {
        tables,
        keyring,
        platform,
        dynamo,
    }
}

/// Every byte of every attribute value of a table, via Scan.
async fn raw_table_bytes(dynamo: &aws_sdk_dynamodb::Client, table: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut start = None;
    loop {
        let page = dynamo
            .scan()
            .table_name(table)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        for item in page.items() {
            for (name, value) in item {
                bytes.extend_from_slice(name.as_bytes());
                match value {
                    AttributeValue::S(s) => bytes.extend_from_slice(s.as_bytes()),
                    AttributeValue::B(b) => bytes.extend_from_slice(b.as_ref()),
                    AttributeValue::N(n) => bytes.extend_from_slice(n.as_bytes()),
                    _ => {}
                }
                bytes.push(0);
            }
        }
        match page.last_evaluated_key() {
            Some(key) => start = Some(key.clone()),
            None => return bytes,
        }
    }
}

/// The first needle found in `haystack`, by its label: one pass over the bytes for all needles
/// (a window-by-window compare per needle took minutes over a full demo table in a debug build).
fn first_found<'a>(haystack: &[u8], needles: &'a [(String, Vec<u8>)]) -> Option<&'a str> {
    let patterns: Vec<&[u8]> = needles.iter().map(|(_, n)| n.as_slice()).collect();
    let scanner = aho_corasick::AhoCorasick::new(patterns).unwrap();
    scanner
        .find(haystack)
        .map(|found| needles[found.pattern().as_usize()].0.as_str())
}

// Not in the default run: on moto (which serves one request at a time and slows down with each
// transaction) it takes minutes. `cargo xtask bench kms-calls` runs it.
/// Runs in every `cargo xtask test`: a small demo set (moto copies its whole table for every
/// transaction, so the full set takes minutes there), plus the demo staff.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_tables_of_a_small_demo_set_hold_no_plaintext_personal_data() {
    let moto = MotoServer::start().unwrap();
    let aws = aws_platform(&moto, "small").await;
    let sims = tempfile::tempdir().unwrap();
    let pmh = PmhSim::load_or_create(sims.path()).unwrap();
    let today = time::OffsetDateTime::now_utc().date();
    let demo = sesshu_local::demo::generate_households(&aws.platform, &pmh, today, sims.path(), 4)
        .await
        .unwrap();
    let staff = sesshu_local::demo_staff::ensure(&aws.platform, sims.path(), 1_800_000_000)
        .await
        .unwrap();
    assert!(demo.persons.len() >= 8);
    assert_eq!(staff.len(), 10);

    let mut raw = Vec::new();
    for name in TENANTS {
        let table = aws.tables.table_name(name);
        raw.push((table.clone(), raw_table_bytes(&aws.dynamo, &table).await));
    }
    let mut needles: Vec<(String, Vec<u8>)> = Vec::new();
    for person in &demo.persons {
        needles.push((
            "my number".into(),
            person.my_number.expose_digits().as_bytes().to_vec(),
        ));
        needles.push(("name".into(), person.name.as_str().as_bytes().to_vec()));
        needles.push(("kana".into(), person.name_kana.as_str().as_bytes().to_vec()));
        needles.push(("address".into(), person.address.as_bytes().to_vec()));
    }
    for (municipality, user) in [("131016", "admin"), ("271004", "officer1")] {
        needles.push((
            format!("staff e-mail of {user}"),
            format!("{user}@{municipality}.example.lg.jp").into_bytes(),
        ));
    }
    needles.push(("staff name".into(), "山田 花子".as_bytes().to_vec()));
    for (table, bytes) in &raw {
        assert!(bytes.len() > 1_000, "{table} holds data");
        if let Some(what) = first_found(bytes, &needles) {
            panic!("plaintext {what} found in {table}");
        }
    }
}

#[ignore = "slow on moto: run by `cargo xtask bench kms-calls`"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_tables_hold_no_plaintext_personal_data_and_kms_is_called_once_per_key() {
    let moto = MotoServer::start().unwrap();
    let aws = aws_platform(&moto, "scan").await;
    let sims = tempfile::tempdir().unwrap();
    let pmh = PmhSim::load_or_create(sims.path()).unwrap();
    let today = time::OffsetDateTime::now_utc().date();
    let demo = sesshu_local::demo::generate(&aws.platform, &pmh, today, sims.path())
        .await
        .unwrap();
    assert!(demo.persons.len() > 400);

    let mut raw = Vec::new();
    for name in TENANTS {
        let table = aws.tables.table_name(name);
        let bytes = raw_table_bytes(&aws.dynamo, &table).await;
        assert!(bytes.len() > 1_000, "{table} holds data");
        raw.push((table, bytes));
    }
    let mut needles: Vec<(String, Vec<u8>)> = Vec::new();
    for person in &demo.persons {
        needles.push((
            "my number".into(),
            person.my_number.expose_digits().as_bytes().to_vec(),
        ));
        needles.push(("name".into(), person.name.as_str().as_bytes().to_vec()));
        needles.push(("kana".into(), person.name_kana.as_str().as_bytes().to_vec()));
        needles.push(("address".into(), person.address.as_bytes().to_vec()));
    }
    for (table, bytes) in &raw {
        if let Some(what) = first_found(bytes, &needles) {
            panic!("plaintext {what} found in {table}");
        }
    }
    // A generation of this size needed only a handful of KMS calls (one key per tenant and
    // purpose), not one per item.
    assert!(
        aws.keyring.calls() <= 12,
        "{} KMS calls for the demo data",
        aws.keyring.calls()
    );

    // A fresh process (new cache, new keyring counter) reads records and decrypts them
    // 10,000 times: the data key is fetched from KMS once, then served from the cache.
    let reader = aws_platform(&moto, "scan").await;
    let code = sesshu_domain::MunicipalityCode::parse("131016").unwrap();
    let tenant = reader.platform.tenant(&code).unwrap();
    let mut sealed = Vec::new();
    for person in demo.persons.iter().filter(|p| p.municipality_code == code) {
        let page = tenant
            .store
            .query(&sesshu_store::Query::prefix(
                format!("P#{}", person.subject_no.as_str()),
                "REC#",
            ))
            .await
            .unwrap();
        sealed.extend(page.items);
    }
    assert!(!sealed.is_empty());
    let mut decrypted = 0usize;
    while decrypted < 10_000 {
        for item in &sealed {
            tenant
                .cipher
                .open(&records::RECORD_SCHEMA, item.clone())
                .await
                .unwrap();
            decrypted += 1;
        }
    }
    let calls = reader.keyring.calls();
    println!("KMS calls per {decrypted} record decryptions: {calls}");
    assert_eq!(
        calls, 1,
        "one Decrypt of the tenant's field key, then the cache"
    );
}

/// A CSV import through DynamoDB (BatchWriteItem, BatchGetItem) and KMS on moto: every valid
/// row lands, importing the file again changes nothing, and no plaintext My Number, name, kana
/// or address is in the table afterwards.
async fn import_on_dynamodb(rows: u64) {
    let started = std::time::Instant::now();
    use sesshu_core::import::{self, PART_SIZE, runner};
    use sesshu_domain::staff_persons::ImportState;
    use sesshu_interchange::encoding::TextEncoding;
    use sesshu_interchange::person_csv::{PersonCsvReader, RowOp};

    let moto = MotoServer::start().unwrap();
    let aws = aws_platform(&moto, &format!("import{rows}")).await;
    let code = sesshu_domain::MunicipalityCode::parse("131016").unwrap();
    let tenant = aws.platform.tenant(&code).unwrap();
    let mut bytes = Vec::new();
    sesshu_interchange::generator::generate(
        rows,
        &code,
        5,
        Some(500),
        &mut bytes,
        TextEncoding::Cp932,
    )
    .unwrap();

    let mut counts = Vec::new();
    for _ in 0..2 {
        let job = import::create(
            &tenant,
            "moto.csv",
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
        assert_eq!(done.state, ImportState::Done);
        counts.push(done.counts);
    }
    let (first, again) = (counts[0], counts[1]);
    assert_eq!(first.total(), rows);
    assert!(first.created > rows * 9 / 10, "{first:?}");
    assert_eq!(
        again.created + again.updated + again.deleted,
        0,
        "{again:?}"
    );
    assert_eq!(again.unchanged, first.created);

    let inputs: Vec<_> = PersonCsvReader::new(bytes.as_slice(), code.clone())
        .unwrap()
        .filter_map(|row| match row.ok()?.result {
            Ok(RowOp::New(input)) => Some(input),
            _ => None,
        })
        .collect();
    let table = aws.tables.table_name("131016");
    let raw = raw_table_bytes(&aws.dynamo, &table).await;
    let mut needles: Vec<Vec<u8>> = Vec::new();
    for input in &inputs {
        needles.push(input.my_number.expose_digits().as_bytes().to_vec());
        needles.push(input.name.as_str().as_bytes().to_vec());
        needles.push(input.name_kana.as_str().as_bytes().to_vec());
        needles.push(input.address.as_bytes().to_vec());
    }
    let scanner = aho_corasick::AhoCorasick::new(&needles).unwrap();
    if let Some(found) = scanner.find(&raw) {
        panic!(
            "plaintext personal data (needle {} of each person's 4) found in {table}",
            found.pattern().as_usize() % 4
        );
    }
    let mut checked = 0;
    for input in inputs.iter().step_by(7) {
        let found = sesshu_core::persons::find_by_my_number(&tenant, &input.my_number)
            .await
            .unwrap();
        assert!(found.is_some(), "an imported person is found by My Number");
        checked += 1;
    }
    assert!(checked as u64 >= rows / 10);
    println!(
        "moto import of {rows} rows (twice) and scan: {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

/// The 10,000 rows. Not in the default run: moto serves one request at a time in
/// Python, so two imports of the file and the Scan of the table take ≈ 8 minutes (2026-11-26,
/// on a loaded 2-core machine; before the Query and transaction fixes in `moto_main.py` it did
/// not finish in hours).
#[ignore = "slow on moto: run by `cargo xtask bench kms-calls`"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_10000_row_import_on_dynamodb_lands_every_row_and_leaves_no_plaintext() {
    import_on_dynamodb(10_000).await;
}
