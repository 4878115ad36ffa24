//! Data keys per municipality and purpose: persisted wrapped in the tenant's own table, cached
//! unwrapped in this process.
//!
//! Layout in the tenant's table (no personal data; the wrapped keys are useless without the
//! keyring):
//!
//! | pk | sk | attributes |
//! |---|---|---|
//! | `KEY#<purpose>` | `ACTIVE` | `kid`: N, the key id new ciphertexts use |
//! | `KEY#<purpose>` | `<kid, 6 digits>` | `wrapped`: B, `created_at`: N |
//!
//! The cache guarantees at most one keyring call per (municipality, purpose, key id) per
//! [`KeyCacheConfig::max_age`] per process, whatever the load: concurrent misses wait on a
//! per-key lock (single flight) and the first one through fills the slot for all.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

// tokio's clock is the system's monotonic clock, except in tests that pause time.
use tokio::time::Instant;

use sesshu_store::{AttrValue, Condition, Item, Key, Store, StoreError, Write, now_epoch_s};

use crate::error::CryptoError;
use crate::keyring::{DataKey, KeyContext, KeyPurpose, Keyring};

/// Partition-key prefix of the key items in a tenant's table.
pub const KEY_PARTITION_PREFIX: &str = "KEY#";
const ACTIVE_SK: &str = "ACTIVE";

/// Identifies one data key of a (municipality, purpose); recorded with every ciphertext so
/// rotated-out keys stay usable for reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub u32);

impl KeyId {
    /// The first key of every (municipality, purpose).
    pub const FIRST: KeyId = KeyId(1);
}

impl std::fmt::Display for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Zero-padded so key items sort by age within their partition.
        write!(f, "{:06}", self.0)
    }
}

/// Limits on how long an unwrapped data key may be used before the keyring is asked again.
#[derive(Debug, Clone, Copy)]
pub struct KeyCacheConfig {
    /// Age after which a cached key is unwrapped again (default 5 minutes).
    pub max_age: Duration,
    /// Uses after which a cached key is unwrapped again (default 10,000,000).
    pub max_uses: u64,
}

impl Default for KeyCacheConfig {
    fn default() -> Self {
        Self {
            max_age: Duration::from_secs(300),
            max_uses: 10_000_000,
        }
    }
}

type Slots<K, T> = Mutex<HashMap<K, Arc<Slot<T>>>>;

/// The process-wide cache of unwrapped data keys. Create one per process and share it; hand
/// each municipality a [`TenantKeys`] from [`KeyCache::tenant`].
pub struct KeyCache {
    keyring: Arc<dyn Keyring>,
    config: KeyCacheConfig,
    active: Slots<(Arc<str>, KeyPurpose), KeyId>,
    keys: Slots<(Arc<str>, KeyPurpose, KeyId), DataKey>,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl KeyCache {
    /// A cache with the default limits (5 minutes, 10,000,000 uses).
    pub fn new(keyring: Arc<dyn Keyring>) -> Arc<Self> {
        Self::with_config(keyring, KeyCacheConfig::default())
    }

    /// A cache with explicit limits (tests use a short age).
    pub fn with_config(keyring: Arc<dyn Keyring>, config: KeyCacheConfig) -> Arc<Self> {
        Arc::new(Self {
            keyring,
            config,
            active: Mutex::new(HashMap::new()),
            keys: Mutex::new(HashMap::new()),
        })
    }

    /// The keys of one municipality, whose wrapped keys live in `store` (its own table).
    pub fn tenant(
        self: &Arc<Self>,
        municipality: impl Into<String>,
        store: Arc<dyn Store>,
    ) -> TenantKeys {
        TenantKeys {
            cache: Arc::clone(self),
            store,
            municipality: Arc::from(municipality.into()),
        }
    }

    fn active_slot(&self, municipality: &Arc<str>, purpose: KeyPurpose) -> Arc<Slot<KeyId>> {
        let mut slots = lock(&self.active);
        Arc::clone(
            slots
                .entry((Arc::clone(municipality), purpose))
                .or_default(),
        )
    }

    fn key_slot(
        &self,
        municipality: &Arc<str>,
        purpose: KeyPurpose,
        kid: KeyId,
    ) -> Arc<Slot<DataKey>> {
        let mut slots = lock(&self.keys);
        Arc::clone(
            slots
                .entry((Arc::clone(municipality), purpose, kid))
                .or_default(),
        )
    }
}

/// One municipality's data keys: cheap to clone.
#[derive(Clone)]
pub struct TenantKeys {
    cache: Arc<KeyCache>,
    store: Arc<dyn Store>,
    municipality: Arc<str>,
}

impl std::fmt::Debug for TenantKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantKeys")
            .field("municipality", &self.municipality)
            .finish_non_exhaustive()
    }
}

impl TenantKeys {
    /// The municipality code these keys belong to.
    pub fn municipality(&self) -> &str {
        &self.municipality
    }

    /// The tenant's table, where the wrapped keys live.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The key new ciphertexts of `purpose` use, created on first use.
    pub async fn current(&self, purpose: KeyPurpose) -> Result<(KeyId, DataKey), CryptoError> {
        let slot = self.cache.active_slot(&self.municipality, purpose);
        let kid = slot
            .get_or_load(&self.cache.config, || self.load_or_create_active(purpose))
            .await?;
        let key = self.key(purpose, kid).await?;
        Ok((kid, key))
    }

    /// The key with id `kid`, for reading what it encrypted.
    pub async fn key(&self, purpose: KeyPurpose, kid: KeyId) -> Result<DataKey, CryptoError> {
        let slot = self.cache.key_slot(&self.municipality, purpose, kid);
        slot.get_or_load(&self.cache.config, || self.unwrap_stored(purpose, kid))
            .await
    }

    /// Makes a new key the active one for `purpose`; earlier keys stay readable by id.
    ///
    /// If another process rotates at the same moment, its key wins and is returned.
    pub async fn rotate(&self, purpose: KeyPurpose) -> Result<KeyId, CryptoError> {
        if purpose == KeyPurpose::BlindIndex {
            return Err(CryptoError::RotationUnsupported(purpose.as_str()));
        }
        let pointer_key = Key::new(partition(purpose), ACTIVE_SK);
        let Some(pointer) = self.store.get(&pointer_key).await? else {
            return self.load_or_create_active(purpose).await;
        };
        let current = parse_pointer(&pointer)?;
        let next = KeyId(current.0.checked_add(1).ok_or_else(|| {
            CryptoError::MalformedKeyItem(format!("{}/{}", pointer_key.pk, pointer_key.sk))
        })?);
        let written = self
            .create_key(
                purpose,
                next,
                Condition::VersionIs(pointer.version),
                pointer.version + 1,
            )
            .await;
        let active = match written {
            Ok(()) => next,
            Err(CryptoError::Store(StoreError::ConditionFailed { .. })) => {
                self.read_active(purpose).await?.ok_or_else(|| {
                    CryptoError::MalformedKeyItem(format!("{}/{}", pointer_key.pk, pointer_key.sk))
                })?
            }
            Err(error) => return Err(error),
        };
        self.cache
            .active_slot(&self.municipality, purpose)
            .fill(active);
        Ok(active)
    }

    fn context(&self, purpose: KeyPurpose) -> KeyContext {
        KeyContext::new(self.municipality.to_string(), purpose)
    }

    async fn read_active(&self, purpose: KeyPurpose) -> Result<Option<KeyId>, CryptoError> {
        let pointer = self
            .store
            .get(&Key::new(partition(purpose), ACTIVE_SK))
            .await?;
        pointer.as_ref().map(parse_pointer).transpose()
    }

    async fn load_or_create_active(&self, purpose: KeyPurpose) -> Result<KeyId, CryptoError> {
        if let Some(kid) = self.read_active(purpose).await? {
            return Ok(kid);
        }
        match self
            .create_key(purpose, KeyId::FIRST, Condition::MustNotExist, 1)
            .await
        {
            Ok(()) => Ok(KeyId::FIRST),
            // Another process created the first key between our read and our write: use it.
            Err(CryptoError::Store(StoreError::ConditionFailed { .. })) => {
                self.read_active(purpose).await?.ok_or_else(|| {
                    CryptoError::MalformedKeyItem(format!("{}/{ACTIVE_SK}", partition(purpose)))
                })
            }
            Err(error) => Err(error),
        }
    }

    /// Generates key `kid`, writes it and points `ACTIVE` at it in one transaction, and puts
    /// the plaintext into the cache (so the creating process never unwraps its own key).
    async fn create_key(
        &self,
        purpose: KeyPurpose,
        kid: KeyId,
        pointer_condition: Condition,
        pointer_version: u64,
    ) -> Result<(), CryptoError> {
        let generated = self
            .cache
            .keyring
            .generate_data_key(&self.context(purpose))
            .await?;
        let pk = partition(purpose);
        let key_item = Item::new(Key::new(pk.clone(), kid.to_string()))
            .with("wrapped", AttrValue::B(generated.wrapped))
            .with("created_at", AttrValue::N(epoch_i64()));
        let pointer = Item::new(Key::new(pk, ACTIVE_SK))
            .with("kid", AttrValue::N(i64::from(kid.0)))
            .with_version(pointer_version);
        self.store
            .transact(vec![
                Write::Put {
                    item: key_item,
                    condition: Condition::MustNotExist,
                },
                Write::Put {
                    item: pointer,
                    condition: pointer_condition,
                },
            ])
            .await?;
        tracing::info!(
            municipality = %self.municipality,
            purpose = purpose.as_str(),
            %kid,
            "created data key"
        );
        self.cache
            .key_slot(&self.municipality, purpose, kid)
            .fill(generated.plaintext);
        Ok(())
    }

    async fn unwrap_stored(&self, purpose: KeyPurpose, kid: KeyId) -> Result<DataKey, CryptoError> {
        let key = Key::new(partition(purpose), kid.to_string());
        let item = self.store.get(&key).await?.ok_or(CryptoError::MissingKey {
            purpose: purpose.as_str(),
            kid,
        })?;
        let wrapped = item
            .get("wrapped")
            .and_then(AttrValue::as_b)
            .ok_or_else(|| CryptoError::MalformedKeyItem(format!("{}/{}", key.pk, key.sk)))?;
        Ok(self
            .cache
            .keyring
            .decrypt_data_key(&self.context(purpose), wrapped)
            .await?)
    }
}

fn partition(purpose: KeyPurpose) -> String {
    format!("{KEY_PARTITION_PREFIX}{}", purpose.as_str())
}

fn parse_pointer(item: &Item) -> Result<KeyId, CryptoError> {
    item.get("kid")
        .and_then(AttrValue::as_n)
        .and_then(|n| u32::try_from(n).ok())
        .map(KeyId)
        .ok_or_else(|| CryptoError::MalformedKeyItem(format!("{}/{}", item.key.pk, item.key.sk)))
}

fn epoch_i64() -> i64 {
    i64::try_from(now_epoch_s()).unwrap_or(i64::MAX)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves only a cache map behind, still consistent.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One cached value with its age and use count, and the lock that makes refills single-flight.
struct Slot<T> {
    cached: Mutex<Option<Cached<T>>>,
    refill: tokio::sync::Mutex<()>,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self {
            cached: Mutex::new(None),
            refill: tokio::sync::Mutex::new(()),
        }
    }
}

struct Cached<T> {
    value: T,
    loaded: Instant,
    uses: u64,
}

impl<T: Clone> Slot<T> {
    /// The cached value, counted as one use, unless it is too old or used up.
    fn take(&self, config: &KeyCacheConfig) -> Option<T> {
        let mut cached = lock(&self.cached);
        let entry = cached.as_mut()?;
        if entry.loaded.elapsed() >= config.max_age || entry.uses >= config.max_uses {
            return None;
        }
        entry.uses += 1;
        Some(entry.value.clone())
    }

    fn fill(&self, value: T) {
        self.fill_used(value, 0);
    }

    fn fill_used(&self, value: T, uses: u64) {
        *lock(&self.cached) = Some(Cached {
            value,
            loaded: Instant::now(),
            uses,
        });
    }

    async fn get_or_load<F, Fut>(&self, config: &KeyCacheConfig, load: F) -> Result<T, CryptoError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, CryptoError>>,
    {
        if let Some(value) = self.take(config) {
            return Ok(value);
        }
        let _single_flight = self.refill.lock().await;
        // Whoever held the lock before us has probably refilled the slot already.
        if let Some(value) = self.take(config) {
            return Ok(value);
        }
        let value = load().await?;
        self.fill_used(value.clone(), 1);
        Ok(value)
    }
}
