//! Target persons (対象者情報) of one municipality: the encrypted profile in the person's
//! partition, the indexes that find it ([`index`]), its change history ([`history`]), the
//! change feed for exports ([`changes`]) and the PMH key queue ([`pmh_queue`]).
//!
//! The item builders here (`creation_items`, `update_items`, `deletion_plan`) are shared by the
//! one-person use cases (conditional transactions) and the bulk import (batches), so both
//! write exactly the same items.

pub mod changes;
pub mod duplicates;
pub mod edit;
pub mod history;
pub mod import_lease;
pub mod index;
pub mod pmh_queue;
pub mod search;
pub mod subjects;

use sesshu_crypto::{Protection, Schema};
use sesshu_domain::person::{ControlFlags, TargetPerson};
use sesshu_domain::record::VaccinationRecord;
use sesshu_domain::{MyNumber, PmhKey, SubjectNo};
use sesshu_store::{
    AttrValue, Condition, Item, Key, MAX_TRANSACTION_WRITES, Query, StoreError, Write,
};
use time::OffsetDateTime;

use crate::error::CoreError;
use crate::records::{self, person_pk};
use crate::resident_view::{self, ResidentView};
use crate::tenancy::Tenant;
use import_lease::Guarded;

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
pub use index::MY_NUMBER_INDEX;

pub(crate) fn profile_key(subject_no: &SubjectNo) -> Key {
    Key::new(person_pk(subject_no), PROFILE_SK)
}

/// Registers a new person with its unique indexes and resident view, all or nothing. The same
/// My Number or PMH key twice in one municipality is refused.
pub async fn register(tenant: &Tenant, person: &TargetPerson) -> Result<(), CoreError> {
    register_with(tenant, person, &[]).await
}

/// Most records [`register_with`] takes: the rest of a transaction after the profile, up to
/// 6 index items, the change-feed entry, the PMH queue entry and the view.
pub const MAX_RECORDS_AT_REGISTRATION: usize = MAX_TRANSACTION_WRITES - 10;

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
    let now = OffsetDateTime::now_utc();
    let created = creation_items(tenant, person, now).await?;
    let unique = created.unique;
    let mut writes = vec![Write::Put {
        item: created.profile,
        condition: Condition::MustNotExist,
    }];
    writes.extend(unique.iter().cloned().map(|item| Write::Put {
        item,
        condition: Condition::MustNotExist,
    }));
    writes.extend(created.others.into_iter().map(|item| Write::Put {
        item,
        condition: Condition::None,
    }));
    let view = ResidentView::build(&person.control_flags, records);
    writes.push(resident_view::put_write(tenant, &person.subject_no, &view, None).await?);
    for record in records {
        writes.push(records::insert_write(tenant, &person.subject_no, record).await?);
    }
    match import_lease::transact_unless_importing(tenant, writes).await {
        Ok(()) => Ok(()),
        Err(Guarded::ImportRunning) => Err(import_lease::refused()),
        Err(Guarded::Store(StoreError::ConditionFailed { index: 0 })) => Err(CoreError::Conflict(
            "a person with this subject number exists",
        )),
        Err(Guarded::Store(StoreError::ConditionFailed { index })) if index <= unique.len() => {
            Err(CoreError::Conflict(unique_conflict(&unique[index - 1].key)))
        }
        Err(Guarded::Store(StoreError::ConditionFailed { .. })) => {
            Err(CoreError::Conflict("an item of this person exists"))
        }
        Err(Guarded::Store(other)) => Err(other.into()),
    }
}

/// What a refused unique index means, in the words of the staff screen.
pub(crate) fn unique_conflict(key: &Key) -> &'static str {
    if key.pk.starts_with("MN#") {
        "a person with this My Number exists"
    } else if key.pk.starts_with("BID#") {
        "a person with this municipal business id (自治体業務ID) exists"
    } else {
        "a person with this PMH key exists"
    }
}

/// Everything a new person is stored as: the sealed profile, the unique indexes (which must
/// not exist yet) and the other items (shared indexes, change feed, PMH queue).
pub(crate) struct CreationItems {
    pub profile: Item,
    pub unique: Vec<Item>,
    pub others: Vec<Item>,
}

pub(crate) async fn creation_items(
    tenant: &Tenant,
    person: &TargetPerson,
    at: OffsetDateTime,
) -> Result<CreationItems, CoreError> {
    let profile = seal_profile(tenant, person).await?;
    let indexes = index::items_of(tenant, person).await?;
    let mut others = indexes.shared;
    others.push(changes::entry(at.date(), &person.subject_no));
    if person.pmh_key.is_none() {
        others.push(pmh_queue::waiting_item(&person.subject_no));
    }
    Ok(CreationItems {
        profile,
        unique: indexes.unique,
        others,
    })
}

/// The writes that turn `old` into `new` (same subject): the profile, index entries that
/// changed (old ones deleted, new ones put) and the change-feed entry. The caller adds the
/// history entry and, if flags changed, the view.
pub(crate) struct UpdateItems {
    pub profile: Item,
    /// Index items that did not exist for `old`: unique ones must not exist for anyone else.
    pub new_unique: Vec<Item>,
    pub new_shared: Vec<Item>,
    pub removed: Vec<Key>,
    pub feed: Item,
}

pub(crate) async fn update_items(
    tenant: &Tenant,
    old: &TargetPerson,
    new: &TargetPerson,
    at: OffsetDateTime,
) -> Result<UpdateItems, CoreError> {
    let before = index::items_of(tenant, old).await?;
    let after = index::items_of(tenant, new).await?;
    let old_keys: std::collections::BTreeSet<&Key> = before.keys().collect();
    let new_keys: std::collections::BTreeSet<&Key> = after.keys().collect();
    let removed = old_keys
        .difference(&new_keys)
        .map(|key| (*key).clone())
        .collect();
    let new_unique = after
        .unique
        .iter()
        .filter(|item| !old_keys.contains(&item.key))
        .cloned()
        .collect();
    let new_shared = after
        .shared
        .iter()
        .filter(|item| !old_keys.contains(&item.key))
        .cloned()
        .collect();
    Ok(UpdateItems {
        profile: seal_profile(tenant, new).await?,
        new_unique,
        new_shared,
        removed,
        feed: changes::entry(at.date(), &new.subject_no),
    })
}

pub(crate) async fn seal_profile(
    tenant: &Tenant,
    person: &TargetPerson,
) -> Result<Item, CoreError> {
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
    Ok(Some((open_profile(tenant, item).await?, version)))
}

/// Decrypts and decodes a profile item.
pub(crate) async fn open_profile(tenant: &Tenant, item: Item) -> Result<TargetPerson, CoreError> {
    let opened = tenant.cipher.open(&PERSON_SCHEMA, item).await?;
    let body = opened
        .get("person")
        .and_then(AttrValue::as_s)
        .ok_or_else(|| CoreError::Corrupt("person body".into()))?;
    // serde errors may quote the offending value: never pass them on.
    serde_json::from_str(body).map_err(|_| CoreError::Corrupt("person does not decode".into()))
}

/// The people behind `subjects`, in order (`None` where absent), read in one bulk call.
pub async fn get_many(
    tenant: &Tenant,
    subjects: &[SubjectNo],
) -> Result<Vec<Option<(TargetPerson, u64)>>, CoreError> {
    let keys: Vec<Key> = subjects.iter().map(profile_key).collect();
    let items = tenant.store.get_many(&keys).await?;
    let mut people = Vec::with_capacity(items.len());
    for item in items {
        people.push(match item {
            Some(item) => {
                let version = item.version;
                Some((open_profile(tenant, item).await?, version))
            }
            None => None,
        });
    }
    Ok(people)
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
        import_lease::no_import_running(),
    ];
    tenant.store.transact(writes).await.map_err(|e| match e {
        StoreError::ConditionFailed { index: 2 } => import_lease::refused(),
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
    let key = index::my_number_key(tenant, my_number).await?;
    index::subject_of(tenant.store.get(&key).await?)
}

/// The subject number registered for a 自治体業務ID.
pub async fn find_by_business_id(
    tenant: &Tenant,
    id: &sesshu_domain::id::MunicipalBusinessId,
) -> Result<Option<SubjectNo>, CoreError> {
    let key = index::business_id_key(tenant, id).await?;
    index::subject_of(tenant.store.get(&key).await?)
}

/// The subject number registered for a PMH key.
pub async fn find_by_pmh_key(
    tenant: &Tenant,
    pmh_key: &PmhKey,
) -> Result<Option<SubjectNo>, CoreError> {
    index::subject_of(tenant.store.get(&index::pmh_key(pmh_key)).await?)
}

/// Everything stored in a person's partition, keys only (profile, view, history, records).
pub(crate) async fn partition_keys(
    tenant: &Tenant,
    subject_no: &SubjectNo,
) -> Result<Vec<Item>, CoreError> {
    let mut query = Query::partition(person_pk(subject_no)).limit(500);
    let mut items = Vec::new();
    loop {
        let page = tenant.store.query(&query).await?;
        items.extend(page.items);
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => return Ok(items),
        }
    }
}

/// How long vaccination records stay after their person was deleted: 予防接種法施行令 keeps
/// the 予防接種台帳 for 5 years.
pub const RECORD_RETENTION_DAYS: u64 = 5 * 365 + 1;

/// What deleting a person does: removes the profile, view, history and every index, queue and
/// feed item of the person; keeps the vaccination records, now expiring after the retention
/// period (they are the municipality's legal ledger, found only by subject number from then on).
pub(crate) struct DeletionPlan {
    pub deletes: Vec<Key>,
    /// Record items re-put with an expiry.
    pub retained: Vec<Item>,
    pub feed: Item,
}

pub(crate) async fn deletion_plan(
    tenant: &Tenant,
    person: &TargetPerson,
    at: OffsetDateTime,
    retention_days: u64,
) -> Result<DeletionPlan, CoreError> {
    let indexes = index::items_of(tenant, person).await?;
    let mut deletes: Vec<Key> = indexes.keys().cloned().collect();
    deletes.push(pmh_queue::waiting_key(&person.subject_no));
    deletes.push(pmh_queue::failed_key(&person.subject_no));
    let expires = u64::try_from(at.unix_timestamp())
        .unwrap_or(0)
        .saturating_add(retention_days * 86_400);
    let mut retained = Vec::new();
    for item in partition_keys(tenant, &person.subject_no).await? {
        if item.key.sk.starts_with("REC#") {
            if item.expires_at.is_none() {
                retained.push(item.expiring_at(expires));
            }
        } else {
            deletes.push(item.key);
        }
    }
    Ok(DeletionPlan {
        deletes,
        retained,
        feed: changes::entry(at.date(), &person.subject_no),
    })
}

/// Builds a new person from validated input, with this system's own fields.
pub fn new_person(
    input: &sesshu_domain::person_input::PersonInput,
    subject_no: SubjectNo,
    link: Option<sesshu_domain::person::LinkStatus>,
) -> TargetPerson {
    let mut person = TargetPerson {
        subject_no,
        municipality_code: input.municipality_code.clone(),
        my_number: input.my_number.clone(),
        pmh_key: None,
        pmh_pseudonym: None,
        name: input.name.clone(),
        name_kana: input.name_kana.clone(),
        address: input.address.clone(),
        birth_date: input.birth_date,
        sex: input.sex,
        guardian_name: input.guardian_name.clone(),
        municipal_business_id: input.municipal_business_id.clone(),
        change_kind: sesshu_domain::person::ChangeKind::New,
        moved_out_on: None,
        other_management_no: input.other_management_no.clone(),
        control_flags: input.control_flags,
        subject_category: input.subject_category,
        fee_exemption: input.fee_exemption,
        link,
    };
    input.apply_to(&mut person);
    person
}
