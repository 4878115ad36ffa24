//! One person at a time, as a clerk does it: create, edit, set control flags, delete. Each is
//! one conditional transaction (unique indexes must not exist, the profile must still have the
//! version the clerk read), with a history entry and a change-feed entry.

use sesshu_domain::SubjectNo;
use sesshu_domain::person::{ControlFlags, LinkStatus, TargetPerson};
use sesshu_domain::person_input::PersonInput;
use sesshu_store::{BatchWrite, Condition, StoreError, Write};
use time::OffsetDateTime;

use crate::error::CoreError;
use crate::persons::import_lease::{self, Guarded};
use crate::persons::{self, duplicates, history, search, subjects};
use crate::resident_view::{self, ResidentView};
use crate::tenancy::Tenant;

/// Who made a change, as the history shows it.
pub type Actor<'a> = &'a str;

/// Registers a new person from the entry form (or an import row). Returns the person and the
/// subject numbers of possible duplicates (same kana and birth date), which are flagged.
pub async fn create(
    tenant: &Tenant,
    input: &PersonInput,
    link: Option<LinkStatus>,
    actor: Actor<'_>,
    at: OffsetDateTime,
) -> Result<(TargetPerson, Vec<SubjectNo>), CoreError> {
    if input.municipality_code != tenant.code {
        return Err(CoreError::Invalid(
            "the municipality code is not this municipality's".into(),
        ));
    }
    let subject = subjects::allocate(tenant, 1)
        .await?
        .pop()
        .ok_or_else(|| CoreError::Corrupt("no subject number allocated".into()))?;
    let person = persons::new_person(input, subject, link);
    let created = persons::creation_items(tenant, &person, at).await?;
    let unique = created.unique;
    let duplicates_of = search::same_kana_and_birth(
        tenant,
        person.name_kana.as_str(),
        person.birth_date,
        &person.subject_no,
    )
    .await?;
    let mut writes = vec![Write::Put {
        item: created.profile,
        condition: Condition::MustNotExist,
    }];
    writes.extend(unique.iter().cloned().map(|item| Write::Put {
        item,
        condition: Condition::MustNotExist,
    }));
    writes.extend(created.others.into_iter().map(put));
    writes.push(put(history::item(
        tenant,
        &person.subject_no,
        at,
        actor,
        "created",
        Vec::new(),
    )
    .await?));
    for other in duplicates_of.iter().take(10) {
        writes.extend(duplicates::pair_items(&person.subject_no, other).map(put));
    }
    match import_lease::transact_unless_importing(tenant, writes).await {
        Ok(()) => Ok((person, duplicates_of)),
        Err(Guarded::ImportRunning) => Err(import_lease::refused()),
        Err(Guarded::Store(StoreError::ConditionFailed { index }))
            if index >= 1 && index <= unique.len() =>
        {
            Err(CoreError::Conflict(persons::unique_conflict(
                &unique[index - 1].key,
            )))
        }
        Err(Guarded::Store(StoreError::ConditionFailed { .. })) => Err(CoreError::Conflict(
            "the subject number was taken meanwhile; try again",
        )),
        Err(Guarded::Store(other)) => Err(other.into()),
    }
}

fn put(item: sesshu_store::Item) -> Write {
    Write::Put {
        item,
        condition: Condition::None,
    }
}

/// Applies edited fields to the person read at `version`. Returns the new version, or the
/// same version if nothing changed.
pub async fn update(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    input: &PersonInput,
    version: u64,
    actor: Actor<'_>,
    at: OffsetDateTime,
) -> Result<u64, CoreError> {
    if input.municipality_code != tenant.code {
        return Err(CoreError::Invalid(
            "the municipality code is not this municipality's".into(),
        ));
    }
    let (old, stored_version) = persons::get(tenant, subject_no)
        .await?
        .ok_or(CoreError::NotFound)?;
    // A form equal to what is stored saves nothing, whatever version it was read at.
    if !input.differs_from(&old) {
        return Ok(stored_version);
    }
    if stored_version != version {
        return Err(CoreError::Conflict(
            "the person was changed meanwhile; reload and edit again",
        ));
    }
    let mut new = old.clone();
    input.apply_to(&mut new);
    save_change(tenant, &old, &new, version, actor, "updated", at).await
}

/// Sets the control flags (e.g. 不開示 for DV protection) with the resident view, in one
/// transaction under the version read.
pub async fn set_control_flags(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    flags: ControlFlags,
    version: u64,
    actor: Actor<'_>,
    at: OffsetDateTime,
) -> Result<u64, CoreError> {
    let (old, stored_version) = persons::get(tenant, subject_no)
        .await?
        .ok_or(CoreError::NotFound)?;
    if stored_version != version {
        return Err(CoreError::Conflict(
            "the person was changed meanwhile; reload and edit again",
        ));
    }
    if old.control_flags == flags {
        return Ok(version);
    }
    let mut new = old.clone();
    new.control_flags = flags;
    save_change(tenant, &old, &new, version, actor, "control_flags", at).await
}

/// Writes `new` over `old` (read at `version`): profile, index changes, history, feed, and
/// the resident view when the flags changed.
async fn save_change(
    tenant: &Tenant,
    old: &TargetPerson,
    new: &TargetPerson,
    version: u64,
    actor: Actor<'_>,
    kind: &str,
    at: OffsetDateTime,
) -> Result<u64, CoreError> {
    let items = persons::update_items(tenant, old, new, at).await?;
    let new_version = version + 1;
    let unique_count = items.new_unique.len();
    let unique_keys: Vec<_> = items.new_unique.iter().map(|i| i.key.clone()).collect();
    let mut writes = vec![Write::Put {
        item: items.profile.with_version(new_version),
        condition: Condition::VersionIs(version),
    }];
    writes.extend(items.new_unique.into_iter().map(|item| Write::Put {
        item,
        condition: Condition::MustNotExist,
    }));
    writes.extend(items.new_shared.into_iter().map(put));
    writes.extend(items.removed.into_iter().map(|key| Write::Delete {
        key,
        condition: Condition::None,
    }));
    writes.push(put(items.feed));
    writes.push(put(history::item(
        tenant,
        &new.subject_no,
        at,
        actor,
        kind,
        history::diff(old, new),
    )
    .await?));
    if old.control_flags != new.control_flags {
        writes.push(view_write(tenant, new).await?);
    }
    match import_lease::transact_unless_importing(tenant, writes).await {
        Ok(()) => Ok(new_version),
        Err(Guarded::ImportRunning) => Err(import_lease::refused()),
        Err(Guarded::Store(StoreError::ConditionFailed { index: 0 })) => Err(CoreError::Conflict(
            "the person was changed meanwhile; reload and edit again",
        )),
        Err(Guarded::Store(StoreError::ConditionFailed { index })) if index <= unique_count => Err(
            CoreError::Conflict(persons::unique_conflict(&unique_keys[index - 1])),
        ),
        Err(Guarded::Store(StoreError::ConditionFailed { .. })) => Err(CoreError::Conflict(
            "the person was changed meanwhile; reload and edit again",
        )),
        Err(Guarded::Store(other)) => Err(other.into()),
    }
}

/// The resident view with the person's current flags (built from the records if absent).
pub(crate) async fn view_write(tenant: &Tenant, person: &TargetPerson) -> Result<Write, CoreError> {
    let subject = &person.subject_no;
    let (view, version) = match resident_view::get(tenant, subject).await? {
        Some((mut view, version)) => {
            view.hidden = person.control_flags.hides_from_resident();
            (view, Some(version))
        }
        None => {
            let existing = crate::records::list(tenant, subject).await?;
            (ResidentView::build(&person.control_flags, &existing), None)
        }
    };
    resident_view::put_write(tenant, subject, &view, version).await
}

/// Deletes a person: everything personal goes (profile, view, history, indexes, queue and
/// duplicate flags); vaccination records stay for the legal retention period, then expire.
/// Secondary items go first, the profile last, so an interrupted delete can simply be run
/// again: while the profile exists, the person can be found and deleted.
pub async fn delete(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    version: u64,
    at: OffsetDateTime,
    retention_days: u64,
) -> Result<(), CoreError> {
    let (person, stored_version) = persons::get(tenant, subject_no)
        .await?
        .ok_or(CoreError::NotFound)?;
    if stored_version != version {
        return Err(CoreError::Conflict(
            "the person was changed meanwhile; reload and delete again",
        ));
    }
    // Refused before anything is removed; the profile's own removal checks again.
    tenant
        .store
        .transact(vec![import_lease::no_import_running()])
        .await
        .map_err(|e| match e {
            StoreError::ConditionFailed { .. } => import_lease::refused(),
            other => other.into(),
        })?;
    let plan = persons::deletion_plan(tenant, &person, at, retention_days).await?;
    let profile = persons::profile_key(subject_no);
    let listing = persons::index::listing_key(subject_no);
    // The listing entry goes with the profile, after every other item (see `is_listing`).
    let mut secondary: Vec<BatchWrite> = plan
        .deletes
        .into_iter()
        .filter(|key| *key != profile && *key != listing)
        .map(BatchWrite::Delete)
        .collect();
    secondary.extend(
        duplicates::keys_naming(tenant, subject_no)
            .await?
            .into_iter()
            .map(BatchWrite::Delete),
    );
    secondary.extend(plan.retained.into_iter().map(BatchWrite::Put));
    secondary.push(BatchWrite::Put(plan.feed));
    tenant.store.write_batch(secondary).await?;
    tenant
        .store
        .transact(vec![
            Write::Delete {
                key: profile,
                condition: Condition::VersionIs(version),
            },
            import_lease::no_import_running(),
            Write::Delete {
                key: listing,
                condition: Condition::None,
            },
        ])
        .await
        .map_err(|e| match e {
            StoreError::ConditionFailed { index: 1 } => import_lease::refused(),
            StoreError::ConditionFailed { .. } => {
                CoreError::Conflict("the person was changed meanwhile; reload and delete again")
            }
            other => other.into(),
        })
}
