//! Shared test fixtures: a store per tenant, a keyring that counts its calls, a cipher.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use sesshu_crypto::{
    DataKey, GeneratedKey, KeyCache, KeyCacheConfig, KeyContext, Keyring, KeyringError,
    LocalKeyring,
};
use sesshu_store::{Condition, Item, Key, Page, Query, SkRange, Store, StoreError, Write};

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

/// A fresh table for one tenant.
pub fn table() -> Arc<dyn Store> {
    Arc::new(MemoryStore::default())
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

/// A minimal in-memory table with the port's conditional-write semantics.
#[derive(Default)]
pub struct MemoryStore {
    items: Mutex<BTreeMap<Key, Item>>,
}

fn holds(condition: Condition, current: Option<&Item>) -> bool {
    match condition {
        Condition::None => true,
        Condition::MustNotExist => current.is_none(),
        Condition::MustExist => current.is_some(),
        Condition::VersionIs(version) => current.is_some_and(|item| item.version == version),
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        Ok(self.items.lock().unwrap().get(key).cloned())
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        sesshu_store::validate_writes(&writes)?;
        let mut items = self.items.lock().unwrap();
        for (index, write) in writes.iter().enumerate() {
            let (key, condition) = match write {
                Write::Put { item, condition } => (&item.key, *condition),
                Write::Delete { key, condition } | Write::Check { key, condition } => {
                    (key, *condition)
                }
            };
            if !holds(condition, items.get(key)) {
                return Err(StoreError::ConditionFailed { index });
            }
        }
        for write in writes {
            match write {
                Write::Put { item, .. } => {
                    item.validate()?;
                    items.insert(item.key.clone(), item);
                }
                Write::Delete { key, .. } => {
                    items.remove(&key);
                }
                Write::Check { .. } => {}
            }
        }
        Ok(())
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        let items = self.items.lock().unwrap();
        let mut found: Vec<Item> = items
            .values()
            .filter(|item| item.key.pk == query.pk)
            .filter(|item| match &query.range {
                SkRange::All => true,
                SkRange::Prefix(prefix) => item.key.sk.starts_with(prefix.as_str()),
                SkRange::Between { from, to } => {
                    item.key.sk.as_str() >= from.as_str() && item.key.sk.as_str() <= to.as_str()
                }
            })
            .cloned()
            .collect();
        if !query.ascending {
            found.reverse();
        }
        Ok(Page {
            items: found,
            next: None,
        })
    }

    async fn sweep_expired(&self, _now_epoch_s: u64) -> Result<usize, StoreError> {
        Ok(0)
    }
}
