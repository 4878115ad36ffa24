//! Target persons (対象者情報) of one municipality: the encrypted profile in the person's
//! partition and the unique indexes that make duplicates impossible.

use sesshu_crypto::{Protection, Schema};
use sesshu_domain::person::{ControlFlags, TargetPerson};
use sesshu_domain::record::VaccinationRecord;
use sesshu_domain::{MyNumber, PmhKey, SubjectNo};
use sesshu_store::{AttrValue, Condition, Item, Key, MAX_TRANSACTION_WRITES, StoreError, Write};

use crate::error::CoreError;
use crate::records::{self, person_pk};
use crate::resident_view::{self, ResidentView};
use crate::tenancy::Tenant;

/// The profile: personal data (control flags included) in one encrypted attribute; the PMH key
/// signed but readable, since index maintenance needs it.
pub const PERSON_SCHEMA: Schema = Schema {
    name: "target_person",
    version: 1,
    attributes: &[
        ("person", Protection::EncryptAndSign),
        ("pmh_key", Protection::SignOnly),
    ],
};

const PROFILE_SK: &str = "PROFILE";
/// Blind-index domain of My Number lookups.
pub const MY_NUMBER_INDEX: &str = "my_number";

fn profile_key(subject_no: &SubjectNo) -> Key {
    Key::new(person_pk(subject_no), PROFILE_SK)
}

fn pmh_index_key(pmh_key: &PmhKey) -> Key {
    Key::new(format!("PMH#{}", pmh_key.as_str()), "PMH")
}

async fn my_number_index_key(tenant: &Tenant, my_number: &MyNumber) -> Result<Key, CoreError> {
    let index = tenant
        .cipher
        .blind_index(MY_NUMBER_INDEX, my_number.expose_digits().as_bytes())
        .await?;
    Ok(Key::new(format!("MN#{index}"), "MN"))
}

fn index_item(key: Key, subject_no: &SubjectNo) -> Item {
    Item::new(key).with("subject_no", AttrValue::S(subject_no.as_str().to_owned()))
}

/// Registers a new person with its unique indexes and resident view, all or nothing. The same
/// My Number or PMH key twice in one municipality is refused.
pub async fn register(tenant: &Tenant, person: &TargetPerson) -> Result<(), CoreError> {
    register_with(tenant, person, &[]).await
}

/// Most records [`register_with`] takes: the rest of a transaction after profile, two
/// indexes and the view.
pub const MAX_RECORDS_AT_REGISTRATION: usize = MAX_TRANSACTION_WRITES - 4;

/// As [`register`], with the person's existing records (e.g. history from the previous
/// system) in the same transaction; at most [`MAX_RECORDS_AT_REGISTRATION`].
pub async fn register_with(
    tenant: &Tenant,
    person: &TargetPerson,
    records: &[VaccinationRecord],
) -> Result<(), CoreError> {
    if records.len() > MAX_RECORDS_AT_REGISTRATION {
        return Err(CoreError::Invalid(format!(
            "at most {MAX_RECORDS_AT_REGISTRATION} records can be registered with a person; add the rest one by one"
        )));
    }
    let profile = seal_profile(tenant, person).await?;
    let mut writes = vec![
        Write::Put {
            item: profile,
            condition: Condition::MustNotExist,
        },
        Write::Put {
            item: index_item(
                my_number_index_key(tenant, &person.my_number).await?,
                &person.subject_no,
            ),
            condition: Condition::MustNotExist,
        },
    ];
    if let Some(pmh_key) = &person.pmh_key {
        writes.push(Write::Put {
            item: index_item(pmh_index_key(pmh_key), &person.subject_no),
            condition: Condition::MustNotExist,
        });
    }
    let view = ResidentView::build(&person.control_flags, records);
    writes.push(resident_view::put_write(tenant, &person.subject_no, &view, None).await?);
    for record in records {
        writes.push(records::insert_write(tenant, &person.subject_no, record).await?);
    }
    match tenant.store.transact(writes).await {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed { index: 0 }) => Err(CoreError::Conflict(
            "a person with this subject number exists",
        )),
        Err(StoreError::ConditionFailed { index: 1 }) => {
            Err(CoreError::Conflict("a person with this My Number exists"))
        }
        Err(StoreError::ConditionFailed { index: 2 }) if person.pmh_key.is_some() => {
            Err(CoreError::Conflict("a person with this PMH key exists"))
        }
        Err(StoreError::ConditionFailed { .. }) => {
            Err(CoreError::Conflict("an item of this person exists"))
        }
        Err(other) => Err(other.into()),
    }
}

async fn seal_profile(tenant: &Tenant, person: &TargetPerson) -> Result<Item, CoreError> {
    let body = serde_json::to_string(person)
        .map_err(|_| CoreError::Corrupt("person does not encode".into()))?;
    let mut item = Item::new(profile_key(&person.subject_no)).with("person", AttrValue::S(body));
    if let Some(pmh_key) = &person.pmh_key {
        item = item.with("pmh_key", AttrValue::S(pmh_key.as_str().to_owned()));
    }
    Ok(tenant.cipher.seal(&PERSON_SCHEMA, item).await?)
}

/// The person, decrypted. Only for surfaces that may see personal data.
pub async fn get(
    tenant: &Tenant,
    subject_no: &SubjectNo,
) -> Result<Option<(TargetPerson, u64)>, CoreError> {
    let Some(item) = tenant.store.get(&profile_key(subject_no)).await? else {
        return Ok(None);
    };
    let version = item.version;
    let opened = tenant.cipher.open(&PERSON_SCHEMA, item).await?;
    let body = opened
        .get("person")
        .and_then(AttrValue::as_s)
        .ok_or_else(|| CoreError::Corrupt("person body".into()))?;
    // serde errors may quote the offending value: never pass them on.
    let person = serde_json::from_str(body)
        .map_err(|_| CoreError::Corrupt("person does not decode".into()))?;
    Ok(Some((person, version)))
}

/// The control flags of a person, verified against the item MAC; `None` if no such person.
pub async fn control_flags(
    tenant: &Tenant,
    subject_no: &SubjectNo,
) -> Result<Option<ControlFlags>, CoreError> {
    Ok(get(tenant, subject_no)
        .await?
        .map(|(person, _)| person.control_flags))
}

/// Sets the control flags (e.g. 不開示 for DV protection) and the resident view with them, in
/// one transaction with optimistic version checks, so a concurrent edit is never lost.
pub async fn set_control_flags(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    flags: ControlFlags,
) -> Result<(), CoreError> {
    let (mut person, version) = get(tenant, subject_no).await?.ok_or(CoreError::NotFound)?;
    let (mut view, view_version) = match resident_view::get(tenant, subject_no).await? {
        Some((view, version)) => (view, Some(version)),
        None => {
            let existing = records::list(tenant, subject_no).await?;
            (ResidentView::build(&flags, &existing), None)
        }
    };
    view.hidden = flags.hides_from_resident();
    person.control_flags = flags;
    let item = seal_profile(tenant, &person)
        .await?
        .with_version(version + 1);
    let writes = vec![
        Write::Put {
            item,
            condition: Condition::VersionIs(version),
        },
        resident_view::put_write(tenant, subject_no, &view, view_version).await?,
    ];
    tenant.store.transact(writes).await.map_err(|e| match e {
        StoreError::ConditionFailed { .. } => {
            CoreError::Conflict("the person was changed meanwhile")
        }
        other => other.into(),
    })
}

/// The subject number registered for a My Number, through the blind index.
pub async fn find_by_my_number(
    tenant: &Tenant,
    my_number: &MyNumber,
) -> Result<Option<SubjectNo>, CoreError> {
    let key = my_number_index_key(tenant, my_number).await?;
    subject_of(tenant.store.get(&key).await?)
}

/// The subject number registered for a PMH key.
pub async fn find_by_pmh_key(
    tenant: &Tenant,
    pmh_key: &PmhKey,
) -> Result<Option<SubjectNo>, CoreError> {
    subject_of(tenant.store.get(&pmh_index_key(pmh_key)).await?)
}

fn subject_of(item: Option<Item>) -> Result<Option<SubjectNo>, CoreError> {
    item.map(|item| {
        item.get("subject_no")
            .and_then(AttrValue::as_s)
            .and_then(|s| SubjectNo::parse(s).ok())
            .ok_or_else(|| CoreError::Corrupt("index item".into()))
    })
    .transpose()
}
