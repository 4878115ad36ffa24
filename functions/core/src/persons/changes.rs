//! The change feed: one plain item per person and day on which anything of theirs changed
//! (created, updated, flags, deleted, records), so a changed-since export reads the days since
//! then instead of every person. Spread over the listing shards so a bulk import does not
//! write one hot partition.

use sesshu_domain::SubjectNo;
use sesshu_store::{Item, Key, Query};
use time::Date;

use crate::error::CoreError;
use crate::persons::index::{SHARDS, shard_of};
use crate::tenancy::Tenant;

/// How long feed entries are kept: longer than any sensible export interval.
const FEED_DAYS: u64 = 400;

fn partition(day: Date, shard: u8) -> String {
    format!("CHG#{}#{shard}", sesshu_domain::iso_date::format(day))
}

/// The feed entry for `subject_no` on `day`; writing it twice is harmless.
pub(crate) fn entry(day: Date, subject_no: &SubjectNo) -> Item {
    let expires = u64::try_from(day.midnight().assume_utc().unix_timestamp())
        .unwrap_or(0)
        .saturating_add(FEED_DAYS * 86_400);
    Item::new(Key::new(
        partition(day, shard_of(subject_no)),
        subject_no.as_str(),
    ))
    .expiring_at(expires)
}

/// Every subject with a change on `day`, in shard and subject order.
pub async fn changed_on(tenant: &Tenant, day: Date) -> Result<Vec<SubjectNo>, CoreError> {
    let mut subjects = Vec::new();
    for shard in 0..SHARDS {
        let mut query = Query::partition(partition(day, shard)).limit(1_000);
        loop {
            let page = tenant.store.query(&query).await?;
            for item in &page.items {
                subjects.push(
                    SubjectNo::parse(&item.key.sk)
                        .map_err(|_| CoreError::Corrupt("change feed entry".into()))?,
                );
            }
            match page.next {
                Some(next) => query.cursor = Some(next),
                None => break,
            }
        }
    }
    Ok(subjects)
}
