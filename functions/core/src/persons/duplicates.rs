//! Possible duplicates: two people with the same kana and birth date but different My Numbers
//! (the same My Number twice is refused outright by the unique index). Flagged when the second
//! is registered, listed for review side by side, dismissed once a person has looked.

use sesshu_domain::SubjectNo;
use sesshu_store::{Condition, Item, Key, Query};

use crate::error::CoreError;
use crate::tenancy::Tenant;

const OPEN: &str = "DUP#OPEN";

fn pair_key(a: &SubjectNo, b: &SubjectNo) -> Key {
    let (first, second) = if a <= b { (a, b) } else { (b, a) };
    Key::new(OPEN, format!("{}#{}", first.as_str(), second.as_str()))
}

/// The flag item of a pair (order does not matter).
pub(crate) fn pair_item(a: &SubjectNo, b: &SubjectNo) -> Item {
    Item::new(pair_key(a, b))
}

/// Open pairs, in subject order, one page.
pub async fn open_pairs(
    tenant: &Tenant,
    cursor: Option<String>,
    limit: usize,
) -> Result<(Vec<(SubjectNo, SubjectNo)>, Option<String>), CoreError> {
    let page = tenant
        .store
        .query(&Query::partition(OPEN).limit(limit).after(cursor))
        .await?;
    let pairs = page
        .items
        .iter()
        .map(|item| {
            let (a, b) = item
                .key
                .sk
                .split_once('#')
                .ok_or_else(|| CoreError::Corrupt("duplicate pair".into()))?;
            Ok((
                SubjectNo::parse(a).map_err(|_| CoreError::Corrupt("duplicate pair".into()))?,
                SubjectNo::parse(b).map_err(|_| CoreError::Corrupt("duplicate pair".into()))?,
            ))
        })
        .collect::<Result<Vec<_>, CoreError>>()?;
    Ok((pairs, page.next))
}

/// Records a pair as reviewed (not the same person, or merged by hand): the flag goes away.
pub async fn dismiss(tenant: &Tenant, a: &SubjectNo, b: &SubjectNo) -> Result<(), CoreError> {
    tenant
        .store
        .delete(&pair_key(a, b), Condition::MustExist)
        .await
        .map_err(|e| match e {
            sesshu_store::StoreError::ConditionFailed { .. } => CoreError::NotFound,
            other => other.into(),
        })
}

/// Every open pair naming `subject`, as keys (for deletion of the person).
pub(crate) async fn keys_naming(
    tenant: &Tenant,
    subject: &SubjectNo,
) -> Result<Vec<Key>, CoreError> {
    let mut keys = Vec::new();
    let mut cursor = None;
    loop {
        let (pairs, next) = open_pairs(tenant, cursor, 1_000).await?;
        keys.extend(
            pairs
                .iter()
                .filter(|(a, b)| a == subject || b == subject)
                .map(|(a, b)| pair_key(a, b)),
        );
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok(keys),
        }
    }
}
