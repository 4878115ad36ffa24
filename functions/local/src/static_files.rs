//! Serves the built app (target/app/dist) on the same origin as the API, with the single-page
//! fallback and a Content-Security-Policy that allows exactly our own code. Client-side routes
//! under `/admin` and `/clinic` get staff.html (the staff bundle), those under `/forms`
//! forms.html (the questionnaire bundle); every other route gets index.html (the resident
//! bundle), so residents never load staff code and the resident first load stays small.

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

/// The app's files plus the pages client-side routes load.
#[derive(Clone)]
pub struct AppFiles {
    dir: PathBuf,
    resident: Option<Page>,
    staff: Option<Page>,
    forms: Option<Page>,
}

/// An HTML page with the Content-Security-Policy that fits it.
#[derive(Clone)]
struct Page {
    html: String,
    csp: String,
}

impl Page {
    fn load(path: &Path) -> Option<Self> {
        let html = std::fs::read_to_string(path).ok()?;
        let csp = content_security_policy(&html);
        Some(Self { html, csp })
    }
}

/// Which bundle's page a client-side route belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bundle {
    Resident,
    Staff,
    Forms,
}

/// `/admin…` and `/clinic…` are staff routes, `/forms…` and `/notices…` routes of the
/// questionnaire bundle (whole first segments only).
fn bundle_for(path: &str) -> Bundle {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    match first {
        "admin" | "clinic" => Bundle::Staff,
        "forms" | "notices" => Bundle::Forms,
        _ => Bundle::Resident,
    }
}

impl AppFiles {
    /// Reads index.html, staff.html and forms.html once; any may be missing if the app is not
    /// built (the API still works).
    pub fn load(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
            resident: Page::load(&dir.join("index.html")),
            staff: Page::load(&dir.join("staff.html")),
            forms: Page::load(&dir.join("forms.html")),
        }
    }

    pub fn is_built(&self) -> bool {
        self.resident.is_some()
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
        let page = match bundle_for(&path) {
            Bundle::Resident => &self.resident,
            Bundle::Staff => &self.staff,
            Bundle::Forms => &self.forms,
        };
        page_response(page.as_ref())
    }
}

fn page_response(page: Option<&Page>) -> Response {
    let Some(page) = page else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "The app is not built: run `cargo xtask run`, which builds it.",
        )
            .into_response();
    };
    let mut response = page.html.clone().into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(csp) = HeaderValue::from_str(&page.csp) {
        headers.insert(CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// Allows our own scripts, wasm compilation, and the page's inline boot script by its hash.
fn content_security_policy(html: &str) -> String {
    let hashes: String = inline_scripts(html)
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
    #![allow(clippy::unwrap_used, clippy::expect_used)]

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

    #[test]
    fn admin_and_clinic_routes_load_the_staff_page_and_all_others_the_resident_page() {
        for path in [
            "/admin",
            "/admin/",
            "/admin/login",
            "/clinic",
            "/clinic/activate",
        ] {
            assert_eq!(bundle_for(path), Bundle::Staff, "{path}");
        }
        for path in [
            "/",
            "/records",
            "/records/R1",
            "/administrator",
            "/clinics",
            "/x/admin",
            "/formsx",
            "/x/forms",
            "/noticesx",
            "/x/notices",
        ] {
            assert_eq!(bundle_for(path), Bundle::Resident, "{path}");
        }
    }

    #[test]
    fn forms_routes_load_the_questionnaire_page() {
        for path in ["/forms", "/forms/", "/forms/h1/r1", "/forms/h1/r1/print"] {
            assert_eq!(bundle_for(path), Bundle::Forms, "{path}");
        }
        for path in ["/notices", "/notices/"] {
            assert_eq!(bundle_for(path), Bundle::Forms, "{path}");
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "<p>resident</p>").unwrap();
        std::fs::write(dir.path().join("forms.html"), "<p>forms</p>").unwrap();
        let files = AppFiles::load(dir.path());
        assert_eq!(page_response(files.forms.as_ref()).status(), StatusCode::OK);
        assert_eq!(
            page_response(files.staff.as_ref()).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }

    #[test]
    fn each_page_gets_the_policy_of_its_own_inline_scripts() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "<script>resident()</script>").unwrap();
        std::fs::write(dir.path().join("staff.html"), "<script>staff()</script>").unwrap();
        let files = AppFiles::load(dir.path());
        let hash = |script: &[u8]| {
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script))
        };
        let staff = page_response(files.staff.as_ref());
        let csp = staff.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains(&hash(b"staff()")));
        assert!(!csp.contains(&hash(b"resident()")));
    }

    #[test]
    fn a_missing_staff_page_is_reported_as_not_built() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "<p>resident</p>").unwrap();
        let files = AppFiles::load(dir.path());
        assert!(files.is_built());
        assert_eq!(
            page_response(files.staff.as_ref()).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }
}
