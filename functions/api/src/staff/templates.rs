//! `/api/admin/m/{code}/questionnaire-templates…`: a municipality's questionnaire template
//! versions (予診票ひな形). The use cases check the permission `manage_templates`; the guard logs
//! every request. Shapes: `docs/interfaces/questionnaire-api.md`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sesshu_core::questionnaires::templates_admin as use_case;
use sesshu_domain::dto::ApiError;
use sesshu_domain::questionnaire_api::{
    DraftCreate, DraftPublish, DraftUpdate, TemplateCheck, TemplateSettings, TemplateVersionView,
};

use super::{Staff, StaffState};
use crate::error::ApiFailure;

type ApiResult<T> = Result<Json<T>, ApiFailure>;

fn now(state: &StaffState) -> time::OffsetDateTime {
    state.platform.clock.now()
}

#[utoipa::path(get, path = "/api/admin/m/{code}/questionnaire-templates", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, body = TemplateSettings), (status = 403, body = ApiError)))]
pub async fn list(Staff(ctx): Staff) -> ApiResult<TemplateSettings> {
    Ok(Json(use_case::list(&ctx).await?))
}

#[utoipa::path(get, path = "/api/admin/m/{code}/questionnaire-templates/{setting}/versions/{version}", tag = "staff",
    params(("code" = String, Path, description = "municipality code"),
           ("setting" = String, Path, description = "予防接種設定ID, e.g. infant_general"),
           ("version" = u32, Path, description = "published version")),
    responses((status = 200, body = TemplateVersionView), (status = 404, body = ApiError), (status = 403, body = ApiError)))]
pub async fn version(
    Staff(ctx): Staff,
    Path(path): Path<(String, String, u32)>,
) -> ApiResult<TemplateVersionView> {
    let (_, setting, version) = path;
    Ok(Json(use_case::version(&ctx, &setting, version).await?))
}

#[utoipa::path(get, path = "/api/admin/m/{code}/questionnaire-templates/{setting}/draft", tag = "staff",
    params(("code" = String, Path, description = "municipality code"),
           ("setting" = String, Path, description = "予防接種設定ID")),
    responses((status = 200, body = TemplateVersionView), (status = 404, body = ApiError, description = "no draft"),
              (status = 403, body = ApiError)))]
pub async fn draft(
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
) -> ApiResult<TemplateVersionView> {
    let (_, setting) = path;
    Ok(Json(use_case::draft(&ctx, &setting).await?))
}

#[utoipa::path(post, path = "/api/admin/m/{code}/questionnaire-templates/{setting}/draft", tag = "staff",
    params(("code" = String, Path, description = "municipality code"),
           ("setting" = String, Path, description = "予防接種設定ID")),
    request_body = DraftCreate,
    responses((status = 201, body = TemplateVersionView), (status = 409, body = ApiError, description = "draft_exists"),
              (status = 404, body = ApiError), (status = 403, body = ApiError)))]
pub async fn create_draft(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
    Json(request): Json<DraftCreate>,
) -> Result<Response, ApiFailure> {
    let (_, setting) = path;
    let view = use_case::create_draft(&ctx, &setting, &request, now(&state)).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[utoipa::path(put, path = "/api/admin/m/{code}/questionnaire-templates/{setting}/draft", tag = "staff",
    params(("code" = String, Path, description = "municipality code"),
           ("setting" = String, Path, description = "予防接種設定ID")),
    request_body = DraftUpdate,
    responses((status = 200, body = TemplateVersionView), (status = 409, body = ApiError, description = "stale_version"),
              (status = 400, body = ApiError), (status = 404, body = ApiError), (status = 403, body = ApiError)))]
pub async fn update_draft(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
    Json(request): Json<DraftUpdate>,
) -> ApiResult<TemplateVersionView> {
    let (_, setting) = path;
    Ok(Json(
        use_case::update_draft(&ctx, &setting, request, now(&state)).await?,
    ))
}

/// The revision a deletion was confirmed against.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RevisionQuery {
    pub revision: u64,
}

#[utoipa::path(delete, path = "/api/admin/m/{code}/questionnaire-templates/{setting}/draft", tag = "staff",
    params(("code" = String, Path, description = "municipality code"),
           ("setting" = String, Path, description = "予防接種設定ID"), RevisionQuery),
    responses((status = 204, description = "discarded"), (status = 409, body = ApiError), (status = 404, body = ApiError),
              (status = 403, body = ApiError)))]
pub async fn delete_draft(
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
    Query(query): Query<RevisionQuery>,
) -> Result<StatusCode, ApiFailure> {
    let (_, setting) = path;
    use_case::delete_draft(&ctx, &setting, query.revision).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/admin/m/{code}/questionnaire-templates/{setting}/draft/validate", tag = "staff",
    params(("code" = String, Path, description = "municipality code"),
           ("setting" = String, Path, description = "予防接種設定ID")),
    responses((status = 200, body = TemplateCheck), (status = 404, body = ApiError), (status = 403, body = ApiError)))]
pub async fn validate(
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
) -> ApiResult<TemplateCheck> {
    let (_, setting) = path;
    Ok(Json(use_case::check_draft(&ctx, &setting).await?))
}

#[utoipa::path(post, path = "/api/admin/m/{code}/questionnaire-templates/{setting}/draft/publish", tag = "staff",
    params(("code" = String, Path, description = "municipality code"),
           ("setting" = String, Path, description = "予防接種設定ID")),
    request_body = DraftPublish,
    responses((status = 200, body = TemplateVersionView), (status = 422, body = ApiError, description = "invalid_template, with `errors`"),
              (status = 409, body = ApiError), (status = 404, body = ApiError), (status = 403, body = ApiError)))]
pub async fn publish(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
    Json(request): Json<DraftPublish>,
) -> ApiResult<TemplateVersionView> {
    let (_, setting) = path;
    Ok(Json(
        use_case::publish(&ctx, &setting, &request, now(&state)).await?,
    ))
}
