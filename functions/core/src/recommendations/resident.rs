//! The resident surface's notices: the municipality's notices to the person, newest first,
//! with unread state. Hidden persons (control flags) have none; suppressed notices are not
//! shown.

use sesshu_domain::schedule_api::NoticeList;
use time::OffsetDateTime;

use super::notices;
use crate::error::CoreError;
use crate::questionnaires::resident::PersonAccess;
use crate::resident::ResidentService;
use crate::session::ResidentSession;

/// The notices of one person the session may act on.
pub async fn person_notices(
    service: &ResidentService,
    access: &PersonAccess,
) -> Result<NoticeList, CoreError> {
    let municipality = service
        .municipality_ref(&access.residence.municipality)
        .await?;
    let mut list: Vec<_> = notices::list(&access.tenant, &access.residence.subject_no)
        .await?
        .into_iter()
        .filter(|(n, _)| n.shown_to_resident())
        .map(|(n, _)| n.to_resident(&access.residence.municipality, municipality.clone()))
        .collect();
    list.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(NoticeList {
        unread: list.iter().filter(|n| !n.read).count(),
        notices: list,
    })
}

/// The session's own notices from every municipality, newest first; also returns the
/// persons read, for the operation log.
pub async fn own_notices(
    service: &ResidentService,
    session: &ResidentSession,
    at: OffsetDateTime,
) -> Result<(NoticeList, Vec<PersonAccess>), CoreError> {
    let own = own_people(service, session, at).await?;
    let mut all = Vec::new();
    for access in &own {
        all.extend(person_notices(service, access).await?.notices);
    }
    all.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok((
        NoticeList {
            unread: all.iter().filter(|n| !n.read).count(),
            notices: all,
        },
        own,
    ))
}

/// The session's own entries (not the persons it acts for), checked now.
pub async fn own_people(
    service: &ResidentService,
    session: &ResidentSession,
    at: OffsetDateTime,
) -> Result<Vec<PersonAccess>, CoreError> {
    let (_, accesses) = crate::questionnaires::resident::people(service, session, at).await?;
    Ok(accesses
        .into_iter()
        .filter(|a| a.relation == sesshu_domain::questionnaire_api::Relation::Own)
        .collect())
}

/// Marks one of `accesses`' notices read by its public id; returns whose it was. Anything
/// else is `NotFound`.
pub async fn mark_read<'a>(
    accesses: &'a [PersonAccess],
    public_id: &str,
    at: OffsetDateTime,
) -> Result<&'a PersonAccess, CoreError> {
    let (code, id) = notices::parse_public_id(public_id).ok_or(CoreError::NotFound)?;
    let access = accesses
        .iter()
        .find(|a| a.residence.municipality == code)
        .ok_or(CoreError::NotFound)?;
    notices::mark_read(&access.tenant, &access.residence.subject_no, id, at).await?;
    Ok(access)
}
