//! The OpenAPI document of every endpoint, served at `/api/openapi.json`.

use axum::Json;
use utoipa::OpenApi;

use crate::resident;

#[derive(OpenApi)]
#[openapi(
    info(title = "Sesshu: municipal vaccination system API", version = "0.1.0"),
    paths(
        resident::begin_login,
        resident::complete_login,
        resident::logout,
        resident::session,
        resident::records,
        resident::record,
    ),
    components(schemas(
        sesshu_domain::dto::ApiError,
        sesshu_domain::dto::MunicipalityRef,
        sesshu_domain::dto::RecordSummary,
        sesshu_domain::dto::RecordDetail,
        sesshu_domain::dto::RecordList,
        sesshu_domain::dto::ResidentSession,
        resident::LoginCallback,
    )),
    tags((name = "resident", description = "Residents and their proxies, after Mynaportal login"))
)]
pub struct ApiDoc;

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
