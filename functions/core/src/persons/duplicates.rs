//! Possible duplicates: two people with the same kana and birth date but different My Numbers
//! (the same My Number twice is refused outright by the unique index). Flagged when the second
//! is registered, listed for review side by side, dismissed once a person has looked.
//!
//! A pair is the flag `DUP#OPEN` / `<a>#<b>` plus one entry under each of the two people
//! (`DUP#OF#<subject>` / `<other>`), so deleting a person finds its pairs in its own partition
//! instead of reading every open pair of the municipality.

use sesshu_domain::SubjectNo;
use sesshu_store::{Condition, Item, Key, Query, StoreError, Write};

use crate::error::CoreError;
use crate::tenancy::Tenant;

const OPEN: &str = "DUP#OPEN";

fn pair_key(a: &SubjectNo, b: &SubjectNo) -> Key {
    let (first, second) = if a <= b { (a, b) } else { (b, a) };
    Key::new(OPEN, format!("{}#{}", first.as_str(), second.as_str()))
}

fn of_partition(subject: &SubjectNo) -> String {
    format!("DUP#OF#{}", subject.as_str())
}

fn of_key(subject: &SubjectNo, other: &SubjectNo) -> Key {
    Key::new(of_partition(subject), other.as_str())
}

/// Every item of a pair (order does not matter): the flag and the entry under each person.
pub(crate) fn pair_items(a: &SubjectNo, b: &SubjectNo) -> [Item; 3] {
    [
        Item::new(pair_key(a, b)),
        Item::new(of_key(a, b)),
        Item::new(of_key(b, a)),
    ]
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
    let delete = |key, condition| Write::Delete { key, condition };
    tenant
        .store
        .transact(vec![
            delete(pair_key(a, b), Condition::MustExist),
            delete(of_key(a, b), Condition::None),
            delete(of_key(b, a), Condition::None),
        ])
        .await
        .map_err(|e| match e {
            StoreError::ConditionFailed { .. } => CoreError::NotFound,
            other => other.into(),
        })
}

/// Every item of the open pairs naming `subject` (for deletion of the person): read from the
/// person's own partition.
pub(crate) async fn keys_naming(
    tenant: &Tenant,
    subject: &SubjectNo,
) -> Result<Vec<Key>, CoreError> {
    let mut keys = Vec::new();
    let mut query = Query::partition(of_partition(subject)).limit(100);
    loop {
        let page = tenant.store.query(&query).await?;
        for item in &page.items {
            let other = SubjectNo::parse(&item.key.sk)
                .map_err(|_| CoreError::Corrupt("duplicate pair".into()))?;
            keys.extend([
                pair_key(subject, &other),
                of_key(subject, &other),
                of_key(&other, subject),
            ]);
        }
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => return Ok(keys),
        }
    }
}
