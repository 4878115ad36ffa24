//! The staff surfaces: `/api/admin/...` (municipal staff) and `/api/clinic/...` (clinic staff).
//!
//! One guard wraps every staff route and is the only place that decides three things, so no
//! handler can forget them:
//! 1. the client address must be in the allowed networks (else 403, logged);
//! 2. the session cookie, when present, is resolved to a [`StaffContext`] for the handler;
//!    `/m/{code}/…` paths must name the session's own municipality (else 404, logged as a
//!    cross-tenant attempt);
//! 3. every request is written to the operation log — who, from where, which action, which
//!    persons and fields, allowed/denied/failed — before the response leaves; if the log
//!    cannot be written, the response is replaced by a 500 (nothing is served unlogged).

pub mod admin;
pub mod auth;
pub mod exports;
pub mod persons;
pub mod schedule;
pub mod templates;
pub mod work;

pub use work::{BackgroundWork, PmhRun, SpawnedWork};

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Router, routing::get, routing::post, routing::put};
use sesshu_core::audit::{AuditEvent, AuditLogs};
use sesshu_core::staff::auth::StaffAuth;
use sesshu_core::staff::network::NetworkPolicy;
use sesshu_core::staff::sessions;
use sesshu_core::staff::{StaffContext, Surface};
use sesshu_core::tenancy::Platform;
use sesshu_core::{CoreError, staff::admin::PERSON_FIELDS};
use sesshu_domain::MunicipalityCode;
use sesshu_domain::staff::Outcome;

use crate::cookies;
use crate::error::{ApiFailure, FailureReason};

/// The client address of a request that did not come over a socket we accepted (Lambda puts
/// the API Gateway's `sourceIp` here).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub IpAddr);

#[derive(Clone)]
pub struct StaffState {
    /// Runs imports and PMH linking in the background; `None` where no worker runs.
    pub work: Option<Arc<dyn BackgroundWork>>,
    pub auth: Arc<StaffAuth>,
    pub audit: Arc<AuditLogs>,
    pub network: Arc<NetworkPolicy>,
    pub platform: Arc<Platform>,
    pub surface: Surface,
    /// Cookies get `Secure`. Only tests over plain http turn this off.
    pub secure_cookies: bool,
}

impl StaffState {
    pub fn session_cookie(&self) -> &'static str {
        match self.surface {
            Surface::Admin => "sesshu_admin",
            Surface::Clinic => "sesshu_clinic",
        }
    }

    pub fn pending_cookie(&self) -> &'static str {
        match self.surface {
            Surface::Admin => "sesshu_admin_pending",
            Surface::Clinic => "sesshu_clinic_pending",
        }
    }

    pub fn prefix(&self) -> &'static str {
        match self.surface {
            Surface::Admin => "/api/admin",
            Surface::Clinic => "/api/clinic",
        }
    }

    fn now(&self) -> u64 {
        self.platform.clock.now_epoch_s()
    }

    fn today(&self) -> time::Date {
        time::OffsetDateTime::from_unix_timestamp(self.now() as i64)
            .map(|t| t.date())
            .unwrap_or(time::Date::MIN)
    }

    /// `Set-Cookie` for a cookie scoped to this surface's API paths.
    fn set_cookie(&self, name: &str, value: &str, max_age_s: u64, path: &str) -> String {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        format!(
            "{name}={value}; Path={path}; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{secure}"
        )
    }
}

/// The routes of one staff surface, to be nested at its prefix.
pub fn router(state: StaffState) -> Router {
    let mut routes = Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/totp", post(auth::totp))
        .route("/auth/activate", post(auth::activate))
        .route("/auth/activate/confirm", post(auth::confirm_enrollment))
        .route("/auth/session", get(auth::session))
        .route("/auth/reauth", post(auth::reauthenticate))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/logout-everywhere", post(auth::logout_everywhere))
        .route("/m/{code}/institutions", get(admin::institutions));
    if state.surface == Surface::Clinic {
        routes = routes.route("/m/{code}/roles", get(admin::roles));
    }
    if state.surface == Surface::Admin {
        routes = routes
            .route(
                "/m/{code}/roles",
                get(admin::roles).post(admin::create_role),
            )
            .route("/m/{code}/roles/{role_id}", put(admin::update_role))
            .route("/m/{code}/users", get(admin::users))
            .route("/m/{code}/users/{user_id}", put(admin::update_user))
            .route(
                "/m/{code}/users/{user_id}/deactivate",
                post(admin::deactivate_user),
            )
            .route(
                "/m/{code}/requests",
                get(admin::requests).post(admin::create_request),
            )
            .route(
                "/m/{code}/requests/{request_id}/approve",
                post(admin::approve_request),
            )
            .route(
                "/m/{code}/requests/{request_id}/reject",
                post(admin::reject_request),
            )
            .route(
                "/m/{code}/review",
                get(admin::review).post(admin::record_review),
            )
            .route("/m/{code}/audit", get(admin::audit_page))
            .route("/m/{code}/audit.csv", get(admin::audit_csv))
            .route("/m/{code}/audit/verify", get(admin::audit_verify))
            .route("/m/{code}/alerts", get(admin::alerts))
            .route(
                "/m/{code}/alerts/{alert_id}/acknowledge",
                post(admin::acknowledge_alert),
            )
            .route("/m/{code}/outbox", get(admin::outbox))
            .route(
                "/m/{code}/persons/{subject_no}",
                get(admin::person)
                    .put(persons::update)
                    .delete(persons::delete),
            )
            .route("/m/{code}/persons", post(persons::create))
            .route("/m/{code}/persons/search", post(persons::search))
            .route(
                "/m/{code}/persons/{subject_no}/detail",
                get(persons::detail),
            )
            .route(
                "/m/{code}/persons/{subject_no}/control-flags",
                put(persons::control_flags),
            )
            .route(
                "/m/{code}/persons/{subject_no}/history",
                get(persons::history),
            )
            .route("/m/{code}/duplicates", get(persons::duplicates))
            .route(
                "/m/{code}/duplicates/{first}/{second}/dismiss",
                post(persons::dismiss_duplicate),
            )
            .route(
                "/m/{code}/imports",
                get(persons::imports).post(persons::create_import),
            )
            .route("/m/{code}/imports/{job_id}", get(persons::import_job))
            .route(
                "/m/{code}/imports/{job_id}/parts/{part}",
                put(persons::upload_part),
            )
            .route(
                "/m/{code}/imports/{job_id}/start",
                post(persons::start_import),
            )
            .route(
                "/m/{code}/imports/{job_id}/errors.csv",
                get(persons::import_errors),
            )
            .route("/m/{code}/pmh", get(persons::pmh_overview))
            .route("/m/{code}/pmh/retry", post(persons::pmh_retry))
            .route("/m/{code}/exports/persons.csv", get(exports::persons_csv))
            .route("/m/{code}/exports/records.csv", get(exports::records_csv))
            .route(
                "/m/{code}/persons/{subject_no}/my-number",
                post(admin::reveal_my_number),
            )
            .route("/m/{code}/questionnaire-templates", get(templates::list))
            .route(
                "/m/{code}/questionnaire-templates/{setting}/versions/{version}",
                get(templates::version),
            )
            .route(
                "/m/{code}/questionnaire-templates/{setting}/draft",
                get(templates::draft)
                    .post(templates::create_draft)
                    .put(templates::update_draft)
                    .delete(templates::delete_draft),
            )
            .route(
                "/m/{code}/questionnaire-templates/{setting}/draft/validate",
                post(templates::validate),
            )
            .route(
                "/m/{code}/questionnaire-templates/{setting}/draft/publish",
                post(templates::publish),
            );
        routes = schedule::routes(routes);
    }
    routes
        .fallback(crate::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// A request from a signed-in staff user of this surface; 401 otherwise.
pub struct Staff(pub StaffContext);

impl<S: Send + Sync> FromRequestParts<S> for Staff {
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<StaffContext>()
            .cloned()
            .map(Staff)
            .ok_or_else(ApiFailure::unauthenticated)
    }
}

/// What a handler adds to the operation log entry of its request (response extension).
#[derive(Debug, Clone, Default)]
pub struct AuditNote {
    /// For requests without a session (login): who tried.
    pub actor: Option<String>,
    /// For requests without a session: which municipality's log.
    pub municipality: Option<MunicipalityCode>,
    pub subjects: Vec<String>,
    pub fields: Vec<String>,
}

/// The client's address: the accepted socket's peer locally, the gateway's `sourceIp` in Lambda.
pub(crate) fn client_address(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
        .or_else(|| extensions.get::<ClientAddress>().map(|a| a.0))
}

async fn guard(State(state): State<StaffState>, mut request: Request, next: Next) -> Response {
    let source = client_address(request.extensions());
    let source_text = source.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let matched = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let route = matched
        .strip_prefix(state.prefix())
        .unwrap_or(&matched)
        .to_owned();
    let method = request.method().clone();
    let action = action_of(&method, &route);
    // Inside the nest, axum has already cut the surface prefix off the URI.
    let path = request.uri().path();
    let path_params = path_params(&route, path.strip_prefix(state.prefix()).unwrap_or(path));
    let cookie = cookies::read(request.headers(), state.session_cookie())
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    let claimed_municipality = cookie
        .as_deref()
        .and_then(sessions::parse_cookie)
        .map(|(code, _)| code);
    let event = |actor: String, outcome: Outcome| {
        AuditEvent::new(
            actor,
            &source_text,
            state.surface.as_str(),
            action.clone(),
            outcome,
            &request_id,
        )
    };

    // 1. The network.
    if !source.is_some_and(|ip| state.network.allows(ip)) {
        tracing::warn!(
            surface = state.surface.as_str(),
            "request from outside the allowed networks"
        );
        let event = event("anonymous".into(), Outcome::Denied)
            .with_reason("network_denied")
            .with_action("network.denied");
        let log = match known_tenant(&state, claimed_municipality.as_ref()).await {
            Some(tenant) => state.audit.tenant(&tenant),
            None => state.audit.platform(),
        };
        if log.append(vec![event]).await.is_err() {
            return ApiFailure::from(CoreError::Corrupt("operation log".into())).into_response();
        }
        return ApiFailure::from(CoreError::NetworkDenied).into_response();
    }

    // 2. The session and the municipality in the path.
    let context = match cookie.as_deref() {
        Some(cookie) => state.auth.authenticate(state.surface, cookie).await.ok(),
        None => None,
    };
    if let (Some(context), Some(code)) = (&context, path_params.get("code"))
        && *code != context.tenant.code.as_str()
    {
        let attempt = event(context.actor(), Outcome::Denied)
            .with_action("tenant.cross")
            .with_reason(format!("path_municipality:{}", sanitize(code)));
        if state
            .audit
            .tenant(&context.tenant)
            .append(vec![attempt])
            .await
            .is_err()
        {
            return ApiFailure::from(CoreError::Corrupt("operation log".into())).into_response();
        }
        return ApiFailure::not_found().into_response();
    }
    if let Some(context) = &context {
        request.extensions_mut().insert(context.clone());
    }

    // 3. The handler, then its entry in the operation log.
    let mut response = next.run(request).await;
    let note = response
        .extensions_mut()
        .remove::<AuditNote>()
        .unwrap_or_default();
    let status = response.status();
    let outcome = if status.is_success() || status.is_redirection() {
        Outcome::Allowed
    } else if matches!(
        status,
        StatusCode::UNAUTHORIZED
            | StatusCode::FORBIDDEN
            | StatusCode::NOT_FOUND
            | StatusCode::TOO_MANY_REQUESTS
    ) {
        Outcome::Denied
    } else {
        Outcome::Failed
    };
    let actor = context
        .as_ref()
        .map(StaffContext::actor)
        .or(note.actor.clone())
        .unwrap_or_else(|| "anonymous".into());
    let mut subjects = note.subjects.clone();
    if let Some(subject) = path_params.get("subject_no")
        && subjects.is_empty()
    {
        subjects.push(sanitize(subject));
    }
    let mut fields = note.fields.clone();
    if fields.is_empty() && outcome == Outcome::Allowed {
        fields = fields_of(&action);
    }
    let mut entry = event(actor, outcome)
        .with_subjects(subjects)
        .with_fields(fields);
    if outcome != Outcome::Allowed {
        let reason = response
            .extensions()
            .get::<FailureReason>()
            .map(|r| r.0.clone())
            .unwrap_or_else(|| status.as_u16().to_string());
        entry = entry.with_reason(reason);
    }
    let tenant = match &context {
        Some(context) => Some(context.tenant.clone()),
        None => known_tenant(&state, note.municipality.as_ref()).await,
    };
    let log = match &tenant {
        Some(tenant) => state.audit.tenant(tenant),
        None => state.audit.platform(),
    };
    if let Err(error) = log.append(vec![entry]).await {
        tracing::error!(error = %error, "operation log append failed; response withheld");
        return ApiFailure::from(CoreError::Corrupt("operation log".into())).into_response();
    }
    response
}

async fn known_tenant(
    state: &StaffState,
    code: Option<&MunicipalityCode>,
) -> Option<sesshu_core::tenancy::Tenant> {
    let code = code?;
    state.auth.known_tenant(code.as_str()).await.ok().flatten()
}

/// A path value fit for the log: ids only, so anything else is cut to a safe form.
pub(crate) fn sanitize(value: &str) -> String {
    value
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .take(64)
        .collect()
}

/// The `{name}` parameters of a matched route, read from the concrete path.
fn path_params(route: &str, path: &str) -> std::collections::HashMap<String, String> {
    let mut params = std::collections::HashMap::new();
    for (pattern, value) in route.split('/').zip(path.split('/')) {
        if let Some(name) = pattern.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            params.insert(name.to_owned(), value.to_owned());
        }
    }
    params
}

/// The operation log's name for a route.
fn action_of(method: &Method, route: &str) -> String {
    let action = match (method.as_str(), route) {
        ("POST", "/auth/login") => "login.password",
        ("POST", "/auth/totp") => "login.second_factor",
        ("POST", "/auth/activate") => "login.activate",
        ("POST", "/auth/activate/confirm") => "login.enroll_totp",
        ("GET", "/auth/session") => "session.read",
        ("POST", "/auth/reauth") => "login.reauthenticate",
        ("POST", "/auth/logout") => "session.logout",
        ("POST", "/auth/logout-everywhere") => "session.logout_everywhere",
        ("GET", "/m/{code}/institutions") => "institution.list",
        ("GET", "/m/{code}/roles") => "role.list",
        ("POST", "/m/{code}/roles") => "role.create",
        ("PUT", "/m/{code}/roles/{role_id}") => "role.update",
        ("GET", "/m/{code}/users") => "user.list",
        ("PUT", "/m/{code}/users/{user_id}") => "user.update",
        ("POST", "/m/{code}/users/{user_id}/deactivate") => "user.deactivate",
        ("GET", "/m/{code}/requests") => "request.list",
        ("POST", "/m/{code}/requests") => "request.create",
        ("POST", "/m/{code}/requests/{request_id}/approve") => "request.approve",
        ("POST", "/m/{code}/requests/{request_id}/reject") => "request.reject",
        ("GET", "/m/{code}/review") => "review.read",
        ("POST", "/m/{code}/review") => "review.record",
        ("GET", "/m/{code}/audit") => "audit.read",
        ("GET", "/m/{code}/audit.csv") => "export.audit",
        ("GET", "/m/{code}/audit/verify") => "audit.verify",
        ("GET", "/m/{code}/alerts") => "alert.list",
        ("POST", "/m/{code}/alerts/{alert_id}/acknowledge") => "alert.acknowledge",
        ("GET", "/m/{code}/outbox") => "outbox.read",
        ("GET", "/m/{code}/persons/{subject_no}") => "person.read",
        ("POST", "/m/{code}/persons/{subject_no}/my-number") => "my_number.view",
        ("POST", "/m/{code}/persons/search") => "person.search",
        ("POST", "/m/{code}/persons") => "person.create",
        ("GET", "/m/{code}/persons/{subject_no}/detail") => "person.read",
        ("PUT", "/m/{code}/persons/{subject_no}") => "person.update",
        ("DELETE", "/m/{code}/persons/{subject_no}") => "person.delete",
        ("PUT", "/m/{code}/persons/{subject_no}/control-flags") => "person.control_flags",
        ("GET", "/m/{code}/persons/{subject_no}/history") => "person.history",
        ("GET", "/m/{code}/duplicates") => "person.duplicates",
        ("POST", "/m/{code}/duplicates/{first}/{second}/dismiss") => "person.duplicate_dismiss",
        ("GET", "/m/{code}/imports") => "import.list",
        ("POST", "/m/{code}/imports") => "import.create",
        ("GET", "/m/{code}/imports/{job_id}") => "import.read",
        ("PUT", "/m/{code}/imports/{job_id}/parts/{part}") => "import.upload",
        ("POST", "/m/{code}/imports/{job_id}/start") => "import.start",
        ("GET", "/m/{code}/imports/{job_id}/errors.csv") => "import.errors",
        ("GET", "/m/{code}/pmh") => "pmh.status",
        ("POST", "/m/{code}/pmh/retry") => "pmh.retry",
        ("GET", "/m/{code}/exports/persons.csv") => "export.persons",
        ("GET", "/m/{code}/exports/records.csv") => "export.records",
        ("GET", "/m/{code}/questionnaire-templates") => "template.list",
        ("GET", "/m/{code}/questionnaire-templates/{setting}/versions/{version}") => {
            "template.read"
        }
        ("GET", "/m/{code}/questionnaire-templates/{setting}/draft") => "template.draft_read",
        ("POST", "/m/{code}/questionnaire-templates/{setting}/draft") => "template.draft_create",
        ("PUT", "/m/{code}/questionnaire-templates/{setting}/draft") => "template.draft_update",
        ("DELETE", "/m/{code}/questionnaire-templates/{setting}/draft") => "template.draft_delete",
        ("POST", "/m/{code}/questionnaire-templates/{setting}/draft/validate") => {
            "template.validate"
        }
        ("POST", "/m/{code}/questionnaire-templates/{setting}/draft/publish") => "template.publish",
        _ => schedule::action_of(method, route).unwrap_or(""),
    };
    if action.is_empty() {
        // Unknown routes are logged too (probing is worth seeing), by method only.
        format!("unknown.{}", method.as_str().to_lowercase())
    } else {
        action.to_owned()
    }
}

/// The personal fields an allowed action reads.
fn fields_of(action: &str) -> Vec<String> {
    match action {
        "person.read" => PERSON_FIELDS.iter().map(|f| (*f).to_owned()).collect(),
        "my_number.view" => vec!["my_number".to_owned()],
        _ => Vec::new(),
    }
}

trait WithAction {
    fn with_action(self, action: &str) -> Self;
}

impl WithAction for AuditEvent {
    fn with_action(mut self, action: &str) -> Self {
        self.action = action.to_owned();
        self
    }
}
