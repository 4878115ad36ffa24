//! The one place where use-case errors become HTTP responses. Bodies are `{code, message}`
//! with no internals; the real cause is logged (without personal data) for operators.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sesshu_core::CoreError;
use sesshu_domain::dto::ApiError;

#[derive(Debug)]
pub struct ApiFailure {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after_s: Option<u64>,
    /// Why, for the operation log (e.g. `missing_permission:export`); the code otherwise.
    reason: Option<String>,
    /// Field errors of a rejected form (422): which field, why, what to do.
    fields: Vec<sesshu_domain::person_input::FieldError>,
    /// Another list a rejected request comes with, under its own key (`items` of a
    /// questionnaire's answers, `errors` of a template).
    /// Boxed: rare, and it keeps every `Result<_, ApiFailure>` small.
    details: Option<Box<(&'static str, serde_json::Value)>>,
}

/// A response extension naming why a request failed, for the operation log (never shown).
#[derive(Debug, Clone)]
pub struct FailureReason(pub String);

impl ApiFailure {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after_s: None,
            reason: None,
            fields: Vec::new(),
            details: None,
        }
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "ログインしてください / please log in",
        )
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "見つかりません / not found: check the address or go back to the list",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }
}

impl From<CoreError> for ApiFailure {
    fn from(error: CoreError) -> Self {
        match error {
            CoreError::NotFound => Self::not_found(),
            CoreError::Unauthenticated(reason) => {
                tracing::info!(reason, "unauthenticated request");
                let mut failure = Self::unauthenticated();
                failure.reason = Some(reason.replace(' ', "_"));
                failure
            }
            CoreError::Invalid(message) => Self::invalid(message),
            CoreError::InvalidFields(fields) => {
                let mut failure = Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_fields",
                    "入力内容を確認してください。各項目の説明に従って直してください / check the marked fields and correct them as described",
                );
                failure.fields = fields;
                failure
            }
            CoreError::Conflict(what) => Self::new(StatusCode::CONFLICT, "conflict", what),
            CoreError::StateConflict { code, message } => {
                Self::new(StatusCode::CONFLICT, code, message)
            }
            CoreError::InvalidAnswers(items) => {
                let mut failure = Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_answers",
                    "回答を確認してください。各質問の説明に従って直してください / check the marked questions and answer them as described",
                );
                failure.details = Some(Box::new((
                    "items",
                    serde_json::to_value(items).unwrap_or_default(),
                )));
                failure
            }
            CoreError::InvalidTemplate(errors) => {
                let mut failure = Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_template",
                    "予診票ひな形に問題があります。各項目の説明に従って直してください / the template has problems: fix each as described",
                );
                failure.details = Some(Box::new((
                    "errors",
                    serde_json::to_value(errors).unwrap_or_default(),
                )));
                failure
            }
            CoreError::InvalidRules(errors) => {
                let mut failure = Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_rules",
                    "勧奨ルールに問題があります。各項目の説明に従って直してください / the rules have problems: fix each as described",
                );
                failure.details = Some(Box::new((
                    "errors",
                    serde_json::to_value(errors).unwrap_or_default(),
                )));
                failure
            }
            CoreError::Forbidden(reason) => {
                tracing::info!(reason, "forbidden request");
                let mut failure = Self::forbidden(
                    "この操作を行う権限がありません。必要な場合は管理者に依頼してください / you do not have permission for this: ask your administrator if you need it",
                );
                failure.reason = Some(reason);
                failure
            }
            CoreError::ReauthenticationRequired => Self::new(
                StatusCode::FORBIDDEN,
                "reauthentication_required",
                "続けるには、もう一度パスワードか確認コードを入力してください / enter your password or a verification code again to continue",
            ),
            CoreError::TooManyAttempts { retry_after_s } => {
                let mut failure = Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "login_delayed",
                    format!(
                        "失敗が続いたため、{retry_after_s}秒後にもう一度お試しください / too many failed attempts: try again in {retry_after_s} seconds"
                    ),
                );
                failure.retry_after_s = Some(retry_after_s);
                failure
            }
            CoreError::NetworkDenied => Self::new(
                StatusCode::FORBIDDEN,
                "network_denied",
                "この画面は庁内ネットワーク（許可されたネットワーク）からのみ使えます / this service is only available from the permitted (closed) network",
            ),
            other => {
                // Store/crypto/corrupt: log the kind, never show it.
                tracing::error!(error = %other, "request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "システムで問題が起きました。しばらくしてからもう一度お試しください / something went wrong on our side: please try again later",
                )
            }
        }
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let body = ApiError {
            code: self.code.to_owned(),
            message: self.message,
        };
        let reason = self.reason.unwrap_or_else(|| self.code.to_owned());
        let mut response = if let Some((key, list)) = self.details.map(|d| *d) {
            let mut with_list = serde_json::json!({
                "code": body.code,
                "message": body.message,
            });
            with_list[key] = list;
            (self.status, Json(with_list)).into_response()
        } else if self.fields.is_empty() {
            (self.status, Json(body)).into_response()
        } else {
            // Only forms get field lists; the resident bundle's ApiError stays small.
            let with_fields = serde_json::json!({
                "code": body.code,
                "message": body.message,
                "fields": self.fields,
            });
            (self.status, Json(with_fields)).into_response()
        };
        response.extensions_mut().insert(FailureReason(reason));
        if let Some(seconds) = self.retry_after_s
            && let Ok(value) = axum::http::HeaderValue::from_str(&seconds.to_string())
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, value);
        }
        response
    }
}
