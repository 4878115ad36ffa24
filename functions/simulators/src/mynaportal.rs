//! The Mynaportal simulator: a login page where a tester picks a demo resident, ES256 ID tokens
//! whose subject is the PMH pseudonym (with the PMH key handed over for linking), delivered to
//! the relying party by `response_mode=form_post`, and the JWKS to verify them.
//!
//! Mynaportal's 代理人 function is modelled too: a demo resident may have registered principals
//! (their children). Logging in "as a proxy" issues the resident's own token plus the `name`
//! claim (the resident's name, kanji) and a `principals` claim listing each principal's
//! pseudonym and PMH key; the relying party decides whom it accepts.
//!
//! Mount [`router`] at [`MOUNT_PATH`]. The interface is documented in
//! `docs/interfaces/mynaportal-simulator.md`.
//!
//! The simulator is deliberately strict where a careless one would teach the backend bad habits:
//! it only ever redirects to a same-origin path under `/api/` (no open redirector), its pages
//! carry a Content-Security-Policy that allows exactly their own inline script and style, and
//! the page carrying a token is never cached.

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use p256::SecretKey;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sesshu_domain::{PmhKey, PmhPseudonym};
use sha2::{Digest as _, Sha256};

use crate::SimError;
use crate::state_file::{self, Durability};

/// Where the local server nests [`router`]; the login page's forms post to
/// `MOUNT_PATH/authorize`.
pub const MOUNT_PATH: &str = "/sim/mynaportal";

/// Name of the signing-key file inside the state directory.
pub const KEY_FILE: &str = "mynaportal-signing-key.json";

/// Lifetime of an issued ID token, in seconds.
pub const TOKEN_LIFETIME_S: u64 = 300;

const FORMAT_VERSION: u32 = 1;

/// A resident a tester may log in as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoResident {
    /// What the login button says, e.g. "デモ住民 1 …"; shown verbatim (HTML-escaped).
    pub label: String,
    /// Who the resident is for Mynaportal: the ID token's subject.
    pub pseudonym: PmhPseudonym,
    /// The PMH key handed over in the ID token so the backend can link the pseudonym.
    pub pmh_key: PmhKey,
    /// The resident's name as on the My Number card: sent (as `name`) only on a proxy login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The persons this resident registered at Mynaportal to act for (代理).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub principals: Vec<DemoPrincipal>,
}

/// A person a demo resident may act for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoPrincipal {
    /// Shown on the login page, e.g. "子 2021年生まれ".
    pub label: String,
    pub pseudonym: PmhPseudonym,
    pub pmh_key: PmhKey,
}

/// The claims of a proxy login: who acts (their name) and for whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyClaims {
    /// The resident's name (kanji), the `name` claim.
    pub name: String,
    /// Each principal's pseudonym and PMH key, the `principals` claim.
    pub principals: Vec<(PmhPseudonym, Option<PmhKey>)>,
}

impl DemoResident {
    /// The claims of this resident's proxy login, if they have principals and a name.
    pub fn proxy_claims(&self) -> Option<ProxyClaims> {
        let name = self.name.clone()?;
        (!self.principals.is_empty()).then(|| ProxyClaims {
            name,
            principals: self
                .principals
                .iter()
                .map(|p| (p.pseudonym.clone(), Some(p.pmh_key.clone())))
                .collect(),
        })
    }
}

/// The simulated Mynaportal: an ES256 signing key that survives restarts, and a clock.
pub struct MynaportalSim {
    issuer: String,
    key: SigningKey,
    kid: String,
    now: Box<dyn Fn() -> u64 + Send + Sync>,
}

impl std::fmt::Debug for MynaportalSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The signing key stays out of debug output.
        f.debug_struct("MynaportalSim")
            .field("issuer", &self.issuer)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct KeyFile {
    format_version: u32,
    /// The private key as a JWK (RFC 7517, with `d`), so other tools can read it.
    private_jwk: Value,
}

impl MynaportalSim {
    /// Loads the signing key from `<state_dir>/mynaportal-signing-key.json`, or generates one
    /// and saves it there (mode 0600) on first run, so tokens and the JWKS survive restarts.
    /// Tokens are issued as `issuer`.
    pub fn load_or_create(state_dir: &Path, issuer: String) -> Result<Self, SimError> {
        let path = state_dir.join(KEY_FILE);
        let secret = match state_file::read(&path)? {
            Some(bytes) => load_key(&path, &bytes)?,
            None => {
                let secret = SecretKey::random(&mut rand::rngs::OsRng);
                let private_jwk: Value = serde_json::from_str(&secret.to_jwk_string())
                    .map_err(|e| SimError::corrupt(&path, e.to_string()))?;
                let file = KeyFile {
                    format_version: FORMAT_VERSION,
                    private_jwk,
                };
                let bytes = serde_json::to_vec_pretty(&file)
                    .map_err(|e| SimError::corrupt(&path, e.to_string()))?;
                state_file::write_private(&path, &bytes, Durability::Synced)?;
                secret
            }
        };
        let key = SigningKey::from(secret);
        let kid = thumbprint(&key);
        Ok(Self {
            issuer,
            key,
            kid,
            now: Box::new(system_now),
        })
    }

    /// Replaces the clock used for `iat`/`exp` of tokens issued through the login page, so a
    /// system under a test clock gets tokens valid at that clock's time.
    pub fn with_clock(mut self, now: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.now = Box::new(now);
        self
    }

    /// The issuer (`iss`) of every token.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The key id: the RFC 7638 JWK thumbprint of the public key.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public JWK Set: one EC P-256 key with `kid`, `alg` ES256 and `use` sig.
    pub fn jwks(&self) -> Value {
        let (x, y) = coordinates(&self.key);
        json!({
            "keys": [{
                "kty": "EC",
                "crv": "P-256",
                "x": x,
                "y": y,
                "kid": self.kid,
                "alg": "ES256",
                "use": "sig",
            }]
        })
    }

    /// Issues an ID token (compact JWS, ES256) for `audience` (the client id): `iss`, `aud`,
    /// `sub` = the pseudonym, `iat` = `now_epoch_s`, `exp` = `iat` + 300, and when given `nonce`
    /// and `pmh_key` (the hand-over of the PMH key for linking).
    pub fn issue_id_token(
        &self,
        audience: &str,
        pseudonym: &PmhPseudonym,
        pmh_key: Option<&PmhKey>,
        nonce: Option<&str>,
        now_epoch_s: u64,
    ) -> String {
        self.issue_id_token_with(audience, pseudonym, pmh_key, nonce, now_epoch_s, None)
    }

    /// As [`Self::issue_id_token`], for a proxy login with `proxy`'s `name` and `principals`
    /// claims (`principals`: `[{"sub": pseudonym, "pmh_key": key}]`).
    pub fn issue_id_token_with(
        &self,
        audience: &str,
        pseudonym: &PmhPseudonym,
        pmh_key: Option<&PmhKey>,
        nonce: Option<&str>,
        now_epoch_s: u64,
        proxy: Option<&ProxyClaims>,
    ) -> String {
        let header = json!({"alg": "ES256", "typ": "JWT", "kid": self.kid});
        let mut claims = json!({
            "iss": self.issuer,
            "aud": audience,
            "sub": pseudonym.as_str(),
            "iat": now_epoch_s,
            "exp": now_epoch_s.saturating_add(TOKEN_LIFETIME_S),
        });
        if let Some(nonce) = nonce {
            claims["nonce"] = json!(nonce);
        }
        if let Some(pmh_key) = pmh_key {
            claims["pmh_key"] = json!(pmh_key.as_str());
        }
        if let Some(proxy) = proxy {
            claims["name"] = json!(proxy.name);
            claims["principals"] = proxy
                .principals
                .iter()
                .map(|(pseudonym, key)| match key {
                    Some(key) => json!({"sub": pseudonym.as_str(), "pmh_key": key.as_str()}),
                    None => json!({"sub": pseudonym.as_str()}),
                })
                .collect();
        }
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature: Signature = self.key.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }
}

fn load_key(path: &Path, bytes: &[u8]) -> Result<SecretKey, SimError> {
    let file: KeyFile =
        serde_json::from_slice(bytes).map_err(|e| SimError::corrupt(path, e.to_string()))?;
    if file.format_version != FORMAT_VERSION {
        return Err(SimError::corrupt(path, "unknown format_version".into()));
    }
    SecretKey::from_jwk_str(&file.private_jwk.to_string())
        .map_err(|_| SimError::corrupt(path, "private_jwk is not an EC P-256 private key".into()))
}

fn system_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The public key's affine coordinates, base64url.
fn coordinates(key: &SigningKey) -> (String, String) {
    let point = key.verifying_key().to_encoded_point(false);
    let encode =
        |c: Option<&p256::FieldBytes>| c.map(|c| URL_SAFE_NO_PAD.encode(c)).unwrap_or_default();
    (encode(point.x()), encode(point.y()))
}

/// RFC 7638 JWK thumbprint: SHA-256 of the required members in lexicographic order, base64url.
fn thumbprint(key: &SigningKey) -> String {
    let (x, y) = coordinates(key);
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

// ---------------------------------------------------------------------------------------------
// HTTP

#[derive(Clone)]
struct SimState {
    sim: Arc<MynaportalSim>,
    residents: Arc<Vec<DemoResident>>,
}

/// The simulator's routes, to be nested at [`MOUNT_PATH`]:
/// `GET /authorize` (login page), `POST /authorize` (issues the token and form-posts it to the
/// relying party) and `GET /.well-known/jwks.json`.
pub fn router(sim: Arc<MynaportalSim>, residents: Arc<Vec<DemoResident>>) -> Router {
    Router::new()
        .route("/authorize", get(login_page).post(authorize))
        .route("/.well-known/jwks.json", get(jwks))
        .with_state(SimState { sim, residents })
}

/// The authorization request, as the relying party sends it (query of `GET /authorize`).
/// Every field is optional here so that a missing one gets a readable page, not a bare 400.
#[derive(Deserialize)]
struct AuthorizeQuery {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
    response_type: Option<String>,
    response_mode: Option<String>,
}

/// The login page's form: the request parameters again plus the chosen resident, and
/// `mode=proxy` to log in as the resident's proxy (代理人) for their principals.
#[derive(Deserialize)]
struct LoginForm {
    pseudonym: Option<String>,
    mode: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
}

/// A validated authorization request.
struct AuthRequest {
    client_id: String,
    redirect_uri: String,
    state: String,
    nonce: Option<String>,
}

/// Why the simulator refuses a request: names the parameter, never echoes its value.
#[derive(Debug, PartialEq, Eq)]
struct Refusal(&'static str);

impl AuthRequest {
    fn validate(
        client_id: Option<String>,
        redirect_uri: Option<String>,
        state: Option<String>,
        nonce: Option<String>,
    ) -> Result<Self, Refusal> {
        let client_id = client_id.filter(|c| is_token_text(c, 128)).ok_or(Refusal(
            "client_id is missing or not 1-128 visible ASCII characters",
        ))?;
        let redirect_uri = redirect_uri
            .filter(|r| is_allowed_redirect(r))
            .ok_or(Refusal(
                "redirect_uri must be a path on this origin under /api/ (no scheme, host, '..', query or fragment)",
            ))?;
        let state = state.filter(|s| is_token_text(s, 512)).ok_or(Refusal(
            "state is missing or not 1-512 visible ASCII characters",
        ))?;
        let nonce = match nonce {
            None => None,
            Some(n) if is_token_text(&n, 512) => Some(n),
            Some(_) => return Err(Refusal("nonce is not 1-512 visible ASCII characters")),
        };
        Ok(Self {
            client_id,
            redirect_uri,
            state,
            nonce,
        })
    }
}

/// 1..=max printable ASCII characters without spaces.
fn is_token_text(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_graphic())
}

/// Only same-origin paths under `/api/`, made of plain path characters: the simulator must never
/// send a token (or a browser) anywhere else.
fn is_allowed_redirect(uri: &str) -> bool {
    uri.len() <= 256
        && uri.starts_with("/api/")
        && uri
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~'))
        && !uri
            .split('/')
            .any(|segment| segment == ".." || segment == ".")
        && !uri.contains("//")
}

async fn login_page(State(s): State<SimState>, Query(q): Query<AuthorizeQuery>) -> Response {
    if q.response_type.as_deref().is_some_and(|t| t != "id_token") {
        return refusal_page(Refusal("response_type must be id_token"));
    }
    if q.response_mode.as_deref().is_some_and(|m| m != "form_post") {
        return refusal_page(Refusal("response_mode must be form_post"));
    }
    match AuthRequest::validate(q.client_id, q.redirect_uri, q.state, q.nonce) {
        Ok(request) => html_page(
            StatusCode::OK,
            "マイナポータル（シミュレーター）",
            &login_body(&request, &s.residents),
            false,
        ),
        Err(refusal) => refusal_page(refusal),
    }
}

async fn authorize(State(s): State<SimState>, Form(form): Form<LoginForm>) -> Response {
    let request =
        match AuthRequest::validate(form.client_id, form.redirect_uri, form.state, form.nonce) {
            Ok(request) => request,
            Err(refusal) => return refusal_page(refusal),
        };
    let Some(resident) = form
        .pseudonym
        .as_deref()
        .and_then(|p| s.residents.iter().find(|r| r.pseudonym.as_str() == p))
    else {
        return refusal_page(Refusal("pseudonym is not one of the demo residents"));
    };
    let proxy = match form.mode.as_deref() {
        None | Some("self") => None,
        Some("proxy") => match resident.proxy_claims() {
            Some(claims) => Some(claims),
            None => return refusal_page(Refusal("this demo resident acts for no one")),
        },
        Some(_) => return refusal_page(Refusal("mode must be self or proxy")),
    };
    let token = s.sim.issue_id_token_with(
        &request.client_id,
        &resident.pseudonym,
        Some(&resident.pmh_key),
        request.nonce.as_deref(),
        (s.sim.now)(),
        proxy.as_ref(),
    );
    html_page(
        StatusCode::OK,
        "ログインしています / Logging in",
        &form_post_body(&request, &token),
        true,
    )
}

async fn jwks(State(s): State<SimState>) -> Response {
    let mut response = Json(s.sim.jwks()).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

fn login_body(request: &AuthRequest, residents: &[DemoResident]) -> String {
    let mut body = String::from(concat!(
        "<h1>マイナポータル（シミュレーター）</h1>\n",
        "<p class=\"notice\"><strong>これはテスト用のシミュレーターです。</strong>",
        "本物のマイナポータルではありません。ログインするデモ住民を選んでください。<br>",
        "<span lang=\"en\">This is a SIMULATOR of Mynaportal for testing, not the real service. ",
        "Choose a demo resident to log in as.</span></p>\n",
        "<h2>デモ住民 <span lang=\"en\">/ Demo residents</span></h2>\n",
    ));
    if residents.is_empty() {
        body.push_str(
            "<p>デモ住民がいません。デモデータを作成してください。<span lang=\"en\">There are no demo residents; create the demo data first.</span></p>\n",
        );
        return body;
    }
    body.push_str("<ul>\n");
    for resident in residents {
        body.push_str(&login_form(request, resident, None));
        if !resident.principals.is_empty() && resident.name.is_some() {
            let children: Vec<&str> = resident
                .principals
                .iter()
                .map(|p| p.label.as_str())
                .collect();
            let label = format!(
                "{} — 代理人として（{}）/ as proxy",
                resident.label,
                children.join("、")
            );
            body.push_str(&login_form(request, resident, Some(&label)));
        }
    }
    body.push_str("</ul>\n");
    body
}

/// One login button: as the resident themselves, or (`proxy_label`) as their proxy.
fn login_form(request: &AuthRequest, resident: &DemoResident, proxy_label: Option<&str>) -> String {
    format!(
        concat!(
            "<li><form method=\"post\" action=\"{action}/authorize\">",
            "<input type=\"hidden\" name=\"pseudonym\" value=\"{pseudonym}\">",
            "<input type=\"hidden\" name=\"client_id\" value=\"{client_id}\">",
            "<input type=\"hidden\" name=\"redirect_uri\" value=\"{redirect_uri}\">",
            "<input type=\"hidden\" name=\"state\" value=\"{state}\">",
            "{nonce}{mode}",
            "<button type=\"submit\">{label}</button></form></li>\n"
        ),
        action = MOUNT_PATH,
        pseudonym = escape(resident.pseudonym.as_str()),
        client_id = escape(&request.client_id),
        redirect_uri = escape(&request.redirect_uri),
        state = escape(&request.state),
        nonce = request
            .nonce
            .as_deref()
            .map(|n| format!(
                "<input type=\"hidden\" name=\"nonce\" value=\"{}\">",
                escape(n)
            ))
            .unwrap_or_default(),
        mode = if proxy_label.is_some() {
            "<input type=\"hidden\" name=\"mode\" value=\"proxy\">"
        } else {
            ""
        },
        label = escape(proxy_label.unwrap_or(&resident.label)),
    )
}

fn form_post_body(request: &AuthRequest, token: &str) -> String {
    format!(
        concat!(
            "<h1>ログインしています <span lang=\"en\">/ Logging in</span></h1>\n",
            "<p>自動で移動しない場合は「続ける」を押してください。",
            "<span lang=\"en\">If nothing happens, press Continue.</span></p>\n",
            "<form id=\"handover\" method=\"post\" action=\"{action}\">",
            "<input type=\"hidden\" name=\"id_token\" value=\"{token}\">",
            "<input type=\"hidden\" name=\"state\" value=\"{state}\">",
            "<button type=\"submit\">続ける / Continue</button></form>\n"
        ),
        action = escape(&request.redirect_uri),
        token = escape(token),
        state = escape(&request.state),
    )
}

fn refusal_page(refusal: Refusal) -> Response {
    let body = format!(
        concat!(
            "<h1>リクエストを受け付けられません <span lang=\"en\">/ Request refused</span></h1>\n",
            "<p class=\"notice\">マイナポータル シミュレーターへのリクエストが正しくありません。",
            "<span lang=\"en\">The request to the Mynaportal simulator is invalid: {reason}.</span></p>\n"
        ),
        reason = escape(refusal.0),
    );
    html_page(StatusCode::BAD_REQUEST, "エラー / Error", &body, false)
}

/// The inline stylesheet of every simulator page.
const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1c;background:#fff;line-height:1.6}main{max-width:40rem;margin:0 auto;padding:1rem}.notice{border-left:.4rem solid #b78f00;background:#fffbe6;padding:.75rem 1rem}ul{list-style:none;padding:0}li{margin:.5rem 0}button{width:100%;min-height:3rem;font-size:1rem;border:0;border-radius:.5rem;background:#0017c1;color:#fff;padding:.5rem 1rem;text-align:left;cursor:pointer}button:focus-visible{outline:3px solid #1a1a1c;outline-offset:2px}";

/// The inline script of the form_post page: submit the hand-over form at once.
const AUTO_SUBMIT: &str = "document.getElementById(\"handover\").submit();";

/// `'sha256-…'` CSP sources for the exact inline style and script, computed once.
static STYLE_HASH: LazyLock<String> = LazyLock::new(|| csp_hash(STYLE));
static SCRIPT_HASH: LazyLock<String> = LazyLock::new(|| csp_hash(AUTO_SUBMIT));

fn csp_hash(text: &str) -> String {
    format!(
        "'sha256-{}'",
        STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

fn html_page(status: StatusCode, title: &str, body: &str, auto_submit: bool) -> Response {
    let script = if auto_submit {
        format!("<script>{AUTO_SUBMIT}</script>\n")
    } else {
        String::new()
    };
    let html = format!(
        concat!(
            "<!doctype html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
            "<title>{title}</title>\n<style>{style}</style>\n</head>\n",
            "<body>\n<main>\n{body}</main>\n{script}</body>\n</html>\n"
        ),
        title = escape(title),
        style = STYLE,
        body = body,
        script = script,
    );
    let script_src = if auto_submit {
        SCRIPT_HASH.as_str()
    } else {
        "'none'"
    };
    let csp = format!(
        "default-src 'none'; script-src {script_src}; style-src {}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        STYLE_HASH.as_str()
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // The hashes are base64 and the rest is fixed text, so this cannot fail; if it ever did,
    // a page without a CSP would be worse than an error.
    match HeaderValue::from_str(&csp) {
        Ok(value) => {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
    // The form_post page carries a token: never cache it, never leak it in a Referer.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Escapes text for HTML element content and double- or single-quoted attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The state directory's key file, for tests and tools.
pub fn key_path(state_dir: &Path) -> PathBuf {
    state_dir.join(KEY_FILE)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt as _;
    use sesshu_core::mynaportal_token::{Jwks, TokenError, TokenVerifier};
    use tower::ServiceExt as _;

    const ISSUER: &str = "https://mynaportal.simulator.invalid";
    const CLIENT: &str = "sesshu-local";
    const NOW: u64 = 1_790_000_000;
    const CALLBACK: &str = "/api/resident/login/callback";

    fn resident(n: u32, label: &str) -> DemoResident {
        DemoResident {
            label: label.to_owned(),
            pseudonym: PmhPseudonym::parse(&format!("psn_demo{n}")).unwrap(),
            pmh_key: PmhKey::parse(&format!("KEYDEMO{n:09}")).unwrap(),
            name: None,
            principals: Vec::new(),
        }
    }

    fn parent_with_child() -> DemoResident {
        let mut parent = resident(3, "デモ住民 3（保護者）");
        parent.name = Some("山田　花子".to_owned());
        let child = resident(4, "");
        parent.principals = vec![DemoPrincipal {
            label: "子 2021年生まれ".to_owned(),
            pseudonym: child.pseudonym,
            pmh_key: child.pmh_key,
        }];
        parent
    }

    fn fixture() -> (tempfile::TempDir, Arc<MynaportalSim>, Router) {
        let dir = tempfile::tempdir().unwrap();
        let sim = Arc::new(
            MynaportalSim::load_or_create(dir.path(), ISSUER.to_owned())
                .unwrap()
                .with_clock(|| NOW),
        );
        let residents = Arc::new(vec![
            resident(1, "デモ住民 1 佐藤 花子（35歳）"),
            resident(2, "デモ住民 2 <script>alert(1)</script> & \"quotes\""),
        ]);
        let app = router(sim.clone(), residents);
        (dir, sim, app)
    }

    fn verifier(sim: &MynaportalSim) -> TokenVerifier {
        let jwks: Jwks = serde_json::from_value(sim.jwks()).unwrap();
        TokenVerifier::new(jwks, ISSUER.to_owned(), CLIENT.to_owned())
    }

    async fn send(
        app: &Router,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8(body.to_vec()).unwrap())
    }

    fn get(uri: &str) -> Request<Body> {
        Request::get(uri).body(Body::empty()).unwrap()
    }

    fn post_form(fields: &[(&str, &str)]) -> Request<Body> {
        let body: String = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        Request::post("/authorize")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    }

    fn form_encode(v: &str) -> String {
        v.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }

    /// The value of the hidden input `name` in `html` (values we produce never contain quotes).
    fn hidden(html: &str, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = html.find(&marker)? + marker.len();
        let end = html[start..].find('"')? + start;
        Some(html[start..end].to_owned())
    }

    #[test]
    fn the_signing_key_survives_a_restart_in_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let first = MynaportalSim::load_or_create(dir.path(), ISSUER.into()).unwrap();
        let token = first.issue_id_token(CLIENT, &resident(1, "x").pseudonym, None, None, NOW);
        let again = MynaportalSim::load_or_create(dir.path(), ISSUER.into()).unwrap();
        assert_eq!(first.jwks(), again.jwks());
        assert!(verifier(&again).verify(&token, NOW).is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(key_path(dir.path()))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let other = tempfile::tempdir().unwrap();
        let stranger = MynaportalSim::load_or_create(other.path(), ISSUER.into()).unwrap();
        assert_ne!(stranger.jwks(), first.jwks());
    }

    #[test]
    fn the_kid_is_the_rfc_7638_thumbprint() {
        // RFC 7638 §3.1 computes the thumbprint of an RSA key; for EC the members are
        // crv, kty, x, y. Recompute it from the published JWK, independently of `thumbprint`.
        let (_dir, sim, _) = fixture();
        let jwk = &sim.jwks()["keys"][0];
        let canonical = format!(
            "{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":{},\"y\":{}}}",
            jwk["x"], jwk["y"]
        );
        let expected = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
        assert_eq!(jwk["kid"], json!(expected));
        assert_eq!(sim.kid(), expected);
    }

    #[test]
    fn issued_tokens_verify_with_the_product_verifier_and_carry_the_claims() {
        let (_dir, sim, _) = fixture();
        let r = resident(1, "x");
        let token = sim.issue_id_token(CLIENT, &r.pseudonym, Some(&r.pmh_key), Some("n1"), NOW);
        let login = verifier(&sim).verify(&token, NOW).unwrap();
        assert_eq!(login.pseudonym, r.pseudonym);
        assert_eq!(login.pmh_key, Some(r.pmh_key));
        assert_eq!(login.nonce.as_deref(), Some("n1"));
        assert_eq!(login.expires_at, NOW + TOKEN_LIFETIME_S);
        assert_eq!(
            verifier(&sim).verify(&token, NOW + TOKEN_LIFETIME_S + 61),
            Err(TokenError::Expired)
        );
        let other_audience = TokenVerifier::new(
            serde_json::from_value(sim.jwks()).unwrap(),
            ISSUER.into(),
            "someone-else".into(),
        );
        assert_eq!(
            other_audience.verify(&token, NOW),
            Err(TokenError::WrongAudience)
        );
    }

    #[tokio::test]
    async fn the_login_page_offers_one_escaped_button_per_resident() {
        let (_dir, _sim, app) = fixture();
        let uri = format!(
            "/authorize?response_type=id_token&response_mode=form_post&client_id={CLIENT}&redirect_uri={CALLBACK}&state=st-1&nonce=n-1"
        );
        let (status, headers, html) = send(&app, get(&uri)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("<html lang=\"ja\">"));
        assert!(html.contains("<h1>"));
        assert!(html.contains("SIMULATOR"));
        assert_eq!(
            html.matches("<form method=\"post\" action=\"/sim/mynaportal/authorize\">")
                .count(),
            2
        );
        assert_eq!(html.matches("<button").count(), 2);
        assert!(html.contains("<button type=\"submit\">デモ住民 1 佐藤 花子（35歳）</button>"));
        assert!(
            html.contains(
                "デモ住民 2 &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"
            )
        );
        assert!(!html.contains("<script>"), "the login page needs no script");
        assert_eq!(hidden(&html, "redirect_uri").as_deref(), Some(CALLBACK));
        assert_eq!(hidden(&html, "nonce").as_deref(), Some("n-1"));
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("script-src 'none'"));
        assert!(csp.contains("frame-ancestors 'none'"));
    }

    #[tokio::test]
    async fn the_login_page_refuses_redirects_outside_our_api() {
        let (_dir, _sim, app) = fixture();
        for bad in [
            "https://evil.example/api/cb",
            "//evil.example/api/cb",
            "/\\evil.example/api/cb",
            "/api/../sim/mynaportal/authorize",
            "/api//evil.example",
            "/resident/login/callback",
            "/api/cb?next=https://evil.example",
            "",
        ] {
            let uri = format!(
                "/authorize?client_id={CLIENT}&redirect_uri={}&state=s",
                form_encode(bad)
            );
            let (status, _, html) = send(&app, get(&uri)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "accepted {bad:?}");
            assert!(html.contains("redirect_uri"));
        }
    }

    #[tokio::test]
    async fn the_login_page_refuses_other_response_types_and_a_missing_state() {
        let (_dir, _sim, app) = fixture();
        let code_flow = format!(
            "/authorize?response_type=code&client_id={CLIENT}&redirect_uri={CALLBACK}&state=s"
        );
        assert_eq!(send(&app, get(&code_flow)).await.0, StatusCode::BAD_REQUEST);
        let no_state = format!("/authorize?client_id={CLIENT}&redirect_uri={CALLBACK}");
        assert_eq!(send(&app, get(&no_state)).await.0, StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn choosing_a_resident_form_posts_a_verifiable_token_to_the_callback() {
        let (_dir, sim, app) = fixture();
        let r = resident(1, "");
        let (status, headers, html) = send(
            &app,
            post_form(&[
                ("pseudonym", r.pseudonym.as_str()),
                ("client_id", CLIENT),
                ("redirect_uri", CALLBACK),
                ("state", "st-1"),
                ("nonce", "n-1"),
            ]),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&format!(
            "<form id=\"handover\" method=\"post\" action=\"{CALLBACK}\">"
        )));
        assert!(html.contains("続ける / Continue"));
        assert_eq!(hidden(&html, "state").as_deref(), Some("st-1"));
        let token = hidden(&html, "id_token").unwrap();
        let login = verifier(&sim).verify(&token, NOW).unwrap();
        assert_eq!(login.pseudonym, r.pseudonym);
        assert_eq!(login.pmh_key, Some(r.pmh_key));
        assert_eq!(login.nonce.as_deref(), Some("n-1"));
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    }

    #[tokio::test]
    async fn the_form_post_page_csp_allows_exactly_its_inline_script_and_style() {
        let (_dir, _sim, app) = fixture();
        let (_, headers, html) = send(
            &app,
            post_form(&[
                ("pseudonym", "psn_demo1"),
                ("client_id", CLIENT),
                ("redirect_uri", CALLBACK),
                ("state", "s"),
            ]),
        )
        .await;
        let between = |open: &str, close: &str| {
            let start = html.find(open).unwrap() + open.len();
            let end = html[start..].find(close).unwrap() + start;
            html[start..end].to_owned()
        };
        let hash = |t: &str| format!("'sha256-{}'", STANDARD.encode(Sha256::digest(t.as_bytes())));
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains(&format!(
            "script-src {};",
            hash(&between("<script>", "</script>"))
        )));
        assert!(csp.contains(&format!(
            "style-src {};",
            hash(&between("<style>", "</style>"))
        )));
        assert!(csp.starts_with("default-src 'none';"));
        assert_eq!(html.matches("<script").count(), 1);
    }

    #[tokio::test]
    async fn posting_an_unknown_resident_or_a_foreign_redirect_is_refused() {
        let (_dir, _sim, app) = fixture();
        let unknown = post_form(&[
            ("pseudonym", "psn_nobody"),
            ("client_id", CLIENT),
            ("redirect_uri", CALLBACK),
            ("state", "s"),
        ]);
        let (status, _, html) = send(&app, unknown).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(!html.contains("id_token"));
        let foreign = post_form(&[
            ("pseudonym", "psn_demo1"),
            ("client_id", CLIENT),
            ("redirect_uri", "https://evil.example/api/cb"),
            ("state", "s"),
        ]);
        let (status, _, html) = send(&app, foreign).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(!html.contains("id_token"));
        assert!(
            !html.contains("evil.example"),
            "a refusal never echoes the value"
        );
    }

    #[tokio::test]
    async fn a_resident_with_principals_may_log_in_as_their_proxy() {
        let dir = tempfile::tempdir().unwrap();
        let sim = Arc::new(
            MynaportalSim::load_or_create(dir.path(), ISSUER.to_owned())
                .unwrap()
                .with_clock(|| NOW),
        );
        let parent = parent_with_child();
        let app = router(
            sim.clone(),
            Arc::new(vec![resident(1, "本人のみ"), parent.clone()]),
        );
        let uri = format!("/authorize?client_id={CLIENT}&redirect_uri={CALLBACK}&state=s");
        let (_, _, html) = send(&app, get(&uri)).await;
        assert_eq!(
            html.matches("<button").count(),
            3,
            "one extra button for the proxy login"
        );
        assert!(html.contains("代理人として（子 2021年生まれ）"));
        assert_eq!(html.matches("name=\"mode\" value=\"proxy\"").count(), 1);

        let login = |mode: Option<&'static str>, who: &DemoResident| {
            let mut fields = vec![
                ("pseudonym", who.pseudonym.as_str().to_owned()),
                ("client_id", CLIENT.to_owned()),
                ("redirect_uri", CALLBACK.to_owned()),
                ("state", "s".to_owned()),
            ];
            if let Some(mode) = mode {
                fields.push(("mode", mode.to_owned()));
            }
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(&fields)
        };
        let (status, _, html) = send(&app, login(Some("proxy"), &parent)).await;
        assert_eq!(status, StatusCode::OK);
        let verified = verifier(&sim)
            .verify(&hidden(&html, "id_token").unwrap(), NOW)
            .unwrap();
        assert_eq!(
            verified.pseudonym, parent.pseudonym,
            "the subject stays the proxy"
        );
        assert_eq!(verified.name.as_deref(), Some("山田　花子"));
        assert_eq!(verified.principals.len(), 1);
        assert_eq!(
            verified.principals[0].pseudonym,
            parent.principals[0].pseudonym
        );
        assert_eq!(
            verified.principals[0].pmh_key.as_ref(),
            Some(&parent.principals[0].pmh_key)
        );

        let (_, _, html) = send(&app, login(None, &parent)).await;
        let own = verifier(&sim)
            .verify(&hidden(&html, "id_token").unwrap(), NOW)
            .unwrap();
        assert!(
            own.principals.is_empty() && own.name.is_none(),
            "no name without a proxy login"
        );

        let (status, _, html) = send(&app, login(Some("proxy"), &resident(1, ""))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(!html.contains("id_token"));
    }

    #[tokio::test]
    async fn the_jwks_endpoint_serves_the_public_key_set() {
        let (_dir, sim, app) = fixture();
        let (status, _, body) = send(&app, get("/.well-known/jwks.json")).await;
        assert_eq!(status, StatusCode::OK);
        let served: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(served, sim.jwks());
        assert!(
            served["keys"][0].get("d").is_none(),
            "the private key must not be published"
        );
    }
}
