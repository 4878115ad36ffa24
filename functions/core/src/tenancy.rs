//! Tenants: one table and one set of keys per municipality, plus the platform directory table.
//!
//! **Invariant:** a [`Tenant`] is only ever built from a municipality code that came from a
//! verified session or from trusted configuration, never from a request body or path.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sesshu_crypto::{KeyCache, Keyring, TenantCipher};
use sesshu_domain::MunicipalityCode;
use sesshu_store::{Store, StoreError};

use crate::clock::Clock;

/// Opens the table with a given name: `platform` or a 6-digit municipality code. The adapter
/// maps it to its own naming (`<data_dir>/<name>.redb`, DynamoDB `<prefix>-<name>`).
pub type TableOpener = Arc<dyn Fn(&str) -> Result<Arc<dyn Store>, StoreError> + Send + Sync>;

/// Name of the platform directory table (no personal data in it).
pub const PLATFORM_TABLE: &str = "platform";

/// One municipality's store and cipher.
#[derive(Clone)]
pub struct Tenant {
    pub code: MunicipalityCode,
    pub store: Arc<dyn Store>,
    pub cipher: TenantCipher,
}

/// Everything the use cases need from the outside world, wired once at start.
pub struct Platform {
    open_table: TableOpener,
    keys: Arc<KeyCache>,
    pub clock: Arc<dyn Clock>,
    platform_store: Arc<dyn Store>,
    platform_cipher: TenantCipher,
    tenants: Mutex<HashMap<MunicipalityCode, Tenant>>,
}

impl Platform {
    pub fn new(
        open_table: TableOpener,
        keyring: Arc<dyn Keyring>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StoreError> {
        Self::with_key_cache(open_table, KeyCache::new(keyring), clock)
    }

    /// As [`Platform::new`], with a key cache configured by the caller (tests, benchmarks).
    pub fn with_key_cache(
        open_table: TableOpener,
        keys: Arc<KeyCache>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StoreError> {
        let platform_store = open_table(PLATFORM_TABLE)?;
        let platform_cipher = TenantCipher::new(&keys, PLATFORM_TABLE, platform_store.clone());
        Ok(Self {
            open_table,
            keys,
            clock,
            platform_store,
            platform_cipher,
            tenants: Mutex::new(HashMap::new()),
        })
    }

    /// The platform directory table.
    pub fn directory_store(&self) -> &Arc<dyn Store> {
        &self.platform_store
    }

    /// Keys for platform-wide secrets (session tokens).
    pub fn platform_cipher(&self) -> &TenantCipher {
        &self.platform_cipher
    }

    /// The tenant of a municipality; its table is opened once and cached.
    pub fn tenant(&self, code: &MunicipalityCode) -> Result<Tenant, StoreError> {
        let mut tenants = self
            .tenants
            .lock()
            .map_err(|_| StoreError::Backend("tenant cache lock poisoned".into()))?;
        if let Some(tenant) = tenants.get(code) {
            return Ok(tenant.clone());
        }
        let store = (self.open_table)(code.as_str())?;
        let cipher = TenantCipher::new(&self.keys, code.as_str(), store.clone());
        let tenant = Tenant {
            code: code.clone(),
            store,
            cipher,
        };
        tenants.insert(code.clone(), tenant.clone());
        Ok(tenant)
    }
}
