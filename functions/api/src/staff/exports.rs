//! `/api/admin/m/{code}/exports/…`: persons and vaccination records for the health-management
//! system, as CSV. Exporting needs the export right and a fresh re-authentication; My Numbers
//! are included only for users who may see them.
//!
//! The file is streamed: the operation-log entry names the fields and how many persons the
//! export covers, then the body is read, encoded and sent [`export::EXPORT_CHUNK`] persons at a
//! time behind a small buffer, so memory stays flat at any size. A failure half-way aborts the
//! download (the client sees an error, never a silently short file).

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::response::Response;
use http_body::Frame;
use serde::Deserialize;
use sesshu_core::CoreError;
use sesshu_core::export::{self, ExportChunk, ExportStopped, Scope};
use sesshu_domain::staff::Permission;
use tokio::sync::mpsc;

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

/// Chunks waiting to be sent: a few, so a slow download holds the export back instead of
/// filling memory.
const CHUNKS_BUFFERED: usize = 4;

/// A response body fed by an export task.
struct ExportBody(mpsc::Receiver<ExportChunk>);

impl http_body::Body for ExportBody {
    type Data = Bytes;
    type Error = ExportStopped;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, ExportStopped>>> {
        self.0
            .poll_recv(cx)
            .map(|chunk| chunk.map(|chunk| chunk.map(|bytes| Frame::data(Bytes::from(bytes)))))
    }
}

fn with_note(mut response: Response, fields: &[&str], persons: usize) -> Response {
    response.extensions_mut().insert(AuditNote {
        fields: fields
            .iter()
            .map(|f| (*f).to_owned())
            .chain([format!("persons:{persons}")])
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
    let subjects = export::subjects(&ctx.tenant, scope(&query, state.today())?).await?;
    let persons = subjects.len();
    let (tx, rx) = mpsc::channel(CHUNKS_BUFFERED);
    let tenant = ctx.tenant.clone();
    tokio::spawn(async move {
        if let Err(error) =
            export::send_persons_csv(&tenant, &subjects, encoding, with_my_number, &tx).await
        {
            tracing::error!(%error, "persons export stopped; the download was cut short");
        }
    });
    let mut fields = vec!["name", "name_kana", "birth_date", "sex", "address"];
    if with_my_number {
        fields.push("my_number");
    }
    Ok(with_note(
        super::persons::csv_response(Body::new(ExportBody(rx)), encoding, "persons.csv"),
        &fields,
        persons,
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
    let subjects = export::subjects(&ctx.tenant, scope(&query, state.today())?).await?;
    let persons = subjects.len();
    let (tx, rx) = mpsc::channel(CHUNKS_BUFFERED);
    let tenant = ctx.tenant.clone();
    tokio::spawn(async move {
        if let Err(error) = export::send_records_csv(&tenant, &subjects, encoding, &tx).await {
            tracing::error!(%error, "records export stopped; the download was cut short");
        }
    });
    Ok(with_note(
        super::persons::csv_response(Body::new(ExportBody(rx)), encoding, "records.csv"),
        &["vaccination_records"],
        persons,
    ))
}
