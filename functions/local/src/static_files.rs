//! Serves the built app (target/app/dist) on the same origin as the API, with the single-page
//! fallback to index.html and a Content-Security-Policy that allows exactly our own code.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// The app's files plus the page every client-side route loads.
#[derive(Clone)]
pub struct AppFiles {
    dir: PathBuf,
    index_html: Option<String>,
    csp: String,
}

impl AppFiles {
    /// Reads index.html once; `None` if the app is not built (the API still works).
    pub fn load(dir: &Path) -> Self {
        let index_html = std::fs::read_to_string(dir.join("index.html")).ok();
        let csp = content_security_policy(index_html.as_deref().unwrap_or(""));
        Self {
            dir: dir.to_owned(),
            index_html,
            csp,
        }
    }

    pub fn is_built(&self) -> bool {
        self.index_html.is_some()
    }

    /// A router fallback: API paths get the JSON 404, files are served, other paths get the app.
    pub fn fallback(self) -> Router {
        Router::new().fallback(move |request: Request| {
            let files = self.clone();
            async move { files.serve(request).await }
        })
    }

    async fn serve(&self, request: Request) -> Response {
        let path = request.uri().path().to_owned();
        if path.starts_with("/api/") || path.starts_with("/sim/") {
            return sesshu_api::not_found().await.into_response();
        }
        let is_asset = path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'));
        if is_asset {
            match ServeDir::new(&self.dir).oneshot(request).await {
                Ok(mut response) if response.status() != StatusCode::NOT_FOUND => {
                    // Revalidate on each load (ETag/Last-Modified), never serve stale code.
                    response
                        .headers_mut()
                        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                    return response.map(Body::new);
                }
                _ => return sesshu_api::not_found().await.into_response(),
            }
        }
        self.index()
    }

    fn index(&self) -> Response {
        let Some(html) = &self.index_html else {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "The app is not built: run `cargo xtask run`, which builds it.",
            )
                .into_response();
        };
        let mut response = html.clone().into_response();
        let headers = response.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        if let Ok(csp) = HeaderValue::from_str(&self.csp) {
            headers.insert(CONTENT_SECURITY_POLICY, csp);
        }
        response
    }
}

/// Allows our own scripts, wasm compilation, and the page's inline boot script by its hash.
fn content_security_policy(index_html: &str) -> String {
    let hashes: String = inline_scripts(index_html)
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The bodies of `<script>` elements without a `src` attribute.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, body) = rest.split_once('>')?;
        let (body, _) = body.split_once("</script>")?;
        (!attributes.contains("src=") && !body.trim().is_empty()).then_some(body)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_allows_the_inline_boot_script_by_hash_only() {
        let html = r#"<script type="module">import init from '/a.js'; init();</script><script src="/x.js"></script>"#;
        let csp = content_security_policy(html);
        let digest = Sha256::digest(b"import init from '/a.js'; init();");
        let hash = base64::engine::general_purpose::STANDARD.encode(digest);
        assert!(csp.contains(&format!("'sha256-{hash}'")));
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(csp.matches("'sha256-").count(), 1);
    }
}
