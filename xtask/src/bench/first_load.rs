//! The resident's first load: what a phone downloads before the first page works.

use anyhow::Result;

use super::Benchmark;
use crate::app::{self, Profile};
use crate::install;
use crate::project::Project;
use crate::sizes::{self, kb};

/// The budget from the issue: the resident first load in at most 150 KB after brotli.
const BUDGET_BROTLI_BYTES: u64 = 150_000;

/// `cargo xtask bench first-load`.
pub const BENCH: Benchmark = Benchmark {
    name: "first-load",
    about: "resident first-load size, raw and brotli -q 11, against the 150 KB budget",
    run,
};

fn run(project: &Project) -> Result<String> {
    install::ensure(project, install::Needs::APP)?;
    let built = app::build(project, Profile::Release)?;
    let files = built.first_load()?;
    let brotli: u64 = files.iter().map(|s| s.brotli).sum();
    let verdict = if brotli <= BUDGET_BROTLI_BYTES {
        format!(
            "within budget: {} of {} ({:.0} %)",
            kb(brotli),
            kb(BUDGET_BROTLI_BYTES),
            brotli as f64 * 100.0 / BUDGET_BROTLI_BYTES as f64
        )
    } else {
        format!(
            "**OVER BUDGET** by {}: {} of {}",
            kb(brotli - BUDGET_BROTLI_BYTES),
            kb(brotli),
            kb(BUDGET_BROTLI_BYTES)
        )
    };
    Ok(format!(
        "## Resident first load\n\n\
         `index.html` and every file it loads, transitively (`cargo xtask build-app`: \
         wasm-release profile, wasm-bindgen, wasm-opt -Oz). KB = 1,000 bytes; brotli at \
         quality 11, as served pre-compressed.\n\n{}\n\nBudget 150 KB brotli: {verdict}.\n",
        sizes::table(&files)
    ))
}
