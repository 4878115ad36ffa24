//! The PMH key job against the PMH simulator: keys stored, indexed and in the directory; the
//! same key in every municipality; retries, timeouts, outages, mismatches; runs that are
//! repeated or cut short.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use sesshu_core::alerts::{Administrators, Alerts, Detector, LocalOutbox, Outbox};
use sesshu_core::clock::{Clock, FixedClock};
use sesshu_core::directory::{Directory, Residence};
use sesshu_core::error::CoreError;
use sesshu_core::persons::{self, history, index};
use sesshu_core::pmh_link::{self, PmhLinkConfig, PmhLinker, PmhRunReport};
use sesshu_core::ports::Pmh;
use sesshu_core::tenancy::{Platform, TableOpener, Tenant};
use sesshu_crypto::LocalKeyring;
use sesshu_domain::id::MunicipalBusinessId;
use sesshu_domain::person::{
    ChangeKind, ControlFlags, FeeExemption, KanaName, PersonName, Sex, SubjectCategory,
    TargetPerson,
};
use sesshu_domain::staff::AlertKind;
use sesshu_domain::staff_persons::PmhStatus;
use sesshu_domain::{MunicipalityCode, MyNumber, PmhKey, SubjectNo};
use sesshu_simulators::pmh::PmhSim;
use sesshu_store::{
    BatchWrite, Condition, EmbeddedTables, Item, Key, Page, Query, Store, StoreError, Write,
};
use time::macros::{date, datetime};

const CHIYODA: &str = "131016";
const OSAKA: &str = "271004";

/// A store that fails every write once its budget of write calls is spent, like a process
/// that dies there. A negative budget never runs out.
struct Flaky {
    inner: Arc<dyn Store>,
    budget: Arc<AtomicI64>,
}

impl Flaky {
    fn spend(&self) -> Result<(), StoreError> {
        let left = self
            .budget
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |b| match b {
                b if b < 0 => Some(b),
                0 => None,
                b => Some(b - 1),
            });
        left.map(|_| ())
            .map_err(|_| StoreError::Backend("simulated crash".into()))
    }
}

#[async_trait]
impl Store for Flaky {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        self.spend()?;
        self.inner.transact(writes).await
    }

    async fn write_batch(&self, writes: Vec<BatchWrite>) -> Result<(), StoreError> {
        self.spend()?;
        self.inner.write_batch(writes).await
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        self.inner.get_many(keys).await
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }

    async fn sweep_expired(&self, now_epoch_s: u64) -> Result<usize, StoreError> {
        self.inner.sweep_expired(now_epoch_s).await
    }
}

struct Admins;

#[async_trait]
impl Administrators for Admins {
    async fn administrators(&self, _tenant: &Tenant) -> Result<Vec<String>, CoreError> {
        Ok(vec!["admin1".into()])
    }
}

struct World {
    platform: Arc<Platform>,
    clock: Arc<FixedClock>,
    directory: Directory,
    pmh: Arc<PmhSim>,
    detector: Arc<Detector>,
    /// Write calls left before every store fails (negative: unlimited).
    budget: Arc<AtomicI64>,
    dir: tempfile::TempDir,
}

/// Fast timings, so retries and timeouts cost milliseconds.
fn fast(batch_size: usize) -> PmhLinkConfig {
    PmhLinkConfig {
        batch_size,
        call_timeout: Duration::from_millis(200),
        attempts: 3,
        first_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(4),
    }
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let tables = Arc::new(EmbeddedTables::new(dir.path().join("tables")));
    let budget = Arc::new(AtomicI64::new(-1));
    let table_budget = budget.clone();
    let opener: TableOpener = Arc::new(move |name: &str| {
        let inner = tables.table(name)?;
        let store: Arc<dyn Store> = Arc::new(Flaky {
            inner,
            budget: table_budget.clone(),
        });
        Ok(store)
    });
    let keyring = Arc::new(LocalKeyring::open_or_create(&dir.path().join("master.key")).unwrap());
    // In the future, so the store's TTL (which reads the real clock) hides nothing written.
    let clock = Arc::new(FixedClock::at(datetime!(2030-11-25 12:00 UTC)));
    let platform = Arc::new(Platform::new(opener, keyring, clock.clone()).unwrap());
    let directory = Directory::new(platform.directory_store().clone());
    let pmh = Arc::new(PmhSim::load_or_create(&dir.path().join("simulators")).unwrap());
    let detector = Arc::new(Detector::new(
        Arc::new(LocalOutbox::new(platform.clone())),
        Arc::new(Admins),
    ));
    World {
        platform,
        clock,
        directory,
        pmh,
        detector,
        budget,
        dir,
    }
}

impl World {
    fn tenant(&self, code: &str) -> Tenant {
        self.platform
            .tenant(&MunicipalityCode::parse(code).unwrap())
            .unwrap()
    }

    fn linker(&self, config: PmhLinkConfig) -> PmhLinker {
        let pmh: Arc<dyn Pmh> = self.pmh.clone();
        PmhLinker::new(pmh, self.clock.clone(), self.detector.clone()).with_config(config)
    }

    async fn run(&self, code: &str, config: PmhLinkConfig) -> PmhRunReport {
        self.linker(config)
            .run_once(&self.tenant(code), &self.directory)
            .await
            .unwrap()
    }

    /// The key PMH gives this My Number (the simulator derives it, so asking records nothing new).
    async fn key_of(&self, my_number: &MyNumber) -> PmhKey {
        self.pmh
            .assign_keys(std::slice::from_ref(my_number))
            .await
            .unwrap()[0]
            .pmh_key
            .clone()
    }
}

fn my_number(n: u64) -> MyNumber {
    MyNumber::from_body(&format!("{:011}", 31_400_000_000 + n)).unwrap()
}

fn person(code: &str, seq: u32, my_number: MyNumber, pmh_key: Option<PmhKey>) -> TargetPerson {
    TargetPerson {
        subject_no: SubjectNo::from_sequence(seq).unwrap(),
        municipality_code: MunicipalityCode::parse(code).unwrap(),
        my_number,
        pmh_key,
        pmh_pseudonym: None,
        name: PersonName::parse("山田 花子").unwrap(),
        name_kana: KanaName::parse("ヤマダ ハナコ").unwrap(),
        address: "東京都千代田区千代田1-1".into(),
        birth_date: date!(2024 - 04 - 01),
        sex: Sex::Female,
        guardian_name: None,
        municipal_business_id: MunicipalBusinessId::parse(&format!("{:010}", 1_000_000 + seq))
            .unwrap(),
        change_kind: ChangeKind::New,
        moved_out_on: None,
        other_management_no: None,
        control_flags: ControlFlags::default(),
        subject_category: SubjectCategory::Routine,
        fee_exemption: FeeExemption::None,
        link: None,
    }
}

/// Registers persons `1..=count` without a key (so they wait); returns them.
async fn register_waiting(world: &World, code: &str, count: u32) -> Vec<TargetPerson> {
    let tenant = world.tenant(code);
    let mut people = Vec::new();
    for seq in 1..=count {
        let p = person(code, seq, my_number(u64::from(seq)), None);
        persons::register(&tenant, &p).await.unwrap();
        people.push(p);
    }
    people
}

async fn pmh_history(tenant: &Tenant, subject: &SubjectNo) -> usize {
    history::list(tenant, subject)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.actor == "pmh")
        .count()
}

/// Checks that the person holds `key` everywhere it must be.
async fn assert_keyed(world: &World, tenant: &Tenant, subject: &SubjectNo, key: &PmhKey) {
    let (stored, _) = persons::get(tenant, subject).await.unwrap().unwrap();
    assert_eq!(stored.pmh_key.as_ref(), Some(key));
    assert_eq!(
        persons::find_by_pmh_key(tenant, key)
            .await
            .unwrap()
            .as_ref(),
        Some(subject)
    );
    let residences = world.directory.residences(key).await.unwrap();
    assert!(residences.contains(&Residence {
        municipality: tenant.code.clone(),
        subject_no: subject.clone(),
    }));
    assert_eq!(
        pmh_link::status(tenant, subject).await.unwrap(),
        (PmhStatus::Assigned, None)
    );
}

#[tokio::test]
async fn waiting_persons_get_their_keys_stored_indexed_and_in_the_directory() {
    let world = world();
    let people = register_waiting(&world, CHIYODA, 3).await;
    let tenant = world.tenant(CHIYODA);
    assert_eq!(pmh_link::overview(&tenant).await.unwrap().waiting, 3);
    assert_eq!(
        pmh_link::status(&tenant, &people[0].subject_no)
            .await
            .unwrap(),
        (PmhStatus::Waiting, None)
    );

    let report = world.run(CHIYODA, fast(1_000)).await;

    assert_eq!(
        report,
        PmhRunReport {
            assigned: 3,
            failed: 0,
            remaining: 0,
            stopped: None
        }
    );
    for p in &people {
        let key = world.key_of(&p.my_number).await;
        assert_keyed(&world, &tenant, &p.subject_no, &key).await;
        let entries = history::list(&tenant, &p.subject_no).await.unwrap();
        let entry = entries.iter().find(|e| e.actor == "pmh").unwrap();
        assert_eq!(entry.changes.len(), 1);
        assert_eq!(entry.changes[0].field, "pmh_key");
        assert_eq!(entry.changes[0].new.as_deref(), Some(key.as_str()));
    }
    let overview = pmh_link::overview(&tenant).await.unwrap();
    assert_eq!(overview.waiting, 0);
    assert!(overview.failed.is_empty());
}

#[tokio::test]
async fn the_same_my_number_in_two_municipalities_gets_the_same_key_even_from_a_restarted_pmh() {
    let world = world();
    let shared = my_number(77);
    let chiyoda = world.tenant(CHIYODA);
    let osaka = world.tenant(OSAKA);
    persons::register(&chiyoda, &person(CHIYODA, 5, shared.clone(), None))
        .await
        .unwrap();
    persons::register(&osaka, &person(OSAKA, 9, shared.clone(), None))
        .await
        .unwrap();

    world.run(CHIYODA, fast(1_000)).await;
    // PMH restarted between the two municipalities' runs: its national mapping persists.
    let restarted: Arc<dyn Pmh> =
        Arc::new(PmhSim::load_or_create(&world.dir.path().join("simulators")).unwrap());
    let report = PmhLinker::new(restarted, world.clock.clone(), world.detector.clone())
        .with_config(fast(1_000))
        .run_once(&osaka, &world.directory)
        .await
        .unwrap();
    assert_eq!(report.assigned, 1);

    let in_chiyoda = persons::get(&chiyoda, &SubjectNo::from_sequence(5).unwrap())
        .await
        .unwrap()
        .unwrap()
        .0
        .pmh_key
        .unwrap();
    let in_osaka = persons::get(&osaka, &SubjectNo::from_sequence(9).unwrap())
        .await
        .unwrap()
        .unwrap()
        .0
        .pmh_key
        .unwrap();
    assert_eq!(in_chiyoda, in_osaka);
    let municipalities: Vec<String> = world
        .directory
        .residences(&in_chiyoda)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.municipality.as_str().to_owned())
        .collect();
    assert_eq!(municipalities, vec![CHIYODA, OSAKA]);
}

#[tokio::test]
async fn a_waiting_person_who_already_has_a_key_keeps_it_without_asking_pmh() {
    let world = world();
    let tenant = world.tenant(CHIYODA);
    let existing = PmhKey::parse("ABCDEFGHIJKLMNOP").unwrap();
    let p = person(CHIYODA, 1, my_number(1), Some(existing.clone()));
    persons::register(&tenant, &p).await.unwrap();
    // As a run cut short after the key was written leaves it: still in the queue.
    let shard = index::shard_of(&p.subject_no);
    tenant
        .store
        .put(
            Item::new(Key::new(
                format!("PMHQ#WAIT#{shard}"),
                p.subject_no.as_str(),
            )),
            Condition::None,
        )
        .await
        .unwrap();
    world.pmh.fail_next(100);

    let report = world.run(CHIYODA, fast(1_000)).await;

    assert_eq!(report, PmhRunReport::default(), "PMH was not called");
    assert_keyed(&world, &tenant, &p.subject_no, &existing).await;
    assert_eq!(pmh_history(&tenant, &p.subject_no).await, 0);
}

#[tokio::test]
async fn a_person_deleted_while_waiting_is_dropped_from_the_queue() {
    let world = world();
    let people = register_waiting(&world, CHIYODA, 2).await;
    let tenant = world.tenant(CHIYODA);
    tenant
        .store
        .delete(
            &Key::new(format!("P#{}", people[0].subject_no.as_str()), "PROFILE"),
            Condition::None,
        )
        .await
        .unwrap();

    let report = world.run(CHIYODA, fast(1_000)).await;

    assert_eq!(
        (report.assigned, report.failed, report.remaining),
        (1, 0, 0)
    );
    let gone_key = world.key_of(&people[0].my_number).await;
    assert!(
        world
            .directory
            .residences(&gone_key)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn pmh_failing_a_few_times_is_called_again_and_the_keys_are_stored() {
    let world = world();
    let people = register_waiting(&world, CHIYODA, 2).await;
    world.pmh.fail_next(2);

    let report = world.run(CHIYODA, fast(1_000)).await;

    assert_eq!(report.assigned, 2);
    assert_eq!(report.stopped, None);
    let tenant = world.tenant(CHIYODA);
    for p in &people {
        let key = world.key_of(&p.my_number).await;
        assert_keyed(&world, &tenant, &p.subject_no, &key).await;
    }
}

#[tokio::test]
async fn pmh_failing_every_retry_fails_the_batch_stops_the_run_and_a_retry_assigns_them() {
    let world = world();
    let people = register_waiting(&world, CHIYODA, 3).await;
    let tenant = world.tenant(CHIYODA);
    world.pmh.fail_next(3);

    let report = world.run(CHIYODA, fast(2)).await;

    assert_eq!(
        (report.assigned, report.failed, report.remaining),
        (0, 2, 1)
    );
    let reason = report.stopped.unwrap();
    assert!(reason.starts_with("unavailable: "), "{reason}");
    let overview = pmh_link::overview(&tenant).await.unwrap();
    assert_eq!(
        overview.waiting, 1,
        "the batch after the outage still waits"
    );
    assert_eq!(overview.failed.len(), 2);
    assert!(overview.failed.iter().all(|f| f.reason == reason));
    assert!(
        overview
            .failed
            .iter()
            .all(|f| f.at == "2030-11-25T12:00:00Z")
    );
    let failed = SubjectNo::parse(&overview.failed[0].subject_no).unwrap();
    assert_eq!(
        pmh_link::status(&tenant, &failed).await.unwrap(),
        (PmhStatus::Failed, Some(reason.clone()))
    );
    for f in &overview.failed {
        for p in &people {
            assert!(!f.reason.contains(p.my_number.expose_digits()));
        }
    }

    // One put back by name (an unknown name is ignored), then the rest.
    let stranger = SubjectNo::from_sequence(999).unwrap();
    let back = pmh_link::retry_failed(&tenant, Some(&[failed.clone(), stranger]))
        .await
        .unwrap();
    assert_eq!(back, 1);
    assert_eq!(
        pmh_link::status(&tenant, &failed).await.unwrap(),
        (PmhStatus::Waiting, None)
    );
    assert_eq!(pmh_link::retry_failed(&tenant, None).await.unwrap(), 1);
    let report = world.run(CHIYODA, fast(2)).await;
    assert_eq!(
        (report.assigned, report.failed, report.remaining),
        (3, 0, 0)
    );
    for p in &people {
        let key = world.key_of(&p.my_number).await;
        assert_keyed(&world, &tenant, &p.subject_no, &key).await;
    }
    assert!(pmh_link::overview(&tenant).await.unwrap().failed.is_empty());
}

#[tokio::test]
async fn a_pmh_slower_than_the_timeout_fails_the_batch_with_reason_timeout() {
    let world = world();
    let people = register_waiting(&world, CHIYODA, 2).await;
    let tenant = world.tenant(CHIYODA);
    world.pmh.set_latency(Duration::from_millis(500));
    let config = PmhLinkConfig {
        call_timeout: Duration::from_millis(20),
        attempts: 2,
        ..fast(1_000)
    };

    let report = world.run(CHIYODA, config.clone()).await;

    assert_eq!(report.stopped.as_deref(), Some("timeout"));
    assert_eq!((report.assigned, report.failed), (0, 2));
    assert_eq!(
        pmh_link::status(&tenant, &people[1].subject_no)
            .await
            .unwrap(),
        (PmhStatus::Failed, Some("timeout".into()))
    );

    world.pmh.set_latency(Duration::ZERO);
    assert_eq!(pmh_link::retry_failed(&tenant, None).await.unwrap(), 2);
    assert_eq!(world.run(CHIYODA, config).await.assigned, 2);
}

#[tokio::test]
async fn an_answer_with_another_my_number_fails_that_person_and_alerts_the_administrators() {
    let world = world();
    let people = register_waiting(&world, CHIYODA, 3).await;
    let tenant = world.tenant(CHIYODA);
    world.pmh.mismatch_next(1);

    let report = world.run(CHIYODA, fast(1_000)).await;

    assert_eq!(
        (report.assigned, report.failed, report.stopped),
        (2, 1, None)
    );
    let overview = pmh_link::overview(&tenant).await.unwrap();
    assert_eq!(overview.failed.len(), 1);
    assert_eq!(overview.failed[0].reason, "pmh_mismatch");
    let victim = SubjectNo::parse(&overview.failed[0].subject_no).unwrap();
    let (stored, _) = persons::get(&tenant, &victim).await.unwrap().unwrap();
    assert_eq!(stored.pmh_key, None, "no key from a mismatched answer");
    assert_eq!(
        pmh_link::status(&tenant, &victim).await.unwrap(),
        (PmhStatus::Failed, Some("pmh_mismatch".into()))
    );

    let clock: Arc<dyn Clock> = world.clock.clone();
    let alerts = Alerts::for_tenant(&tenant, clock.clone())
        .list(10)
        .await
        .unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].kind, AlertKind::PmhMismatch);
    let sent = Outbox::for_tenant(&tenant, clock).list(10).await.unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, vec!["admin1".to_owned()]);
    for p in &people {
        let digits = p.my_number.expose_digits();
        assert!(!alerts[0].message_ja.contains(digits));
        assert!(!alerts[0].message_en.contains(digits));
        assert!(!sent[0].body.contains(digits));
    }

    pmh_link::retry_failed(&tenant, None).await.unwrap();
    let report = world.run(CHIYODA, fast(1_000)).await;
    assert_eq!(report.assigned, 1);
    let key = world.key_of(&stored.my_number).await;
    assert_keyed(&world, &tenant, &victim, &key).await;
}

/// What a run may change: versions, history, indexes, directory, queue.
async fn snapshot(world: &World, tenant: &Tenant, people: &[TargetPerson]) -> Vec<String> {
    let mut lines = Vec::new();
    for p in people {
        let (stored, version) = persons::get(tenant, &p.subject_no).await.unwrap().unwrap();
        let key = stored.pmh_key.unwrap();
        lines.push(format!(
            "{} v{version} key={} hist={} found={:?} dir={:?}",
            p.subject_no.as_str(),
            key.as_str(),
            history::list(tenant, &p.subject_no).await.unwrap().len(),
            persons::find_by_pmh_key(tenant, &key).await.unwrap(),
            world.directory.residences(&key).await.unwrap(),
        ));
    }
    lines.push(format!("{:?}", pmh_link::overview(tenant).await.unwrap()));
    lines
}

#[tokio::test]
async fn running_again_changes_nothing() {
    let world = world();
    let people = register_waiting(&world, CHIYODA, 5).await;
    let tenant = world.tenant(CHIYODA);
    assert_eq!(world.run(CHIYODA, fast(2)).await.assigned, 5);
    let before = snapshot(&world, &tenant, &people).await;

    let again = world.run(CHIYODA, fast(2)).await;

    assert_eq!(again, PmhRunReport::default());
    assert_eq!(snapshot(&world, &tenant, &people).await, before);
}

#[tokio::test]
async fn a_run_cut_short_at_any_write_is_finished_by_the_next_run() {
    // 3 batches of 10; the store dies at the first, second, … write of the run until the run
    // gets through, and each time a second run must finish the work exactly once.
    let mut cut_points = 0;
    for budget in 0.. {
        let world = world();
        let people = register_waiting(&world, CHIYODA, 30).await;
        let tenant = world.tenant(CHIYODA);

        world.budget.store(budget, Ordering::SeqCst);
        let cut = world
            .linker(fast(10))
            .run_once(&tenant, &world.directory)
            .await;
        world.budget.store(-1, Ordering::SeqCst);
        if cut.is_ok() {
            break;
        }
        cut_points += 1;

        let report = world.run(CHIYODA, fast(10)).await;

        assert_eq!(
            (report.failed, report.remaining),
            (0, 0),
            "cut at write {budget}"
        );
        for p in &people {
            let key = world.key_of(&p.my_number).await;
            assert_keyed(&world, &tenant, &p.subject_no, &key).await;
            assert_eq!(
                pmh_history(&tenant, &p.subject_no).await,
                1,
                "cut at write {budget}: one history entry per key"
            );
        }
        let overview = pmh_link::overview(&tenant).await.unwrap();
        assert_eq!((overview.waiting, overview.failed.len()), (0, 0));
    }
    // Per batch at least the key transaction, the directory and the queue.
    assert!(cut_points >= 9, "only {cut_points} writes to cut at");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runs_at_once_store_each_key_once() {
    let world = world();
    let people = register_waiting(&world, CHIYODA, 20).await;
    let tenant = world.tenant(CHIYODA);
    let (first, second) = (world.linker(fast(5)), world.linker(fast(5)));

    let (a, b) = tokio::join!(
        first.run_once(&tenant, &world.directory),
        second.run_once(&tenant, &world.directory)
    );

    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.assigned + b.assigned, 20);
    assert_eq!((a.failed, b.failed), (0, 0));
    for p in &people {
        let key = world.key_of(&p.my_number).await;
        assert_keyed(&world, &tenant, &p.subject_no, &key).await;
        assert_eq!(pmh_history(&tenant, &p.subject_no).await, 1);
    }
    assert_eq!(pmh_link::overview(&tenant).await.unwrap().waiting, 0);
}

#[tokio::test]
async fn a_key_another_person_here_already_holds_fails_with_pmh_key_in_use() {
    let world = world();
    let tenant = world.tenant(CHIYODA);
    let number = my_number(42);
    let key = world.key_of(&number).await;
    // A record from the previous system gave this key to someone else.
    let holder = person(CHIYODA, 1, my_number(43), Some(key.clone()));
    persons::register(&tenant, &holder).await.unwrap();
    let waiting = person(CHIYODA, 2, number, None);
    persons::register(&tenant, &waiting).await.unwrap();

    let report = world.run(CHIYODA, fast(1_000)).await;

    assert_eq!((report.assigned, report.failed), (0, 1));
    assert_eq!(
        pmh_link::status(&tenant, &waiting.subject_no)
            .await
            .unwrap(),
        (PmhStatus::Failed, Some("pmh_key_in_use".into()))
    );
    assert_eq!(
        persons::find_by_pmh_key(&tenant, &key).await.unwrap(),
        Some(holder.subject_no.clone())
    );
    assert!(
        world.directory.residences(&key).await.unwrap().is_empty(),
        "the directory is not pointed at the wrong person"
    );
}

#[tokio::test]
async fn a_run_while_an_import_holds_the_persons_leaves_everyone_waiting_for_the_run_after_it() {
    let world = world();
    let people = register_waiting(&world, CHIYODA, 3).await;
    let tenant = world.tenant(CHIYODA);
    let lease = persons::import_lease::acquire(&tenant, "job-1")
        .await
        .unwrap()
        .unwrap();

    let report = world.run(CHIYODA, fast(10)).await;

    assert_eq!(
        report,
        PmhRunReport {
            assigned: 0,
            failed: 0,
            remaining: 3,
            stopped: Some(pmh_link::REASON_IMPORT_RUNNING.to_owned())
        }
    );
    lease.release(&tenant).await.unwrap();
    let report = world.run(CHIYODA, fast(10)).await;
    assert_eq!((report.assigned, report.remaining), (3, 0));
    for p in &people {
        let key = world.key_of(&p.my_number).await;
        assert_keyed(&world, &tenant, &p.subject_no, &key).await;
    }
}

/// PMH that answers only after an import has taken the persons lease (the race the key
/// transaction's lease check closes).
struct ImportStartsDuringTheCall {
    inner: Arc<PmhSim>,
    tenant: Tenant,
}

#[async_trait]
impl Pmh for ImportStartsDuringTheCall {
    async fn assign_keys(
        &self,
        my_numbers: &[MyNumber],
    ) -> Result<Vec<sesshu_core::ports::PmhAssignment>, sesshu_core::ports::PmhError> {
        persons::import_lease::acquire(&self.tenant, "job-2")
            .await
            .unwrap();
        self.inner.assign_keys(my_numbers).await
    }
}

#[tokio::test]
async fn an_import_starting_while_pmh_answers_keeps_the_keys_out_of_the_profiles_it_rewrites() {
    let world = world();
    let people = register_waiting(&world, CHIYODA, 3).await;
    let tenant = world.tenant(CHIYODA);
    let pmh: Arc<dyn Pmh> = Arc::new(ImportStartsDuringTheCall {
        inner: world.pmh.clone(),
        tenant: tenant.clone(),
    });
    let linker =
        PmhLinker::new(pmh, world.clock.clone(), world.detector.clone()).with_config(fast(10));

    let report = linker.run_once(&tenant, &world.directory).await.unwrap();

    assert_eq!(
        (report.assigned, report.remaining, report.stopped.as_deref()),
        (0, 3, Some(pmh_link::REASON_IMPORT_RUNNING))
    );
    for p in &people {
        let (stored, _) = persons::get(&tenant, &p.subject_no).await.unwrap().unwrap();
        assert_eq!(stored.pmh_key, None);
        assert_eq!(
            pmh_link::status(&tenant, &p.subject_no).await.unwrap(),
            (PmhStatus::Waiting, None)
        );
    }
}
