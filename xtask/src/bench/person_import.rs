//! The CSV import of target persons on the embedded store, then person search.

use anyhow::{Result, bail};

use super::Benchmark;
use crate::cmd;
use crate::install;
use crate::project::Project;

/// `cargo xtask bench person-import` (rows: `SESSHU_BENCH_ROWS`, default 1,000,000; engine:
/// `SESSHU_BENCH_ENGINE`, `redb` (default) or `lsm`).
pub const BENCH: Benchmark = Benchmark {
    name: "person-import",
    about: "CSV import of 1,000,000 generated CP932 rows on the embedded store (time, peak RSS), then person search p50/p99; SESSHU_BENCH_ENGINE=lsm for the LSM engine",
    run,
};

fn run(project: &Project) -> Result<String> {
    install::ensure(project, install::Needs::NONE)?;
    let (status, output) = cmd::tee_stdout(
        "bench person-import",
        project
            .cargo()
            .args(["bench", "-p", "sesshu-local", "--bench", "person_import"]),
    )?;
    if !status.success() {
        bail!("the person-import benchmark failed: see its output above");
    }
    let lines: String = output
        .lines()
        .filter(|line| line.starts_with('|') || line.starts_with("search-"))
        .map(|line| format!("{line}\n"))
        .collect();
    Ok(format!(
        "## Person import and search\n\nA generated CP932 file (1 row in 1,000 broken) uploaded in \
         256 KiB parts and imported by the runner (batches of 2,000 rows, intent + checkpoint) on \
         the embedded store (engine in the first column) with the local keyring, release build; peak RSS is the whole bench \
         process's VmHWM. Then 2,000 searches of each kind, each including the decryption of the \
         page shown.\n\n{lines}\n"
    ))
}
