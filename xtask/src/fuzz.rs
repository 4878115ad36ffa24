//! `cargo xtask fuzz [target] [seconds] [--asan]`: runs a cargo-fuzz target of `fuzz/` for a
//! while (default `person_csv`, 60 s). Works on stable Rust: without `--asan` the target is
//! built with `--sanitizer none` (coverage-guided, no nightly flag); `--asan` adds
//! AddressSanitizer through `RUSTC_BOOTSTRAP=1`, which only matters for unsafe code.
//!
//! New interesting inputs go to a scratch corpus under the target dir; `fuzz/corpus/<target>/`
//! (replayed by `cargo test`) only seeds the run. A crash is saved by libFuzzer under
//! `fuzz/artifacts/<target>/`: fix it, then copy the file into the corpus to keep it fixed.

use anyhow::{Context, Result, bail};

use crate::cmd;
use crate::flags::Args;
use crate::project::Project;

/// The cargo-fuzz release this command is tested with.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

pub fn run(project: &Project, mut args: Args) -> Result<()> {
    let asan = args.flag("--asan");
    let positional = args.positional();
    args.finish()?;
    let (target, seconds) = match &positional[..] {
        [] => ("person_csv", 60),
        [target] => (target.as_str(), 60),
        [target, seconds] => (
            target.as_str(),
            seconds
                .parse::<u64>()
                .context("seconds must be a whole number, e.g. cargo xtask fuzz person_csv 300")?,
        ),
        _ => bail!("usage: cargo xtask fuzz [target] [seconds] [--asan]"),
    };
    let fuzz_dir = project.root.join("fuzz");
    let seeds = fuzz_dir.join("corpus").join(target);
    if !fuzz_dir
        .join("fuzz_targets")
        .join(format!("{target}.rs"))
        .is_file()
    {
        bail!("no fuzz target `{target}` in fuzz/fuzz_targets/: see fuzz/Cargo.toml");
    }
    let cargo_fuzz = ensure_cargo_fuzz(project)?;
    let scratch = project.target.join("fuzz-corpus").join(target);
    std::fs::create_dir_all(&scratch)
        .with_context(|| format!("cannot create {}", scratch.display()))?;
    let mut fuzz = std::process::Command::new(cargo_fuzz);
    fuzz.current_dir(&fuzz_dir)
        .args(["fuzz", "run", target])
        .args(["--sanitizer", if asan { "address" } else { "none" }])
        .arg(&scratch)
        .arg(&seeds)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"));
    if asan {
        // AddressSanitizer needs -Zsanitizer, which stable rustc accepts only like this.
        fuzz.env("RUSTC_BOOTSTRAP", "1");
    }
    cmd::run(&format!("fuzz {target}"), &mut fuzz)
}

/// The cargo-fuzz binary, installed into the project's tools folder on first use.
fn ensure_cargo_fuzz(project: &Project) -> Result<std::path::PathBuf> {
    let root = project
        .tools()
        .join(format!("cargo-fuzz-{CARGO_FUZZ_VERSION}"));
    let binary = root.join("bin").join("cargo-fuzz");
    if binary.is_file() {
        return Ok(binary);
    }
    cmd::run(
        "install cargo-fuzz",
        project
            .cargo()
            .args([
                "install",
                "cargo-fuzz",
                "--version",
                CARGO_FUZZ_VERSION,
                "--root",
            ])
            .arg(&root),
    )?;
    if !binary.is_file() {
        bail!("cargo-fuzz installed but {} is missing", binary.display());
    }
    Ok(binary)
}
