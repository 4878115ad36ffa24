//! The questionnaire API client (`docs/interfaces/questionnaire-api.md`): persons by their
//! session handle, responses by their opaque id, both percent-encoded into the path. Reads are
//! aborted when their view goes away; writes never are, so a change the person made is not
//! cut off from this side.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sesshu_app::api::{abort_on_cleanup, encode_path_segment, unexpected_answer};
use sesshu_domain::dto::ApiError;
use sesshu_domain::questionnaire::{AnswerError, Lang as FormLang};
use sesshu_domain::questionnaire_api::{
    CorrectResponse, DraftSaved, PeopleList, PersonQuestionnaires, PrintView, ResponseSummary,
    ResponseView, SaveDraft, StartResponse, VersionOnly,
};
use sesshu_domain::schedule_api::{NoticeList, ResidentSchedule};
use web_sys::RequestCredentials;

const BASE: &str = "/api/resident/people";

/// Why a request failed, in the terms the pages explain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormsError {
    /// No HTTP answer: offline, or the connection dropped.
    Network,
    /// 401: not logged in, or the session ended.
    Unauthenticated,
    /// 404: no such person or response for this login (or hidden).
    NotFound,
    /// 409, with its code: `stale_version`, `not_editable`, `expired`, `already_used`,
    /// `not_fillable`.
    Conflict(String),
    /// 422 `invalid_answers`: the submission's problems, item by item, in form order.
    Invalid(Vec<AnswerError>),
    /// Anything else, with the API's body (or a synthetic one).
    Server(ApiError),
}

impl FormsError {
    /// Whether this is the 409 of an out-of-date version: reload and apply the change again.
    pub fn is_stale(&self) -> bool {
        matches!(self, Self::Conflict(code) if code == "stale_version")
    }
}

/// The API's error body, with the item list of a refused submission.
#[derive(serde::Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
    #[serde(default)]
    items: Vec<AnswerError>,
}

fn person_path(person: &str) -> String {
    format!("{BASE}/{}", encode_path_segment(person))
}

fn response_path(person: &str, id: &str, rest: &str) -> String {
    format!(
        "{}/responses/{}{rest}",
        person_path(person),
        encode_path_segment(id)
    )
}

fn lang_query(lang: Option<FormLang>) -> String {
    lang.map(|l| format!("?lang={}", encode_path_segment(l.code())))
        .unwrap_or_default()
}

/// The persons the resident may fill forms in for: themselves and, as a proxy, their children.
pub async fn people() -> Result<PeopleList, FormsError> {
    get(BASE).await
}

/// What `person` can fill in now, and every response of theirs; titles in `lang`.
pub async fn questionnaires(
    person: &str,
    lang: FormLang,
) -> Result<PersonQuestionnaires, FormsError> {
    get(&format!(
        "{}/questionnaires{}",
        person_path(person),
        lang_query(Some(lang))
    ))
    .await
}

/// Starts a response (or returns the open draft of the setting).
pub async fn start(person: &str, body: &StartResponse) -> Result<ResponseView, FormsError> {
    send(
        Request::post(&format!("{}/responses", person_path(person))),
        body,
    )
    .await
}

/// A response with its form, texts in `lang` (the response's own language when `None`).
pub async fn response(
    person: &str,
    id: &str,
    lang: Option<FormLang>,
) -> Result<ResponseView, FormsError> {
    get(&response_path(person, id, &lang_query(lang))).await
}

/// Autosave of a draft.
pub async fn save(person: &str, id: &str, body: &SaveDraft) -> Result<DraftSaved, FormsError> {
    send(Request::put(&response_path(person, id, "")), body).await
}

pub async fn submit(person: &str, id: &str, version: u64) -> Result<ResponseSummary, FormsError> {
    send(
        Request::post(&response_path(person, id, "/submit")),
        &VersionOnly { version },
    )
    .await
}

/// New answers for a submitted form (a new revision).
pub async fn correct(
    person: &str,
    id: &str,
    body: &CorrectResponse,
) -> Result<ResponseSummary, FormsError> {
    send(Request::post(&response_path(person, id, "/correct")), body).await
}

pub async fn withdraw(person: &str, id: &str, version: u64) -> Result<ResponseSummary, FormsError> {
    send(
        Request::post(&response_path(person, id, "/withdraw")),
        &VersionOnly { version },
    )
    .await
}

/// What a paper form needs, in Japanese.
pub async fn print(person: &str, id: &str) -> Result<PrintView, FormsError> {
    get(&response_path(person, id, "/print")).await
}

/// The person's vaccinations that are due or coming (`docs/interfaces/recommendations.md`).
pub async fn schedule(person: &str) -> Result<ResidentSchedule, FormsError> {
    get(&format!("{}/schedule", person_path(person))).await
}

/// The person's notices (接種勧奨), newest first, with unread state.
pub async fn notices(person: &str) -> Result<NoticeList, FormsError> {
    get(&format!("{}/notifications", person_path(person))).await
}

/// Marks one of the person's notices read (204, no body either way).
pub async fn mark_read(person: &str, id: &str) -> Result<(), FormsError> {
    let response = Request::post(&notice_read_path(person, id))
        .header("X-Requested-With", "sesshu")
        .header("Accept", "application/json")
        .credentials(RequestCredentials::SameOrigin)
        .send()
        .await
        .map_err(|_| FormsError::Network)?;
    let status = response.status();
    if (200..300).contains(&status) {
        return Ok(());
    }
    let body = response.json::<ErrorBody>().await.ok();
    Err(classify(status, body))
}

fn notice_read_path(person: &str, id: &str) -> String {
    format!(
        "{}/notifications/{}/read",
        person_path(person),
        encode_path_segment(id)
    )
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, FormsError> {
    let abort = abort_on_cleanup();
    let response = Request::get(path)
        .credentials(RequestCredentials::SameOrigin)
        .header("Accept", "application/json")
        .abort_signal(abort.as_ref())
        .send()
        .await
        .map_err(|_| FormsError::Network)?;
    read(response).await
}

async fn send<B: Serialize, T: DeserializeOwned>(
    builder: RequestBuilder,
    body: &B,
) -> Result<T, FormsError> {
    let request = builder
        // The server refuses writes without it, so a cross-site form cannot act for the resident.
        .header("X-Requested-With", "sesshu")
        .header("Accept", "application/json")
        .credentials(RequestCredentials::SameOrigin)
        .json(body)
        .map_err(|_| FormsError::Network)?;
    let response = request.send().await.map_err(|_| FormsError::Network)?;
    read(response).await
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, FormsError> {
    let status = response.status();
    if (200..300).contains(&status) {
        return response
            .json::<T>()
            .await
            .map_err(|_| FormsError::Server(unexpected_answer(status)));
    }
    let body = response.json::<ErrorBody>().await.ok();
    Err(classify(status, body))
}

fn classify(status: u16, body: Option<ErrorBody>) -> FormsError {
    match (status, body) {
        (401, _) => FormsError::Unauthenticated,
        (404, _) => FormsError::NotFound,
        (409, Some(body)) => FormsError::Conflict(body.code),
        (422, Some(body)) if body.code == "invalid_answers" => FormsError::Invalid(body.items),
        (_, Some(body)) => FormsError::Server(ApiError {
            code: body.code,
            message: body.message,
        }),
        (_, None) => FormsError::Server(unexpected_answer(status)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn body(code: &str) -> Option<ErrorBody> {
        Some(ErrorBody {
            code: code.to_owned(),
            message: "m".to_owned(),
            items: Vec::new(),
        })
    }

    #[test]
    fn paths_carry_encoded_handles_and_ids() {
        assert_eq!(person_path("a/b"), "/api/resident/people/a%2Fb");
        assert_eq!(
            response_path("h", "../x", "/submit"),
            "/api/resident/people/h/responses/..%2Fx/submit"
        );
        assert_eq!(lang_query(Some(FormLang::ZhHans)), "?lang=zh-Hans");
        assert_eq!(lang_query(None), "");
        assert_eq!(
            notice_read_path("h", "131016-n/1"),
            "/api/resident/people/h/notifications/131016-n%2F1/read"
        );
    }

    #[test]
    fn answers_map_to_what_the_pages_explain() {
        assert_eq!(classify(401, None), FormsError::Unauthenticated);
        assert_eq!(classify(404, body("not_found")), FormsError::NotFound);
        assert!(classify(409, body("stale_version")).is_stale());
        assert_eq!(
            classify(409, body("expired")),
            FormsError::Conflict("expired".to_owned())
        );
        assert_eq!(
            classify(422, body("invalid_answers")),
            FormsError::Invalid(Vec::new())
        );
        assert!(matches!(classify(502, None), FormsError::Server(e) if e.code == "http_502"));
    }
}
