//! `/api/admin/m/{code}/…` for the vaccination schedule and 接種勧奨: a person's schedule and
//! notices, checking a proposed vaccination, the recommendation rules (edit, validate,
//! preview), the job's runs, and the worklist of people missing a vaccination with its CSV.
//! Shapes and rules: `docs/interfaces/recommendations.md`. The use cases check permissions and
//! duties; handlers translate and say which persons and fields the operation log names.

use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use sesshu_core::CoreError;
use sesshu_core::directory::Directory;
use sesshu_core::recommendations::admin::{self, WorklistQuery};
use sesshu_core::recommendations::worklist::ListKind;
use sesshu_domain::dto::MunicipalityRef;
use sesshu_domain::recommendation::RuleSet;
use sesshu_domain::schedule_api::{PreviewRequest, RuleSetUpdate, ScheduleCheckRequest};
use sesshu_domain::staff::Permission;
use time::OffsetDateTime;
use utoipa::OpenApi;

use super::{AuditNote, Staff, StaffState};
use crate::error::ApiFailure;

/// Adds this module's routes to the admin router.
pub fn routes(router: Router<StaffState>) -> Router<StaffState> {
    router
        .route("/m/{code}/schedule/series", get(series))
        .route("/m/{code}/schedule/check", post(check))
        .route(
            "/m/{code}/persons/{subject_no}/schedule",
            get(person_schedule),
        )
        .route(
            "/m/{code}/persons/{subject_no}/notices",
            get(person_notices),
        )
        .route(
            "/m/{code}/recommendation-rules",
            get(rules).put(update_rules),
        )
        .route(
            "/m/{code}/recommendation-rules/validate",
            post(validate_rules),
        )
        .route("/m/{code}/recommendation-rules/preview", post(preview))
        .route("/m/{code}/recommendation-runs", get(runs))
        .route("/m/{code}/worklist", get(worklist))
        .route("/m/{code}/worklist.csv", get(worklist_csv))
}

/// The operation log's names for this module's routes.
pub fn action_of(method: &Method, route: &str) -> Option<&'static str> {
    Some(match (method.as_str(), route) {
        ("GET", "/m/{code}/schedule/series") => "schedule.series",
        ("POST", "/m/{code}/schedule/check") => "schedule.check",
        ("GET", "/m/{code}/persons/{subject_no}/schedule") => "schedule.read",
        ("GET", "/m/{code}/persons/{subject_no}/notices") => "notice.list",
        ("GET", "/m/{code}/recommendation-rules") => "recommendation.rules_read",
        ("PUT", "/m/{code}/recommendation-rules") => "recommendation.rules_update",
        ("POST", "/m/{code}/recommendation-rules/validate") => "recommendation.rules_validate",
        ("POST", "/m/{code}/recommendation-rules/preview") => "recommendation.preview",
        ("GET", "/m/{code}/recommendation-runs") => "recommendation.runs",
        ("GET", "/m/{code}/worklist") => "worklist.read",
        ("GET", "/m/{code}/worklist.csv") => "export.worklist",
        _ => return None,
    })
}

#[derive(OpenApi)]
#[openapi(paths(
    series,
    check,
    person_schedule,
    person_notices,
    rules,
    update_rules,
    validate_rules,
    preview,
    runs,
    worklist,
    worklist_csv
))]
pub struct ScheduleApi;

fn noted<T: serde::Serialize>(body: T, subjects: Vec<String>, fields: &[&str]) -> Response {
    let mut response = Json(body).into_response();
    response.extensions_mut().insert(AuditNote {
        subjects,
        fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        ..AuditNote::default()
    });
    response
}

fn now(state: &StaffState) -> OffsetDateTime {
    state.platform.clock.now()
}

/// "Today" for schedules is the day in Japan.
fn today(state: &StaffState) -> time::Date {
    sesshu_core::questionnaires::japan_date(now(state))
}

async fn municipality(
    state: &StaffState,
    ctx: &sesshu_core::staff::StaffContext,
) -> Result<MunicipalityRef, ApiFailure> {
    Directory::new(state.platform.directory_store().clone())
        .municipality(&ctx.tenant.code)
        .await?
        .ok_or_else(|| ApiFailure::from(CoreError::Corrupt("municipality".into())))
}

const SCHEDULE_FIELDS: &[&str] = &[
    "birth_date",
    "sex",
    "vaccination_records",
    "vaccination_schedule",
];

#[utoipa::path(get, path = "/api/admin/m/{code}/schedule/series", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, description = "SeriesOption[]: every vaccination (series) of the schedule")))]
pub async fn series(Staff(ctx): Staff) -> Result<Response, ApiFailure> {
    ctx.require(Permission::ViewPersons)?;
    let options = sesshu_core::schedule::series_options(sesshu_core::schedule::routine()?);
    Ok(Json(options).into_response())
}

/// `?on=YYYY-MM-DD`: the evaluation date (today in Japan if absent).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct OnQuery {
    pub on: Option<String>,
}

#[utoipa::path(get, path = "/api/admin/m/{code}/persons/{subject_no}/schedule", tag = "staff",
    params(("code" = String, Path, description = "municipality code"), ("subject_no" = String, Path, description = "予防接種対象者番号"), OnQuery),
    responses((status = 200, description = "PersonSchedule: status per vaccination with reasons and dates"),
              (status = 403, body = sesshu_domain::dto::ApiError), (status = 404, body = sesshu_domain::dto::ApiError)))]
pub async fn person_schedule(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
    Query(query): Query<OnQuery>,
) -> Result<Response, ApiFailure> {
    let (_, subject_no) = path;
    let today = today(&state);
    let on = match query.on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => sesshu_domain::iso_date::parse(text)
            .ok_or_else(|| ApiFailure::invalid("on must be a day as YYYY-MM-DD"))?,
        None => today,
    };
    let schedule = sesshu_core::schedule::person_schedule(&ctx, &subject_no, on, today).await?;
    Ok(noted(schedule, Vec::new(), SCHEDULE_FIELDS))
}

#[utoipa::path(post, path = "/api/admin/m/{code}/schedule/check", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, description = "Verdict: allowed, and the findings per series"),
              (status = 404, body = sesshu_domain::dto::ApiError), (status = 422, body = sesshu_domain::dto::ApiError)))]
pub async fn check(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Json(request): Json<ScheduleCheckRequest>,
) -> Result<Response, ApiFailure> {
    let verdict = sesshu_core::schedule::check(&ctx, &request, today(&state)).await?;
    let subject = super::sanitize(&request.subject_no);
    Ok(noted(verdict, vec![subject], SCHEDULE_FIELDS))
}

#[utoipa::path(get, path = "/api/admin/m/{code}/persons/{subject_no}/notices", tag = "staff",
    params(("code" = String, Path, description = "municipality code"), ("subject_no" = String, Path, description = "予防接種対象者番号")),
    responses((status = 200, description = "StaffNotice[]: the person's notices with delivery state, newest first")))]
pub async fn person_notices(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
) -> Result<Response, ApiFailure> {
    let (_, subject_no) = path;
    let notices = admin::person_notices(&ctx, &subject_no, today(&state)).await?;
    Ok(noted(notices, Vec::new(), &["notices"]))
}

#[utoipa::path(get, path = "/api/admin/m/{code}/recommendation-rules", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, description = "RuleSetView"), (status = 403, body = sesshu_domain::dto::ApiError)))]
pub async fn rules(Staff(ctx): Staff) -> Result<Response, ApiFailure> {
    Ok(Json(admin::rules_view(&ctx).await?).into_response())
}

#[utoipa::path(put, path = "/api/admin/m/{code}/recommendation-rules", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, description = "RuleSetView after saving"),
              (status = 409, body = sesshu_domain::dto::ApiError, description = "stale_version"),
              (status = 422, description = "invalid_rules, with `errors`: RuleError[]")))]
pub async fn update_rules(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Json(update): Json<RuleSetUpdate>,
) -> Result<Response, ApiFailure> {
    let (view, changed) = admin::update_rules(&ctx, &update, now(&state)).await?;
    let fields: Vec<&str> = changed.iter().map(String::as_str).collect();
    Ok(noted(view, Vec::new(), &fields))
}

#[utoipa::path(post, path = "/api/admin/m/{code}/recommendation-rules/validate", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, description = "RuleCheck: ok, and every problem in ja and en")))]
pub async fn validate_rules(
    Staff(ctx): Staff,
    Json(rule_set): Json<RuleSet>,
) -> Result<Response, ApiFailure> {
    Ok(Json(admin::validate_rules(&ctx, &rule_set)?).into_response())
}

#[utoipa::path(post, path = "/api/admin/m/{code}/recommendation-rules/preview", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, description = "PreviewResult: the rule's notices for a sample or a person; nothing is stored or sent")))]
pub async fn preview(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Json(request): Json<PreviewRequest>,
) -> Result<Response, ApiFailure> {
    let municipality = municipality(&state, &ctx).await?;
    let (result, subject) = admin::preview(&ctx, &request, &municipality, today(&state)).await?;
    Ok(match subject {
        Some(subject) => noted(result, vec![subject], SCHEDULE_FIELDS),
        None => Json(result).into_response(),
    })
}

#[utoipa::path(get, path = "/api/admin/m/{code}/recommendation-runs", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, description = "RunReport[]: the job's latest runs with counts per rule, newest first")))]
pub async fn runs(Staff(ctx): Staff) -> Result<Response, ApiFailure> {
    Ok(Json(admin::runs(&ctx).await?).into_response())
}

/// Which people the worklist shows.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct WorklistParams {
    /// A series id of the schedule, e.g. `mr_1` (see `/schedule/series`).
    pub vaccination: Option<String>,
    /// `overdue` (default) or `never`.
    pub status: Option<String>,
    /// Age in whole years, inclusive.
    pub age_from: Option<u32>,
    pub age_to: Option<u32>,
    /// The `next` of the previous page.
    pub page: Option<String>,
    /// CSV only: `cp932` (default) or `utf8` (with BOM).
    pub encoding: Option<String>,
}

impl WorklistParams {
    fn query(&self) -> Result<WorklistQuery, ApiFailure> {
        let series = self
            .vaccination
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                ApiFailure::invalid("name the vaccination (a series id such as mr_1)")
            })?;
        let kind = match self
            .status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => ListKind::Overdue,
            Some(text) => ListKind::parse(text)
                .ok_or_else(|| ApiFailure::invalid("status must be overdue or never"))?,
        };
        if let (Some(from), Some(to)) = (self.age_from, self.age_to)
            && from > to
        {
            return Err(ApiFailure::invalid("age_from must not be above age_to"));
        }
        Ok(WorklistQuery {
            series: series.to_owned(),
            kind,
            age_from: self.age_from,
            age_to: self.age_to,
            page: self.page.clone().filter(|p| !p.is_empty()),
        })
    }
}

const WORKLIST_FIELDS: &[&str] = &[
    "name",
    "name_kana",
    "birth_date",
    "sex",
    "municipal_business_id",
    "vaccination_schedule",
];

#[utoipa::path(get, path = "/api/admin/m/{code}/worklist", tag = "staff",
    params(("code" = String, Path, description = "municipality code"), WorklistParams),
    responses((status = 200, description = "WorklistPage: people overdue for, or never given, a vaccination, from the latest run")))]
pub async fn worklist(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Query(params): Query<WorklistParams>,
) -> Result<Response, ApiFailure> {
    let page = admin::worklist_page(&ctx, &params.query()?, today(&state)).await?;
    let subjects = page.rows.iter().map(|r| r.subject_no.clone()).collect();
    Ok(noted(page, subjects, WORKLIST_FIELDS))
}

#[utoipa::path(get, path = "/api/admin/m/{code}/worklist.csv", tag = "staff",
    params(("code" = String, Path, description = "municipality code"), WorklistParams),
    responses((status = 200, description = "the worklist as CSV (no My Number)", content_type = "text/csv")))]
pub async fn worklist_csv(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Query(params): Query<WorklistParams>,
) -> Result<Response, ApiFailure> {
    ctx.require(Permission::Export)?;
    ctx.require_reauthentication(state.now(), &state.auth.policy)?;
    let query = params.query()?;
    let encoding = super::persons::csv_encoding(params.encoding.as_deref(), None);
    // As the other exports: the log names the fields and the row count, not every subject.
    let (bytes, rows) = admin::worklist_csv(&ctx, &query, encoding, today(&state)).await?;
    let mut response = super::persons::csv_response(bytes, encoding, "worklist.csv");
    response.extensions_mut().insert(AuditNote {
        fields: WORKLIST_FIELDS
            .iter()
            .map(|f| (*f).to_owned())
            .chain([
                "address".to_owned(),
                "guardian_name".to_owned(),
                format!("rows:{rows}"),
            ])
            .collect(),
        ..AuditNote::default()
    });
    Ok(response)
}
