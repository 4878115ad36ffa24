//! Layers every surface shares.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::ApiFailure;
use crate::resident::CALLBACK_PATH;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// Browsers cannot send a custom header cross-site without a CORS preflight (which we never
/// allow), so requiring it on state-changing requests defeats CSRF.
pub const CSRF_HEADER: &str = "x-requested-with";
pub const CSRF_VALUE: &str = "sesshu";

pub fn apply(router: Router) -> Router {
    router
        .layer(middleware::from_fn(require_csrf_header))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cache-control"),
            HeaderValue::from_static("no-store"),
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            // The path only, never the query string: queries may carry tokens.
            let request_id =
                request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

async fn require_csrf_header(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    // The login callback is a cross-site form POST by design; it is protected by the sealed
    // state/nonce cookie instead.
    let exempt = request.uri().path() == CALLBACK_PATH || request.uri().path().starts_with("/sim/");
    let has_header = request
        .headers()
        .get(CSRF_HEADER)
        .is_some_and(|v| v == CSRF_VALUE);
    if safe || exempt || has_header {
        next.run(request).await
    } else {
        ApiFailure::forbidden("リクエストを受け付けられませんでした。ページを再読み込みしてください / request refused: reload the page and try again").into_response()
    }
}
