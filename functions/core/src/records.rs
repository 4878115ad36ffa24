//! Vaccination records (予防接種記録) of one person, stored in the person's partition
//! (`P#<subject_no>`, sort keys `REC#<record_id>`), the whole record encrypted as one attribute.

use sesshu_crypto::{Protection, Schema};
use sesshu_domain::SubjectNo;
use sesshu_domain::record::VaccinationRecord;
use sesshu_store::{AttrValue, Condition, Item, Key, Query, StoreError, Write};

use crate::error::CoreError;
use crate::resident_view::{self, ResidentView};
use crate::tenancy::Tenant;

pub const RECORD_SCHEMA: Schema = Schema {
    name: "vaccination_record",
    version: 1,
    attributes: &[
        ("record", Protection::EncryptAndSign),
        ("latest", Protection::SignOnly),
        ("deleted", Protection::SignOnly),
    ],
};

pub fn person_pk(subject_no: &SubjectNo) -> String {
    format!("P#{}", subject_no.as_str())
}

const RECORD_PREFIX: &str = "REC#";

fn record_key(subject_no: &SubjectNo, record_id: &str) -> Key {
    Key::new(person_pk(subject_no), format!("{RECORD_PREFIX}{record_id}"))
}

/// Stores a new record and updates the person's resident view in the same transaction;
/// refuses to overwrite an existing record id.
pub async fn insert(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    record: &VaccinationRecord,
) -> Result<(), CoreError> {
    // The view is read-modify-write under a version condition: a concurrent writer makes us
    // read again, never lose their entry.
    for _ in 0..VIEW_RETRIES {
        let (mut view, version) = match resident_view::get(tenant, subject_no).await? {
            Some((view, version)) => (view, Some(version)),
            None => {
                let (person, _) = crate::persons::get(tenant, subject_no)
                    .await?
                    .ok_or(CoreError::NotFound)?;
                let existing = list(tenant, subject_no).await?;
                (ResidentView::build(&person.control_flags, &existing), None)
            }
        };
        view.add(record);
        let writes = vec![
            insert_write(tenant, subject_no, record).await?,
            resident_view::put_write(tenant, subject_no, &view, version).await?,
        ];
        match tenant.store.transact(writes).await {
            Ok(()) => return Ok(()),
            Err(StoreError::ConditionFailed { index: 0 }) => {
                return Err(CoreError::Conflict("record id exists"));
            }
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(CoreError::Conflict(
        "the person's records are being changed; try again",
    ))
}

const VIEW_RETRIES: usize = 5;

/// The sealed, must-not-exist write of a new record, to put in a caller's transaction that
/// also writes the person's resident view.
pub(crate) async fn insert_write(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    record: &VaccinationRecord,
) -> Result<Write, CoreError> {
    let body = serde_json::to_string(record)
        .map_err(|_| CoreError::Corrupt("record does not encode".into()))?;
    let item = Item::new(record_key(subject_no, record.record_id.as_str()))
        .with("record", AttrValue::S(body))
        .with("latest", AttrValue::Bool(record.latest))
        .with("deleted", AttrValue::Bool(record.deleted));
    let sealed = tenant.cipher.seal(&RECORD_SCHEMA, item).await?;
    Ok(Write::Put {
        item: sealed,
        condition: Condition::MustNotExist,
    })
}

/// One record of a person, if present and not deleted.
pub async fn get(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    record_id: &str,
) -> Result<Option<VaccinationRecord>, CoreError> {
    let Some(item) = tenant.store.get(&record_key(subject_no, record_id)).await? else {
        return Ok(None);
    };
    let record = open_record(tenant, item).await?;
    Ok(Some(record).filter(|r| !r.deleted && r.latest))
}

/// Every current record of a person, newest vaccination first.
pub async fn list(
    tenant: &Tenant,
    subject_no: &SubjectNo,
) -> Result<Vec<VaccinationRecord>, CoreError> {
    let mut records = Vec::new();
    let mut cursor = None;
    loop {
        let query = Query::prefix(person_pk(subject_no), RECORD_PREFIX)
            .limit(200)
            .after(cursor);
        let page = tenant.store.query(&query).await?;
        for item in page.items {
            let record = open_record(tenant, item).await?;
            if record.latest && !record.deleted {
                records.push(record);
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    records.sort_by(|a, b| {
        b.vaccinated_on
            .cmp(&a.vaccinated_on)
            .then_with(|| b.dose_number.cmp(&a.dose_number))
    });
    Ok(records)
}

pub(crate) async fn open_record(
    tenant: &Tenant,
    item: Item,
) -> Result<VaccinationRecord, CoreError> {
    let opened = tenant.cipher.open(&RECORD_SCHEMA, item).await?;
    let body = opened
        .get("record")
        .and_then(AttrValue::as_s)
        .ok_or_else(|| CoreError::Corrupt("record body".into()))?;
    // serde errors may quote the offending value: never pass them on.
    serde_json::from_str(body).map_err(|_| CoreError::Corrupt("record does not decode".into()))
}
