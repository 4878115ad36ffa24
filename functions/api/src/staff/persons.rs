//! `/api/admin/m/{code}/persons…`, `/imports…`, `/duplicates…`, `/pmh…` and `/exports…`:
//! target persons, CSV imports, PMH key status and exports to the health-management system.
//! The use cases check permissions and duties; handlers translate and add audit notes.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sesshu_core::CoreError;
use sesshu_core::import;
use sesshu_core::staff::persons_admin as use_case;
use sesshu_domain::staff::Permission;
use sesshu_domain::staff_persons::{
    ControlFlagsUpdate, DuplicatePair, ImportCreate, ImportJobView, ImportList, PersonCreate,
    PersonHistoryEntry, PersonRecordView, PersonSaved, PersonSearch, PersonSearchPage,
    PersonUpdate, PmhOverview,
};
use sesshu_interchange::encoding::TextEncoding;
use time::OffsetDateTime;

use super::{AuditNote, Staff, StaffState};
use crate::error::ApiFailure;

type ApiResult<T> = Result<Json<T>, ApiFailure>;

/// Fields a person detail shows, for the operation log.
const DETAIL_FIELDS: &[&str] = &[
    "name",
    "name_kana",
    "birth_date",
    "sex",
    "address",
    "guardian_name",
    "municipal_business_id",
    "control_flags",
];

fn noted<T: serde::Serialize>(body: T, subjects: Vec<String>, fields: &[&str]) -> Response {
    let mut response = Json(body).into_response();
    response.extensions_mut().insert(AuditNote {
        subjects,
        fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        ..AuditNote::default()
    });
    response
}

#[utoipa::path(post, path = "/api/admin/m/{code}/persons/search", tag = "staff",
    request_body = PersonSearch,
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, body = PersonSearchPage), (status = 422, body = sesshu_domain::dto::ApiError)))]
pub async fn search(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Json(request): Json<PersonSearch>,
) -> Result<Response, ApiFailure> {
    let page = use_case::search(&ctx, &request, state.today()).await?;
    let subjects = page.items.iter().map(|p| p.subject_no.clone()).collect();
    let mut fields = vec![
        "name",
        "name_kana",
        "birth_date",
        "sex",
        "municipal_business_id",
    ];
    if request
        .my_number
        .as_deref()
        .is_some_and(|n| !n.trim().is_empty())
    {
        fields.push("my_number_search");
    }
    Ok(noted(page, subjects, &fields))
}

#[utoipa::path(post, path = "/api/admin/m/{code}/persons", tag = "staff",
    request_body = PersonCreate,
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, body = PersonSaved), (status = 409, body = sesshu_domain::dto::ApiError),
              (status = 422, body = sesshu_domain::dto::ApiError)))]
pub async fn create(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Json(request): Json<PersonCreate>,
) -> Result<Response, ApiFailure> {
    let saved = use_case::create(
        &ctx,
        &request.fields,
        state.today(),
        OffsetDateTime::now_utc(),
    )
    .await?;
    let subjects = vec![saved.subject_no.clone()];
    Ok(noted(saved, subjects, &["all_person_fields"]))
}

#[utoipa::path(get, path = "/api/admin/m/{code}/persons/{subject_no}/detail", tag = "staff",
    params(("code" = String, Path, description = "municipality code"), ("subject_no" = String, Path, description = "予防接種対象者番号")),
    responses((status = 200, body = PersonRecordView), (status = 403, body = sesshu_domain::dto::ApiError),
              (status = 404, body = sesshu_domain::dto::ApiError)))]
pub async fn detail(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
) -> Result<Response, ApiFailure> {
    let (_, subject_no) = path;
    let view = use_case::detail(&ctx, &subject_no, state.today()).await?;
    Ok(noted(view, Vec::new(), DETAIL_FIELDS))
}

#[utoipa::path(put, path = "/api/admin/m/{code}/persons/{subject_no}", tag = "staff",
    request_body = PersonUpdate,
    params(("code" = String, Path, description = "municipality code"), ("subject_no" = String, Path, description = "予防接種対象者番号")),
    responses((status = 200, body = PersonSaved), (status = 409, body = sesshu_domain::dto::ApiError),
              (status = 422, body = sesshu_domain::dto::ApiError)))]
pub async fn update(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
    Json(request): Json<PersonUpdate>,
) -> ApiResult<PersonSaved> {
    let (_, subject_no) = path;
    Ok(Json(
        use_case::update(
            &ctx,
            &subject_no,
            &request,
            state.today(),
            OffsetDateTime::now_utc(),
        )
        .await?,
    ))
}

#[utoipa::path(put, path = "/api/admin/m/{code}/persons/{subject_no}/control-flags", tag = "staff",
    request_body = ControlFlagsUpdate,
    params(("code" = String, Path, description = "municipality code"), ("subject_no" = String, Path, description = "予防接種対象者番号")),
    responses((status = 200, body = PersonSaved), (status = 409, body = sesshu_domain::dto::ApiError)))]
pub async fn control_flags(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
    Json(request): Json<ControlFlagsUpdate>,
) -> ApiResult<PersonSaved> {
    let (_, subject_no) = path;
    Ok(Json(
        use_case::set_control_flags(
            &ctx,
            &subject_no,
            &request,
            state.today(),
            OffsetDateTime::now_utc(),
        )
        .await?,
    ))
}

/// The version a deletion was confirmed against.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DeleteQuery {
    pub version: u64,
}

#[utoipa::path(delete, path = "/api/admin/m/{code}/persons/{subject_no}", tag = "staff",
    params(("code" = String, Path, description = "municipality code"), ("subject_no" = String, Path, description = "予防接種対象者番号"), DeleteQuery),
    responses((status = 204, description = "deleted"), (status = 409, body = sesshu_domain::dto::ApiError)))]
pub async fn delete(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
    Query(query): Query<DeleteQuery>,
) -> Result<StatusCode, ApiFailure> {
    let (_, subject_no) = path;
    use_case::delete(
        &ctx,
        &subject_no,
        query.version,
        state.today(),
        OffsetDateTime::now_utc(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/admin/m/{code}/persons/{subject_no}/history", tag = "staff",
    params(("code" = String, Path, description = "municipality code"), ("subject_no" = String, Path, description = "予防接種対象者番号")),
    responses((status = 200, body = Vec<PersonHistoryEntry>)))]
pub async fn history(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
) -> Result<Response, ApiFailure> {
    let (_, subject_no) = path;
    let entries = use_case::history(&ctx, &subject_no, state.today()).await?;
    Ok(noted(entries, Vec::new(), &["history"]))
}

#[utoipa::path(get, path = "/api/admin/m/{code}/duplicates", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, body = Vec<DuplicatePair>)))]
pub async fn duplicates(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
) -> Result<Response, ApiFailure> {
    let pairs = use_case::duplicate_pairs(&ctx, state.today()).await?;
    let subjects = pairs
        .iter()
        .flat_map(|p| [p.first.subject_no.clone(), p.second.subject_no.clone()])
        .collect();
    Ok(noted(pairs, subjects, DETAIL_FIELDS))
}

#[utoipa::path(post, path = "/api/admin/m/{code}/duplicates/{first}/{second}/dismiss", tag = "staff",
    params(("code" = String, Path, description = "municipality code"),
           ("first" = String, Path, description = "予防接種対象者番号"), ("second" = String, Path, description = "予防接種対象者番号")),
    responses((status = 204, description = "dismissed")))]
pub async fn dismiss_duplicate(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Path(path): Path<(String, String, String)>,
) -> Result<Response, ApiFailure> {
    let (_, first, second) = path;
    use_case::dismiss_duplicate(&ctx, &first, &second, state.today()).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.extensions_mut().insert(AuditNote {
        subjects: vec![super::sanitize(&first), super::sanitize(&second)],
        ..AuditNote::default()
    });
    Ok(response)
}

// --- imports ---------------------------------------------------------------------------------

#[utoipa::path(get, path = "/api/admin/m/{code}/imports", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, body = ImportList)))]
pub async fn imports(Staff(ctx): Staff) -> ApiResult<ImportList> {
    ctx.require(Permission::Import)?;
    let items = import::list(&ctx.tenant, 50)
        .await?
        .iter()
        .map(import::Job::view)
        .collect();
    Ok(Json(ImportList { items }))
}

#[utoipa::path(post, path = "/api/admin/m/{code}/imports", tag = "staff", request_body = ImportCreate,
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, body = ImportJobView)))]
pub async fn create_import(
    Staff(ctx): Staff,
    Json(request): Json<ImportCreate>,
) -> ApiResult<ImportJobView> {
    ctx.require(Permission::Import)?;
    let job = import::create(
        &ctx.tenant,
        &request.file_name,
        request.size,
        &ctx.account.user_id,
        OffsetDateTime::now_utc(),
    )
    .await?;
    Ok(Json(job.view()))
}

#[utoipa::path(get, path = "/api/admin/m/{code}/imports/{job_id}", tag = "staff",
    params(("code" = String, Path, description = "municipality code"), ("job_id" = String, Path, description = "import job")),
    responses((status = 200, body = ImportJobView)))]
pub async fn import_job(
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
) -> ApiResult<ImportJobView> {
    let (_, job_id) = path;
    ctx.require(Permission::Import)?;
    Ok(Json(import::view(&ctx.tenant, &job_id).await?))
}

#[utoipa::path(put, path = "/api/admin/m/{code}/imports/{job_id}/parts/{part}", tag = "staff",
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    params(("code" = String, Path, description = "municipality code"), ("job_id" = String, Path, description = "import job"),
           ("part" = u32, Path, description = "part number, from 0")),
    responses((status = 200, body = ImportJobView)))]
pub async fn upload_part(
    Staff(ctx): Staff,
    Path(path): Path<(String, String, u32)>,
    body: Bytes,
) -> ApiResult<ImportJobView> {
    let (_, job_id, part) = path;
    ctx.require(Permission::Import)?;
    let job = import::upload_part(&ctx.tenant, &job_id, part, body.to_vec()).await?;
    Ok(Json(job.view()))
}

#[utoipa::path(post, path = "/api/admin/m/{code}/imports/{job_id}/start", tag = "staff",
    params(("code" = String, Path, description = "municipality code"), ("job_id" = String, Path, description = "import job")),
    responses((status = 200, body = ImportJobView)))]
pub async fn start_import(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
) -> ApiResult<ImportJobView> {
    let (_, job_id) = path;
    ctx.require(Permission::Import)?;
    let job = import::start(&ctx.tenant, &job_id).await?;
    let work = state.work.as_ref().ok_or_else(|| {
        ApiFailure::from(CoreError::Invalid(
            "imports are not processed by this server; use the batch worker".into(),
        ))
    })?;
    work.import_started(ctx.tenant.clone(), job.job_id.clone(), ctx.actor());
    Ok(Json(job.view()))
}

/// Which encoding a CSV download uses.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct CsvQuery {
    /// `cp932` (Shift_JIS) or `utf8` (with BOM); default: the import file's, else CP932.
    pub encoding: Option<String>,
}

pub(crate) fn csv_encoding(requested: Option<&str>, fallback: Option<&str>) -> TextEncoding {
    match requested.or(fallback) {
        Some("utf8" | "utf8_bom" | "utf-8") => TextEncoding::Utf8Bom,
        _ => TextEncoding::Cp932,
    }
}

pub(crate) fn csv_response(
    body: impl Into<axum::body::Body>,
    encoding: TextEncoding,
    file_name: &str,
) -> Response {
    let charset = match encoding {
        TextEncoding::Cp932 => "shift_jis",
        _ => "utf-8",
    };
    (
        [
            (CONTENT_TYPE, format!("text/csv; charset={charset}")),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body.into(),
    )
        .into_response()
}

#[utoipa::path(get, path = "/api/admin/m/{code}/imports/{job_id}/errors.csv", tag = "staff",
    params(("code" = String, Path, description = "municipality code"), ("job_id" = String, Path, description = "import job"), CsvQuery),
    responses((status = 200, description = "the error report: 行番号, 列, エラー内容, error", content_type = "text/csv")))]
pub async fn import_errors(
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
    Query(query): Query<CsvQuery>,
) -> Result<Response, ApiFailure> {
    let (_, job_id) = path;
    ctx.require(Permission::Import)?;
    let job = import::view(&ctx.tenant, &job_id).await?;
    let encoding = csv_encoding(query.encoding.as_deref(), job.encoding.as_deref());
    let mut writer = sesshu_interchange::error_report::ErrorReportWriter::new(Vec::new(), encoding)
        .map_err(|_| ApiFailure::from(CoreError::Corrupt("csv".into())))?;
    let mut cursor = None;
    loop {
        let (problems, next) = import::problems(&ctx.tenant, &job_id, cursor, 1_000).await?;
        for problem in &problems {
            let written = match problem.field {
                Some(field) => writer.write_field_error(
                    problem.row,
                    &sesshu_domain::person_input::FieldError {
                        field,
                        en: problem.en.clone(),
                        ja: problem.ja.clone(),
                    },
                ),
                None => writer.write_row_message(problem.row, &problem.ja, &problem.en),
            };
            written.map_err(|_| ApiFailure::from(CoreError::Corrupt("csv".into())))?;
        }
        match next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let bytes = writer
        .finish()
        .map_err(|_| ApiFailure::from(CoreError::Corrupt("csv".into())))?;
    Ok(csv_response(
        bytes,
        encoding,
        &format!("errors-{job_id}.csv"),
    ))
}

// --- PMH -------------------------------------------------------------------------------------

#[utoipa::path(get, path = "/api/admin/m/{code}/pmh", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, body = PmhOverview)))]
pub async fn pmh_overview(Staff(ctx): Staff) -> ApiResult<PmhOverview> {
    ctx.require(Permission::ViewPersons)?;
    Ok(Json(sesshu_core::pmh_link::overview(&ctx.tenant).await?))
}

#[utoipa::path(post, path = "/api/admin/m/{code}/pmh/retry", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, body = PmhOverview)))]
pub async fn pmh_retry(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
) -> ApiResult<PmhOverview> {
    ctx.require(Permission::EditPersons)?;
    sesshu_core::pmh_link::retry_failed(&ctx.tenant, None).await?;
    if let Some(work) = &state.work {
        work.pmh_requested(ctx.tenant.clone());
    }
    Ok(Json(sesshu_core::pmh_link::overview(&ctx.tenant).await?))
}
