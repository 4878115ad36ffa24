//! `cargo xtask audit-verify <municipality|platform> [--data-dir DIR] [--json]`: checks the hash
//! chain of a local operation log with the server's own binary, and fails unless it is intact.

use std::path::PathBuf;

use anyhow::{Result, bail};

use crate::cmd;
use crate::flags::Args;
use crate::project::{LOCAL_PACKAGE, Project};

pub fn run(project: &Project, mut args: Args) -> Result<()> {
    let data_dir = match args
        .value("--data-dir")?
        .or_else(|| std::env::var("SESSHU_DATA_DIR").ok())
    {
        Some(dir) if !dir.is_empty() => std::path::absolute(PathBuf::from(dir))?,
        _ => project.root.join(".sesshu").join("data"),
    };
    let json = args.flag("--json");
    let positional = args.positional();
    args.finish()?;
    let [municipality] = &positional[..] else {
        bail!(
            "usage: cargo xtask audit-verify <municipality code|platform> [--data-dir DIR] [--json], \
             e.g. cargo xtask audit-verify 131016"
        );
    };
    // The release build `cargo xtask run` uses; cargo makes this a no-op when it is current, and a
    // stale binary could predate the verifier.
    let mut build = project.cargo();
    build.args(["build", "--release", "--package", LOCAL_PACKAGE]);
    cmd::run("audit-verify: build server", &mut build)?;

    let mut verify = std::process::Command::new(project.host_binary("release", LOCAL_PACKAGE));
    verify
        .arg("audit-verify")
        .arg(municipality)
        .arg("--data-dir")
        .arg(&data_dir);
    if json {
        verify.arg("--json");
    }
    cmd::run("audit-verify", &mut verify)
}
