//! The staff API client: the calls of `docs/interfaces/staff-api.md`, over the same same-origin
//! `fetch` as the resident client (cookies sent, reads aborted when their view goes away).
//!
//! Errors keep the HTTP status, the API's `{code, message}` and `Retry-After`, because the staff
//! pages explain more cases than the resident ones: a failed login, a login delay, a missing
//! permission, a re-authentication to do.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sesshu_app::api::{abort_on_cleanup, encode_path_segment, unexpected_answer};
use sesshu_domain::dto::ApiError;
use sesshu_domain::person_input::FieldError;
use sesshu_domain::questionnaire_api::{
    DraftCreate, DraftPublish, DraftUpdate, TemplateCheck, TemplateSettings, TemplateVersionView,
};
use sesshu_domain::recommendation::{RuleError, RuleSet};
use sesshu_domain::schedule_api::{
    PersonSchedule, PreviewRequest, PreviewResult, RuleCheck, RuleSetUpdate, RuleSetView,
    RunReport, SeriesOption, StaffNotice, WorklistPage,
};
use sesshu_domain::staff::{
    AccountRequest, AccountRequestInput, Activation, Alert, AuditPage, ChainReport, Decision,
    Enrollment, Institution, Issued, MyNumberReveal, OutboxMessage, PasswordLogin,
    Reauthentication, RecoveryCodes, ReviewReport, Role, RoleInput, SecondFactor, StaffSession,
    User, UserUpdate,
};
use sesshu_domain::staff_persons::{
    ControlFlagsUpdate, DuplicatePair, ImportCreate, ImportJobView, ImportList, PersonCreate,
    PersonHistoryEntry, PersonRecordView, PersonSaved, PersonSearch, PersonSearchPage,
    PersonUpdate, PmhOverview,
};
use wasm_bindgen::JsValue;
use web_sys::RequestCredentials;

/// The two staff surfaces. They share every shape; only the prefixes and the user class differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// Municipal staff, `/admin` and `/api/admin`.
    Admin,
    /// Clinic staff, `/clinic` and `/api/clinic`.
    Clinic,
}

impl Surface {
    /// The surface whose pages `path` belongs to; anything not under `/clinic` is the admin one.
    pub fn of_path(path: &str) -> Self {
        if path == "/clinic" || path.starts_with("/clinic/") {
            Self::Clinic
        } else {
            Self::Admin
        }
    }

    fn api(self) -> &'static str {
        match self {
            Self::Admin => "/api/admin",
            Self::Clinic => "/api/clinic",
        }
    }

    /// The start page after login.
    pub fn home(self) -> &'static str {
        match self {
            Self::Admin => "/admin",
            Self::Clinic => "/clinic",
        }
    }

    pub fn login_path(self) -> &'static str {
        match self {
            Self::Admin => "/admin/login",
            Self::Clinic => "/clinic/login",
        }
    }

    pub fn activate_path(self) -> &'static str {
        match self {
            Self::Admin => "/admin/activate",
            Self::Clinic => "/clinic/activate",
        }
    }
}

/// Why a staff request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffError {
    /// No HTTP answer (offline, DNS, aborted).
    Network,
    /// An HTTP answer that was not a success.
    Http {
        status: u16,
        /// The API's body, or a synthetic one when the answer was not the API's JSON.
        error: ApiError,
        /// Seconds from `Retry-After`, sent with 429.
        retry_after_s: Option<u64>,
        /// Field errors of a refused person form (422 `fields`), in column order.
        fields: Vec<FieldError>,
        /// Problems of refused recommendation rules (422 `invalid_rules`, `errors`).
        rule_errors: Vec<RuleError>,
    },
}

/// What a failure means to the person, and so which explanation and action the UI offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 401 `unauthenticated`: no session (never logged in, expired, logged out elsewhere).
    SessionGone,
    /// 401 `activation_failed`: the activation code (or the ids with it) is wrong or expired.
    ActivationFailed,
    /// 401 `reauthentication_failed`: the password or code given to re-authenticate is wrong.
    ReauthFailed,
    /// Any other 401: the credentials or code were wrong, or the password step expired
    /// (`login_failed`; the server does not tell these apart).
    LoginFailed,
    /// 429 `login_delayed`: too many failures; wait `retry_after_s`.
    Delayed,
    /// 403 `reauthentication_required`: confirm the password or a code, then retry.
    ReauthRequired,
    /// 403 `network_denied`: this device's network may not use the staff surfaces.
    NetworkDenied,
    /// Any other 403 (`forbidden`): the role lacks the permission.
    Forbidden,
    /// 404.
    NotFound,
    /// 409 `import_running`: persons cannot be changed while an import runs; try again after it.
    ImportRunning,
    /// 409: e.g. a built-in role cannot be changed, a user id is taken.
    Conflict,
    /// 400 or 422: the input was refused; the message says why.
    Invalid,
    /// 5xx and anything unexpected.
    Server,
    /// No answer at all.
    Network,
}

/// The kind of an HTTP failure from its status and the API's code.
pub fn kind_of(status: u16, code: &str) -> ErrorKind {
    match (status, code) {
        (401, "unauthenticated") => ErrorKind::SessionGone,
        (401, "activation_failed") => ErrorKind::ActivationFailed,
        (401, "reauthentication_failed") => ErrorKind::ReauthFailed,
        (401, _) => ErrorKind::LoginFailed,
        (429, _) => ErrorKind::Delayed,
        (403, "reauthentication_required") => ErrorKind::ReauthRequired,
        (403, "network_denied") => ErrorKind::NetworkDenied,
        (403, _) => ErrorKind::Forbidden,
        (404, _) => ErrorKind::NotFound,
        (409, "import_running") => ErrorKind::ImportRunning,
        (409, _) => ErrorKind::Conflict,
        (400 | 422, _) => ErrorKind::Invalid,
        _ => ErrorKind::Server,
    }
}

impl StaffError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Network => ErrorKind::Network,
            Self::Http { status, error, .. } => kind_of(*status, &error.code),
        }
    }

    /// The API's error body, if there was an answer.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Network => None,
            Self::Http { error, .. } => Some(error),
        }
    }

    pub fn retry_after_s(&self) -> Option<u64> {
        match self {
            Self::Network => None,
            Self::Http { retry_after_s, .. } => *retry_after_s,
        }
    }

    /// The per-field errors of a refused form; empty for every other failure.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Network => &[],
            Self::Http { fields, .. } => fields,
        }
    }

    /// The problems of refused recommendation rules; empty for every other failure.
    pub fn rule_errors(&self) -> &[RuleError] {
        match self {
            Self::Network => &[],
            Self::Http { rule_errors, .. } => rule_errors,
        }
    }
}

/// The error body of the API: `{code, message}`, plus `fields` when a form was refused.
#[derive(serde::Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
    #[serde(default)]
    fields: Vec<FieldError>,
    /// Only with `invalid_rules`; other codes' `errors` (templates) have another shape.
    #[serde(default)]
    errors: serde_json::Value,
}

/// The character encoding of a CSV download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvEncoding {
    /// Shift_JIS (CP932), what most health-management systems and Excel read.
    Cp932,
    /// UTF-8 with a BOM.
    Utf8,
}

impl CsvEncoding {
    /// The `encoding=` value of the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Cp932 => "cp932",
            Self::Utf8 => "utf8",
        }
    }

    /// The encoding an import file was detected in (`utf8`, `utf8_bom`, `cp932`); CP932 when
    /// not known yet, as the server does.
    pub fn of_import(detected: Option<&str>) -> Self {
        match detected {
            Some("utf8" | "utf8_bom") => Self::Utf8,
            _ => Self::Cp932,
        }
    }

    /// The other one, for the second download link.
    pub fn other(self) -> Self {
        match self {
            Self::Cp932 => Self::Utf8,
            Self::Utf8 => Self::Cp932,
        }
    }
}

/// Which export to download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// Target persons in the import layout.
    Persons,
    /// Vaccination records.
    Records,
}

impl ExportKind {
    /// The file name, as the server names it too.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Persons => "persons.csv",
            Self::Records => "records.csv",
        }
    }
}

/// An export as the form describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportQuery {
    pub kind: ExportKind,
    /// YYYY-MM-DD: only people changed since that day; empty for everyone.
    pub since: String,
    pub encoding: CsvEncoding,
    /// Include My Numbers (persons only; needs the right).
    pub my_number: bool,
}

impl ExportQuery {
    /// The route under `/m/{code}/`, values percent-encoded.
    pub fn path(&self) -> String {
        let mut query = vec![format!("encoding={}", self.encoding.code())];
        let since = self.since.trim();
        if !since.is_empty() {
            query.push(format!("since={}", encode_path_segment(since)));
        }
        if self.my_number && self.kind == ExportKind::Persons {
            query.push("my_number=true".to_owned());
        }
        format!("exports/{}?{}", self.kind.file_name(), query.join("&"))
    }
}

/// Which list of 未接種者 the worklist shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorklistStatus {
    /// 期限超過: the standard period of the next dose has passed.
    Overdue,
    /// 未接種: no dose counted while the vaccination is due.
    Never,
}

impl WorklistStatus {
    /// The `status=` value of the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Overdue => "overdue",
            Self::Never => "never",
        }
    }
}

/// The worklist's filters as applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorklistQuery {
    /// A series id of the schedule, e.g. `mr_1`.
    pub vaccination: String,
    pub status: WorklistStatus,
    /// Ages in whole years, inclusive.
    pub age_from: Option<u32>,
    pub age_to: Option<u32>,
}

impl WorklistQuery {
    /// `worklist?…` (or `worklist.csv?…` with an encoding), values percent-encoded.
    pub fn path(&self, page: Option<&str>, csv: Option<CsvEncoding>) -> String {
        let mut query = vec![
            format!("vaccination={}", encode_path_segment(&self.vaccination)),
            format!("status={}", self.status.code()),
        ];
        if let Some(from) = self.age_from {
            query.push(format!("age_from={from}"));
        }
        if let Some(to) = self.age_to {
            query.push(format!("age_to={to}"));
        }
        if let Some(page) = page.filter(|p| !p.is_empty()) {
            query.push(format!("page={}", encode_path_segment(page)));
        }
        let file = match csv {
            Some(encoding) => {
                query.push(format!("encoding={}", encoding.code()));
                "worklist.csv"
            }
            None => "worklist",
        };
        format!("{file}?{}", query.join("&"))
    }
}

/// Filters of the operation log; empty strings are left out of the query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub user: String,
    pub subject: String,
    pub action: String,
    /// YYYY-MM-DD
    pub from: String,
    /// YYYY-MM-DD
    pub to: String,
}

impl AuditQuery {
    /// `?user=…&from=…` with every value percent-encoded, plus the paging cursor; empty when
    /// nothing is set.
    pub fn to_query(&self, cursor: Option<&str>) -> String {
        let pairs = [
            ("user", self.user.trim()),
            ("subject", self.subject.trim()),
            ("action", self.action.trim()),
            ("from", self.from.trim()),
            ("to", self.to.trim()),
            ("cursor", cursor.unwrap_or("")),
        ];
        let query: Vec<String> = pairs
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| format!("{name}={}", encode_path_segment(value)))
            .collect();
        if query.is_empty() {
            String::new()
        } else {
            format!("?{}", query.join("&"))
        }
    }
}

/// A downloaded file.
pub struct Download {
    pub bytes: Vec<u8>,
}

fn auth(surface: Surface, step: &str) -> String {
    format!("{}/auth/{step}", surface.api())
}

/// An object route of the session's municipality: `{s}/m/{code}/{rest}`.
fn object(surface: Surface, code: &str, rest: &str) -> String {
    format!("{}/m/{}/{rest}", surface.api(), encode_path_segment(code))
}

/// Step 1 of a login: the password. Success means the second factor is asked next.
pub async fn login(surface: Surface, body: &PasswordLogin) -> Result<(), StaffError> {
    // The body (`{"next":"totp"}`) names the only next step there is; only success matters.
    send_for_status(Request::post(&auth(surface, "login")), Some(body)).await
}

/// Step 2: a TOTP or recovery code; the answer is the new session.
pub async fn second_factor(
    surface: Surface,
    body: &SecondFactor,
) -> Result<StaffSession, StaffError> {
    send(Request::post(&auth(surface, "totp")), Some(body)).await
}

/// First use of an issued account: sets the password and returns the TOTP secret to enroll.
pub async fn activate(surface: Surface, body: &Activation) -> Result<Enrollment, StaffError> {
    send(Request::post(&auth(surface, "activate")), Some(body)).await
}

/// The first TOTP code proves enrollment; the answer is the recovery codes, shown once.
pub async fn confirm_enrollment(
    surface: Surface,
    body: &SecondFactor,
) -> Result<RecoveryCodes, StaffError> {
    send(
        Request::post(&auth(surface, "activate/confirm")),
        Some(body),
    )
    .await
}

pub async fn session(surface: Surface) -> Result<StaffSession, StaffError> {
    get(&auth(surface, "session")).await
}

/// Confirms the person again before My Number views and exports.
pub async fn reauthenticate(
    surface: Surface,
    body: &Reauthentication,
) -> Result<StaffSession, StaffError> {
    send(Request::post(&auth(surface, "reauth")), Some(body)).await
}

pub async fn logout(surface: Surface) -> Result<(), StaffError> {
    send_for_status::<()>(Request::post(&auth(surface, "logout")), None).await
}

/// Ends every session of the user, on every device.
pub async fn logout_everywhere(surface: Surface) -> Result<(), StaffError> {
    send_for_status::<()>(Request::post(&auth(surface, "logout-everywhere")), None).await
}

pub async fn institutions(code: &str) -> Result<Vec<Institution>, StaffError> {
    get(&object(Surface::Admin, code, "institutions")).await
}

pub async fn roles(code: &str) -> Result<Vec<Role>, StaffError> {
    get(&object(Surface::Admin, code, "roles")).await
}

pub async fn create_role(code: &str, body: &RoleInput) -> Result<Role, StaffError> {
    send(
        Request::post(&object(Surface::Admin, code, "roles")),
        Some(body),
    )
    .await
}

pub async fn update_role(code: &str, role_id: &str, body: &RoleInput) -> Result<Role, StaffError> {
    let path = format!("roles/{}", encode_path_segment(role_id));
    send(
        Request::put(&object(Surface::Admin, code, &path)),
        Some(body),
    )
    .await
}

/// Requests a page's data only to be refused (the answer is not used): the refusal is what the
/// server records in the operation log.
pub async fn probe(code: &str, rest: &str) {
    let _ = send_for_status::<()>(Request::get(&object(Surface::Admin, code, rest)), None).await;
}

pub async fn users(code: &str) -> Result<Vec<User>, StaffError> {
    get(&object(Surface::Admin, code, "users")).await
}

pub async fn update_user(code: &str, user_id: &str, body: &UserUpdate) -> Result<User, StaffError> {
    let path = format!("users/{}", encode_path_segment(user_id));
    send(
        Request::put(&object(Surface::Admin, code, &path)),
        Some(body),
    )
    .await
}

/// Deactivates the user and ends their sessions at once.
pub async fn deactivate_user(code: &str, user_id: &str) -> Result<User, StaffError> {
    let path = format!("users/{}/deactivate", encode_path_segment(user_id));
    send::<(), _>(Request::post(&object(Surface::Admin, code, &path)), None).await
}

pub async fn requests(code: &str) -> Result<Vec<AccountRequest>, StaffError> {
    get(&object(Surface::Admin, code, "requests")).await
}

pub async fn file_request(
    code: &str,
    body: &AccountRequestInput,
) -> Result<AccountRequest, StaffError> {
    send(
        Request::post(&object(Surface::Admin, code, "requests")),
        Some(body),
    )
    .await
}

/// Approves a request; the answer carries the one-time activation code.
pub async fn approve_request(
    code: &str,
    request_id: &str,
    body: &Decision,
) -> Result<Issued, StaffError> {
    let path = format!("requests/{}/approve", encode_path_segment(request_id));
    send(
        Request::post(&object(Surface::Admin, code, &path)),
        Some(body),
    )
    .await
}

pub async fn reject_request(
    code: &str,
    request_id: &str,
    body: &Decision,
) -> Result<AccountRequest, StaffError> {
    let path = format!("requests/{}/reject", encode_path_segment(request_id));
    send(
        Request::post(&object(Surface::Admin, code, &path)),
        Some(body),
    )
    .await
}

/// One page of the operation log, newest first; `cursor` is the previous page's `next`.
pub async fn audit(
    code: &str,
    query: &AuditQuery,
    cursor: Option<&str>,
) -> Result<AuditPage, StaffError> {
    let path = format!("audit{}", query.to_query(cursor));
    get(&object(Surface::Admin, code, &path)).await
}

/// The operation log as CSV (UTF-8 with BOM); needs a recent re-authentication.
pub async fn audit_csv(code: &str, query: &AuditQuery) -> Result<Download, StaffError> {
    let path = format!("audit.csv{}", query.to_query(None));
    download(&object(Surface::Admin, code, &path)).await
}

/// A CSV export (persons or records); needs a recent re-authentication.
pub async fn export_csv(code: &str, query: &ExportQuery) -> Result<Download, StaffError> {
    download(&object(Surface::Admin, code, &query.path())).await
}

/// A file the API sends as an attachment, fetched so a refusal can be explained.
async fn download(path: &str) -> Result<Download, StaffError> {
    let response = Request::get(path)
        .credentials(RequestCredentials::SameOrigin)
        .header("Accept", "text/csv")
        .send()
        .await
        .map_err(|_| StaffError::Network)?;
    if !(200..300).contains(&response.status()) {
        return Err(error_from(&response).await);
    }
    let bytes = response.binary().await.map_err(|_| StaffError::Network)?;
    Ok(Download { bytes })
}

pub async fn verify_chain(code: &str) -> Result<ChainReport, StaffError> {
    get(&object(Surface::Admin, code, "audit/verify")).await
}

pub async fn alerts(code: &str) -> Result<Vec<Alert>, StaffError> {
    get(&object(Surface::Admin, code, "alerts")).await
}

pub async fn acknowledge_alert(code: &str, alert_id: &str) -> Result<Alert, StaffError> {
    let path = format!("alerts/{}/acknowledge", encode_path_segment(alert_id));
    send::<(), _>(Request::post(&object(Surface::Admin, code, &path)), None).await
}

pub async fn outbox(code: &str) -> Result<Vec<OutboxMessage>, StaffError> {
    get(&object(Surface::Admin, code, "outbox")).await
}

pub async fn review(code: &str) -> Result<ReviewReport, StaffError> {
    get(&object(Surface::Admin, code, "review")).await
}

/// Records that the periodic access review was done.
pub async fn record_review(code: &str, body: &Decision) -> Result<ReviewReport, StaffError> {
    send(
        Request::post(&object(Surface::Admin, code, "review")),
        Some(body),
    )
    .await
}

/// A page of people matching the search (identifiers in the body, never in the URL).
pub async fn search_persons(
    code: &str,
    body: &PersonSearch,
) -> Result<PersonSearchPage, StaffError> {
    send(
        Request::post(&object(Surface::Admin, code, "persons/search")),
        Some(body),
    )
    .await
}

/// Registers a person; a 422 carries the field errors.
pub async fn create_person(code: &str, body: &PersonCreate) -> Result<PersonSaved, StaffError> {
    send(
        Request::post(&object(Surface::Admin, code, "persons")),
        Some(body),
    )
    .await
}

fn person_path(subject_no: &str, rest: &str) -> String {
    format!("persons/{}{rest}", encode_path_segment(subject_no))
}

/// Everything the detail page shows, My Number masked.
pub async fn person_detail(code: &str, subject_no: &str) -> Result<PersonRecordView, StaffError> {
    get(&object(
        Surface::Admin,
        code,
        &person_path(subject_no, "/detail"),
    ))
    .await
}

pub async fn update_person(
    code: &str,
    subject_no: &str,
    body: &PersonUpdate,
) -> Result<PersonSaved, StaffError> {
    send(
        Request::put(&object(Surface::Admin, code, &person_path(subject_no, ""))),
        Some(body),
    )
    .await
}

pub async fn set_control_flags(
    code: &str,
    subject_no: &str,
    body: &ControlFlagsUpdate,
) -> Result<PersonSaved, StaffError> {
    send(
        Request::put(&object(
            Surface::Admin,
            code,
            &person_path(subject_no, "/control-flags"),
        )),
        Some(body),
    )
    .await
}

/// Erases the person's personal data, against the version the person confirmed.
pub async fn delete_person(code: &str, subject_no: &str, version: u64) -> Result<(), StaffError> {
    let path = person_path(subject_no, &format!("?version={version}"));
    send_for_status::<()>(Request::delete(&object(Surface::Admin, code, &path)), None).await
}

/// The person's changes, newest first.
pub async fn person_history(
    code: &str,
    subject_no: &str,
) -> Result<Vec<PersonHistoryEntry>, StaffError> {
    get(&object(
        Surface::Admin,
        code,
        &person_path(subject_no, "/history"),
    ))
    .await
}

/// My Number in full; needs the right and a recent re-authentication.
pub async fn reveal_my_number(code: &str, subject_no: &str) -> Result<MyNumberReveal, StaffError> {
    send::<(), _>(
        Request::post(&object(
            Surface::Admin,
            code,
            &person_path(subject_no, "/my-number"),
        )),
        None,
    )
    .await
}

pub async fn duplicates(code: &str) -> Result<Vec<DuplicatePair>, StaffError> {
    get(&object(Surface::Admin, code, "duplicates")).await
}

/// Marks a pair as reviewed: different people after all.
pub async fn dismiss_duplicate(code: &str, first: &str, second: &str) -> Result<(), StaffError> {
    let path = format!(
        "duplicates/{}/{}/dismiss",
        encode_path_segment(first),
        encode_path_segment(second)
    );
    send_for_status::<()>(Request::post(&object(Surface::Admin, code, &path)), None).await
}

pub async fn imports(code: &str) -> Result<ImportList, StaffError> {
    get(&object(Surface::Admin, code, "imports")).await
}

/// Opens an import job for a file of `size` bytes; the answer names the part size.
pub async fn create_import(code: &str, body: &ImportCreate) -> Result<ImportJobView, StaffError> {
    send(
        Request::post(&object(Surface::Admin, code, "imports")),
        Some(body),
    )
    .await
}

fn import_path(job_id: &str, rest: &str) -> String {
    format!("imports/{}{rest}", encode_path_segment(job_id))
}

/// Uploads part `part` of the file: `blob` is the browser's slice of it, sent as is, so the
/// file is never copied into the app's memory.
pub async fn upload_part(
    code: &str,
    job_id: &str,
    part: u32,
    blob: JsValue,
) -> Result<ImportJobView, StaffError> {
    let path = import_path(job_id, &format!("/parts/{part}"));
    let request = Request::put(&object(Surface::Admin, code, &path))
        .header("X-Requested-With", "sesshu")
        .header("Accept", "application/json")
        .header("Content-Type", "application/octet-stream")
        .credentials(RequestCredentials::SameOrigin)
        .body(blob)
        .map_err(|_| StaffError::Network)?;
    read_json(request.send().await.map_err(|_| StaffError::Network)?).await
}

/// Queues the uploaded file for processing.
pub async fn start_import(code: &str, job_id: &str) -> Result<ImportJobView, StaffError> {
    send::<(), _>(
        Request::post(&object(
            Surface::Admin,
            code,
            &import_path(job_id, "/start"),
        )),
        None,
    )
    .await
}

/// Where an import stands. Not aborted with the view: the poller checks itself.
pub async fn import_job(code: &str, job_id: &str) -> Result<ImportJobView, StaffError> {
    let response = Request::get(&object(Surface::Admin, code, &import_path(job_id, "")))
        .credentials(RequestCredentials::SameOrigin)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|_| StaffError::Network)?;
    read_json(response).await
}

/// The address of an import's error report, for a plain download link.
pub fn import_errors_href(code: &str, job_id: &str, encoding: CsvEncoding) -> String {
    object(
        Surface::Admin,
        code,
        &import_path(job_id, &format!("/errors.csv?encoding={}", encoding.code())),
    )
}

pub async fn pmh_overview(code: &str) -> Result<PmhOverview, StaffError> {
    get(&object(Surface::Admin, code, "pmh")).await
}

/// Puts the failed people back in the queue and starts a linking pass.
pub async fn pmh_retry(code: &str) -> Result<PmhOverview, StaffError> {
    send::<(), _>(
        Request::post(&object(Surface::Admin, code, "pmh/retry")),
        None,
    )
    .await
}

/// `questionnaire-templates/{setting}{rest}` under `/m/{code}/`.
fn template_path(setting: &str, rest: &str) -> String {
    format!(
        "questionnaire-templates/{}{rest}",
        encode_path_segment(setting)
    )
}

/// Every vaccination setting with its template versions and open draft.
pub async fn template_settings(code: &str) -> Result<TemplateSettings, StaffError> {
    get(&object(Surface::Admin, code, "questionnaire-templates")).await
}

/// A published version, with every stored language.
pub async fn template_version(
    code: &str,
    setting: &str,
    version: u32,
) -> Result<TemplateVersionView, StaffError> {
    let path = template_path(setting, &format!("/versions/{version}"));
    get(&object(Surface::Admin, code, &path)).await
}

/// The setting's draft (404 when there is none).
pub async fn template_draft(code: &str, setting: &str) -> Result<TemplateVersionView, StaffError> {
    get(&object(
        Surface::Admin,
        code,
        &template_path(setting, "/draft"),
    ))
    .await
}

/// Starts the draft of the next version from a published one.
pub async fn create_template_draft(
    code: &str,
    setting: &str,
    from_version: u32,
) -> Result<TemplateVersionView, StaffError> {
    send(
        Request::post(&object(
            Surface::Admin,
            code,
            &template_path(setting, "/draft"),
        )),
        Some(&DraftCreate { from_version }),
    )
    .await
}

/// Replaces the draft's content, texts and validity (at its revision).
pub async fn update_template_draft(
    code: &str,
    setting: &str,
    body: &DraftUpdate,
) -> Result<TemplateVersionView, StaffError> {
    send(
        Request::put(&object(
            Surface::Admin,
            code,
            &template_path(setting, "/draft"),
        )),
        Some(body),
    )
    .await
}

/// Throws the draft away.
pub async fn delete_template_draft(
    code: &str,
    setting: &str,
    revision: u64,
) -> Result<(), StaffError> {
    let path = template_path(setting, &format!("/draft?revision={revision}"));
    send_for_status::<()>(Request::delete(&object(Surface::Admin, code, &path)), None).await
}

/// The publish checks of the stored draft, without publishing.
pub async fn validate_template_draft(
    code: &str,
    setting: &str,
) -> Result<TemplateCheck, StaffError> {
    let path = template_path(setting, "/draft/validate");
    send::<(), _>(Request::post(&object(Surface::Admin, code, &path)), None).await
}

/// Publishes the draft (at its revision) as the setting's new current version.
pub async fn publish_template_draft(
    code: &str,
    setting: &str,
    revision: u64,
) -> Result<TemplateVersionView, StaffError> {
    let path = template_path(setting, "/draft/publish");
    send(
        Request::post(&object(Surface::Admin, code, &path)),
        Some(&DraftPublish { revision }),
    )
    .await
}

/// Every vaccination (series) of the schedule, for choosing one.
pub async fn schedule_series(code: &str) -> Result<Vec<SeriesOption>, StaffError> {
    get(&object(Surface::Admin, code, "schedule/series")).await
}

/// The person's schedule today: each series' status, reason and dates, and 勧奨情報.
pub async fn person_schedule(code: &str, subject_no: &str) -> Result<PersonSchedule, StaffError> {
    get(&object(
        Surface::Admin,
        code,
        &person_path(subject_no, "/schedule"),
    ))
    .await
}

/// The person's notices (接種勧奨) with their delivery state, newest first.
pub async fn person_notices(code: &str, subject_no: &str) -> Result<Vec<StaffNotice>, StaffError> {
    get(&object(
        Surface::Admin,
        code,
        &person_path(subject_no, "/notices"),
    ))
    .await
}

/// The municipality's recommendation rules (the shipped defaults until it saves its own).
pub async fn recommendation_rules(code: &str) -> Result<RuleSetView, StaffError> {
    get(&object(Surface::Admin, code, "recommendation-rules")).await
}

/// Saves the rules against the version read: 409 `stale_version`, 422 `invalid_rules`.
pub async fn save_recommendation_rules(
    code: &str,
    body: &RuleSetUpdate,
) -> Result<RuleSetView, StaffError> {
    send(
        Request::put(&object(Surface::Admin, code, "recommendation-rules")),
        Some(body),
    )
    .await
}

/// Every problem of a draft rule set, without saving it.
pub async fn validate_recommendation_rules(
    code: &str,
    body: &RuleSet,
) -> Result<RuleCheck, StaffError> {
    send(
        Request::post(&object(
            Surface::Admin,
            code,
            "recommendation-rules/validate",
        )),
        Some(body),
    )
    .await
}

/// A rule's texts for a sample, or what the next run would send a person; nothing is sent.
pub async fn preview_recommendation(
    code: &str,
    body: &PreviewRequest,
) -> Result<PreviewResult, StaffError> {
    send(
        Request::post(&object(
            Surface::Admin,
            code,
            "recommendation-rules/preview",
        )),
        Some(body),
    )
    .await
}

/// The recommendation job's latest runs, newest first.
pub async fn recommendation_runs(code: &str) -> Result<Vec<RunReport>, StaffError> {
    get(&object(Surface::Admin, code, "recommendation-runs")).await
}

/// One page of the worklist of 未接種者.
pub async fn worklist(
    code: &str,
    query: &WorklistQuery,
    page: Option<&str>,
) -> Result<WorklistPage, StaffError> {
    get(&object(Surface::Admin, code, &query.path(page, None))).await
}

/// The whole worklist as CSV; needs the export right and a recent re-authentication.
pub async fn worklist_csv(
    code: &str,
    query: &WorklistQuery,
    encoding: CsvEncoding,
) -> Result<Download, StaffError> {
    download(&object(
        Surface::Admin,
        code,
        &query.path(None, Some(encoding)),
    ))
    .await
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, StaffError> {
    let abort = abort_on_cleanup();
    let response = Request::get(path)
        .credentials(RequestCredentials::SameOrigin)
        .header("Accept", "application/json")
        .abort_signal(abort.as_ref())
        .send()
        .await
        .map_err(|_| StaffError::Network)?;
    read_json(response).await
}

/// A write: the CSRF header, the cookie, and the JSON body if any. Not aborted on navigation,
/// so a change the person asked for is never cut off half-way from the client's side.
async fn dispatch<B: Serialize>(
    builder: RequestBuilder,
    body: Option<&B>,
) -> Result<Response, StaffError> {
    let builder = builder
        // The server refuses writes without it, so a cross-site form cannot act for the user.
        .header("X-Requested-With", "sesshu")
        .header("Accept", "application/json")
        .credentials(RequestCredentials::SameOrigin);
    let request = match body {
        Some(body) => builder.json(body),
        None => builder.build(),
    }
    .map_err(|_| StaffError::Network)?;
    request.send().await.map_err(|_| StaffError::Network)
}

async fn send<B: Serialize, T: DeserializeOwned>(
    builder: RequestBuilder,
    body: Option<&B>,
) -> Result<T, StaffError> {
    read_json(dispatch(builder, body).await?).await
}

async fn send_for_status<B: Serialize>(
    builder: RequestBuilder,
    body: Option<&B>,
) -> Result<(), StaffError> {
    let response = dispatch(builder, body).await?;
    if (200..300).contains(&response.status()) {
        Ok(())
    } else {
        Err(error_from(&response).await)
    }
}

async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, StaffError> {
    let status = response.status();
    if (200..300).contains(&status) {
        response.json::<T>().await.map_err(|_| StaffError::Http {
            status,
            error: unexpected_answer(status),
            retry_after_s: None,
            fields: Vec::new(),
            rule_errors: Vec::new(),
        })
    } else {
        Err(error_from(&response).await)
    }
}

async fn error_from(response: &Response) -> StaffError {
    let status = response.status();
    let retry_after_s = response
        .headers()
        .get("Retry-After")
        .and_then(|value| parse_retry_after(&value));
    let (error, fields, rule_errors) = match response.json::<ErrorBody>().await {
        Ok(body) => {
            let rule_errors = rule_errors_of(&body.code, body.errors);
            (
                ApiError {
                    code: body.code,
                    message: body.message,
                },
                body.fields,
                rule_errors,
            )
        }
        Err(_) => (unexpected_answer(status), Vec::new(), Vec::new()),
    };
    StaffError::Http {
        status,
        error,
        retry_after_s,
        fields,
        rule_errors,
    }
}

/// The rule problems of an `invalid_rules` answer; nothing for any other code.
fn rule_errors_of(code: &str, errors: serde_json::Value) -> Vec<RuleError> {
    if code != "invalid_rules" {
        return Vec::new();
    }
    serde_json::from_value(errors).unwrap_or_default()
}

/// `Retry-After` in seconds; the HTTP-date form is not used by our API and is ignored.
fn parse_retry_after(value: &str) -> Option<u64> {
    value.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn failures_are_told_apart_by_status_and_code() {
        assert_eq!(kind_of(401, "unauthenticated"), ErrorKind::SessionGone);
        assert_eq!(kind_of(401, "login_failed"), ErrorKind::LoginFailed);
        assert_eq!(
            kind_of(401, "activation_failed"),
            ErrorKind::ActivationFailed
        );
        assert_eq!(
            kind_of(401, "reauthentication_failed"),
            ErrorKind::ReauthFailed
        );
        assert_eq!(kind_of(429, "login_delayed"), ErrorKind::Delayed);
        assert_eq!(
            kind_of(403, "reauthentication_required"),
            ErrorKind::ReauthRequired
        );
        assert_eq!(kind_of(403, "network_denied"), ErrorKind::NetworkDenied);
        assert_eq!(kind_of(403, "forbidden"), ErrorKind::Forbidden);
        assert_eq!(kind_of(404, "not_found"), ErrorKind::NotFound);
        assert_eq!(kind_of(409, "conflict"), ErrorKind::Conflict);
        assert_eq!(kind_of(409, "import_running"), ErrorKind::ImportRunning);
        assert_eq!(kind_of(400, "invalid_request"), ErrorKind::Invalid);
        assert_eq!(kind_of(502, "http_502"), ErrorKind::Server);
    }

    #[test]
    fn the_surface_follows_the_first_path_segment() {
        assert_eq!(Surface::of_path("/clinic"), Surface::Clinic);
        assert_eq!(Surface::of_path("/clinic/login"), Surface::Clinic);
        assert_eq!(Surface::of_path("/admin/users"), Surface::Admin);
        assert_eq!(Surface::of_path("/clinical"), Surface::Admin);
    }

    #[test]
    fn object_routes_carry_the_encoded_municipality_code() {
        assert_eq!(
            object(Surface::Admin, "131016", "users"),
            "/api/admin/m/131016/users"
        );
        assert_eq!(
            object(Surface::Admin, "../x", "users"),
            "/api/admin/m/..%2Fx/users"
        );
        assert_eq!(auth(Surface::Clinic, "totp"), "/api/clinic/auth/totp");
    }

    #[test]
    fn audit_queries_leave_out_empty_filters_and_encode_values() {
        assert_eq!(AuditQuery::default().to_query(None), "");
        let query = AuditQuery {
            user: " tanaka ".to_owned(),
            action: "user.approve".to_owned(),
            from: "2026-04-01".to_owned(),
            ..AuditQuery::default()
        };
        assert_eq!(
            query.to_query(Some("a b&c")),
            "?user=tanaka&action=user.approve&from=2026-04-01&cursor=a%20b%26c"
        );
    }

    #[test]
    fn exports_name_the_encoding_and_leave_out_what_is_not_asked() {
        let mut query = ExportQuery {
            kind: ExportKind::Persons,
            since: String::new(),
            encoding: CsvEncoding::Cp932,
            my_number: false,
        };
        assert_eq!(query.path(), "exports/persons.csv?encoding=cp932");
        query.since = " 2026-04-01 ".to_owned();
        query.my_number = true;
        query.encoding = CsvEncoding::Utf8;
        assert_eq!(
            query.path(),
            "exports/persons.csv?encoding=utf8&since=2026-04-01&my_number=true"
        );
        query.kind = ExportKind::Records;
        assert_eq!(
            query.path(),
            "exports/records.csv?encoding=utf8&since=2026-04-01"
        );
    }

    #[test]
    fn error_reports_come_in_the_file_encoding_or_the_other() {
        assert_eq!(CsvEncoding::of_import(Some("utf8_bom")), CsvEncoding::Utf8);
        assert_eq!(CsvEncoding::of_import(Some("cp932")), CsvEncoding::Cp932);
        assert_eq!(CsvEncoding::of_import(None), CsvEncoding::Cp932);
        assert_eq!(CsvEncoding::Utf8.other(), CsvEncoding::Cp932);
        assert_eq!(
            import_errors_href("131016", "job 1", CsvEncoding::Utf8),
            "/api/admin/m/131016/imports/job%201/errors.csv?encoding=utf8"
        );
    }

    #[test]
    fn person_routes_encode_the_subject_number() {
        assert_eq!(
            person_path("0000000001", "/detail"),
            "persons/0000000001/detail"
        );
        assert_eq!(person_path("../x", ""), "persons/..%2Fx");
    }

    #[test]
    fn template_routes_encode_the_setting() {
        assert_eq!(
            template_path("infant_general", "/draft/publish"),
            "questionnaire-templates/infant_general/draft/publish"
        );
        assert_eq!(template_path("../x", ""), "questionnaire-templates/..%2Fx");
    }

    #[test]
    fn worklist_queries_name_the_filters_set_and_encode_values() {
        let mut query = WorklistQuery {
            vaccination: "mr_1".to_owned(),
            status: WorklistStatus::Never,
            age_from: None,
            age_to: None,
        };
        assert_eq!(
            query.path(None, None),
            "worklist?vaccination=mr_1&status=never"
        );
        query.age_from = Some(2);
        query.age_to = Some(3);
        query.status = WorklistStatus::Overdue;
        assert_eq!(
            query.path(Some("a/b"), None),
            "worklist?vaccination=mr_1&status=overdue&age_from=2&age_to=3&page=a%2Fb"
        );
        assert_eq!(
            query.path(None, Some(CsvEncoding::Utf8)),
            "worklist.csv?vaccination=mr_1&status=overdue&age_from=2&age_to=3&encoding=utf8"
        );
    }

    #[test]
    fn rule_problems_are_read_only_from_invalid_rules_answers() {
        let errors = serde_json::json!([{
            "rule": "A-DUE", "field": "texts.ja.body", "code": "unknown_placeholder",
            "ja": "使えません", "en": "unknown"
        }]);
        let read = rule_errors_of("invalid_rules", errors.clone());
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].field, "texts.ja.body");
        assert!(rule_errors_of("invalid_template", errors).is_empty());
        assert!(rule_errors_of("invalid_rules", serde_json::Value::Null).is_empty());
    }

    #[test]
    fn retry_after_is_read_in_seconds() {
        assert_eq!(parse_retry_after(" 120 "), Some(120));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }
}
