//! The one API client: same-origin `fetch` with the session cookie, typed errors the UI can
//! explain, and requests aborted when the view that started them goes away (navigation), as in
//! Leptos' hackernews example.

use gloo_net::http::{Request, RequestBuilder, Response};
use leptos::prelude::on_cleanup;
use send_wrapper::SendWrapper;
use serde::de::DeserializeOwned;
use sesshu_domain::dto::{ApiError, RecordDetail, RecordList, ResidentSession};
use web_sys::{AbortController, RequestCredentials};

/// Where the browser goes to log in: a full-page navigation, since the backend redirects to
/// Mynaportal and back.
pub const LOGIN_URL: &str = "/api/resident/login";

/// Why a request failed, in the terms the UI explains to a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// 401: not logged in, or the session has expired.
    #[error("not logged in")]
    Unauthenticated,
    /// 404: no such record for this resident.
    #[error("not found")]
    NotFound,
    /// The request never got an HTTP answer (offline, DNS, aborted).
    #[error("network unavailable")]
    Network,
    /// Any other answer; carries the server's error body (or a synthetic one when the body was
    /// not the API's JSON, e.g. a gateway page).
    #[error("server error {}", .0.code)]
    Server(ApiError),
}

/// What a status code means to the client, before the body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusClass {
    Success,
    Unauthenticated,
    NotFound,
    Failure,
}

fn classify(status: u16) -> StatusClass {
    match status {
        200..=299 => StatusClass::Success,
        401 => StatusClass::Unauthenticated,
        404 => StatusClass::NotFound,
        _ => StatusClass::Failure,
    }
}

/// The synthetic error for an answer that is not the API's: a proxy's HTML page, a truncated
/// body. `code` names the HTTP status so support can tell the cases apart.
pub fn unexpected_answer(status: u16) -> ApiError {
    ApiError {
        code: format!("http_{status}"),
        message: "unexpected answer from the server".to_owned(),
    }
}

/// The signed-in resident's session; `Unauthenticated` when nobody is logged in.
pub async fn session() -> Result<ResidentSession, FetchError> {
    get_json("/api/resident/session").await
}

/// The resident's records, newest first.
pub async fn records() -> Result<RecordList, FetchError> {
    get_json("/api/resident/records").await
}

/// One record in full; `NotFound` for unknown ids and ids that are not this resident's.
pub async fn record(id: &str) -> Result<RecordDetail, FetchError> {
    // URL parsers resolve `.`/`..` (even percent-encoded) as dot segments; no record has such an id.
    if id.is_empty() || id.trim_matches('.').is_empty() {
        return Err(FetchError::NotFound);
    }
    get_json(&format!(
        "/api/resident/records/{}",
        encode_path_segment(id)
    ))
    .await
}

/// Ends the session; the server clears its HttpOnly cookie. Not aborted on navigation, since the
/// caller navigates right after it.
pub async fn logout() -> Result<(), FetchError> {
    let response = Request::post("/api/resident/logout")
        // The server requires this header so a cross-site form cannot log the resident out.
        .header("X-Requested-With", "sesshu")
        .credentials(RequestCredentials::SameOrigin)
        .send()
        .await
        .map_err(|_| FetchError::Network)?;
    match classify(response.status()) {
        StatusClass::Success => Ok(()),
        _ => Err(error_from(&response).await),
    }
}

async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, FetchError> {
    let abort = abort_on_cleanup();
    let response = same_origin(Request::get(path))
        .abort_signal(abort.as_ref())
        .send()
        .await
        .map_err(|_| FetchError::Network)?;
    let status = response.status();
    match classify(status) {
        StatusClass::Success => response
            .json::<T>()
            .await
            .map_err(|_| FetchError::Server(unexpected_answer(status))),
        _ => Err(error_from(&response).await),
    }
}

fn same_origin(request: RequestBuilder) -> RequestBuilder {
    request
        .credentials(RequestCredentials::SameOrigin)
        .header("Accept", "application/json")
}

async fn error_from(response: &Response) -> FetchError {
    let status = response.status();
    match classify(status) {
        StatusClass::Unauthenticated => FetchError::Unauthenticated,
        StatusClass::NotFound => FetchError::NotFound,
        StatusClass::Success | StatusClass::Failure => FetchError::Server(
            response
                .json::<ApiError>()
                .await
                .unwrap_or_else(|_| unexpected_answer(status)),
        ),
    }
}

/// An abort signal that fires when the current reactive owner is cleaned up, i.e. when the
/// resource re-runs or the page that asked is left. `None` if the browser lacks AbortController.
pub fn abort_on_cleanup() -> Option<web_sys::AbortSignal> {
    let controller = AbortController::new().ok()?;
    let signal = controller.signal();
    // Cleanups must be Send + Sync; the controller never leaves the browser's one thread.
    let controller = SendWrapper::new(controller);
    on_cleanup(move || controller.take().abort());
    Some(signal)
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so an opaque id can never
/// change the path it is put into.
pub fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn statuses_map_to_what_the_ui_explains() {
        assert_eq!(classify(200), StatusClass::Success);
        assert_eq!(classify(204), StatusClass::Success);
        assert_eq!(classify(401), StatusClass::Unauthenticated);
        assert_eq!(classify(404), StatusClass::NotFound);
        assert_eq!(classify(403), StatusClass::Failure);
        assert_eq!(classify(500), StatusClass::Failure);
        assert_eq!(classify(302), StatusClass::Failure);
    }

    #[test]
    fn unexpected_answers_name_their_status() {
        assert_eq!(unexpected_answer(502).code, "http_502");
    }

    #[test]
    fn path_segments_cannot_escape_the_records_path() {
        assert_eq!(encode_path_segment("R-01_a.b~c"), "R-01_a.b~c");
        assert_eq!(encode_path_segment("../session"), "..%2Fsession");
        assert_eq!(encode_path_segment("a b?c#d"), "a%20b%3Fc%23d");
        assert_eq!(encode_path_segment("予"), "%E4%BA%88");
    }
}
