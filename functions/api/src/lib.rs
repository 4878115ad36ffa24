//! HTTP for every surface. Each surface is a router factory that tests call with `oneshot`
//! and binaries run under `lambda_http` (Lambda) or `axum::serve` (local).
//!
//! **Invariant:** only this crate knows HTTP; use cases live in `sesshu-core`.

pub mod cookies;
pub mod error;
pub mod middleware;
pub mod openapi;
pub mod resident;
pub mod resident_questionnaires;
pub mod resident_schedule;
pub mod staff;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;

pub use error::ApiFailure;

/// The routes of the resident surface under `/api/resident`.
pub fn resident_routes(state: resident::ResidentState) -> Router {
    Router::new().nest("/api/resident", resident::router(state))
}

/// The routes of a staff surface under `/api/admin` or `/api/clinic`.
pub fn staff_routes(state: staff::StaffState) -> Router {
    let prefix = state.prefix();
    Router::new().nest(prefix, staff::router(state))
}

/// Wraps the routes of one or more surfaces with what every deployment has: `/healthz`,
/// `/api/openapi.json`, CSRF checks, security headers, request ids and tracing. Unknown paths
/// get the JSON 404 unless `routes` brings its own fallback (the local server serves the app).
pub fn surface(routes: Router) -> Router {
    let routes = routes
        .route("/healthz", get(|| async { (StatusCode::OK, "ok") }))
        .route("/api/openapi.json", get(openapi::serve));
    middleware::apply(routes)
}

/// The JSON 404 for unknown API paths.
pub async fn not_found() -> ApiFailure {
    ApiFailure::not_found()
}
