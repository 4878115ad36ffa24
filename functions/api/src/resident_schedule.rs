//! `/api/resident/schedule`, `/api/resident/notifications` and the same per person
//! (`/api/resident/people/{person}/…`, with a handle from `GET /api/resident/people`): the
//! vaccinations due or coming, and the municipality's notices (接種勧奨) with unread state.
//! Shapes: `docs/interfaces/recommendations.md`.
//!
//! Every read is in the municipality's operation log with the acting identity and the person's
//! subject number (without making the resident wait; an identical read once per
//! [`crate::resident::READ_REPEAT_S`]); marking a notice read waits for its entry, as other resident writes do.

use axum::extract::{Path, State};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sesshu_core::CoreError;
use sesshu_core::audit::AuditEvent;
use sesshu_core::questionnaires::resident::{self as people, PersonAccess};
use sesshu_core::recommendations::resident as notices;
use sesshu_domain::dto::ApiError;
use sesshu_domain::schedule_api::{NoticeList, ResidentSchedule};
use sesshu_domain::staff::Outcome;
use time::OffsetDateTime;
use utoipa::OpenApi;

use crate::error::ApiFailure;
use crate::resident::{Resident, ResidentState};

/// The routes, merged into the resident router.
pub fn routes() -> Router<ResidentState> {
    Router::new()
        .route("/schedule", get(own_schedule))
        .route("/notifications", get(own_notifications))
        .route("/notifications/{id}/read", post(read_own))
        .route("/people/{person}/schedule", get(person_schedule))
        .route("/people/{person}/notifications", get(person_notifications))
        .route(
            "/people/{person}/notifications/{id}/read",
            post(read_person),
        )
}

#[derive(OpenApi)]
#[openapi(paths(
    own_schedule,
    own_notifications,
    read_own,
    person_schedule,
    person_notifications,
    read_person
))]
pub struct ResidentScheduleApi;

const SCHEDULE: &[&str] = &["vaccination_schedule"];
const NOTICES: &[&str] = &["notices"];

fn now(state: &ResidentState) -> OffsetDateTime {
    state.service.platform().clock.now()
}

fn event(
    headers: &HeaderMap,
    extensions: &Extensions,
    access: &PersonAccess,
    action: &str,
    fields: &[&str],
    outcome: Outcome,
) -> AuditEvent {
    let source = crate::staff::client_address(extensions)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    AuditEvent::new(
        access.actor.clone(),
        source,
        "resident",
        action,
        outcome,
        request_id,
    )
    .with_subjects(vec![access.subject().to_owned()])
    .with_fields(fields.iter().map(|f| (*f).to_owned()).collect())
}

/// Logs a read without making the resident wait; the same read within
/// [`crate::resident::READ_REPEAT_S`] once.
fn log_read(
    state: &ResidentState,
    (headers, extensions): (&HeaderMap, &Extensions),
    access: &PersonAccess,
    action: &'static str,
    fields: &[&str],
) {
    let now = state.service.platform().clock.now_epoch_s();
    let key = format!(
        "{}/{}/{}/{action}",
        access.actor,
        access.residence.municipality.as_str(),
        access.subject()
    );
    if !state.reads.first_within_window(key, now) {
        return;
    }
    let event = event(
        headers,
        extensions,
        access,
        action,
        fields,
        Outcome::Allowed,
    );
    let log = state.reads.audit().tenant(&access.tenant);
    tokio::spawn(async move {
        if let Err(error) = log.append(vec![event]).await {
            tracing::error!(error = %error, "operation log append failed for a resident read");
        }
    });
}

/// Logs a write (or a refused one) and waits: an unlogged change answers 500.
async fn log_write(
    state: &ResidentState,
    (headers, extensions): (&HeaderMap, &Extensions),
    access: &PersonAccess,
    result: Result<(), CoreError>,
) -> Result<(), ApiFailure> {
    let action = "resident.notice.read_mark";
    let entry = match &result {
        Ok(()) => event(
            headers,
            extensions,
            access,
            action,
            NOTICES,
            Outcome::Allowed,
        ),
        Err(_) => event(headers, extensions, access, action, &[], Outcome::Failed)
            .with_reason("not_marked"),
    };
    if let Err(error) = state
        .reads
        .audit()
        .tenant(&access.tenant)
        .append(vec![entry])
        .await
    {
        tracing::error!(error = %error, "operation log append failed for a resident write");
        return Err(CoreError::Corrupt("operation log".into()).into());
    }
    result.map_err(ApiFailure::from)
}

async fn schedule_of(
    state: &ResidentState,
    access: &PersonAccess,
    handle: Option<String>,
) -> Result<sesshu_domain::schedule_api::ResidentPersonSchedule, ApiFailure> {
    let municipality = state
        .service
        .municipality_ref(&access.residence.municipality)
        .await?;
    let today = sesshu_core::questionnaires::japan_date(now(state));
    Ok(
        sesshu_core::schedule::resident_person_schedule(access, municipality, handle, today)
            .await?,
    )
}

/// The resident's own vaccinations due or coming, in each municipality that registers them.
#[utoipa::path(get, path = "/api/resident/schedule", tag = "resident",
    responses((status = 200, description = "ResidentSchedule"), (status = 401, body = ApiError)))]
pub async fn own_schedule(
    State(state): State<ResidentState>,
    Resident(session): Resident,
    headers: HeaderMap,
    extensions: Extensions,
) -> Result<Json<ResidentSchedule>, ApiFailure> {
    let own = notices::own_people(&state.service, &session, now(&state)).await?;
    let mut list = ResidentSchedule { people: Vec::new() };
    for access in &own {
        list.people.push(schedule_of(&state, access, None).await?);
        log_read(
            &state,
            (&headers, &extensions),
            access,
            "resident.schedule.read",
            SCHEDULE,
        );
    }
    Ok(Json(list))
}

/// One person's vaccinations due or coming (oneself, or someone the resident acts for).
#[utoipa::path(get, path = "/api/resident/people/{person}/schedule", tag = "resident",
    params(("person" = String, Path, description = "handle from /people")),
    responses((status = 200, description = "ResidentSchedule with one person"), (status = 404, body = ApiError)))]
pub async fn person_schedule(
    State(state): State<ResidentState>,
    Resident(session): Resident,
    Path(handle): Path<String>,
    headers: HeaderMap,
    extensions: Extensions,
) -> Result<Json<ResidentSchedule>, ApiFailure> {
    let access = people::resolve(&state.service, &session, &handle, now(&state)).await?;
    let entry = schedule_of(&state, &access, Some(handle)).await?;
    log_read(
        &state,
        (&headers, &extensions),
        &access,
        "resident.schedule.read",
        SCHEDULE,
    );
    Ok(Json(ResidentSchedule {
        people: vec![entry],
    }))
}

/// The resident's own notices, newest first, with unread state.
#[utoipa::path(get, path = "/api/resident/notifications", tag = "resident",
    responses((status = 200, description = "NoticeList"), (status = 401, body = ApiError)))]
pub async fn own_notifications(
    State(state): State<ResidentState>,
    Resident(session): Resident,
    headers: HeaderMap,
    extensions: Extensions,
) -> Result<Json<NoticeList>, ApiFailure> {
    let (list, own) = notices::own_notices(&state.service, &session, now(&state)).await?;
    for access in &own {
        log_read(
            &state,
            (&headers, &extensions),
            access,
            "resident.notices.read",
            NOTICES,
        );
    }
    Ok(Json(list))
}

/// One person's notices (oneself, or someone the resident acts for).
#[utoipa::path(get, path = "/api/resident/people/{person}/notifications", tag = "resident",
    params(("person" = String, Path, description = "handle from /people")),
    responses((status = 200, description = "NoticeList"), (status = 404, body = ApiError)))]
pub async fn person_notifications(
    State(state): State<ResidentState>,
    Resident(session): Resident,
    Path(handle): Path<String>,
    headers: HeaderMap,
    extensions: Extensions,
) -> Result<Json<NoticeList>, ApiFailure> {
    let access = people::resolve(&state.service, &session, &handle, now(&state)).await?;
    let list = notices::person_notices(&state.service, &access).await?;
    log_read(
        &state,
        (&headers, &extensions),
        &access,
        "resident.notices.read",
        NOTICES,
    );
    Ok(Json(list))
}

/// Marks one of the resident's own notices read (204).
#[utoipa::path(post, path = "/api/resident/notifications/{id}/read", tag = "resident",
    params(("id" = String, Path, description = "notice id from the list")),
    responses((status = 204, description = "read"), (status = 404, body = ApiError)))]
pub async fn read_own(
    State(state): State<ResidentState>,
    Resident(session): Resident,
    Path(id): Path<String>,
    headers: HeaderMap,
    extensions: Extensions,
) -> Result<Response, ApiFailure> {
    let own = notices::own_people(&state.service, &session, now(&state)).await?;
    mark(&state, &own, &id, (&headers, &extensions)).await
}

/// Marks one of a person's notices read (204).
#[utoipa::path(post, path = "/api/resident/people/{person}/notifications/{id}/read", tag = "resident",
    params(("person" = String, Path, description = "handle from /people"), ("id" = String, Path, description = "notice id from the list")),
    responses((status = 204, description = "read"), (status = 404, body = ApiError)))]
pub async fn read_person(
    State(state): State<ResidentState>,
    Resident(session): Resident,
    Path(path): Path<(String, String)>,
    headers: HeaderMap,
    extensions: Extensions,
) -> Result<Response, ApiFailure> {
    let (handle, id) = path;
    let access = people::resolve(&state.service, &session, &handle, now(&state)).await?;
    mark(
        &state,
        std::slice::from_ref(&access),
        &id,
        (&headers, &extensions),
    )
    .await
}

async fn mark(
    state: &ResidentState,
    accesses: &[PersonAccess],
    id: &str,
    origin: (&HeaderMap, &Extensions),
) -> Result<Response, ApiFailure> {
    // Whose notice it claims to be decides whose log; an id of no one's gets a plain 404.
    let Some(access) = sesshu_core::recommendations::notices::parse_public_id(id)
        .and_then(|(code, _)| accesses.iter().find(|a| a.residence.municipality == code))
    else {
        return Err(CoreError::NotFound.into());
    };
    let result = notices::mark_read(std::slice::from_ref(access), id, now(state))
        .await
        .map(|_| ());
    log_write(state, origin, access, result).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
