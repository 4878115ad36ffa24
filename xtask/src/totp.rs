//! `cargo xtask totp <municipality> <user id> [--data-dir DIR]`: the current TOTP code of a demo
//! staff account, read from the local demo data (what a tester's authenticator app would show).

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
    let positional = args.positional();
    args.finish()?;
    let [municipality, user_id] = &positional[..] else {
        bail!(
            "usage: cargo xtask totp <municipality code> <user id>, e.g. cargo xtask totp 131016 admin"
        );
    };
    // The server's own binary, built by `cargo xtask run`; built here if missing.
    let binary = project.host_binary("release", LOCAL_PACKAGE);
    if !binary.exists() {
        let mut build = project.cargo();
        build.args(["build", "--release", "--package", LOCAL_PACKAGE]);
        cmd::run("totp: build server", &mut build)?;
    }
    let mut totp = std::process::Command::new(binary);
    totp.arg("totp")
        .arg(municipality)
        .arg(user_id)
        .arg("--data-dir")
        .arg(&data_dir);
    cmd::run("totp", &mut totp)
}
