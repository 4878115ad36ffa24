//! The resident surface: `/api/resident/...`.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, State};
use axum::http::Extensions;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use sesshu_core::audit::{AuditEvent, AuditLogs};
use sesshu_core::resident::ResidentService;
use sesshu_core::session::{LOGIN_STATE_SECONDS, RESIDENT_SESSION_SECONDS, ResidentSession};
use sesshu_domain::dto::{ApiError, RecordDetail, RecordList};
use sesshu_domain::staff::Outcome;

use crate::cookies::{self, LOGIN_COOKIE, SESSION_COOKIE};
use crate::error::ApiFailure;

/// Where and how the resident surface sends people to Mynaportal.
#[derive(Debug, Clone)]
pub struct ResidentConfig {
    /// Mynaportal's authorization endpoint (the simulator's `/sim/mynaportal/authorize` locally).
    pub authorize_url: String,
    /// Our client id at Mynaportal; also the audience of its ID tokens.
    pub client_id: String,
    /// Cookies get `Secure`. Only tests over plain http turn this off.
    pub secure_cookies: bool,
}

#[derive(Clone)]
pub struct ResidentState {
    pub service: Arc<ResidentService>,
    pub config: Arc<ResidentConfig>,
    /// Residents' reads of records, for the municipality's operation log.
    pub reads: Arc<ResidentReadLog>,
}

/// Writes residents' reads to the municipalities' operation logs without making the resident
/// wait for the commit (the log's writer batches them; a staff request, by contrast, waits).
///
/// The same read repeated within [`READ_REPEAT_S`] by the same person (same action, same
/// record) is logged once: the log still shows who read what and when, and a page refreshed in
/// a loop cannot turn into a write per request.
pub struct ResidentReadLog {
    audit: Arc<AuditLogs>,
    recent: std::sync::Mutex<std::collections::HashMap<String, u64>>,
}

/// Identical reads within this many seconds are logged once.
pub const READ_REPEAT_S: u64 = 60;
const RECENT_LIMIT: usize = 100_000;

impl ResidentReadLog {
    pub fn new(audit: Arc<AuditLogs>) -> Self {
        Self {
            audit,
            recent: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// The operation logs.
    pub(crate) fn audit(&self) -> &Arc<AuditLogs> {
        &self.audit
    }

    /// Whether this read is the first of its kind within the repeat window (and remembers it).
    pub(crate) fn first_within_window(&self, key: String, now: u64) -> bool {
        let mut recent = self
            .recent
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if recent.len() >= RECENT_LIMIT {
            recent.retain(|_, at| now.saturating_sub(*at) < READ_REPEAT_S);
        }
        match recent.get(&key) {
            Some(at) if now.saturating_sub(*at) < READ_REPEAT_S => false,
            _ => {
                recent.insert(key, now);
                true
            }
        }
    }
}

pub const CALLBACK_PATH: &str = "/api/resident/login/callback";

/// The routes of the resident surface, to be nested at `/api/resident`.
pub fn router(state: ResidentState) -> Router {
    Router::new()
        .route("/login", get(begin_login))
        .route("/login/callback", post(complete_login))
        .route("/logout", post(logout))
        .route("/session", get(session))
        .route("/records", get(records))
        .route("/records/{id}", get(record))
        .merge(crate::resident_questionnaires::routes())
        .merge(crate::resident_schedule::routes())
        .with_state(state)
}

/// A request from a signed-in resident. Rejects with 401 otherwise.
pub struct Resident(pub ResidentSession);

impl FromRequestParts<ResidentState> for Resident {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ResidentState,
    ) -> Result<Self, Self::Rejection> {
        let token = cookies::read(&parts.headers, SESSION_COOKIE)
            .filter(|t| !t.is_empty())
            .ok_or_else(ApiFailure::unauthenticated)?;
        Ok(Resident(state.service.authenticate(token)?))
    }
}

/// Starts the Mynaportal login: redirects to Mynaportal with a fresh state and nonce.
#[utoipa::path(get, path = "/api/resident/login", tag = "resident",
    responses((status = 303, description = "redirect to Mynaportal")))]
pub async fn begin_login(State(state): State<ResidentState>) -> Result<Response, ApiFailure> {
    let (login, cookie) = state.service.begin_login()?;
    let location = format!(
        "{}?response_type=id_token&response_mode=form_post&client_id={}&redirect_uri={}&state={}&nonce={}",
        state.config.authorize_url,
        url_encode(&state.config.client_id),
        url_encode(CALLBACK_PATH),
        url_encode(&login.state),
        url_encode(&login.nonce),
    );
    // SameSite=None: Mynaportal's form_post callback is a cross-site POST in production.
    let set_cookie = cookies::set(
        LOGIN_COOKIE,
        &cookie,
        LOGIN_STATE_SECONDS,
        "None",
        state.config.secure_cookies,
    );
    redirect_with_cookies(&location, &[set_cookie])
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginCallback {
    pub id_token: String,
    pub state: String,
}

/// Mynaportal posts the ID token here (response_mode=form_post).
#[utoipa::path(post, path = "/api/resident/login/callback", tag = "resident",
    request_body(content = LoginCallback, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "logged in; redirect to /records"),
              (status = 401, body = ApiError, description = "token, state or nonce invalid")))]
pub async fn complete_login(
    State(state): State<ResidentState>,
    headers: HeaderMap,
    Form(callback): Form<LoginCallback>,
) -> Result<Response, ApiFailure> {
    let login_cookie = cookies::read(&headers, LOGIN_COOKIE);
    let (_, token) = state
        .service
        .complete_login(&callback.id_token, &callback.state, login_cookie)
        .await?;
    let secure = state.config.secure_cookies;
    redirect_with_cookies(
        "/records",
        &[
            cookies::set(
                SESSION_COOKIE,
                &token,
                RESIDENT_SESSION_SECONDS,
                "Strict",
                secure,
            ),
            cookies::clear(LOGIN_COOKIE, secure),
        ],
    )
}

/// Ends the session (clears the cookie).
#[utoipa::path(post, path = "/api/resident/logout", tag = "resident",
    responses((status = 204, description = "logged out")))]
pub async fn logout(State(state): State<ResidentState>) -> Result<Response, ApiFailure> {
    let mut response = StatusCode::NO_CONTENT.into_response();
    append_cookie(
        &mut response,
        &cookies::clear(SESSION_COOKIE, state.config.secure_cookies),
    )?;
    Ok(response)
}

/// The current session.
#[utoipa::path(get, path = "/api/resident/session", tag = "resident",
    responses((status = 200, body = sesshu_domain::dto::ResidentSession),
              (status = 401, body = ApiError)))]
pub async fn session(
    State(state): State<ResidentState>,
    Resident(session): Resident,
) -> Result<Json<sesshu_domain::dto::ResidentSession>, ApiFailure> {
    Ok(Json(state.service.session_info(&session).await?))
}

/// The resident's vaccination records, newest first, from every municipality.
#[utoipa::path(get, path = "/api/resident/records", tag = "resident",
    responses((status = 200, body = RecordList), (status = 401, body = ApiError)))]
pub async fn records(
    State(state): State<ResidentState>,
    Resident(session): Resident,
    headers: HeaderMap,
    extensions: Extensions,
) -> Result<Json<RecordList>, ApiFailure> {
    let list = state.service.records(&session).await?;
    for residence in &session.residences {
        log_read(
            &state,
            residence,
            "resident.records.read",
            None,
            &headers,
            &extensions,
        );
    }
    Ok(Json(list))
}

/// Logs a resident's read (see [`ResidentReadLog`]).
fn log_read(
    state: &ResidentState,
    residence: &sesshu_core::directory::Residence,
    action: &'static str,
    record: Option<&str>,
    headers: &HeaderMap,
    extensions: &Extensions,
) {
    let now = state.service.platform().clock.now_epoch_s();
    let key = format!(
        "{}/{}/{action}/{}",
        residence.municipality.as_str(),
        residence.subject_no.as_str(),
        record.unwrap_or("")
    );
    if !state.reads.first_within_window(key, now) {
        return;
    }
    let Ok(tenant) = state.service.platform().tenant(&residence.municipality) else {
        return;
    };
    let source = crate::staff::client_address(extensions)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let subject = residence.subject_no.as_str().to_owned();
    let event = AuditEvent::new(
        format!("resident:{subject}"),
        source,
        "resident",
        action,
        Outcome::Allowed,
        request_id,
    )
    .with_subjects(vec![subject])
    .with_fields(vec!["vaccination_records".to_owned()]);
    let log = state.reads.audit.tenant(&tenant);
    tokio::spawn(async move {
        if let Err(error) = log.append(vec![event]).await {
            tracing::error!(error = %error, "operation log append failed for a resident read");
        }
    });
}

/// One vaccination record.
#[utoipa::path(get, path = "/api/resident/records/{id}", tag = "resident",
    params(("id" = String, Path, description = "record id from the list")),
    responses((status = 200, body = RecordDetail),
              (status = 404, body = ApiError, description = "unknown, or not this resident's"),
              (status = 401, body = ApiError)))]
pub async fn record(
    State(state): State<ResidentState>,
    Resident(session): Resident,
    Path(id): Path<String>,
    headers: HeaderMap,
    extensions: Extensions,
) -> Result<Json<RecordDetail>, ApiFailure> {
    let detail = state.service.record(&session, &id).await?;
    if let Some(residence) = session
        .residences
        .iter()
        .find(|r| id.starts_with(&format!("{}-", r.municipality.as_str())))
    {
        log_read(
            &state,
            residence,
            "resident.record.read",
            Some(&id),
            &headers,
            &extensions,
        );
    }
    Ok(Json(detail))
}

fn redirect_with_cookies(location: &str, set_cookies: &[String]) -> Result<Response, ApiFailure> {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let location = HeaderValue::from_str(location)
        .map_err(|_| ApiFailure::invalid("redirect target is not a valid header"))?;
    response.headers_mut().insert(LOCATION, location);
    for cookie in set_cookies {
        append_cookie(&mut response, cookie)?;
    }
    Ok(response)
}

fn append_cookie(response: &mut Response, cookie: &str) -> Result<(), ApiFailure> {
    let value = HeaderValue::from_str(cookie)
        .map_err(|_| ApiFailure::invalid("cookie is not a valid header"))?;
    response.headers_mut().append(SET_COOKIE, value);
    Ok(())
}

/// Percent-encodes a query value (RFC 3986 unreserved characters pass through).
fn url_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
