//! A person's change history (`P#<subject>` / `HIST#<time>`), sealed: who changed which field
//! from what to what. My Number changes are recorded as masked on both sides. Creation by
//! import needs no entry of its own: the profile's 連携ファイル名/連携日時 say it.

use sesshu_crypto::{Protection, Schema};
use sesshu_domain::SubjectNo;
use sesshu_domain::person::TargetPerson;
use sesshu_domain::person_input::PersonFields;
use sesshu_domain::staff_persons::{FieldChange, PersonHistoryEntry};
use sesshu_store::{AttrValue, Item, Key, Query};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::CoreError;
use crate::records::person_pk;
use crate::tenancy::Tenant;

pub const HISTORY_SCHEMA: Schema = Schema {
    name: "person_history",
    version: 1,
    attributes: &[("entry", Protection::EncryptAndSign)],
};

const PREFIX: &str = "HIST#";
const MASK: &str = "************";

/// The fields that differ between two states of a person, in form order.
pub fn diff(old: &TargetPerson, new: &TargetPerson) -> Vec<FieldChange> {
    let (a, b) = (
        PersonFields::from_person(old),
        PersonFields::from_person(new),
    );
    let pairs: [(&str, &String, &String); 15] = [
        ("my_number", &a.my_number, &b.my_number),
        ("name", &a.name, &b.name),
        ("name_kana", &a.name_kana, &b.name_kana),
        ("birth_date", &a.birth_date, &b.birth_date),
        ("sex", &a.sex, &b.sex),
        ("address", &a.address, &b.address),
        ("guardian_name", &a.guardian_name, &b.guardian_name),
        (
            "municipality_code",
            &a.municipality_code,
            &b.municipality_code,
        ),
        (
            "municipal_business_id",
            &a.municipal_business_id,
            &b.municipal_business_id,
        ),
        (
            "other_management_no",
            &a.other_management_no,
            &b.other_management_no,
        ),
        ("subject_category", &a.subject_category, &b.subject_category),
        ("fee_exemption", &a.fee_exemption, &b.fee_exemption),
        ("recovery", &a.recovery, &b.recovery),
        ("non_disclosure", &a.non_disclosure, &b.non_disclosure),
        (
            "viewing_suspended",
            &a.viewing_suspended,
            &b.viewing_suspended,
        ),
    ];
    let mut changes: Vec<FieldChange> = pairs
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(field, old, new)| {
            let shown = |value: &String| match (field, value.is_empty()) {
                (_, true) => None,
                ("my_number", false) => Some(MASK.to_owned()),
                (_, false) => Some(value.clone()),
            };
            FieldChange {
                field: field.to_owned(),
                old: shown(old),
                new: shown(new),
            }
        })
        .collect();
    if old.pmh_key != new.pmh_key {
        changes.push(FieldChange {
            field: "pmh_key".into(),
            old: old.pmh_key.as_ref().map(|k| k.as_str().to_owned()),
            new: new.pmh_key.as_ref().map(|k| k.as_str().to_owned()),
        });
    }
    changes
}

/// The sealed history item of one change.
pub(crate) async fn item(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    at: OffsetDateTime,
    actor: &str,
    kind: &str,
    changes: Vec<FieldChange>,
) -> Result<Item, CoreError> {
    let entry = PersonHistoryEntry {
        at: at
            .format(&Rfc3339)
            .map_err(|_| CoreError::Corrupt("time does not format".into()))?,
        actor: actor.to_owned(),
        kind: kind.to_owned(),
        changes,
    };
    let body = serde_json::to_string(&entry)
        .map_err(|_| CoreError::Corrupt("history does not encode".into()))?;
    // Nanoseconds keep entries in order; the actor keeps two writers of one instant apart.
    let nanos = at.unix_timestamp_nanos().max(0);
    let sk = format!("{PREFIX}{nanos:020}#{actor}");
    let item = Item::new(Key::new(person_pk(subject_no), sk)).with("entry", AttrValue::S(body));
    Ok(tenant.cipher.seal(&HISTORY_SCHEMA, item).await?)
}

/// The person's history, newest first.
pub async fn list(
    tenant: &Tenant,
    subject_no: &SubjectNo,
) -> Result<Vec<PersonHistoryEntry>, CoreError> {
    let mut query = Query::prefix(person_pk(subject_no), PREFIX)
        .descending()
        .limit(200);
    let mut entries = Vec::new();
    loop {
        let page = tenant.store.query(&query).await?;
        for item in page.items {
            let opened = tenant.cipher.open(&HISTORY_SCHEMA, item).await?;
            let body = opened
                .get("entry")
                .and_then(AttrValue::as_s)
                .ok_or_else(|| CoreError::Corrupt("history entry".into()))?;
            entries.push(
                serde_json::from_str(body)
                    .map_err(|_| CoreError::Corrupt("history entry does not decode".into()))?,
            );
        }
        match page.next {
            Some(next) if entries.len() < 1_000 => query.cursor = Some(next),
            _ => return Ok(entries),
        }
    }
}
