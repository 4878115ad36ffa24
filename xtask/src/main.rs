//! `cargo xtask <command>`: the project's build, run, test and bench entry points.
//!
//! Everything a developer or CI needs is Rust code here instead of shell scripts, so it behaves
//! the same on every machine (the rust-analyzer `xtask` pattern). Run `cargo xtask help`.

mod app;
mod audit_verify;
mod bench;
mod cmd;
mod e2e;
mod flags;
mod fuzz;
mod gen_persons;
mod install;
mod project;
mod run;
mod sizes;
mod testing;
mod totp;

use anyhow::{Result, bail};

use crate::flags::Args;
use crate::project::Project;

const USAGE: &str = "\
usage: cargo xtask <command> [flags]

commands:
  install                     install every tool the project needs (idempotent)
  build-app [--dev]           build the Leptos app into target/app/dist
  run [--port N] [--data-dir DIR] [--release|--dev]
                              build everything and start the local system
                              (port: --port, $PORT or 8080; data: --data-dir,
                              $SESSHU_DATA_DIR or .sesshu/data)
  test [--no-e2e] [--only STEP]
                              fmt, clippy, Rust tests, app build and the e2e suite;
                              STEP is one of: fmt, clippy, test, build-app, e2e
  bench [NAME...] [--out FILE]
                              run benchmarks (all, or the named ones) and print
                              a markdown report; --out also writes it to FILE
  totp <municipality> <user>  print a demo staff user's current TOTP code
                              (local demo data; e.g. totp 131016 admin)
  audit-verify <municipality> [--data-dir DIR] [--json]
                              check the hash chain of a local operation log
                              (a municipality code or `platform`); fails
                              unless it is intact; stop the server first
  gen-persons --rows N --municipality CODE --encoding cp932|utf8|utf8-bom
              --out PATH [--seed S] [--error-every K]
                              write a realistic target-person CSV (import
                              layout, valid check digits; every K-th row
                              broken in one column); --out - for stdout
  fuzz [TARGET] [SECONDS] [--asan]
                              run a cargo-fuzz target of fuzz/ (default
                              person_csv for 60 s; stable Rust, no
                              sanitizer unless --asan)
  help                        show this text";

fn main() {
    if let Err(err) = try_main() {
        eprintln!("xtask: error: {err:#}");
        std::process::exit(1);
    }
}

fn try_main() -> Result<()> {
    let mut args = Args::from_env();
    let Some(command) = args.command() else {
        println!("{USAGE}");
        return Ok(());
    };
    let project = Project::locate()?;
    match command.as_str() {
        "install" => {
            args.finish()?;
            install::ensure(&project, install::Needs::ALL)?;
            Ok(())
        }
        "build-app" => {
            let profile = app::Profile::from_dev_flag(args.flag("--dev"));
            args.finish()?;
            install::ensure(&project, install::Needs::APP)?;
            let built = app::build(&project, profile)?;
            sizes::print_table(&built.outputs()?)?;
            Ok(())
        }
        "run" => run::run(&project, run::Options::parse(args)?),
        "test" => testing::run(&project, testing::Options::parse(args)?),
        "bench" => bench::run(&project, bench::Options::parse(args)?),
        "audit-verify" => audit_verify::run(&project, args),
        "totp" => totp::run(&project, args),
        "gen-persons" => gen_persons::run(&project, args),
        "fuzz" => fuzz::run(&project, args),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command `{other}`: try `cargo xtask help`"),
    }
}
