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
}

impl ApiFailure {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
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
                Self::unauthenticated()
            }
            CoreError::Invalid(message) => Self::invalid(message),
            CoreError::Conflict(what) => Self::new(StatusCode::CONFLICT, "conflict", what),
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
        (self.status, Json(body)).into_response()
    }
}
