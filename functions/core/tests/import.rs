//! The CSV import of target persons on the embedded store: outcomes per row, idempotence,
//! file order, and resumption after a crash at any write.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use sesshu_core::clock::FixedClock;
use sesshu_core::import::{self, PART_SIZE, runner};
use sesshu_core::persons::{self, index::SHARDS};
use sesshu_core::tenancy::{Platform, TableOpener, Tenant};
use sesshu_crypto::LocalKeyring;
use sesshu_domain::staff_persons::{ImportCounts, ImportState};
use sesshu_domain::{MunicipalityCode, MyNumber};
use sesshu_interchange::encoding::TextEncoding;
use sesshu_store::{BatchWrite, EmbeddedTables, Item, Key, Page, Query, Store, StoreError, Write};
use time::OffsetDateTime;
use time::macros::datetime;

const CODE: &str = "131016";

struct World {
    tenant: Tenant,
    _dir: tempfile::TempDir,
}

fn world() -> World {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let tables = Arc::new(EmbeddedTables::new(dir.path().join("tables")));
    let opener: TableOpener = Arc::new(move |name: &str| tables.table(name));
    let keyring = Arc::new(LocalKeyring::open_or_create(&dir.path().join("master.key")).unwrap());
    let clock = Arc::new(FixedClock::at(datetime!(2030-11-25 12:00 UTC)));
    let platform = Platform::new(opener, keyring, clock).unwrap();
    let tenant = platform
        .tenant(&MunicipalityCode::parse(CODE).unwrap())
        .unwrap();
    World { tenant, _dir: dir }
}

fn generated(rows: u64, error_every: Option<u64>) -> Vec<u8> {
    let mut out = Vec::new();
    sesshu_interchange::generator::generate(
        rows,
        &MunicipalityCode::parse(CODE).unwrap(),
        7,
        error_every,
        &mut out,
        TextEncoding::Cp932,
    )
    .unwrap();
    out
}

async fn upload(tenant: &Tenant, name: &str, bytes: &[u8]) -> String {
    let job = import::create(
        tenant,
        name,
        bytes.len() as u64,
        "officer1",
        OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    for (n, part) in bytes.chunks(PART_SIZE as usize).enumerate() {
        import::upload_part(tenant, &job.job_id, n as u32, part.to_vec())
            .await
            .unwrap();
    }
    import::start(tenant, &job.job_id).await.unwrap();
    job.job_id
}

async fn import_all(tenant: &Tenant, name: &str, bytes: &[u8], batch_rows: usize) -> ImportCounts {
    let job_id = upload(tenant, name, bytes).await;
    let config = runner::RunConfig {
        batch_rows,
        max_batches: None,
    };
    let job = runner::run(tenant, &job_id, &config).await.unwrap();
    assert_eq!(job.state, ImportState::Done, "{:?}", job.error);
    job.counts
}

/// Every person, by My Number digits, with what an officer would compare (not the subject
/// number, which depends on allocation order).
async fn snapshot(tenant: &Tenant) -> BTreeMap<String, String> {
    let mut people = BTreeMap::new();
    for shard in 0..SHARDS {
        let mut query = Query::partition(format!("PERSONS#{shard}")).limit(500);
        loop {
            let page = tenant.store.query(&query).await.unwrap();
            for item in &page.items {
                let subject = sesshu_domain::SubjectNo::parse(&item.key.sk).unwrap();
                let (person, _) = persons::get(tenant, &subject).await.unwrap().unwrap();
                let found = persons::find_by_my_number(tenant, &person.my_number)
                    .await
                    .unwrap();
                assert_eq!(
                    found.as_ref(),
                    Some(&subject),
                    "My Number index points home"
                );
                let previous = people.insert(
                    person.my_number.expose_digits().to_owned(),
                    format!(
                        "{}|{}|{}|{}|{:?}|{:?}",
                        person.name.as_str(),
                        person.name_kana.as_str(),
                        person.address,
                        person.municipal_business_id.as_str(),
                        person.control_flags,
                        person.subject_category
                    ),
                );
                assert!(previous.is_none(), "one person per My Number");
            }
            match page.next {
                Some(next) => query.cursor = Some(next),
                None => break,
            }
        }
    }
    people
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_creates_every_valid_row_and_reports_each_bad_row_with_its_column() {
    let world = world();
    let bytes = generated(300, Some(30));
    let counts = import_all(&world.tenant, "persons.csv", &bytes, 64).await;
    let jobs = import::list(&world.tenant, 10).await.unwrap();
    let (problems, _) = import::problems(&world.tenant, &jobs[0].job_id, None, 100)
        .await
        .unwrap();
    // The generator also writes some update and delete rows, for people this fresh
    // municipality does not have: those fail as not registered.
    let (unknown, invalid): (Vec<_>, Vec<_>) = problems
        .iter()
        .partition(|p| p.en.starts_with("no person with this My Number"));
    assert_eq!(counts.failed, problems.len() as u64);
    assert_eq!(counts.created + counts.failed, 300);
    assert!(unknown.len() < 30, "{}", unknown.len());
    assert_eq!(snapshot(&world.tenant).await.len() as u64, counts.created);
    let rows: Vec<u64> = invalid.iter().map(|p| p.row).collect();
    // Data row k (0-based) is spreadsheet row k + 2; every 30th is broken.
    assert_eq!(rows, (1..=10).map(|i| i * 30 + 1).collect::<Vec<_>>());
    assert!(
        problems
            .iter()
            .all(|p| p.field.is_some() && !p.ja.is_empty())
    );
    assert_eq!(jobs[0].encoding.as_deref(), Some("cp932"));
    assert_eq!(jobs[0].bytes_processed, bytes.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn importing_the_same_file_again_changes_nothing() {
    let world = world();
    let bytes = generated(200, Some(40));
    let first = import_all(&world.tenant, "a.csv", &bytes, 50).await;
    let before = snapshot(&world.tenant).await;
    let again = import_all(&world.tenant, "a.csv", &bytes, 50).await;
    assert_eq!(again.created + again.updated + again.deleted, 0);
    assert_eq!(again.unchanged, first.created);
    assert_eq!(again.failed, first.failed);
    assert_eq!(snapshot(&world.tenant).await, before);
}

fn file(rows: &[&str]) -> Vec<u8> {
    let header = "個人番号,氏名,氏名カナ,生年月日,性別,住所,保護者氏名,自治体コード,自治体業務ID,変更区分,異動日,異動事由,その他管理番号,接種対象者区分,減免区分,リカバリー,不開示,閲覧停止";
    let mut text = String::from(header);
    for row in rows {
        text.push_str("\r\n");
        text.push_str(row);
    }
    text.push_str("\r\n");
    text.into_bytes()
}

fn my_number(body: &str) -> MyNumber {
    MyNumber::from_body(body).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_update_and_delete_rows_apply_in_file_order() {
    let world = world();
    let a = my_number("12345678901");
    let b = my_number("23456789012");
    let (ad, bd) = (a.expose_digits(), b.expose_digits());
    let bytes = file(&[
        &format!(
            "{ad},山田　花子,ヤマダ　ハナコ,20200401,2,新宿区西新宿1-1,山田　太郎,{CODE},A001,1,,,,1,0,0,0,0"
        ),
        &format!("{bd},佐藤　一郎,ｻﾄｳ ｲﾁﾛｳ,19500101,1,新宿区西新宿2-2,,{CODE},A002,1,,,,1,0,0,0,0"),
        &format!(
            "{ad},山田　花子,ヤマダ　ハナコ,20200401,2,新宿区西新宿9-9,山田　太郎,{CODE},A001,2,,,,1,0,0,1,0"
        ),
        &format!("{bd},,,,,,,{CODE},,3,20261101,1,,,,,,"),
        &format!("{bd},,,,,,,{CODE},,3,20261101,1,,,,,,"),
    ]);
    let counts = import_all(&world.tenant, "order.csv", &bytes, 100).await;
    assert_eq!(
        (
            counts.created,
            counts.updated,
            counts.deleted,
            counts.failed
        ),
        (2, 1, 1, 1),
        "{counts:?}"
    );
    let people = snapshot(&world.tenant).await;
    assert_eq!(people.len(), 1);
    let only = people.get(ad).unwrap();
    assert!(only.contains("西新宿9-9") && only.contains("non_disclosure: true"));
    assert_eq!(
        persons::find_by_my_number(&world.tenant, &b).await.unwrap(),
        None,
        "the deleted person is gone"
    );
    let subject = persons::find_by_my_number(&world.tenant, &a)
        .await
        .unwrap()
        .unwrap();
    let history = persons::history::list(&world.tenant, &subject)
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    let fields: Vec<&str> = history[0]
        .changes
        .iter()
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(fields, ["address", "non_disclosure"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_without_a_required_column_fails_as_a_whole_and_changes_nothing() {
    let world = world();
    let bytes = "氏名,氏名カナ\r\n山田,ヤマダ\r\n".as_bytes().to_vec();
    let job_id = upload(&world.tenant, "broken.csv", &bytes).await;
    let job = runner::run(&world.tenant, &job_id, &runner::RunConfig::default())
        .await
        .unwrap();
    assert_eq!(job.state, ImportState::Failed);
    let (ja, en) = job.error.unwrap();
    assert!(ja.contains("個人番号") && en.contains("個人番号"), "{en}");
    assert!(snapshot(&world.tenant).await.is_empty());
}

/// Turns some rows of a generated CP932 file into updates (a new address) and deletions.
fn with_updates_and_deletes(cp932: &[u8]) -> Vec<u8> {
    let (text, _, _) = encoding_rs::SHIFT_JIS.decode(cp932);
    let mut lines: Vec<String> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut fields: Vec<String> = line.split(',').map(str::to_owned).collect();
        if i > 0 && i <= 120 && fields.len() == 18 {
            if i % 5 == 1 {
                fields[9] = "2".into();
                fields[5].push_str("別館");
            } else if i % 9 == 2 {
                fields[9] = "3".into();
            }
        }
        lines.push(fields.join(","));
    }
    let joined = lines.join("\r\n") + "\r\n";
    encoding_rs::SHIFT_JIS.encode(&joined).0.into_owned()
}

/// A store that fails every write after a budget, as a killed process stops writing.
struct Crashing {
    inner: Arc<dyn Store>,
    writes_left: AtomicUsize,
}

impl Crashing {
    fn spend(&self) -> Result<(), StoreError> {
        let left = self.writes_left.load(Ordering::SeqCst);
        if left == 0 {
            return Err(StoreError::Backend("crashed".into()));
        }
        self.writes_left.store(left - 1, Ordering::SeqCst);
        Ok(())
    }
}

#[async_trait]
impl Store for Crashing {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        self.spend()?;
        self.inner.transact(writes).await
    }
    async fn write_batch(&self, writes: Vec<BatchWrite>) -> Result<(), StoreError> {
        self.spend()?;
        // A non-atomic batch may stop half-way: apply the first half, then crash.
        if self.writes_left.load(Ordering::SeqCst) == 0 && writes.len() > 1 {
            let half = writes.len() / 2;
            self.inner.write_batch(writes[..half].to_vec()).await?;
            return Err(StoreError::Backend("crashed mid-batch".into()));
        }
        self.inner.write_batch(writes).await
    }
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        self.inner.get_many(keys).await
    }
    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }
    async fn sweep_expired(&self, now: u64) -> Result<usize, StoreError> {
        self.inner.sweep_expired(now).await
    }
}

/// What an import left: its counts, every person and the open duplicate flags.
type ImportResult = (
    ImportCounts,
    BTreeMap<String, String>,
    Vec<(String, String)>,
);

async fn result_of(tenant: &Tenant, counts: ImportCounts) -> ImportResult {
    (
        counts,
        snapshot(tenant).await,
        duplicate_pairs(tenant).await,
    )
}

/// The tenant's data behind another store (a crashing or counting wrapper of its own).
fn behind(tenant: &Tenant, store: Arc<dyn Store>) -> Tenant {
    Tenant {
        code: tenant.code.clone(),
        store,
        cipher: tenant.cipher.clone(),
    }
}

/// Runs the job on a store that crashes after `budget` writes, then runs it again to the end.
async fn crash_then_resume(
    tenant: &Tenant,
    job_id: &str,
    budget: usize,
    batch_rows: usize,
) -> sesshu_core::import::Job {
    let crashing = behind(
        tenant,
        Arc::new(Crashing {
            inner: tenant.store.clone(),
            writes_left: AtomicUsize::new(budget),
        }),
    );
    let config = runner::RunConfig {
        batch_rows,
        max_batches: None,
    };
    let crashed = runner::run(&crashing, job_id, &config).await;
    assert!(crashed.is_err(), "budget {budget} should crash");
    let job = runner::run(tenant, job_id, &config).await.unwrap();
    assert_eq!(job.state, ImportState::Done);
    job
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_killed_at_any_write_finishes_with_the_result_of_an_uninterrupted_run() {
    // A file with creates, failures, and updates and deletes of people from a first import.
    let base = generated(120, None);
    let changes = with_updates_and_deletes(&generated(160, Some(20)));
    let reference = world();
    import_all(&reference.tenant, "base.csv", &base, 25).await;
    let counts = import_all(&reference.tenant, "changes.csv", &changes, 25).await;
    let expected = result_of(&reference.tenant, counts).await;

    for budget in [0usize, 1, 2, 3, 5, 8, 13, 21, 34] {
        let world = world();
        import_all(&world.tenant, "base.csv", &base, 25).await;
        let job_id = upload(&world.tenant, "changes.csv", &changes).await;
        let job = crash_then_resume(&world.tenant, &job_id, budget, 25).await;
        assert_eq!(
            result_of(&world.tenant, job.counts).await,
            expected,
            "after a crash at write {budget}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerks_cannot_change_persons_while_an_import_runs_and_a_second_import_waits_its_turn() {
    use sesshu_core::persons::{edit, import_lease};
    let world = world();
    import_all(&world.tenant, "base.csv", &generated(30, None), 25).await;
    let first = sesshu_domain::SubjectNo::from_sequence(1).unwrap();
    let (_, version) = sesshu_core::persons::get(&world.tenant, &first)
        .await
        .unwrap()
        .unwrap();

    let lease = import_lease::acquire(&world.tenant, "20301125-other")
        .await
        .unwrap()
        .expect("nobody holds the lease");
    let job_id = upload(&world.tenant, "again.csv", &generated(30, None)).await;
    let (tenant, waiting_id) = (world.tenant.clone(), job_id.clone());
    let second =
        tokio::spawn(
            async move { runner::run(&tenant, &job_id, &runner::RunConfig::default()).await },
        );
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    assert!(
        !second.is_finished(),
        "the second import waits for the lease"
    );
    assert_eq!(
        import::view(&world.tenant, &waiting_id)
            .await
            .unwrap()
            .state,
        ImportState::Queued,
        "a waiting import shows as waiting, not as processing"
    );
    let refused = edit::delete(
        &world.tenant,
        &first,
        version,
        OffsetDateTime::now_utc(),
        sesshu_core::persons::RECORD_RETENTION_DAYS,
    )
    .await;
    assert!(
        matches!(
            refused,
            Err(sesshu_core::CoreError::StateConflict {
                code: "import_running",
                ..
            })
        ),
        "{refused:?}"
    );
    assert!(
        sesshu_core::persons::get(&world.tenant, &first)
            .await
            .unwrap()
            .is_some(),
        "a refused deletion removes nothing"
    );

    lease.release(&world.tenant).await.unwrap();
    let job = second.await.unwrap().unwrap();
    assert_eq!(job.state, ImportState::Done);
    assert_eq!(
        (job.counts.created, job.counts.unchanged + job.counts.failed),
        (0, 30),
        "the same file again: {:?}",
        job.counts
    );
    edit::delete(
        &world.tenant,
        &first,
        version,
        OffsetDateTime::now_utc(),
        sesshu_core::persons::RECORD_RETENTION_DAYS,
    )
    .await
    .expect("with the import done, the clerk may delete");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_is_sent_a_chunk_at_a_time_whole_and_stops_when_the_download_is_cancelled() {
    use sesshu_core::export::{self, EXPORT_CHUNK, Scope};
    let world = world();
    let counts = import_all(&world.tenant, "base.csv", &generated(900, None), 300).await;
    let subjects = export::subjects(&world.tenant, Scope::All).await.unwrap();
    assert_eq!(subjects.len() as u64, counts.created);
    assert!(subjects.len() > 4 * EXPORT_CHUNK);

    let (tx, mut rx) = tokio::sync::mpsc::channel(100);
    let rows = export::send_persons_csv(&world.tenant, &subjects, TextEncoding::Cp932, false, &tx)
        .await
        .unwrap();
    drop(tx);
    let mut chunks = Vec::new();
    while let Some(chunk) = rx.recv().await {
        chunks.push(chunk.unwrap());
    }
    assert_eq!(rows, counts.created);
    assert!(chunks.len() >= 3, "one chunk per {EXPORT_CHUNK} persons");
    let file: Vec<u8> = chunks.concat();
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&file);
    assert!(!bad);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("個人番号,氏名,"), "one header, first");
    assert_eq!(lines.len() as u64, rows + 1);
    let mut listed: Vec<&str> = lines[1..]
        .iter()
        .map(|line| line.split(',').nth(18).unwrap())
        .collect();
    listed.sort_unstable();
    listed.dedup();
    assert_eq!(listed.len(), subjects.len(), "every person exactly once");

    // The download is cancelled after the first chunk: the export stops within two more.
    let (tx, mut rx) = tokio::sync::mpsc::channel(1);
    let reader = tokio::spawn(async move {
        let first = rx.recv().await;
        drop(rx);
        first.is_some()
    });
    let rows =
        export::send_persons_csv(&world.tenant, &subjects, TextEncoding::Utf8Bom, false, &tx)
            .await
            .unwrap();
    assert!(reader.await.unwrap());
    assert!(
        rows <= 3 * EXPORT_CHUNK as u64,
        "stopped early: {rows} of {} rows",
        counts.created
    );
}

/// A store that counts the index lookups an import makes: My Number and 業務ID reads, and
/// kana partition queries (duplicate checks).
struct CountingLookups {
    inner: Arc<dyn Store>,
    lookups: AtomicUsize,
}

impl CountingLookups {
    fn count(&self, keys: &[Key]) {
        let n = keys
            .iter()
            .filter(|k| k.pk.starts_with("MN#") || k.pk.starts_with("BID#"))
            .count();
        self.lookups.fetch_add(n, Ordering::SeqCst);
    }
}

#[async_trait]
impl Store for CountingLookups {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.count(std::slice::from_ref(key));
        self.inner.get(key).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        self.inner.transact(writes).await
    }
    async fn write_batch(&self, writes: Vec<BatchWrite>) -> Result<(), StoreError> {
        self.inner.write_batch(writes).await
    }
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        self.count(keys);
        self.inner.get_many(keys).await
    }
    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        if query.pk.starts_with("KANA#") {
            self.lookups.fetch_add(1, Ordering::SeqCst);
        }
        self.inner.query(query).await
    }
    async fn sweep_expired(&self, now: u64) -> Result<usize, StoreError> {
        self.inner.sweep_expired(now).await
    }
}

/// Rows that meet people of earlier batches (two rows per batch): a twin by kana and birth
/// date, the same content again, other content under a registered My Number, a taken 業務ID,
/// an update, a deletion and a 業務ID freed by it.
fn rows_meeting_earlier_batches() -> Vec<u8> {
    let [a, x, c, d, e] = [
        "12345678901",
        "23456789012",
        "34567890123",
        "45678901234",
        "56789012345",
    ]
    .map(|body| my_number(body).expose_digits().to_owned());
    file(&[
        &format!(
            "{a},山田　花子,ヤマダ　ハナコ,20200401,2,新宿区西新宿1-1,山田　太郎,{CODE},A001,1,,,,1,0,0,0,0"
        ),
        &format!(
            "{x},佐藤　一郎,サトウ　イチロウ,19500101,1,新宿区西新宿2-2,,{CODE},X001,1,,,,1,0,0,0,0"
        ),
        &format!(
            "{c},山田　華子,ヤマダ　ハナコ,20200401,2,新宿区西新宿3-3,山田　太郎,{CODE},C001,1,,,,1,0,0,0,0"
        ),
        &format!(
            "{a},山田　花子,ヤマダ　ハナコ,20200401,2,新宿区西新宿1-1,山田　太郎,{CODE},A001,1,,,,1,0,0,0,0"
        ),
        &format!(
            "{a},山田　花子,ヤマダ　ハナコ,20200401,2,新宿区西新宿7-7,山田　太郎,{CODE},A001,1,,,,1,0,0,0,0"
        ),
        &format!(
            "{d},鈴木　次郎,スズキ　ジロウ,20100505,1,新宿区西新宿4-4,,{CODE},A001,1,,,,1,0,0,0,0"
        ),
        &format!(
            "{a},山田　花子,ヤマダ　ハナコ,20200401,2,新宿区西新宿9-9,山田　太郎,{CODE},A001,2,,,,1,0,0,0,0"
        ),
        &format!("{x},,,,,,,{CODE},,3,20261101,1,,,,,,"),
        &format!(
            "{e},田中　三郎,タナカ　サブロウ,20150303,1,新宿区西新宿5-5,,{CODE},X001,1,,,,1,0,0,0,0"
        ),
    ])
}

/// Open duplicate pairs by My Number digits, so runs with other subject numbers compare.
async fn duplicate_pairs(tenant: &Tenant) -> Vec<(String, String)> {
    let (pairs, _) = persons::duplicates::open_pairs(tenant, None, 100)
        .await
        .unwrap();
    let mut by_my_number = Vec::new();
    for (a, b) in pairs {
        let digits = |(person, _): (sesshu_domain::person::TargetPerson, u64)| {
            person.my_number.expose_digits().to_owned()
        };
        let a = digits(persons::get(tenant, &a).await.unwrap().unwrap());
        let b = digits(persons::get(tenant, &b).await.unwrap().unwrap());
        by_my_number.push(if a < b { (a, b) } else { (b, a) });
    }
    by_my_number.sort();
    by_my_number
}

fn counting(tenant: &Tenant) -> (Tenant, Arc<CountingLookups>) {
    let store = Arc::new(CountingLookups {
        inner: tenant.store.clone(),
        lookups: AtomicUsize::new(0),
    });
    (behind(tenant, store.clone()), store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_import_reads_only_keys_it_wrote_and_ends_as_an_import_that_reads_every_key() {
    let bytes = rows_meeting_earlier_batches();
    // The same file into a municipality with somebody listed already: every lookup is read.
    let reference = world();
    let someone = format!(
        "{},高橋　四郎,タカハシ　シロウ,19800808,1,新宿区西新宿6-6,,{CODE},Z001,1,,,,1,0,0,0,0",
        my_number("67890123456").expose_digits()
    );
    import_all(&reference.tenant, "someone.csv", &file(&[&someone]), 2).await;
    let (counted, reference_reads) = counting(&reference.tenant);
    let expected_counts = import_all(&counted, "rows.csv", &bytes, 2).await;
    let mut expected = snapshot(&reference.tenant).await;
    expected.remove(my_number("67890123456").expose_digits());

    let first = world();
    let (counted, first_reads) = counting(&first.tenant);
    let counts = import_all(&counted, "rows.csv", &bytes, 2).await;

    assert_eq!(
        (
            counts.created,
            counts.updated,
            counts.deleted,
            counts.unchanged,
            counts.failed
        ),
        (4, 1, 1, 1, 2),
        "{counts:?}"
    );
    assert_eq!(counts, expected_counts);
    assert_eq!(snapshot(&first.tenant).await, expected);
    let pairs = duplicate_pairs(&first.tenant).await;
    assert_eq!(pairs.len(), 1, "the twin across batches is flagged");
    assert_eq!(pairs, duplicate_pairs(&reference.tenant).await);
    let (first_reads, reference_reads) = (
        first_reads.lookups.load(Ordering::SeqCst),
        reference_reads.lookups.load(Ordering::SeqCst),
    );
    assert!(
        first_reads < reference_reads / 2,
        "a first import skips lookups of keys it never wrote: {first_reads} of {reference_reads}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_import_killed_at_any_write_finishes_with_the_result_of_an_uninterrupted_run() {
    let bytes = rows_meeting_earlier_batches();
    let reference = world();
    let counts = import_all(&reference.tenant, "rows.csv", &bytes, 2).await;
    let expected = result_of(&reference.tenant, counts).await;

    for budget in [0usize, 1, 2, 3, 4, 5, 6, 7, 9, 11, 14, 17, 21, 26] {
        let world = world();
        let job_id = upload(&world.tenant, "rows.csv", &bytes).await;
        let job = crash_then_resume(&world.tenant, &job_id, budget, 2).await;
        assert_eq!(
            result_of(&world.tenant, job.counts).await,
            expected,
            "after a crash at write {budget}"
        );
    }
}
