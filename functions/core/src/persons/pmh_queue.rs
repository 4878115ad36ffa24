//! The PMH key queue: who still needs a PMH key (`PMHQ#WAIT#<shard>`) and whose assignment
//! failed and why (`PMHQ#FAIL`). Plain items holding subject numbers and reasons only.

use sesshu_domain::SubjectNo;
use sesshu_store::{AttrValue, Item, Key};

use crate::persons::index::shard_of;

pub(crate) fn waiting_partition(shard: u8) -> String {
    format!("PMHQ#WAIT#{shard}")
}

pub(crate) const FAILED_PARTITION: &str = "PMHQ#FAIL";

pub(crate) fn waiting_key(subject_no: &SubjectNo) -> Key {
    Key::new(waiting_partition(shard_of(subject_no)), subject_no.as_str())
}

pub(crate) fn failed_key(subject_no: &SubjectNo) -> Key {
    Key::new(FAILED_PARTITION, subject_no.as_str())
}

pub(crate) fn waiting_item(subject_no: &SubjectNo) -> Item {
    Item::new(waiting_key(subject_no))
}

/// A failed assignment with its reason (no personal data) and epoch seconds.
pub(crate) fn failed_item(subject_no: &SubjectNo, reason: &str, at_epoch_s: u64) -> Item {
    Item::new(failed_key(subject_no))
        .with("reason", AttrValue::S(reason.to_owned()))
        .with(
            "at",
            AttrValue::N(i64::try_from(at_epoch_s).unwrap_or(i64::MAX)),
        )
}

/// Where a person's PMH key assignment stands, and why it failed if it did.
pub async fn status_of(
    tenant: &crate::tenancy::Tenant,
    person: &sesshu_domain::person::TargetPerson,
) -> Result<(sesshu_domain::staff_persons::PmhStatus, Option<String>), crate::CoreError> {
    use sesshu_domain::staff_persons::PmhStatus;
    if person.pmh_key.is_some() {
        return Ok((PmhStatus::Assigned, None));
    }
    match tenant.store.get(&failed_key(&person.subject_no)).await? {
        Some(item) => Ok((
            PmhStatus::Failed,
            item.get("reason")
                .and_then(AttrValue::as_s)
                .map(str::to_owned),
        )),
        None => Ok((PmhStatus::Waiting, None)),
    }
}
