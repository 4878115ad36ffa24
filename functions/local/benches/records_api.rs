//! Records-list API benchmark: token check + query + decrypt, over real HTTP on loopback,
//! against a bare axum JSON handler measured in the same run. Prints a markdown table.
//!
//! Run with `cargo xtask bench records-api` (or `cargo bench -p sesshu-local --bench records_api`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::routing::get;
use axum::{Json, Router};
use sesshu_local::{CLIENT_ID, LocalConfig, build};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tower::ServiceExt;

const RUN: Duration = Duration::from_secs(5);
const CONNECTIONS: usize = 16;
const RATE_PER_S: u64 = 1_000;

#[tokio::main]
async fn main() {
    let data = tempfile::tempdir().unwrap();
    let config = LocalConfig {
        data_dir: data.path().to_owned(),
        app_dir: data.path().join("no-app"),
        demo: true,
        secure_cookies: true,
    };
    let system = build(&config).await.unwrap();
    let cookie = login(&system).await;
    let records = system.router.clone();
    let records_addr = serve(records).await;
    let sample = get_once(records_addr, "/api/resident/records", &cookie).await;
    let record_count = serde_json::from_slice::<serde_json::Value>(&sample).unwrap()["records"]
        .as_array()
        .unwrap()
        .len();
    // Two baselines: a tiny JSON body, and the very same records list served from memory by a
    // bare handler (same bytes on the wire, same serialization), which isolates what the
    // endpoint adds: session check, store read, decryption.
    let same_list: std::sync::Arc<sesshu_domain::dto::RecordList> =
        std::sync::Arc::new(serde_json::from_slice(&sample).unwrap());
    let bare = Router::new()
        .route(
            "/bare",
            get(|| async { Json(serde_json::json!({ "records": [{ "id": "131016-0000000000000001", "vaccinated_on": "2024-04-01" }] })) }),
        )
        .route(
            "/bare-same-body",
            get(move || {
                let list = same_list.clone();
                async move { Json(list.as_ref().clone()) }
            }),
        );
    let bare_addr = serve(bare).await;

    println!(
        "| endpoint | max throughput (req/s, {CONNECTIONS} conns) | p50 at {RATE_PER_S} req/s | p99 at {RATE_PER_S} req/s |"
    );
    println!("|---|---|---|---|");
    let tiny_max = throughput(bare_addr, "/bare", "").await;
    let (tiny_p50, tiny_p99) = latency_at_rate(bare_addr, "/bare", "").await;
    println!(
        "| bare axum JSON handler, tiny body | {tiny_max:.0} | {:.2} ms | {:.2} ms |",
        ms(tiny_p50),
        ms(tiny_p99)
    );
    let bare_max = throughput(bare_addr, "/bare-same-body", "").await;
    let (bare_p50, bare_p99) = latency_at_rate(bare_addr, "/bare-same-body", "").await;
    println!(
        "| bare axum JSON handler, the same {record_count}-record body from memory | {bare_max:.0} | {:.2} ms | {:.2} ms |",
        ms(bare_p50),
        ms(bare_p99)
    );
    let max = throughput(records_addr, "/api/resident/records", &cookie).await;
    let (p50, p99) = latency_at_rate(records_addr, "/api/resident/records", &cookie).await;
    println!(
        "| GET /api/resident/records ({record_count} records, session open + query + decrypt) | {max:.0} | {:.2} ms | {:.2} ms |",
        ms(p50),
        ms(p99)
    );
    println!();
    println!(
        "records-list throughput = {:.0} % of the tiny-body handler",
        100.0 * max / tiny_max
    );
    println!();
    println!(
        "records-list throughput = {:.0} % of the same-body bare handler (target ≥ 40 %); p99 at {RATE_PER_S} req/s = {:.2} ms (target ≤ 5 ms)",
        100.0 * max / bare_max,
        ms(p99)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

/// The Mynaportal login flow through the router, as the API tests do it.
async fn login(system: &sesshu_local::LocalSystem) -> String {
    use sesshu_core::clock::{Clock, SystemClock};
    let begin = system
        .router
        .clone()
        .oneshot(
            Request::get("/api/resident/login")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let location = begin.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let param = |name: &str| {
        location
            .split(['?', '&'])
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .unwrap()
            .to_owned()
    };
    let login_cookie = set_cookie(begin.headers(), "sesshu_login");
    let resident = &system.demo_residents[0];
    let token = system.mynaportal.issue_id_token(
        CLIENT_ID,
        &resident.pseudonym,
        Some(&resident.pmh_key),
        Some(&param("nonce")),
        SystemClock.now_epoch_s(),
    );
    let callback = system
        .router
        .clone()
        .oneshot(
            Request::post("/api/resident/login/callback")
                .header(header::COOKIE, login_cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "id_token={token}&state={}",
                    param("state")
                )))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(callback.status(), StatusCode::SEE_OTHER);
    set_cookie(callback.headers(), "sesshu_session")
}

fn set_cookie(headers: &axum::http::HeaderMap, name: &str) -> String {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .unwrap()
}

/// A minimal HTTP/1.1 keep-alive client: one request, one response, body returned.
struct Connection {
    stream: BufReader<TcpStream>,
    request: Vec<u8>,
}

impl Connection {
    async fn open(addr: SocketAddr, path: &str, cookie: &str) -> Self {
        let stream = TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let cookie = if cookie.is_empty() {
            String::new()
        } else {
            format!("Cookie: {cookie}\r\n")
        };
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{cookie}\r\n").into_bytes();
        Self {
            stream: BufReader::new(stream),
            request,
        }
    }

    async fn get(&mut self) -> Vec<u8> {
        self.stream
            .get_mut()
            .write_all(&self.request)
            .await
            .unwrap();
        let mut length = 0usize;
        let mut status_ok = false;
        let mut line = String::new();
        loop {
            line.clear();
            self.stream.read_line(&mut line).await.unwrap();
            if line.starts_with("HTTP/1.1 ") {
                status_ok = line.starts_with("HTTP/1.1 200");
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
        }
        assert!(status_ok, "benchmark request failed");
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await.unwrap();
        body
    }
}

async fn get_once(addr: SocketAddr, path: &str, cookie: &str) -> Vec<u8> {
    Connection::open(addr, path, cookie).await.get().await
}

/// Closed loop: `CONNECTIONS` clients as fast as they can for `RUN`.
async fn throughput(addr: SocketAddr, path: &str, cookie: &str) -> f64 {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (path, cookie) = (path.to_owned(), cookie.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut connection = Connection::open(addr, &path, &cookie).await;
            let mut done = 0u64;
            while start.elapsed() < RUN {
                connection.get().await;
                done += 1;
            }
            done
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    total as f64 / start.elapsed().as_secs_f64()
}

/// Open loop at `RATE_PER_S` spread over 8 connections; latency measured from the scheduled
/// send time, so a slow server cannot hide its queueing (no coordinated omission).
async fn latency_at_rate(addr: SocketAddr, path: &str, cookie: &str) -> (Duration, Duration) {
    let per_connection = 8u64;
    let interval = Duration::from_micros(1_000_000 * per_connection / RATE_PER_S);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..per_connection {
        let (path, cookie) = (path.to_owned(), cookie.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut connection = Connection::open(addr, &path, &cookie).await;
            let mut latencies = Vec::new();
            let mut next = start + interval * (i as u32) / (per_connection as u32);
            while next.duration_since(start) < RUN {
                tokio::time::sleep_until(next.into()).await;
                connection.get().await;
                latencies.push(Instant::now().duration_since(next));
                next += interval;
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all.sort();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    (at(0.50), at(0.99))
}
