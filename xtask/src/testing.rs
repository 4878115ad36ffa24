//! `cargo xtask test`: every check CI runs, in order, failing fast.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use crate::app::{self, Profile};
use crate::cmd;
use crate::e2e;
use crate::flags::Args;
use crate::install::{self, Needs};
use crate::project::{APP_PACKAGE, Project};
use crate::sizes;

/// The steps after `install`, in the order they run.
const STEPS: [&str; 5] = ["fmt", "clippy", "test", "build-app", "e2e"];

/// Flags of `cargo xtask test`.
pub struct Options {
    /// Steps to run, in order.
    steps: Vec<&'static str>,
}

impl Options {
    /// Reads `--no-e2e` and `--only STEP`.
    pub fn parse(mut args: Args) -> Result<Self> {
        let no_e2e = args.flag("--no-e2e");
        let only = args.value("--only")?;
        let steps = match only {
            Some(only) => match STEPS.iter().find(|s| **s == only) {
                Some(step) => vec![*step],
                None => bail!(
                    "unknown step `{only}` for --only: use one of {}",
                    STEPS.join(", ")
                ),
            },
            None if no_e2e => STEPS.iter().copied().filter(|s| *s != "e2e").collect(),
            None => STEPS.to_vec(),
        };
        args.finish()?;
        Ok(Self { steps })
    }
}

/// Test counts gathered from the runners' own summary lines.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Tests that passed (Playwright's flaky ones passed on retry and count here).
    pub passed: u64,
    /// Tests that failed.
    pub failed: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
    }
}

/// Runs the chosen steps and prints a summary; fails on the first failing step.
pub fn run(project: &Project, options: Options) -> Result<()> {
    let started = Instant::now();
    let mut timings: Vec<(&str, Duration, bool)> = Vec::new();
    let mut counts = Counts::default();

    let needs = options
        .steps
        .iter()
        .fold(Needs::NONE, |acc, step| acc.union(needs(step)));
    let result =
        timed(&mut timings, "install", || install::ensure(project, needs)).and_then(|()| {
            for step in &options.steps {
                timed(&mut timings, step, || {
                    counts.add(run_step(project, step)?);
                    Ok(())
                })?;
            }
            Ok(())
        });

    println!("\nxtask test: steps");
    for (step, took, ok) in &timings {
        let verdict = if *ok { "ok" } else { "FAILED" };
        println!("  {step:<10} {verdict:<7} {:>6.1}s", took.as_secs_f64());
    }
    let verdict = if result.is_ok() {
        "all steps passed"
    } else {
        "a step failed"
    };
    println!(
        "xtask test: {verdict} in {:.0}s",
        started.elapsed().as_secs_f64()
    );
    println!(
        "summary: {} passed, {} failed",
        counts.passed, counts.failed
    );
    result
}

fn timed<'a>(
    timings: &mut Vec<(&'a str, Duration, bool)>,
    step: &'a str,
    body: impl FnOnce() -> Result<()>,
) -> Result<()> {
    eprintln!("\n==> xtask test: {step}");
    let start = Instant::now();
    let result = body();
    timings.push((step, start.elapsed(), result.is_ok()));
    result
}

fn needs(step: &str) -> Needs {
    match step {
        "test" => Needs {
            moto: true,
            ..Needs::NONE
        },
        "build-app" => Needs::APP,
        "e2e" => Needs {
            e2e: true,
            ..Needs::APP
        },
        _ => Needs::NONE,
    }
}

fn run_step(project: &Project, step: &str) -> Result<Counts> {
    match step {
        "fmt" => {
            cmd::run(
                step,
                project.cargo().args(["fmt", "--all", "--", "--check"]),
            )?;
            Ok(Counts::default())
        }
        "clippy" => {
            cmd::run(
                step,
                project.cargo().args([
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ]),
            )?;
            Ok(Counts::default())
        }
        "test" => {
            let mut backend = project.cargo();
            backend
                .args(["test", "--workspace", "--exclude", APP_PACKAGE])
                .env("MOTO_SERVER", project.moto_server());
            // The app's own unit tests (texts, parsing, view helpers) run on the host in a
            // command of their own, so its browser-side features do not change the features,
            // and so the builds, of the backend crates above.
            let mut app = project.cargo();
            app.args(["test", "--package", APP_PACKAGE]);
            let mut counts = Counts::default();
            for command in [&mut backend, &mut app] {
                let (status, output) = cmd::tee_stdout(step, command)?;
                let these = cargo_test_counts(&output);
                counts.add(these);
                if !status.success() {
                    bail!(
                        "step `test` failed: `{}` exited with {status} ({} failed)",
                        cmd::display(command),
                        these.failed
                    );
                }
            }
            Ok(counts)
        }
        "build-app" => {
            let built = app::build(project, Profile::Release)?;
            sizes::print_table(&built.outputs()?)?;
            Ok(Counts::default())
        }
        "e2e" => {
            // Playwright needs the app; this is quick when the build-app step just ran.
            app::build(project, Profile::Release)?;
            e2e::run(project)
        }
        other => bail!("unknown step `{other}`"),
    }
}

/// Sums cargo test's `test result: ok. 12 passed; 0 failed; ...` lines.
pub fn cargo_test_counts(output: &str) -> Counts {
    let mut counts = Counts::default();
    for line in output.lines() {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            continue;
        };
        for part in rest.split(';') {
            let words: Vec<&str> = part.split_whitespace().collect();
            let [.., number, label] = words.as_slice() else {
                continue;
            };
            let Ok(n) = number.parse::<u64>() else {
                continue;
            };
            match *label {
                "passed" => counts.passed += n,
                "failed" => counts.failed += n,
                _ => {}
            }
        }
    }
    counts
}

/// Reads Playwright's closing `N passed (12.3s)` / `N failed` / `N flaky` lines.
pub fn playwright_counts(output: &str) -> Counts {
    let mut counts = Counts::default();
    for line in output.lines() {
        let mut words = line.split_whitespace();
        let (Some(number), Some(label)) = (words.next(), words.next()) else {
            continue;
        };
        let Ok(n) = number.parse::<u64>() else {
            continue;
        };
        match label {
            "passed" | "flaky" => counts.passed += n,
            "failed" => counts.failed += n,
            _ => {}
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn sums_every_cargo_test_result_line() {
        let output = "\
running 3 tests
test a ... ok
test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s

test result: FAILED. 4 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.2s
";
        assert_eq!(
            cargo_test_counts(output),
            Counts {
                passed: 7,
                failed: 2
            }
        );
    }

    #[test]
    fn reads_playwright_closing_lines() {
        let output = "\
  ✓  1 [mobile] › tests/resident.spec.ts:37:1 › a resident logs in (5.1s)

  1 failed
    [mobile] › tests/resident.spec.ts:80:1 › the person who moved
  1 flaky
  3 passed (14.2s)
";
        assert_eq!(
            playwright_counts(output),
            Counts {
                passed: 4,
                failed: 1
            }
        );
    }

    #[test]
    fn only_runs_the_named_step_and_rejects_unknown_ones() {
        let args = Args::new(vec!["--only".into(), "clippy".into()]);
        assert_eq!(Options::parse(args).unwrap().steps, vec!["clippy"]);
        let args = Args::new(vec!["--only".into(), "lint".into()]);
        assert!(Options::parse(args).is_err());
        let args = Args::new(vec!["--no-e2e".into()]);
        assert!(!Options::parse(args).unwrap().steps.contains(&"e2e"));
    }
}
