//! Target-person CSV: generating and reading (decode, parse, validate, error report).

use anyhow::{Result, bail};

use super::Benchmark;
use crate::cmd;
use crate::project::Project;

/// `cargo xtask bench person-csv`.
pub const BENCH: Benchmark = Benchmark {
    name: "person-csv",
    about: "target-person CSV import path in memory: rows/s for generate and read+validate, CP932 and UTF-8",
    run,
};

fn run(project: &Project) -> Result<String> {
    let (status, output) = cmd::tee_stdout(
        "bench person-csv",
        project
            .cargo()
            .args(["bench", "-p", "sesshu-interchange", "--bench", "person_csv"]),
    )?;
    if !status.success() {
        bail!("the person-csv benchmark failed: see its output above");
    }
    let table: String = output
        .lines()
        .filter(|line| line.starts_with('|'))
        .map(|line| format!("{line}\n"))
        .collect();
    Ok(format!(
        "## Target-person CSV\n\n500,000 generated rows (1 in 100 broken) in memory, one thread, release \
         build: generating the file, then reading it (encoding detection and decoding, CSV parsing, \
         normalization and validation of every field, the error report for the broken rows). \
         rows/s (CPU) divides by the thread's own CPU time, which a busy shared machine does not \
         inflate.\n\n{table}\n"
    ))
}
