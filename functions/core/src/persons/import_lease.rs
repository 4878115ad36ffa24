//! One writer of a municipality's persons at a time while an import runs. An import plans each
//! batch from the store and then writes it without conditions (bulk writes), so a clerk who
//! registered the same My Number, or edited or deleted a person, between the plan and the write
//! would be overwritten: two people with one My Number, or a lost edit. While an import holds
//! the lease, manual changes of persons are refused with a message saying why (they check the
//! lease inside their own transaction), and a second import waits for the first.
//!
//! The lease expires [`LEASE_SECONDS`] after its last renewal, so a process that died holding it
//! blocks nobody for long; the import that resumes after a restart takes it again.

use sesshu_store::{AttrValue, Condition, Item, Key, StoreError, Write, now_epoch_s};

use crate::error::CoreError;
use crate::tenancy::Tenant;

/// How long a lease lasts without renewal.
pub const LEASE_SECONDS: u64 = 600;
/// An import renews its lease once it is this old.
const RENEW_AFTER_SECONDS: u64 = 30;

/// What a clerk is told when a change is refused during an import.
pub const IMPORT_RUNNING: &str = "an import of target persons is running; persons can be viewed but not changed until it finishes (usually a few minutes)";

/// The refusal of a manual change during an import (HTTP 409 `import_running`).
pub fn refused() -> CoreError {
    CoreError::StateConflict {
        code: "import_running",
        message: IMPORT_RUNNING,
    }
}

fn key() -> Key {
    Key::new("LEASE#persons", "IMPORT")
}

/// The check a manual change of persons adds to its transaction: no import holds the lease.
pub(crate) fn no_import_running() -> Write {
    Write::Check {
        key: key(),
        condition: Condition::MustNotExist,
    }
}

/// Whether an import holds the lease now (background jobs that change persons wait for it).
pub async fn held(tenant: &Tenant) -> Result<bool, CoreError> {
    Ok(tenant.store.get(&key()).await?.is_some())
}

/// Why a transaction guarded by the lease was not applied.
#[derive(Debug)]
pub(crate) enum Guarded {
    /// An import holds the lease.
    ImportRunning,
    /// Any other failure; a `ConditionFailed` index still names the caller's write.
    Store(StoreError),
}

/// Applies `writes` in one transaction that also checks that no import holds the lease (the
/// check goes last, so the caller's indexes are unchanged).
pub(crate) async fn transact_unless_importing(
    tenant: &Tenant,
    mut writes: Vec<Write>,
) -> Result<(), Guarded> {
    let check = writes.len();
    writes.push(no_import_running());
    match tenant.store.transact(writes).await {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed { index }) if index == check => Err(Guarded::ImportRunning),
        Err(other) => Err(Guarded::Store(other)),
    }
}

/// A held lease: which job, which stored version, when it was last renewed.
#[derive(Debug)]
pub struct Lease {
    job_id: String,
    version: u64,
    renewed_at: u64,
}

/// Takes the lease for `job_id` (again, if this job held it before a restart); `None` while
/// another import holds it.
pub async fn acquire(tenant: &Tenant, job_id: &str) -> Result<Option<Lease>, CoreError> {
    let now = now_epoch_s();
    let (condition, version) = match tenant.store.get(&key()).await? {
        Some(item) if item.get("job_id").and_then(AttrValue::as_s) != Some(job_id) => {
            return Ok(None);
        }
        Some(item) => (Condition::VersionIs(item.version), item.version + 1),
        None => (Condition::MustNotExist, 1),
    };
    let item = Item::new(key())
        .with("job_id", AttrValue::S(job_id.to_owned()))
        .with_version(version)
        .expiring_at(now + LEASE_SECONDS);
    match tenant.store.put(item, condition).await {
        Ok(()) => Ok(Some(Lease {
            job_id: job_id.to_owned(),
            version,
            renewed_at: now,
        })),
        Err(StoreError::ConditionFailed { .. }) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// Waits until the lease is free for `job_id`, then takes it.
pub async fn acquire_waiting(tenant: &Tenant, job_id: &str) -> Result<Lease, CoreError> {
    loop {
        if let Some(lease) = acquire(tenant, job_id).await? {
            return Ok(lease);
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

impl Lease {
    /// Extends the lease if it is getting old; an error if it was lost (it expired while the
    /// import stalled and someone else changed persons meanwhile).
    pub async fn renew(&mut self, tenant: &Tenant) -> Result<(), CoreError> {
        let now = now_epoch_s();
        if now < self.renewed_at + RENEW_AFTER_SECONDS {
            return Ok(());
        }
        let item = Item::new(key())
            .with("job_id", AttrValue::S(self.job_id.clone()))
            .with_version(self.version + 1)
            .expiring_at(now + LEASE_SECONDS);
        match tenant
            .store
            .put(item, Condition::VersionIs(self.version))
            .await
        {
            Ok(()) => {
                self.version += 1;
                self.renewed_at = now;
                Ok(())
            }
            Err(StoreError::ConditionFailed { .. }) => Err(CoreError::Conflict(
                "the import lost its lease on the persons; it resumes on the next start",
            )),
            Err(other) => Err(other.into()),
        }
    }

    /// Gives the lease back.
    pub async fn release(self, tenant: &Tenant) -> Result<(), CoreError> {
        match tenant
            .store
            .delete(&key(), Condition::VersionIs(self.version))
            .await
        {
            Ok(()) | Err(StoreError::ConditionFailed { .. }) => Ok(()),
            Err(other) => Err(other.into()),
        }
    }
}
