//! Fixtures: a platform on the embedded store in a temporary directory, a fixed clock, raw
//! access to the log's items for tampering, and a store that counts its commits.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use sesshu_core::audit::AuditEvent;
use sesshu_core::clock::{Clock, FixedClock};
use sesshu_core::tenancy::{Platform, TableOpener, Tenant};
use sesshu_crypto::LocalKeyring;
use sesshu_domain::MunicipalityCode;
use sesshu_domain::staff::Outcome;
use sesshu_store::{
    BatchWrite, Condition, EmbeddedTables, Item, Key, Page, Query, Store, StoreError, Write,
};
use time::macros::datetime;

pub const CODE: &str = "131016";

pub struct World {
    pub platform: Arc<Platform>,
    pub clock: Arc<FixedClock>,
    pub tenant: Tenant,
    _dir: tempfile::TempDir,
}

impl World {
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.tenant.store
    }
}

/// A platform with one municipality, its clock standing at 2030-11-25 12:00 UTC (in the future,
/// so the store's own TTL, which reads the real time, never hides what the test wrote).
pub fn world() -> World {
    // On disk (the target dir), not tmpfs, so commits cost a real fsync.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let tables = Arc::new(EmbeddedTables::new(dir.path().join("tables")));
    let opener: TableOpener = Arc::new(move |name: &str| tables.table(name));
    let keyring = Arc::new(LocalKeyring::open_or_create(&dir.path().join("master.key")).unwrap());
    let clock = Arc::new(FixedClock::at(datetime!(2030-11-25 12:00 UTC)));
    let platform = Arc::new(Platform::new(opener, keyring, clock.clone()).unwrap());
    let tenant = platform
        .tenant(&MunicipalityCode::parse(CODE).unwrap())
        .unwrap();
    World {
        platform,
        clock,
        tenant,
        _dir: dir,
    }
}

/// An event of a staff user on the admin surface.
pub fn event(actor: &str, action: &str, outcome: Outcome) -> AuditEvent {
    AuditEvent::new(
        actor,
        "192.0.2.10",
        "admin",
        action,
        outcome,
        format!("req-{action}"),
    )
}

/// `person.read` of the given subject numbers by `actor`.
pub fn read_of(actor: &str, subjects: &[&str]) -> AuditEvent {
    event(actor, "person.read", Outcome::Allowed)
        .with_subjects(subjects.iter().map(|s| (*s).to_owned()).collect())
        .with_fields(vec!["name".into(), "address".into()])
}

/// The stored item of entry `seq`, wherever its day partition is.
pub async fn entry_item(store: &Arc<dyn Store>, seq: u64) -> Item {
    let sk = format!("{seq:020}");
    for day in days(store).await {
        if let Some(item) = store
            .get(&Key::new(format!("LOG#{day}"), sk.clone()))
            .await
            .unwrap()
        {
            return item;
        }
    }
    panic!("no entry {seq}");
}

/// Days with entries, oldest first.
pub async fn days(store: &Arc<dyn Store>) -> Vec<String> {
    let page = store
        .query(&Query::partition("LOG#DAYS").limit(1000))
        .await
        .unwrap();
    page.items.into_iter().map(|item| item.key.sk).collect()
}

pub async fn put_raw(store: &Arc<dyn Store>, item: Item) {
    store.put(item, Condition::None).await.unwrap();
}

pub async fn delete_raw(store: &Arc<dyn Store>, key: &Key) {
    store.delete(key, Condition::None).await.unwrap();
}

/// A store that counts the transactions it commits, around another store.
pub struct CountingStore {
    pub inner: Arc<dyn Store>,
    pub commits: AtomicUsize,
}

impl CountingStore {
    pub fn new(inner: Arc<dyn Store>) -> Arc<Self> {
        Arc::new(Self {
            inner,
            commits: AtomicUsize::new(0),
        })
    }

    pub fn commits(&self) -> usize {
        self.commits.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Store for CountingStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let result = self.inner.transact(writes).await;
        if result.is_ok() {
            self.commits.fetch_add(1, Ordering::SeqCst);
        }
        result
    }

    async fn write_batch(&self, writes: Vec<BatchWrite>) -> Result<(), StoreError> {
        let result = self.inner.write_batch(writes).await;
        if result.is_ok() {
            self.commits.fetch_add(1, Ordering::SeqCst);
        }
        result
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }

    async fn sweep_expired(&self, now_epoch_s: u64) -> Result<usize, StoreError> {
        self.inner.sweep_expired(now_epoch_s).await
    }
}
