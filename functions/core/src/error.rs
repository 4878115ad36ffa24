//! Errors of the use cases: few variants, mapped to HTTP in one place (the api crate).

use sesshu_crypto::CryptoError;
use sesshu_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The object does not exist *for this caller* (absent, another person's, another
    /// municipality's, or hidden by a control flag): always the same answer, so ids leak nothing.
    #[error("not found")]
    NotFound,
    /// The caller's credentials are missing, invalid or expired.
    #[error("unauthenticated: {0}")]
    Unauthenticated(&'static str),
    /// The request is well-formed but refers to something that cannot be done; the message is
    /// safe to show (no personal data).
    #[error("{0}")]
    Invalid(String),
    /// A form or row with field errors: every error at once, none quoting the value.
    #[error("invalid fields")]
    InvalidFields(Vec<sesshu_domain::person_input::FieldError>),
    /// A uniqueness or version condition failed.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The object is not in a state that allows this (a stale version, an expired or used
    /// form, a draft that exists already). `code` is a stable machine code the app acts on.
    #[error("conflict: {code}")]
    StateConflict {
        code: &'static str,
        message: &'static str,
    },
    /// Questionnaire answers that fail the form's checks: every error at once, in form order,
    /// none repeating a value.
    #[error("invalid answers")]
    InvalidAnswers(Vec<sesshu_domain::questionnaire::AnswerError>),
    /// A questionnaire template that fails the publish checks: every finding.
    #[error("invalid template")]
    InvalidTemplate(Vec<sesshu_domain::questionnaire::TemplateError>),
    /// Recommendation rules that fail validation: every problem.
    #[error("invalid rules")]
    InvalidRules(Vec<sesshu_domain::recommendation::RuleError>),
    /// Authenticated, but this user may not do this (missing permission, outside their duties,
    /// wrong surface). The reason is a short code for the operation log and the message.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A fresh re-authentication (password or TOTP) is needed first.
    #[error("re-authentication required")]
    ReauthenticationRequired,
    /// Too many failed attempts: try again after this many seconds.
    #[error("too many attempts")]
    TooManyAttempts { retry_after_s: u64 },
    /// The request comes from outside the networks allowed for this surface.
    #[error("network not allowed")]
    NetworkDenied,
    #[error("store failed")]
    Store(#[from] StoreError),
    #[error("encryption failed")]
    Crypto(#[from] CryptoError),
    /// Stored data that does not decode: a bug or tampering, never shown in detail.
    #[error("corrupt data: {0}")]
    Corrupt(String),
}
