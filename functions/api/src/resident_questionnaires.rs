//! `/api/resident/people…`: the persons a resident may fill in forms for (oneself and, as a
//! proxy, one's children) and their questionnaire responses. Rules and shapes:
//! `docs/interfaces/questionnaire-api.md`.
//!
//! Every call that reaches a person is in that municipality's operation log with the acting
//! identity (`resident:<subject_no>` or `proxy:<pseudonym>`) and the person's subject number,
//! never names or answers. Writes (and refused writes) wait for their entry, as staff requests
//! do: if it cannot be appended the answer is a 500; reads are logged without waiting, an
//! identical read once per [`crate::resident::READ_REPEAT_S`].

use axum::extract::{Path, Query, State};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use sesshu_core::CoreError;
use sesshu_core::audit::AuditEvent;
use sesshu_core::questionnaires::resident::{self as use_case, PersonAccess};
use sesshu_domain::dto::ApiError;
use sesshu_domain::questionnaire::Lang;
use sesshu_domain::questionnaire_api::{
    CorrectResponse, DraftSaved, PeopleList, PersonQuestionnaires, PrintView, ResponseSummary,
    ResponseView, SaveDraft, StartResponse, VersionOnly,
};
use sesshu_domain::staff::Outcome;
use time::OffsetDateTime;

use crate::error::ApiFailure;
use crate::resident::{Resident, ResidentState};

/// The routes, merged into the resident router.
pub fn routes() -> Router<ResidentState> {
    Router::new()
        .route("/people", get(people))
        .route("/people/{person}/questionnaires", get(questionnaires))
        .route("/people/{person}/responses", post(start))
        .route("/people/{person}/responses/{id}", get(response).put(save))
        .route("/people/{person}/responses/{id}/submit", post(submit))
        .route("/people/{person}/responses/{id}/correct", post(correct))
        .route("/people/{person}/responses/{id}/withdraw", post(withdraw))
        .route("/people/{person}/responses/{id}/print", get(print))
}

const ANSWERS: &str = "questionnaire_answers";
const STATUS: &str = "questionnaire_status";

/// `?lang=`: a language tag; anything else means the default.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LangQuery {
    /// `ja`, `en`, `vi`, `zh-Hans`, `ko` or `pt-BR`
    pub lang: Option<String>,
}

impl LangQuery {
    fn lang(&self) -> Option<Lang> {
        self.lang.as_deref().and_then(Lang::from_code)
    }
}

/// Where a request came from, for the log.
struct Origin {
    source: String,
    request_id: String,
}

impl Origin {
    fn of(headers: &HeaderMap, extensions: &Extensions) -> Self {
        Self {
            source: crate::staff::client_address(extensions)
                .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string()),
            request_id: headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-")
                .to_owned(),
        }
    }

    fn event(
        &self,
        access: &PersonAccess,
        action: &str,
        fields: &[&str],
        outcome: Outcome,
    ) -> AuditEvent {
        AuditEvent::new(
            access.actor.clone(),
            &self.source,
            "resident",
            action,
            outcome,
            &self.request_id,
        )
        .with_subjects(vec![access.subject().to_owned()])
        .with_fields(fields.iter().map(|f| (*f).to_owned()).collect())
    }
}

fn now(state: &ResidentState) -> OffsetDateTime {
    state.service.platform().clock.now()
}

/// Logs a read of `access`'s data without making the resident wait; the same read by the same
/// actor within [`crate::resident::READ_REPEAT_S`] once.
fn log_read(
    state: &ResidentState,
    origin: &Origin,
    access: &PersonAccess,
    action: &'static str,
    fields: &[&str],
    object: &str,
) {
    let now = state.service.platform().clock.now_epoch_s();
    let key = format!(
        "{}/{}/{}/{action}/{object}",
        access.actor,
        access.residence.municipality.as_str(),
        access.subject()
    );
    if !state.reads.first_within_window(key, now) {
        return;
    }
    let event = origin.event(access, action, fields, Outcome::Allowed);
    let log = state.reads.audit().tenant(&access.tenant);
    tokio::spawn(async move {
        if let Err(error) = log.append(vec![event]).await {
            tracing::error!(error = %error, "operation log append failed for a resident read");
        }
    });
}

/// Logs a write (or a refused write) of `access`'s data and waits for the entry. A change that
/// could not be logged answers 500: the resident retries and the retry is logged.
async fn log_write<T>(
    state: &ResidentState,
    origin: &Origin,
    access: &PersonAccess,
    action: &'static str,
    fields: &[&str],
    result: Result<T, CoreError>,
) -> Result<T, ApiFailure> {
    let event = match &result {
        Ok(_) => origin.event(access, action, fields, Outcome::Allowed),
        Err(error) => origin
            .event(access, action, &[], Outcome::Failed)
            .with_reason(reason(error)),
    };
    let log = state.reads.audit().tenant(&access.tenant);
    if let Err(error) = log.append(vec![event]).await {
        tracing::error!(error = %error, "operation log append failed for a resident write");
        return Err(CoreError::Corrupt("operation log".into()).into());
    }
    result.map_err(ApiFailure::from)
}

/// A short machine reason for the log (never a value).
fn reason(error: &CoreError) -> String {
    match error {
        CoreError::StateConflict { code, .. } => (*code).to_owned(),
        CoreError::InvalidAnswers(items) => format!("invalid_answers:{}", items.len()),
        CoreError::NotFound => "not_found".to_owned(),
        CoreError::Invalid(_) => "invalid_request".to_owned(),
        _ => "internal".to_owned(),
    }
}

async fn person(
    state: &ResidentState,
    session: &sesshu_core::session::ResidentSession,
    handle: &str,
) -> Result<PersonAccess, ApiFailure> {
    Ok(use_case::resolve(&state.service, session, handle, now(state)).await?)
}

/// The persons whose forms the resident may fill in: themselves and those they act for.
#[utoipa::path(get, path = "/api/resident/people", tag = "resident",
    responses((status = 200, body = PeopleList), (status = 401, body = ApiError)))]
pub async fn people(
    State(state): State<ResidentState>,
    Resident(session): Resident,
    headers: HeaderMap,
    extensions: Extensions,
) -> Result<Json<PeopleList>, ApiFailure> {
    let (list, accesses) = use_case::people(&state.service, &session, now(&state)).await?;
    let origin = Origin::of(&headers, &extensions);
    for access in &accesses {
        log_read(
            &state,
            &origin,
            access,
            "resident.people.read",
            &["name", "name_kana", "birth_date"],
            "",
        );
    }
    Ok(Json(list))
}

/// What the person can fill in now, and their responses.
#[utoipa::path(get, path = "/api/resident/people/{person}/questionnaires", tag = "resident",
    params(("person" = String, Path, description = "handle from /people"), LangQuery),
    responses((status = 200, body = PersonQuestionnaires), (status = 404, body = ApiError),
              (status = 401, body = ApiError)))]
pub async fn questionnaires(
    State(state): State<ResidentState>,
    Resident(session): Resident,
    Path(handle): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
    extensions: Extensions,
) -> Result<Json<PersonQuestionnaires>, ApiFailure> {
    let access = person(&state, &session, &handle).await?;
    let lang = query.lang().unwrap_or(Lang::Ja);
    let list = use_case::questionnaires(&state.service, &access, lang, now(&state)).await?;
    log_read(
        &state,
        &Origin::of(&headers, &extensions),
        &access,
        "resident.questionnaires.read",
        &[STATUS, "vaccination_schedule"],
        "",
    );
    Ok(Json(list))
}

/// Starts a draft (201), or returns the setting's open draft (200).
#[utoipa::path(post, path = "/api/resident/people/{person}/responses", tag = "resident",
    params(("person" = String, Path, description = "handle from /people")),
    request_body = StartResponse,
    responses((status = 201, body = ResponseView), (status = 200, body = ResponseView, description = "the open draft"),
              (status = 409, body = ApiError, description = "not_fillable"), (status = 404, body = ApiError)))]
pub async fn start(
    State(state): State<ResidentState>,
    Resident(session): Resident,
    Path(handle): Path<String>,
    headers: HeaderMap,
    extensions: Extensions,
    Json(request): Json<StartResponse>,
) -> Result<Response, ApiFailure> {
    let access = person(&state, &session, &handle).await?;
    let result = use_case::start(&state.service, &access, &request, now(&state)).await;
    let origin = Origin::of(&headers, &extensions);
    let (view, created) = log_write(
        &state,
        &origin,
        &access,
        "resident.questionnaire.start",
        &[STATUS],
        result,
    )
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)).into_response())
}

/// One response with its form and texts.
#[utoipa::path(get, path = "/api/resident/people/{person}/responses/{id}", tag = "resident",
    params(("person" = String, Path, description = "handle from /people"), ("id" = String, Path, description = "response id"), LangQuery),
    responses((status = 200, body = ResponseView), (status = 404, body = ApiError)))]
pub async fn response(
    State(state): State<ResidentState>,
    Resident(session): Resident,
    Path((handle, id)): Path<(String, String)>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
    extensions: Extensions,
) -> Result<Json<ResponseView>, ApiFailure> {
    let access = person(&state, &session, &handle).await?;
    let view = use_case::response(&access, &id, query.lang(), now(&state)).await?;
    log_read(
        &state,
        &Origin::of(&headers, &extensions),
        &access,
        "resident.questionnaire.read",
        &[ANSWERS],
        &id,
    );
    Ok(Json(view))
}

/// Autosaves a draft (answers pruned to what the form shows).
#[utoipa::path(put, path = "/api/resident/people/{person}/responses/{id}", tag = "resident",
    params(("person" = String, Path, description = "handle from /people"), ("id" = String, Path, description = "response id")),
    request_body = SaveDraft,
    responses((status = 200, body = DraftSaved), (status = 409, body = ApiError, description = "stale_version, not_editable, expired, already_used"),
              (status = 404, body = ApiError)))]
pub async fn save(
    State(state): State<ResidentState>,
    Resident(session): Resident,
    Path((handle, id)): Path<(String, String)>,
    headers: HeaderMap,
    extensions: Extensions,
    Json(request): Json<SaveDraft>,
) -> Result<Json<DraftSaved>, ApiFailure> {
    let access = person(&state, &session, &handle).await?;
    let result = use_case::save(&access, &id, &request, now(&state)).await;
    let origin = Origin::of(&headers, &extensions);
    let saved = log_write(
        &state,
        &origin,
        &access,
        "resident.questionnaire.save",
        &[ANSWERS],
        result,
    )
    .await?;
    Ok(Json(saved))
}

/// Submits a draft: 422 lists what to fix.
#[utoipa::path(post, path = "/api/resident/people/{person}/responses/{id}/submit", tag = "resident",
    params(("person" = String, Path, description = "handle from /people"), ("id" = String, Path, description = "response id")),
    request_body = VersionOnly,
    responses((status = 200, body = ResponseSummary), (status = 422, body = ApiError, description = "invalid_answers, with `items`"),
              (status = 409, body = ApiError), (status = 404, body = ApiError)))]
pub async fn submit(
    State(state): State<ResidentState>,
    Resident(session): Resident,
    Path((handle, id)): Path<(String, String)>,
    headers: HeaderMap,
    extensions: Extensions,
    Json(request): Json<VersionOnly>,
) -> Result<Json<ResponseSummary>, ApiFailure> {
    let access = person(&state, &session, &handle).await?;
    let result = use_case::submit(&access, &id, request.version, now(&state)).await;
    let origin = Origin::of(&headers, &extensions);
    let summary = log_write(
        &state,
        &origin,
        &access,
        "resident.questionnaire.submit",
        &[ANSWERS, STATUS],
        result,
    )
    .await?;
    Ok(Json(summary))
}

/// Corrects a submitted form (a new submitted revision).
#[utoipa::path(post, path = "/api/resident/people/{person}/responses/{id}/correct", tag = "resident",
    params(("person" = String, Path, description = "handle from /people"), ("id" = String, Path, description = "response id")),
    request_body = CorrectResponse,
    responses((status = 200, body = ResponseSummary), (status = 422, body = ApiError),
              (status = 409, body = ApiError), (status = 404, body = ApiError)))]
pub async fn correct(
    State(state): State<ResidentState>,
    Resident(session): Resident,
    Path((handle, id)): Path<(String, String)>,
    headers: HeaderMap,
    extensions: Extensions,
    Json(request): Json<CorrectResponse>,
) -> Result<Json<ResponseSummary>, ApiFailure> {
    let access = person(&state, &session, &handle).await?;
    let result = use_case::correct(&access, &id, &request, now(&state)).await;
    let origin = Origin::of(&headers, &extensions);
    let summary = log_write(
        &state,
        &origin,
        &access,
        "resident.questionnaire.correct",
        &[ANSWERS, STATUS],
        result,
    )
    .await?;
    Ok(Json(summary))
}

/// Withdraws a draft or a submitted form.
#[utoipa::path(post, path = "/api/resident/people/{person}/responses/{id}/withdraw", tag = "resident",
    params(("person" = String, Path, description = "handle from /people"), ("id" = String, Path, description = "response id")),
    request_body = VersionOnly,
    responses((status = 200, body = ResponseSummary), (status = 409, body = ApiError), (status = 404, body = ApiError)))]
pub async fn withdraw(
    State(state): State<ResidentState>,
    Resident(session): Resident,
    Path((handle, id)): Path<(String, String)>,
    headers: HeaderMap,
    extensions: Extensions,
    Json(request): Json<VersionOnly>,
) -> Result<Json<ResponseSummary>, ApiFailure> {
    let access = person(&state, &session, &handle).await?;
    let result = use_case::withdraw(&access, &id, request.version, now(&state)).await;
    let origin = Origin::of(&headers, &extensions);
    let summary = log_write(
        &state,
        &origin,
        &access,
        "resident.questionnaire.withdraw",
        &[STATUS],
        result,
    )
    .await?;
    Ok(Json(summary))
}

/// What a printed form needs (Japanese texts, the person's header data).
#[utoipa::path(get, path = "/api/resident/people/{person}/responses/{id}/print", tag = "resident",
    params(("person" = String, Path, description = "handle from /people"), ("id" = String, Path, description = "response id")),
    responses((status = 200, body = PrintView), (status = 404, body = ApiError)))]
pub async fn print(
    State(state): State<ResidentState>,
    Resident(session): Resident,
    Path((handle, id)): Path<(String, String)>,
    headers: HeaderMap,
    extensions: Extensions,
) -> Result<Json<PrintView>, ApiFailure> {
    let access = person(&state, &session, &handle).await?;
    let view = use_case::print(&state.service, &access, &id, now(&state)).await?;
    log_read(
        &state,
        &Origin::of(&headers, &extensions),
        &access,
        "resident.questionnaire.print",
        &[ANSWERS, "person_print_data"],
        &id,
    );
    Ok(Json(view))
}
