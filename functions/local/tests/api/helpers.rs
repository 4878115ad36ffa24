use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use sesshu_core::clock::FixedClock;
use sesshu_local::demo::DemoData;
use sesshu_local::{CLIENT_ID, LocalConfig, LocalSystem, build_with_clock};
use tokio::sync::OnceCell;
use tower::ServiceExt;

/// A running local system over a fresh data directory, with a clock tests can move.
pub struct TestApp {
    pub system: LocalSystem,
    pub clock: Arc<FixedClock>,
    /// The client address requests come from (loopback unless a test changes it).
    pub peer: std::cell::Cell<std::net::IpAddr>,
    _data: tempfile::TempDir,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }

    /// `name=value` of a Set-Cookie header for `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap_or_default().to_owned())
    }
}

fn config(dir: &Path) -> LocalConfig {
    LocalConfig {
        data_dir: dir.to_owned(),
        app_dir: dir.join("no-app"),
        demo: true,
        secure_cookies: true,
    }
}

fn clock() -> Arc<FixedClock> {
    // Now, not a fixed instant: the embedded store judges TTL expiry by the real clock.
    Arc::new(FixedClock::at(time::OffsetDateTime::now_utc()))
}

/// The demo data is generated once per test binary into a template directory (closed again
/// before use); each test gets its own copy, so tests stay independent and fast.
async fn template() -> &'static (PathBuf, DemoData) {
    static TEMPLATE: OnceCell<(PathBuf, DemoData)> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("api-template-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            let system = build_with_clock(&config(&dir), clock()).await.unwrap();
            let demo = system.generated.clone().unwrap();
            drop(system);
            (dir, demo)
        })
        .await
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub async fn spawn_app() -> TestApp {
    let (template_dir, demo) = template().await;
    let data = tempfile::tempdir().unwrap();
    copy_dir(template_dir, data.path());
    let clock = clock();
    let mut system = build_with_clock(&config(data.path()), clock.clone())
        .await
        .unwrap();
    system.generated = Some(demo.clone());
    TestApp {
        system,
        clock,
        peer: std::cell::Cell::new(std::net::IpAddr::from([127, 0, 0, 1])),
        _data: data,
    }
}

impl TestApp {
    pub fn router(&self) -> Router {
        self.system.router.clone()
    }

    pub async fn request(
        &self,
        method: Method,
        uri: &str,
        cookie: Option<&str>,
        extra: &[(&str, &str)],
        body: Option<String>,
    ) -> TestResponse {
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        for (name, value) in extra {
            builder = builder.header(*name, *value);
        }
        let request = builder
            .body(body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap();
        self.send(request).await
    }

    /// Sends `request` from the test's peer address, as `axum::serve` with connect info does.
    async fn send(&self, mut request: Request<Body>) -> TestResponse {
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(
                self.peer.get(),
                50_000,
            )));
        let response = self.router().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// A request with a raw byte body (file parts).
    pub async fn request_bytes(
        &self,
        method: Method,
        uri: &str,
        cookie: Option<&str>,
        body: Vec<u8>,
    ) -> TestResponse {
        let mut builder = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/octet-stream")
            .header("x-requested-with", "sesshu");
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        self.send(builder.body(Body::from(body)).unwrap()).await
    }

    pub async fn get(&self, uri: &str, cookie: Option<&str>) -> TestResponse {
        self.request(Method::GET, uri, cookie, &[], None).await
    }

    /// Logs in through the Mynaportal flow as the demo resident with index `n` (0-based) and
    /// returns the session cookie (`name=value`).
    pub async fn login_as(&self, n: usize) -> String {
        let (cookie, _) = self
            .login_with_token(|nonce| self.token_for(n, CLIENT_ID, nonce), None)
            .await
            .unwrap_or_else(|status| panic!("login failed with {status}"));
        cookie
    }

    /// An ID token from the Mynaportal simulator for demo resident `n`, as if issued now.
    pub fn token_for(&self, n: usize, audience: &str, nonce: &str) -> String {
        let resident = &self.system.demo_residents[n];
        self.system.mynaportal.issue_id_token(
            audience,
            &resident.pseudonym,
            Some(&resident.pmh_key),
            Some(nonce),
            self.clock_now(),
        )
    }

    pub fn clock_now(&self) -> u64 {
        use sesshu_core::clock::Clock;
        self.clock.now_epoch_s()
    }

    /// Runs the login: GET /api/resident/login, then POST the callback with the token that
    /// `make_token(nonce)` returns. `state_override` replaces the state sent back.
    /// Ok(session cookie, response) or Err(status of the callback).
    pub async fn login_with_token(
        &self,
        make_token: impl FnOnce(&str) -> String,
        state_override: Option<&str>,
    ) -> Result<(String, TestResponse), StatusCode> {
        let begin = self.get("/api/resident/login", None).await;
        assert_eq!(begin.status, StatusCode::SEE_OTHER);
        let location = begin.headers[header::LOCATION].to_str().unwrap().to_owned();
        let query = location.split_once('?').unwrap().1;
        let param = |name: &str| {
            query
                .split('&')
                .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                .unwrap()
                .to_owned()
        };
        let (state, nonce) = (param("state"), param("nonce"));
        let login_cookie = begin.cookie("sesshu_login").unwrap();
        let token = make_token(&nonce);
        let state = state_override.map(str::to_owned).unwrap_or(state);
        let form = format!("id_token={token}&state={state}");
        let callback = self
            .request(
                Method::POST,
                "/api/resident/login/callback",
                Some(&login_cookie),
                &[("content-type", "application/x-www-form-urlencoded")],
                Some(form),
            )
            .await;
        if callback.status != StatusCode::SEE_OTHER {
            return Err(callback.status);
        }
        let session = callback.cookie("sesshu_session").unwrap();
        Ok((session, callback))
    }
}

/// Staff sessions through the real login flow (password, then TOTP from the demo secret).
impl TestApp {
    pub async fn post_json(
        &self,
        uri: &str,
        cookie: Option<&str>,
        body: serde_json::Value,
    ) -> TestResponse {
        self.request(
            Method::POST,
            uri,
            cookie,
            &[
                ("content-type", "application/json"),
                ("x-requested-with", "sesshu"),
            ],
            Some(body.to_string()),
        )
        .await
    }

    pub async fn put_json(
        &self,
        uri: &str,
        cookie: Option<&str>,
        body: serde_json::Value,
    ) -> TestResponse {
        self.request(
            Method::PUT,
            uri,
            cookie,
            &[
                ("content-type", "application/json"),
                ("x-requested-with", "sesshu"),
            ],
            Some(body.to_string()),
        )
        .await
    }

    /// The demo staff login `user` of `municipality`.
    pub fn demo_staff(
        &self,
        municipality: &str,
        user: &str,
    ) -> sesshu_local::demo_staff::DemoStaff {
        self.system
            .demo_staff
            .iter()
            .find(|l| l.municipality == municipality && l.user_id == user)
            .cloned()
            .unwrap_or_else(|| panic!("no demo staff {user} in {municipality}"))
    }

    /// The TOTP code of a demo staff user now.
    pub fn totp(&self, municipality: &str, user: &str) -> String {
        sesshu_local::demo_staff::current_code(
            &self.demo_staff(municipality, user),
            self.clock_now(),
        )
        .unwrap()
    }

    /// Logs a demo staff user in on their surface; returns the session cookie (`name=value`).
    /// Moves the clock to the next TOTP step first, since a code is accepted once only.
    pub async fn staff_login(&self, municipality: &str, user: &str) -> String {
        self.clock.advance(30);
        let login = self.demo_staff(municipality, user);
        let prefix = format!("/api/{}", login.surface);
        let step1 = self
            .post_json(
                &format!("{prefix}/auth/login"),
                None,
                serde_json::json!({ "municipality_code": municipality, "user_id": user, "password": login.password }),
            )
            .await;
        assert_eq!(
            step1.status,
            StatusCode::OK,
            "password step: {}",
            String::from_utf8_lossy(&step1.body)
        );
        let pending = step1
            .cookie(&format!("sesshu_{}_pending", login.surface))
            .unwrap();
        let step2 = self
            .post_json(
                &format!("{prefix}/auth/totp"),
                Some(&pending),
                serde_json::json!({ "code": self.totp(municipality, user) }),
            )
            .await;
        assert_eq!(
            step2.status,
            StatusCode::OK,
            "TOTP step: {}",
            String::from_utf8_lossy(&step2.body)
        );
        step2.cookie(&format!("sesshu_{}", login.surface)).unwrap()
    }
}

impl TestApp {
    /// The operation-log entries of `action` in `municipality`, waiting (up to a second) until
    /// there are `want`: resident reads are logged without the resident waiting for the commit.
    pub async fn audit_entries_eventually(
        &self,
        municipality: &str,
        admin_cookie: &str,
        action: &str,
        want: usize,
    ) -> Vec<serde_json::Value> {
        let mut entries = Vec::new();
        for _ in 0..50 {
            let page = self
                .get(
                    &format!("/api/admin/m/{municipality}/audit?action={action}"),
                    Some(admin_cookie),
                )
                .await
                .json();
            entries = page["entries"].as_array().unwrap().clone();
            if entries.len() >= want {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        entries
    }
}
