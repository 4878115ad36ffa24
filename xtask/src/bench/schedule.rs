//! The schedule engine alone: evaluating a whole municipality's population on one day.

use anyhow::{Context, Result, bail};

use super::Benchmark;
use crate::cmd;
use crate::project::Project;

/// `cargo xtask bench schedule`.
pub const BENCH: Benchmark = Benchmark {
    name: "schedule",
    about: "schedule engine: 1,000,000 synthetic persons evaluated on one day, on 1 and 2 threads",
    run,
};

const PERSONS: &str = "1000000";

fn run(project: &Project) -> Result<String> {
    let (status, output) = cmd::tee_stdout(
        "bench schedule",
        project.cargo().args([
            "run",
            "--release",
            "-p",
            "sesshu-domain",
            "--example",
            "schedule_speed",
            "--",
            PERSONS,
        ]),
    )?;
    if !status.success() {
        bail!("the schedule benchmark failed: see its output above");
    }
    let line = |prefix: &str| {
        output
            .lines()
            .find(|l| l.starts_with(prefix))
            .map(str::to_owned)
            .with_context(|| format!("the schedule example printed no `{prefix}` line"))
    };
    let population = line(PERSONS)?;
    let one = line("1 thread:")?;
    let two = line("2 threads:")?;
    Ok(format!(
        "## Schedule engine\n\n`functions/domain/examples/schedule_speed.rs`, release build: synthetic \
         persons of every age with the doses a typical child or older person has, every series of \
         the routine schedule evaluated on one day (the daily recommendation job's engine work; \
         reading and decrypting persons is not included). The two-thread run is the one that \
         counts (the job runs persons in parallel).\n\n\
         | measurement | result |\n|---|---|\n| population | {population} |\n| 1 thread | {} |\n| **2 threads** | **{}** |\n",
        one.trim_start_matches("1 thread:").trim(),
        two.trim_start_matches("2 threads:").trim(),
    ))
}
