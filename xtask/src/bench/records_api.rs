//! The records-list API against a bare axum JSON handler, over loopback HTTP.

use anyhow::{Result, bail};

use super::Benchmark;
use crate::cmd;
use crate::install;
use crate::project::Project;

/// `cargo xtask bench records-api`.
pub const BENCH: Benchmark = Benchmark {
    name: "records-api",
    about: "GET /api/resident/records (session + query + decrypt) vs a bare axum handler: throughput, p50/p99 at 1,000 req/s",
    run,
};

fn run(project: &Project) -> Result<String> {
    install::ensure(project, install::Needs::NONE)?;
    let (status, output) = cmd::tee_stdout(
        "bench records-api",
        project
            .cargo()
            .args(["bench", "-p", "sesshu-local", "--bench", "records_api"]),
    )?;
    if !status.success() {
        bail!("the records-api benchmark failed: see its output above");
    }
    let table: String = output
        .lines()
        .filter(|line| line.starts_with('|') || line.starts_with("records-list"))
        .map(|line| format!("{line}\n"))
        .collect();
    Ok(format!(
        "## Records-list API\n\nThe local server's router over real HTTP on 127.0.0.1 with the demo data \
         (embedded store, local keyring, release build), logged in as demo resident 1; 16 keep-alive \
         connections for 5 s (throughput), then an open loop at 1,000 req/s over 8 connections for 5 s \
         (latency from the scheduled send time).\n\n{table}\n"
    ))
}
