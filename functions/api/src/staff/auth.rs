//! `{surface}/auth/…`: password, second factor, activation with TOTP enrollment, session,
//! re-authentication, logout.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use sesshu_core::CoreError;
use sesshu_core::directory::Directory;
use sesshu_domain::MunicipalityCode;
use sesshu_domain::staff::{
    Activation, Enrollment, PasswordLogin, Reauthentication, RecoveryCodes, SecondFactor,
    StaffSession,
};

use super::{AuditNote, Staff, StaffState, client_address};
use crate::cookies;
use crate::error::ApiFailure;

/// The pending cookie lives only on the auth paths.
fn auth_path(state: &StaffState) -> String {
    format!("{}/auth", state.prefix())
}

fn login_failed() -> ApiFailure {
    ApiFailure::new(
        StatusCode::UNAUTHORIZED,
        "login_failed",
        "自治体コード、ユーザーID、パスワードまたは確認コードが違います。分からない場合は管理者に連絡してください / the municipality code, user id, password or code is wrong: ask your administrator if you cannot log in",
    )
}

/// Maps a login error: every authentication failure looks the same.
fn login_error(error: CoreError) -> ApiFailure {
    match error {
        CoreError::Unauthenticated(_) => login_failed(),
        other => other.into(),
    }
}

fn with_note(mut response: Response, note: AuditNote) -> Response {
    response.extensions_mut().insert(note);
    response
}

fn note_for(municipality: &str, user_id: &str) -> AuditNote {
    let user: String = user_id
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .take(32)
        .collect();
    AuditNote {
        actor: Some(format!("staff:{user}")),
        municipality: MunicipalityCode::parse(municipality.trim()).ok(),
        ..AuditNote::default()
    }
}

/// The source address as text, for the lockout counters.
fn source_of(headers_request: &Request) -> String {
    client_address(headers_request.extensions())
        .map_or_else(|| "unknown".into(), |ip| ip.to_string())
}

async fn json_body<T: serde::de::DeserializeOwned>(request: Request) -> Result<T, ApiFailure> {
    let bytes = axum::body::to_bytes(request.into_body(), 64 * 1024)
        .await
        .map_err(|_| ApiFailure::invalid("the request body is too large"))?;
    serde_json::from_slice(&bytes).map_err(|_| {
        ApiFailure::invalid("入力内容を読み取れませんでした。画面を再読み込みしてください / the request could not be read: reload the page and try again")
    })
}

#[utoipa::path(post, path = "/api/admin/auth/login", tag = "staff", request_body = PasswordLogin,
    responses((status = 200, description = "password accepted: enter the TOTP code next"),
              (status = 401, body = sesshu_domain::dto::ApiError), (status = 429, body = sesshu_domain::dto::ApiError)))]
pub async fn login(State(state): State<StaffState>, request: Request) -> Response {
    let source = source_of(&request);
    let login: PasswordLogin = match json_body(request).await {
        Ok(login) => login,
        Err(failure) => return failure.into_response(),
    };
    let note = note_for(&login.municipality_code, &login.user_id);
    let response = match state
        .auth
        .password_step(state.surface, &login, &source)
        .await
    {
        Ok(pending) => {
            let cookie =
                state.set_cookie(state.pending_cookie(), &pending, 300, &auth_path(&state));
            (
                [(SET_COOKIE, cookie)],
                Json(serde_json::json!({ "next": "totp" })),
            )
                .into_response()
        }
        Err(error) => login_error(error).into_response(),
    };
    with_note(response, note)
}

#[utoipa::path(post, path = "/api/admin/auth/totp", tag = "staff", request_body = SecondFactor,
    responses((status = 200, body = StaffSession), (status = 401, body = sesshu_domain::dto::ApiError)))]
pub async fn totp(State(state): State<StaffState>, request: Request) -> Response {
    let source = source_of(&request);
    let pending = cookies::read(request.headers(), state.pending_cookie()).map(str::to_owned);
    let note = pending
        .as_deref()
        .and_then(|c| state.auth.pending_subject(c))
        .map(|s| AuditNote {
            actor: Some(format!("staff:{}", s.user_id)),
            municipality: s.municipality,
            ..AuditNote::default()
        })
        .unwrap_or_default();
    let factor: SecondFactor = match json_body(request).await {
        Ok(factor) => factor,
        Err(failure) => return with_note(failure.into_response(), note),
    };
    let response = match state
        .auth
        .second_factor(state.surface, pending.as_deref(), &factor.code, &source)
        .await
    {
        Ok((cookie, context)) => {
            let session = session_dto(&state, &context).await;
            match session {
                Ok(session) => {
                    let set = state.set_cookie(
                        state.session_cookie(),
                        &cookie,
                        state.auth.policy.absolute_s,
                        state.prefix(),
                    );
                    let clear = state.set_cookie(state.pending_cookie(), "", 0, &auth_path(&state));
                    // AppendHeaders: two Set-Cookie headers (an array would keep only the last).
                    (
                        axum::response::AppendHeaders([(SET_COOKIE, set), (SET_COOKIE, clear)]),
                        Json(session),
                    )
                        .into_response()
                }
                Err(failure) => failure.into_response(),
            }
        }
        // No password step in progress (never, or over five minutes ago): `unauthenticated`,
        // so the app goes back to the password step; a wrong code stays `login_failed`.
        Err(CoreError::Unauthenticated(
            reason @ ("no password step in progress" | "the password step expired"),
        )) => ApiFailure::from(CoreError::Unauthenticated(reason)).into_response(),
        Err(error) => login_error(error).into_response(),
    };
    with_note(response, note)
}

async fn session_dto(
    state: &StaffState,
    context: &sesshu_core::staff::StaffContext,
) -> Result<StaffSession, ApiFailure> {
    let municipality = Directory::new(state.platform.directory_store().clone())
        .municipality(&context.tenant.code)
        .await?
        .ok_or_else(|| ApiFailure::from(CoreError::Corrupt("municipality".into())))?;
    Ok(context.to_dto(municipality, state.now(), &state.auth.policy))
}

#[utoipa::path(post, path = "/api/admin/auth/activate", tag = "staff", request_body = Activation,
    responses((status = 200, body = Enrollment), (status = 400, body = sesshu_domain::dto::ApiError),
              (status = 401, body = sesshu_domain::dto::ApiError)))]
pub async fn activate(State(state): State<StaffState>, request: Request) -> Response {
    let source = source_of(&request);
    let activation: Activation = match json_body(request).await {
        Ok(activation) => activation,
        Err(failure) => return failure.into_response(),
    };
    let note = note_for(&activation.municipality_code, &activation.user_id);
    let response = match state.auth.activate(state.surface, &activation, &source).await {
        Ok((enrollment, pending)) => {
            let cookie = state.set_cookie(state.pending_cookie(), &pending, 900, &auth_path(&state));
            ([(SET_COOKIE, cookie)], Json(enrollment)).into_response()
        }
        Err(CoreError::Unauthenticated(_)) => ApiFailure::new(
            StatusCode::UNAUTHORIZED,
            "activation_failed",
            "自治体コード、ユーザーIDまたはアクティベーションコードが違うか、コードの期限が切れています。管理者に確認してください / the municipality code, user id or activation code is wrong or expired: check with your administrator",
        )
        .into_response(),
        Err(other) => ApiFailure::from(other).into_response(),
    };
    with_note(response, note)
}

#[utoipa::path(post, path = "/api/admin/auth/activate/confirm", tag = "staff", request_body = SecondFactor,
    responses((status = 200, body = RecoveryCodes), (status = 400, body = sesshu_domain::dto::ApiError)))]
pub async fn confirm_enrollment(State(state): State<StaffState>, request: Request) -> Response {
    let pending = cookies::read(request.headers(), state.pending_cookie()).map(str::to_owned);
    let note = pending
        .as_deref()
        .and_then(|c| state.auth.enrollment_subject(c))
        .map(|s| AuditNote {
            actor: Some(format!("staff:{}", s.user_id)),
            municipality: s.municipality,
            ..AuditNote::default()
        })
        .unwrap_or_default();
    let factor: SecondFactor = match json_body(request).await {
        Ok(factor) => factor,
        Err(failure) => return with_note(failure.into_response(), note),
    };
    let response = match state
        .auth
        .confirm_enrollment(state.surface, pending.as_deref(), &factor.code)
        .await
    {
        Ok(codes) => {
            let clear = state.set_cookie(state.pending_cookie(), "", 0, &auth_path(&state));
            ([(SET_COOKIE, clear)], Json(codes)).into_response()
        }
        Err(error) => ApiFailure::from(error).into_response(),
    };
    with_note(response, note)
}

#[utoipa::path(get, path = "/api/admin/auth/session", tag = "staff",
    responses((status = 200, body = StaffSession), (status = 401, body = sesshu_domain::dto::ApiError)))]
pub async fn session(
    State(state): State<StaffState>,
    Staff(context): Staff,
) -> Result<Json<StaffSession>, ApiFailure> {
    Ok(Json(session_dto(&state, &context).await?))
}

#[utoipa::path(post, path = "/api/admin/auth/reauth", tag = "staff", request_body = Reauthentication,
    responses((status = 200, body = StaffSession), (status = 401, body = sesshu_domain::dto::ApiError)))]
pub async fn reauthenticate(
    State(state): State<StaffState>,
    Staff(context): Staff,
    request: Request,
) -> Result<Json<StaffSession>, ApiFailure> {
    let source = source_of(&request);
    let proof: Reauthentication = json_body(request).await?;
    let record = state
        .auth
        .reauthenticate(&context, &proof, &source)
        .await
        .map_err(|error| match error {
            CoreError::Unauthenticated(_) => ApiFailure::new(
                StatusCode::UNAUTHORIZED,
                "reauthentication_failed",
                "パスワードまたは確認コードが違います。もう一度入力してください / the password or code is wrong: try again",
            ),
            other => other.into(),
        })?;
    let mut context = context;
    context.session = record;
    Ok(Json(session_dto(&state, &context).await?))
}

fn clear_session(state: &StaffState) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Ok(value) = state
        .set_cookie(state.session_cookie(), "", 0, state.prefix())
        .parse()
    {
        headers.insert(SET_COOKIE, value);
    }
    headers
}

#[utoipa::path(post, path = "/api/admin/auth/logout", tag = "staff", responses((status = 204)))]
pub async fn logout(
    State(state): State<StaffState>,
    Staff(context): Staff,
) -> Result<Response, ApiFailure> {
    state.auth.logout(&context).await?;
    Ok((StatusCode::NO_CONTENT, clear_session(&state)).into_response())
}

#[utoipa::path(post, path = "/api/admin/auth/logout-everywhere", tag = "staff", responses((status = 204)))]
pub async fn logout_everywhere(
    State(state): State<StaffState>,
    Staff(context): Staff,
) -> Result<Response, ApiFailure> {
    state.auth.logout_everywhere(&context).await?;
    Ok((StatusCode::NO_CONTENT, clear_session(&state)).into_response())
}
