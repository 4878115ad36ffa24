//! A moto server (PyPI `moto[server]`) on a free loopback port, for tests and local tooling
//! that need DynamoDB and KMS without AWS.
//!
//! The server is a child of the current process and dies with it, even when the handle is
//! kept in a `static` (statics are never dropped): a small shell watchdog stops moto once the
//! process that started it is gone.
//!
//! moto serves one request at a time here (see `SERIAL_MAIN`), so conditional writes and
//! transactions are atomic as in DynamoDB; the contract's concurrency cases depend on it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;

/// The region every test client uses.
pub const REGION: &str = "ap-northeast-1";

/// How long moto may take to answer after starting (it imports a lot of Python).
const START_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum MotoError {
    #[error(
        "moto_server not found at {0}; run `cargo xtask test` (which installs it) or \
         `python3 -m venv target/tools/moto-venv && target/tools/moto-venv/bin/pip install 'moto[server]'`, \
         or point MOTO_SERVER at an installed moto_server"
    )]
    NotFound(PathBuf),
    #[error("moto_server did not start: {0}")]
    Start(String),
}

/// A running moto server; stopped on drop.
#[derive(Debug)]
pub struct MotoServer {
    port: u16,
    endpoint: String,
    watchdog: Child,
    moto_pid: u32,
    log: PathBuf,
}

/// Where `moto_server` is: `$MOTO_SERVER`, else the workspace's venv.
pub fn moto_server_path() -> PathBuf {
    match std::env::var_os("MOTO_SERVER") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../target/tools/moto-venv/bin/moto_server"),
    }
}

// moto_server's own entry point with three changes for tests: requests are served one at a time
// (moto's DynamoDB backend takes no lock; DynamoDB is atomic per item and per transaction), a
// base-table Query reads only its partition, and a cancelled transaction restores only the
// partitions it touched. Without the last two, moto 5 scans and copies the whole table per
// Query and per transaction, and a 10,000-person import took hours. See the file's comments.
const SERIAL_MAIN: &str = include_str!("moto_main.py");

// The watchdog: start moto in the background, print its pid, and stop it as soon as either the
// parent (the test process) or moto itself is gone.
const WATCHDOG: &str = r#"
"$MOTO_PYTHON" -c "$MOTO_MAIN" -H 127.0.0.1 -p "$MOTO_PORT" >"$MOTO_LOG" 2>&1 &
m=$!
echo "$m"
while kill -0 "$PPID" 2>/dev/null && kill -0 "$m" 2>/dev/null; do sleep 1; done
kill "$m" 2>/dev/null
"#;

impl MotoServer {
    /// Starts moto on a free port of 127.0.0.1 and waits until it answers.
    pub fn start() -> Result<Self, MotoError> {
        let bin = moto_server_path();
        if !bin.is_file() {
            return Err(MotoError::NotFound(bin));
        }
        // Another process may take the port between probing and moto binding it; moto then
        // exits at once and a fresh port is tried.
        let mut last = String::new();
        for _ in 0..3 {
            match Self::start_on(&bin, free_port()?) {
                Ok(server) => return Ok(server),
                Err(err) => last = err,
            }
        }
        Err(MotoError::Start(last))
    }

    /// One server per process, started on first use and shared by every test in the binary.
    pub fn shared() -> Result<&'static MotoServer, MotoError> {
        static SHARED: OnceLock<Result<MotoServer, String>> = OnceLock::new();
        SHARED
            .get_or_init(|| Self::start().map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| MotoError::Start(e.clone()))
    }

    fn start_on(bin: &Path, port: u16) -> Result<Self, String> {
        let log = std::env::temp_dir().join(format!("moto-{port}.log"));
        let mut watchdog = Command::new("sh")
            .arg("-c")
            .arg(WATCHDOG)
            .env("MOTO_PYTHON", python_beside(bin))
            .env("MOTO_MAIN", SERIAL_MAIN)
            .env("MOTO_PORT", port.to_string())
            .env("MOTO_LOG", &log)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run sh: {e}"))?;
        let mut line = String::new();
        if let Some(stdout) = watchdog.stdout.take() {
            BufReader::new(stdout)
                .read_line(&mut line)
                .map_err(|e| format!("cannot read moto's pid: {e}"))?;
        }
        let moto_pid: u32 = line
            .trim()
            .parse()
            .map_err(|_| "the watchdog printed no pid".to_owned())?;
        let server = Self {
            port,
            endpoint: format!("http://127.0.0.1:{port}"),
            watchdog,
            moto_pid,
            log,
        };
        server.wait_until_ready()?;
        Ok(server)
    }

    fn wait_until_ready(&self) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        while Instant::now() < deadline {
            if answers(addr) {
                return Ok(());
            }
            if !process_alive(self.moto_pid) {
                return Err(format!(
                    "moto_server exited at start; see {}",
                    self.log.display()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!(
            "no answer on port {} within {:?}; see {}",
            self.port,
            START_TIMEOUT,
            self.log.display()
        ))
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// An SDK configuration pointing at this server.
    pub async fn sdk_config(&self) -> SdkConfig {
        aws_config_for(&self.endpoint).await
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.moto_pid.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.watchdog.kill();
        let _ = self.watchdog.wait();
    }
}

/// Static test credentials, region ap-northeast-1, every service at `endpoint`.
pub async fn aws_config_for(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        .load()
        .await
}

/// The interpreter of the venv that holds `moto_server`, else `python3` from PATH.
fn python_beside(moto_server: &Path) -> PathBuf {
    moto_server
        .parent()
        .map(|dir| dir.join("python"))
        .filter(|python| python.exists())
        .unwrap_or_else(|| PathBuf::from("python3"))
}

fn free_port() -> Result<u16, MotoError> {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| MotoError::Start(format!("no free loopback port: {e}")))
}

fn answers(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(b"GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 5];
    stream.read_exact(&mut head).is_ok() && &head == b"HTTP/"
}

fn process_alive(pid: u32) -> bool {
    Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
