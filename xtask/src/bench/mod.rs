//! `cargo xtask bench`: measurements printed as one markdown report.
//!
//! To add a benchmark: write a module here with a `pub const BENCH: Benchmark`, whose `run`
//! returns a markdown section (a `##` heading, a short method note and a table), and list it in
//! [`ALL`]. A benchmark installs and builds what it needs itself and only measures the
//! machine's own loopback (see `/healthz`-style helpers in `crate::e2e` for starting servers).

mod first_load;
mod kms_calls;
mod person_csv;
mod person_import;
mod records_api;
mod schedule;

use std::path::PathBuf;

use anyhow::{Result, bail};

use crate::flags::Args;
use crate::project::Project;

/// One benchmark.
pub struct Benchmark {
    /// The name used on the command line: `cargo xtask bench <name>`.
    pub name: &'static str,
    /// One line on what it measures.
    pub about: &'static str,
    /// Runs the measurement and returns its markdown section.
    pub run: fn(&Project) -> Result<String>,
}

/// Every benchmark, in the order they run and appear in the report.
pub const ALL: &[Benchmark] = &[
    first_load::BENCH,
    records_api::BENCH,
    kms_calls::BENCH,
    person_csv::BENCH,
    person_import::BENCH,
    schedule::BENCH,
];

/// Flags of `cargo xtask bench`.
pub struct Options {
    names: Vec<String>,
    out: Option<PathBuf>,
}

impl Options {
    /// Reads benchmark names (none means all) and `--out FILE`.
    pub fn parse(mut args: Args) -> Result<Self> {
        let out = args.value("--out")?.map(PathBuf::from);
        let names = args.positional();
        args.finish()?;
        for name in &names {
            if !ALL.iter().any(|b| b.name == name) {
                let known: Vec<_> = ALL.iter().map(|b| b.name).collect();
                bail!(
                    "unknown benchmark `{name}`: use one of {}",
                    known.join(", ")
                );
            }
        }
        Ok(Self { names, out })
    }
}

/// Runs the chosen benchmarks, prints the report and writes it to `--out` if given.
pub fn run(project: &Project, options: Options) -> Result<()> {
    let mut report = format!("# Benchmarks\n\n{}\n", machine());
    for bench in ALL {
        if !options.names.is_empty() && !options.names.iter().any(|n| n == bench.name) {
            continue;
        }
        eprintln!("\n==> xtask bench: {} ({})", bench.name, bench.about);
        let section = (bench.run)(project)?;
        report.push('\n');
        report.push_str(section.trim_end());
        report.push('\n');
    }
    println!("\n{report}");
    if let Some(out) = options.out {
        std::fs::write(&out, &report)?;
        eprintln!("bench: report written to {}", out.display());
    }
    Ok(())
}

/// A line naming the machine and the date, so numbers can be compared across runs.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|r| r.split(':').nth(1))
        })
        .map(str::trim)
        .unwrap_or("unknown CPU");
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|kib| kib.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    let now = time::OffsetDateTime::now_utc();
    format!(
        "Machine: {cpu}, {cores} cores, {mem_gib:.0} GiB memory. Date: {} {:02}:{:02} UTC.",
        now.date(),
        now.hour(),
        now.minute()
    )
}
