//! `cargo xtask gen-persons ...`: writes a realistic target-person CSV by passing the flags
//! through to the local server binary's `gen-persons` command (release build, so a million rows
//! take seconds).

use anyhow::Result;

use crate::cmd;
use crate::flags::Args;
use crate::project::{LOCAL_PACKAGE, Project};

pub fn run(project: &Project, args: Args) -> Result<()> {
    // The binary parses and checks the flags; xtask only forwards them.
    let passed = args.into_rest();
    let mut build = project.cargo();
    build.args(["build", "--release", "--package", LOCAL_PACKAGE]);
    cmd::run("gen-persons: build server", &mut build)?;
    let binary = project.host_binary("release", LOCAL_PACKAGE);
    let mut generate = std::process::Command::new(binary);
    generate.arg("gen-persons").args(&passed);
    cmd::run("gen-persons", &mut generate)
}
