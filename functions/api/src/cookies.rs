//! Cookie reading and writing for the session and login-state cookies.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

pub const SESSION_COOKIE: &str = "sesshu_session";
pub const LOGIN_COOKIE: &str = "sesshu_login";

/// The value of cookie `name` from the request, if present.
pub fn read<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict (or Lax for the login round trip, which
/// arrives as a cross-site POST from Mynaportal), Path=/, and Secure when configured.
pub fn set(name: &str, value: &str, max_age_s: u64, same_site: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age_s}{secure}")
}

pub fn clear(name: &str, secure: bool) -> String {
    set(name, "", 0, "Strict", secure)
}
