//! The e2e step: start the local server on a free loopback port with fresh data, run Playwright
//! against it, and stop the server whatever happens.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::cmd;
use crate::project::{LOCAL_PACKAGE, Project};
use crate::testing::{Counts, playwright_counts};

const STEP: &str = "e2e";
const READY_TIMEOUT: Duration = Duration::from_secs(120);

/// Builds the server (debug: its dependencies are already built by the `test` step), serves the
/// built app with fresh demo data, and runs the Playwright suite against it.
pub fn run(project: &Project) -> Result<Counts> {
    cmd::run(
        STEP,
        project.cargo().args(["build", "--package", LOCAL_PACKAGE]),
    )?;

    let work = project.root.join("target").join("e2e");
    let data = work.join("data");
    if data.exists() {
        std::fs::remove_dir_all(&data)
            .with_context(|| format!("cannot clear old e2e data in {}", data.display()))?;
    }
    std::fs::create_dir_all(&data)?;
    let log = work.join("server.log");
    let port = free_port()?;

    let mut server = Server::start(project, port, &data, &log)?;
    server.wait_until_healthy(READY_TIMEOUT)?;

    let base_url = format!("http://127.0.0.1:{port}");
    let e2e = project.root.join("e2e");
    let mut playwright = Command::new(e2e.join("node_modules/.bin/playwright"));
    playwright
        .arg("test")
        .current_dir(&e2e)
        .env("BASE_URL", &base_url)
        // The staff specs read the demo staff's TOTP secrets (local demo data) from here.
        .env("SESSHU_E2E_DATA", &data);
    let (status, output) = cmd::tee_stdout(STEP, &mut playwright)?;
    let counts = playwright_counts(&output);
    drop(server);
    if !status.success() {
        bail!(
            "step `e2e` failed: playwright exited with {status} ({} failed); traces and screenshots \
             are in e2e/test-results, the server log in {}",
            counts.failed,
            log.display()
        );
    }
    Ok(counts)
}

/// A loopback port nobody listens on right now.
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("no free loopback port")?;
    Ok(listener.local_addr()?.port())
}

/// The running server; dropping it stops the process, also when a step fails or panics.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    fn start(project: &Project, port: u16, data: &Path, log: &Path) -> Result<Self> {
        let out = File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
        let err = out.try_clone()?;
        let mut command = Command::new(project.host_binary("debug", LOCAL_PACKAGE));
        command
            .arg("--port")
            .arg(port.to_string())
            .arg("--data-dir")
            .arg(data)
            .arg("--app-dir")
            .arg(project.dist())
            .current_dir(&project.root)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        eprintln!(
            "[{STEP}] $ {} (log: {})",
            cmd::display(&command),
            log.display()
        );
        let child = command
            .spawn()
            .with_context(|| format!("step `{STEP}`: cannot start {LOCAL_PACKAGE}"))?;
        Ok(Self {
            child,
            port,
            log: log.to_path_buf(),
        })
    }

    fn wait_until_healthy(&mut self, timeout: Duration) -> Result<()> {
        let started = Instant::now();
        loop {
            if healthz(self.port) {
                eprintln!(
                    "[{STEP}] server ready on port {} after {:.1}s",
                    self.port,
                    started.elapsed().as_secs_f64()
                );
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                bail!(
                    "step `{STEP}`: {LOCAL_PACKAGE} exited with {status} before it was ready; its log:\n{}",
                    tail(&self.log)
                );
            }
            if started.elapsed() > timeout {
                bail!(
                    "step `{STEP}`: {LOCAL_PACKAGE} did not answer /healthz within {}s; its log:\n{}",
                    timeout.as_secs(),
                    tail(&self.log)
                );
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        // SIGINT (what Ctrl-C sends, which the server shuts down gracefully on); SIGKILL if it lingers.
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// True when `GET /healthz` answers 200.
fn healthz(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect((Ipv4Addr::LOCALHOST, port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request =
        format!("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
}

/// The last lines of the server log, for error messages.
fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(80)..].join("\n")
}
