//! `/api/admin/m/{code}/exports/…`: persons and vaccination records for the health-management
//! system, as CSV. Exporting needs the export right and a fresh re-authentication; My Numbers
//! are included only for users who may see them.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use sesshu_core::CoreError;
use sesshu_core::export::{self, Scope};
use sesshu_domain::staff::Permission;

use super::{AuditNote, Staff, StaffState};
use crate::error::ApiFailure;

/// What to export.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    /// `YYYY-MM-DD`: only people changed on or after this day; everyone if absent.
    pub since: Option<String>,
    /// `cp932` (default) or `utf8` (with BOM).
    pub encoding: Option<String>,
    /// `true` to include My Numbers (needs the My Number right).
    pub my_number: Option<bool>,
}

fn scope(query: &ExportQuery, today: time::Date) -> Result<Scope, ApiFailure> {
    match query
        .since
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Ok(Scope::All),
        Some(text) => sesshu_domain::iso_date::parse(text)
            .map(|since| Scope::ChangedSince { since, today })
            .ok_or_else(|| ApiFailure::invalid("since must be a day as YYYY-MM-DD")),
    }
}

fn with_note(mut response: Response, fields: &[&str], rows: u64) -> Response {
    response.extensions_mut().insert(AuditNote {
        fields: fields
            .iter()
            .map(|f| (*f).to_owned())
            .chain([format!("rows:{rows}")])
            .collect(),
        ..AuditNote::default()
    });
    response
}

#[utoipa::path(get, path = "/api/admin/m/{code}/exports/persons.csv", tag = "staff",
    params(("code" = String, Path, description = "municipality code"), ExportQuery),
    responses((status = 200, description = "persons in the import layout", content_type = "text/csv")))]
pub async fn persons_csv(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Query(query): Query<ExportQuery>,
) -> Result<Response, ApiFailure> {
    ctx.require(Permission::Export)?;
    ctx.require_reauthentication(state.now(), &state.auth.policy)?;
    let with_my_number = query.my_number.unwrap_or(false);
    if with_my_number {
        ctx.require(Permission::ViewMyNumber)?;
        if !ctx.account.can_view_my_number {
            return Err(CoreError::Forbidden("my_number_not_granted".into()).into());
        }
    }
    let encoding = super::persons::csv_encoding(query.encoding.as_deref(), None);
    let (bytes, rows) = export::persons_csv(
        &ctx.tenant,
        scope(&query, state.today())?,
        encoding,
        with_my_number,
    )
    .await?;
    let mut fields = vec!["name", "name_kana", "birth_date", "sex", "address"];
    if with_my_number {
        fields.push("my_number");
    }
    Ok(with_note(
        super::persons::csv_response(bytes, encoding, "persons.csv"),
        &fields,
        rows,
    ))
}

#[utoipa::path(get, path = "/api/admin/m/{code}/exports/records.csv", tag = "staff",
    params(("code" = String, Path, description = "municipality code"), ExportQuery),
    responses((status = 200, description = "vaccination records", content_type = "text/csv")))]
pub async fn records_csv(
    State(state): State<StaffState>,
    Staff(ctx): Staff,
    Query(query): Query<ExportQuery>,
) -> Result<Response, ApiFailure> {
    ctx.require(Permission::Export)?;
    ctx.require_reauthentication(state.now(), &state.auth.policy)?;
    let encoding = super::persons::csv_encoding(query.encoding.as_deref(), None);
    let (bytes, rows) =
        export::records_csv(&ctx.tenant, scope(&query, state.today())?, encoding).await?;
    Ok(with_note(
        super::persons::csv_response(bytes, encoding, "records.csv"),
        &["vaccination_records"],
        rows,
    ))
}
