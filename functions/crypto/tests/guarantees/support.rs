//! Shared test fixtures: a store per tenant, a keyring that counts its calls, a cipher.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use sesshu_crypto::{
    DataKey, GeneratedKey, KeyCache, KeyCacheConfig, KeyContext, Keyring, KeyringError,
    LocalKeyring,
};
use sesshu_store::{EmbeddedStore, Item, Key, Page, Query, Store, StoreError, Write};

/// A keyring that counts how often it is asked, around a real [`LocalKeyring`].
pub struct CountingKeyring {
    inner: LocalKeyring,
    pub generated: AtomicUsize,
    pub decrypted: AtomicUsize,
    _dir: tempfile::TempDir,
}

impl CountingKeyring {
    pub fn new() -> Arc<Self> {
        let dir = tempfile::tempdir().unwrap();
        let inner = LocalKeyring::open_or_create(&dir.path().join("master.key")).unwrap();
        Arc::new(Self {
            inner,
            generated: AtomicUsize::new(0),
            decrypted: AtomicUsize::new(0),
            _dir: dir,
        })
    }

    pub fn decrypt_calls(&self) -> usize {
        self.decrypted.load(Ordering::SeqCst)
    }

    pub fn generate_calls(&self) -> usize {
        self.generated.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Keyring for CountingKeyring {
    async fn generate_data_key(&self, context: &KeyContext) -> Result<GeneratedKey, KeyringError> {
        self.generated.fetch_add(1, Ordering::SeqCst);
        self.inner.generate_data_key(context).await
    }

    async fn decrypt_data_key(
        &self,
        context: &KeyContext,
        wrapped: &[u8],
    ) -> Result<DataKey, KeyringError> {
        self.decrypted.fetch_add(1, Ordering::SeqCst);
        // A real KMS call takes milliseconds; widen the window in which a racing caller could
        // slip in a second call, so the single-flight test would catch it.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        self.inner.decrypt_data_key(context, wrapped).await
    }
}

/// A fresh embedded table for one tenant, deleted when dropped.
pub fn table() -> Arc<dyn Store> {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(&dir.path().join("table.redb")).unwrap();
    Arc::new(TempTable { store, _dir: dir })
}

/// A process-wide key cache over `keyring` with the default limits.
pub fn cache(keyring: &Arc<CountingKeyring>) -> Arc<KeyCache> {
    KeyCache::new(keyring.clone() as Arc<dyn Keyring>)
}

/// A key cache whose keys expire after `max_age`.
pub fn cache_with_age(
    keyring: &Arc<CountingKeyring>,
    max_age: std::time::Duration,
) -> Arc<KeyCache> {
    KeyCache::with_config(
        keyring.clone() as Arc<dyn Keyring>,
        KeyCacheConfig {
            max_age,
            ..KeyCacheConfig::default()
        },
    )
}

/// An embedded store that owns its temporary directory (fields drop in order: store first).
struct TempTable {
    store: EmbeddedStore,
    _dir: tempfile::TempDir,
}

#[async_trait]
impl Store for TempTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.store.get(key).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        self.store.transact(writes).await
    }

    async fn write_batch(&self, writes: Vec<sesshu_store::BatchWrite>) -> Result<(), StoreError> {
        self.store.write_batch(writes).await
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.store.query(query).await
    }

    async fn sweep_expired(&self, now_epoch_s: u64) -> Result<usize, StoreError> {
        self.store.sweep_expired(now_epoch_s).await
    }
}
