//! `/api/admin/m/{code}/…`: users, requests, roles, institutions, the access review, the
//! operation log, alerts, and target persons within the user's duties. The guard has already
//! checked the network, the session and that `{code}` is the session's municipality.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sesshu_core::alerts::{Alerts, Outbox};
use sesshu_core::audit::AuditFilter;
use sesshu_core::staff::accounts;
use sesshu_core::staff::admin as use_case;
use sesshu_domain::staff::{
    AccountRequest, AccountRequestInput, Alert, AuditEntry, AuditPage, ChainReport, Decision,
    Institution, Issued, MyNumberReveal, OutboxMessage, Permission, ReviewReport, Role, RoleInput,
    StaffPerson, User, UserUpdate,
};

use super::{Staff, StaffState};
use crate::error::ApiFailure;

type ApiResult<T> = Result<Json<T>, ApiFailure>;

#[utoipa::path(get, path = "/api/admin/m/{code}/institutions", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, body = Vec<Institution>)))]
pub async fn institutions(Staff(ctx): Staff) -> ApiResult<Vec<Institution>> {
    Ok(Json(accounts::list_institutions(&ctx.tenant).await?))
}

#[utoipa::path(get, path = "/api/admin/m/{code}/roles", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, body = Vec<Role>)))]
pub async fn roles(Staff(ctx): Staff) -> ApiResult<Vec<Role>> {
    Ok(Json(accounts::list_roles(&ctx.tenant).await?))
}

#[utoipa::path(post, path = "/api/admin/m/{code}/roles", tag = "staff", request_body = RoleInput,
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, body = Role), (status = 403, body = sesshu_domain::dto::ApiError)))]
pub async fn create_role(Staff(ctx): Staff, Json(input): Json<RoleInput>) -> ApiResult<Role> {
    Ok(Json(use_case::save_role(&ctx, None, &input).await?))
}

#[utoipa::path(put, path = "/api/admin/m/{code}/roles/{role_id}", tag = "staff", request_body = RoleInput,
    params(("code" = String, Path, description = "municipality code"), ("role_id" = String, Path, description = "role id")),
    responses((status = 200, body = Role), (status = 409, body = sesshu_domain::dto::ApiError)))]
pub async fn update_role(
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
    Json(input): Json<RoleInput>,
) -> ApiResult<Role> {
    let (_, role_id) = path;
    Ok(Json(
        use_case::save_role(&ctx, Some(&role_id), &input).await?,
    ))
}

#[utoipa::path(get, path = "/api/admin/m/{code}/users", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, body = Vec<User>), (status = 403, body = sesshu_domain::dto::ApiError)))]
pub async fn users(Staff(ctx): Staff) -> ApiResult<Vec<User>> {
    Ok(Json(use_case::list_users(&ctx).await?))
}

#[utoipa::path(put, path = "/api/admin/m/{code}/users/{user_id}", tag = "staff", request_body = UserUpdate,
    params(("code" = String, Path, description = "municipality code"), ("user_id" = String, Path, description = "user id")),
    responses((status = 200, body = User)))]
pub async fn update_user(
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
    Json(update): Json<UserUpdate>,
) -> ApiResult<User> {
    let (_, user_id) = path;
    Ok(Json(use_case::update_user(&ctx, &user_id, &update).await?))
}

#[utoipa::path(post, path = "/api/admin/m/{code}/users/{user_id}/deactivate", tag = "staff",
    params(("code" = String, Path, description = "municipality code"), ("user_id" = String, Path, description = "user id")),
    responses((status = 200, body = User)))]
pub async fn deactivate_user(
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
) -> ApiResult<User> {
    let (_, user_id) = path;
    Ok(Json(use_case::deactivate_user(&ctx, &user_id).await?))
}

#[utoipa::path(get, path = "/api/admin/m/{code}/requests", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, body = Vec<AccountRequest>)))]
pub async fn requests(Staff(ctx): Staff) -> ApiResult<Vec<AccountRequest>> {
    Ok(Json(use_case::list_requests(&ctx).await?))
}

#[utoipa::path(post, path = "/api/admin/m/{code}/requests", tag = "staff", request_body = AccountRequestInput,
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, body = AccountRequest), (status = 400, body = sesshu_domain::dto::ApiError)))]
pub async fn create_request(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Json(input): Json<AccountRequestInput>,
) -> ApiResult<AccountRequest> {
    Ok(Json(
        use_case::create_request(&ctx, &input, state.now()).await?,
    ))
}

#[utoipa::path(post, path = "/api/admin/m/{code}/requests/{request_id}/approve", tag = "staff", request_body = Decision,
    params(("code" = String, Path, description = "municipality code"), ("request_id" = String, Path, description = "request id")),
    responses((status = 200, body = Issued)))]
pub async fn approve_request(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
    Json(decision): Json<Decision>,
) -> ApiResult<Issued> {
    let (_, request_id) = path;
    Ok(Json(
        use_case::approve_request(&ctx, &request_id, &decision, state.now()).await?,
    ))
}

#[utoipa::path(post, path = "/api/admin/m/{code}/requests/{request_id}/reject", tag = "staff", request_body = Decision,
    params(("code" = String, Path, description = "municipality code"), ("request_id" = String, Path, description = "request id")),
    responses((status = 200, body = AccountRequest)))]
pub async fn reject_request(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
    Json(decision): Json<Decision>,
) -> ApiResult<AccountRequest> {
    let (_, request_id) = path;
    Ok(Json(
        use_case::reject_request(&ctx, &request_id, &decision, state.now()).await?,
    ))
}

#[utoipa::path(get, path = "/api/admin/m/{code}/review", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, body = ReviewReport)))]
pub async fn review(State(state): State<StaffState>, Staff(ctx): Staff) -> ApiResult<ReviewReport> {
    Ok(Json(use_case::review_report(&ctx, state.now()).await?))
}

#[utoipa::path(post, path = "/api/admin/m/{code}/review", tag = "staff", request_body = Decision,
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, body = ReviewReport)))]
pub async fn record_review(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Json(decision): Json<Decision>,
) -> ApiResult<ReviewReport> {
    Ok(Json(
        use_case::record_review(&ctx, &decision, state.now()).await?,
    ))
}

/// Filters of the operation log views.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// A user id: entries by `staff:<user>`.
    pub user: Option<String>,
    /// A subject number.
    pub subject: Option<String>,
    /// An action, or a prefix ending in `.` (e.g. `login.`).
    pub action: Option<String>,
    /// YYYY-MM-DD, UTC.
    pub from: Option<String>,
    /// YYYY-MM-DD, UTC.
    pub to: Option<String>,
    pub cursor: Option<String>,
    /// CSV export only: `utf-8` (default, with BOM) or `shift_jis` (CP932, for older
    /// spreadsheet and municipal systems).
    pub encoding: Option<String>,
}

impl AuditQuery {
    fn filter(&self) -> Result<AuditFilter, ApiFailure> {
        let day = |text: &Option<String>| -> Result<Option<time::Date>, ApiFailure> {
            match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                Some(text) => Ok(Some(AuditFilter::parse_day(text)?)),
                None => Ok(None),
            }
        };
        let nonempty = |text: &Option<String>| {
            text.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        Ok(AuditFilter {
            actor: nonempty(&self.user).map(|user| {
                if user.contains(':') {
                    user
                } else {
                    format!("staff:{user}")
                }
            }),
            subject: nonempty(&self.subject),
            action: nonempty(&self.action),
            from_day: day(&self.from)?,
            to_day: day(&self.to)?,
        })
    }
}

#[utoipa::path(get, path = "/api/admin/m/{code}/audit", tag = "staff",
    params(("code" = String, Path, description = "municipality code"), AuditQuery),
    responses((status = 200, body = AuditPage)))]
pub async fn audit_page(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Query(query): Query<AuditQuery>,
) -> ApiResult<AuditPage> {
    ctx.require(Permission::ViewAuditLog)?;
    let filter = query.filter()?;
    let log = state.audit.tenant(&ctx.tenant);
    Ok(Json(log.page(&filter, query.cursor.as_deref(), 100).await?))
}

#[utoipa::path(get, path = "/api/admin/m/{code}/audit.csv", tag = "staff",
    params(("code" = String, Path, description = "municipality code"), AuditQuery),
    responses((status = 200, description = "CSV, UTF-8 with BOM", content_type = "text/csv"),
              (status = 403, body = sesshu_domain::dto::ApiError)))]
pub async fn audit_csv(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Query(query): Query<AuditQuery>,
) -> Result<Response, ApiFailure> {
    ctx.require(Permission::ViewAuditLog)?;
    ctx.require_reauthentication(state.now(), &state.auth.policy)?;
    let filter = query.filter()?;
    let log = state.audit.tenant(&ctx.tenant);
    // Excel opens UTF-8 CSV correctly only with the byte order mark.
    let mut csv = String::from(
        "\u{feff}seq,at,actor,source,surface,action,subjects,fields,outcome,reason,request_id\r\n",
    );
    let mut cursor: Option<String> = None;
    let mut rows = 0usize;
    loop {
        let page = log.page(&filter, cursor.as_deref(), 500).await?;
        for entry in &page.entries {
            csv.push_str(&csv_row(entry));
            rows += 1;
        }
        match page.next {
            Some(next) if rows < EXPORT_MAX_ROWS => cursor = Some(next),
            _ => break,
        }
    }
    let shift_jis = matches!(
        query.encoding.as_deref(),
        Some("shift_jis" | "sjis" | "cp932" | "windows-31j")
    );
    let (body, charset) = if shift_jis {
        // CP932 has no BOM; every character here (ids, dates, ASCII) is representable.
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(csv.trim_start_matches('\u{feff}'));
        (bytes.into_owned(), "shift_jis")
    } else {
        (csv.into_bytes(), "utf-8")
    };
    Ok((
        [
            (CONTENT_TYPE, format!("text/csv; charset={charset}")),
            (
                CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"operation-log-{}.csv\"",
                    ctx.tenant.code.as_str()
                ),
            ),
        ],
        body,
    )
        .into_response())
}

/// Largest export in one file; narrow the period for more.
const EXPORT_MAX_ROWS: usize = 100_000;

fn csv_row(entry: &AuditEntry) -> String {
    let fields = [
        entry.seq.to_string(),
        entry.at.clone(),
        entry.actor.clone(),
        entry.source.clone(),
        entry.surface.clone(),
        entry.action.clone(),
        entry.subjects.join(" "),
        entry.fields.join(" "),
        entry.outcome.code().to_owned(),
        entry.reason.clone().unwrap_or_default(),
        entry.request_id.clone(),
    ];
    let mut row = fields
        .iter()
        .map(|field| csv_field(field))
        .collect::<Vec<_>>()
        .join(",");
    row.push_str("\r\n");
    row
}

/// RFC 4180 quoting, and a leading `'` before `= + - @` so a spreadsheet never runs a value as
/// a formula (CSV injection).
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[utoipa::path(get, path = "/api/admin/m/{code}/audit/verify", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, body = ChainReport)))]
pub async fn audit_verify(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
) -> ApiResult<ChainReport> {
    ctx.require(Permission::ViewAuditLog)?;
    Ok(Json(state.audit.tenant(&ctx.tenant).verify().await?))
}

fn require_alert_reader(ctx: &sesshu_core::staff::StaffContext) -> Result<(), ApiFailure> {
    if ctx.has(Permission::ManageUsers) || ctx.has(Permission::ViewAuditLog) {
        Ok(())
    } else {
        Err(sesshu_core::CoreError::Forbidden("missing_permission:view_audit_log".into()).into())
    }
}

#[utoipa::path(get, path = "/api/admin/m/{code}/alerts", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, body = Vec<Alert>)))]
pub async fn alerts(State(state): State<StaffState>, Staff(ctx): Staff) -> ApiResult<Vec<Alert>> {
    require_alert_reader(&ctx)?;
    let alerts = Alerts::for_tenant(&ctx.tenant, state.platform.clock.clone());
    Ok(Json(alerts.list(200).await?))
}

#[utoipa::path(post, path = "/api/admin/m/{code}/alerts/{alert_id}/acknowledge", tag = "staff",
    params(("code" = String, Path, description = "municipality code"), ("alert_id" = String, Path, description = "alert id")),
    responses((status = 200, body = Alert)))]
pub async fn acknowledge_alert(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
) -> ApiResult<Alert> {
    let (_, alert_id) = path;
    require_alert_reader(&ctx)?;
    let alerts = Alerts::for_tenant(&ctx.tenant, state.platform.clock.clone());
    Ok(Json(
        alerts.acknowledge(&alert_id, &ctx.account.user_id).await?,
    ))
}

#[utoipa::path(get, path = "/api/admin/m/{code}/outbox", tag = "staff",
    params(("code" = String, Path, description = "municipality code")),
    responses((status = 200, body = Vec<OutboxMessage>)))]
pub async fn outbox(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
) -> ApiResult<Vec<OutboxMessage>> {
    ctx.require(Permission::ManageUsers)?;
    let outbox = Outbox::for_tenant(&ctx.tenant, state.platform.clock.clone());
    Ok(Json(outbox.list(200).await?))
}

#[utoipa::path(get, path = "/api/admin/m/{code}/persons/{subject_no}", tag = "staff",
    params(("code" = String, Path, description = "municipality code"), ("subject_no" = String, Path, description = "予防接種対象者番号")),
    responses((status = 200, body = StaffPerson), (status = 403, body = sesshu_domain::dto::ApiError),
              (status = 404, body = sesshu_domain::dto::ApiError)))]
pub async fn person(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
) -> ApiResult<StaffPerson> {
    let (_, subject_no) = path;
    Ok(Json(
        use_case::read_person(&ctx, &subject_no, state.today()).await?,
    ))
}

#[utoipa::path(post, path = "/api/admin/m/{code}/persons/{subject_no}/my-number", tag = "staff",
    params(("code" = String, Path, description = "municipality code"), ("subject_no" = String, Path, description = "予防接種対象者番号")),
    responses((status = 200, body = MyNumberReveal), (status = 403, body = sesshu_domain::dto::ApiError)))]
pub async fn reveal_my_number(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Path(path): Path<(String, String)>,
) -> ApiResult<MyNumberReveal> {
    let (_, subject_no) = path;
    let fresh = ctx.reauthenticated(state.now(), &state.auth.policy);
    Ok(Json(
        use_case::reveal_my_number(&ctx, &subject_no, state.today(), fresh).await?,
    ))
}
