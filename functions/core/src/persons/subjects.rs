//! Allocation of 予防接種対象者番号 (subject numbers): a counter item handed out in ranges with
//! a version condition, so two importers or a clerk and an import never get the same number.

use sesshu_domain::SubjectNo;
use sesshu_store::{AttrValue, Condition, Item, Key, StoreError};

use crate::error::CoreError;
use crate::tenancy::Tenant;

fn counter_key() -> Key {
    Key::new("SEQ", "SUBJECT")
}

/// The first sequence number of a municipality.
const FIRST: u32 = 1;
const MAX: u32 = 999_999_999;

/// Reserves `count` consecutive subject numbers and returns them.
pub async fn allocate(tenant: &Tenant, count: u32) -> Result<Vec<SubjectNo>, CoreError> {
    for _ in 0..50 {
        let current = tenant.store.get(&counter_key()).await?;
        let (next, condition, version) = match &current {
            Some(item) => (
                item.get("next")
                    .and_then(AttrValue::as_n)
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| CoreError::Corrupt("subject counter".into()))?,
                Condition::VersionIs(item.version),
                item.version + 1,
            ),
            None => (FIRST, Condition::MustNotExist, 1),
        };
        let end = next
            .checked_add(count)
            .filter(|end| *end <= MAX + 1)
            .ok_or(CoreError::Invalid(
                "the municipality has used up its subject numbers".into(),
            ))?;
        let item = Item::new(counter_key())
            .with("next", AttrValue::N(i64::from(end)))
            .with_version(version);
        match tenant.store.put(item, condition).await {
            Ok(()) => {
                return (next..end)
                    .map(|n| {
                        SubjectNo::from_sequence(n)
                            .map_err(|_| CoreError::Corrupt("subject counter".into()))
                    })
                    .collect();
            }
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(CoreError::Conflict(
        "subject numbers are being allocated by many writers; try again",
    ))
}

/// Makes the next allocation start at `next` or later (for data registered with numbers of its
/// own, such as the demo data).
pub async fn continue_after(tenant: &Tenant, next: u32) -> Result<(), CoreError> {
    let current = tenant.store.get(&counter_key()).await?;
    let (have, condition, version) = match &current {
        Some(item) => (
            item.get("next")
                .and_then(AttrValue::as_n)
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(FIRST),
            Condition::VersionIs(item.version),
            item.version + 1,
        ),
        None => (FIRST, Condition::MustNotExist, 1),
    };
    if have >= next {
        return Ok(());
    }
    let item = Item::new(counter_key())
        .with("next", AttrValue::N(i64::from(next)))
        .with_version(version);
    tenant.store.put(item, condition).await?;
    Ok(())
}
