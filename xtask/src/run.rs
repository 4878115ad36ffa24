//! `cargo xtask run`: build what changed, then become the local server.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::app::{self, Profile};
use crate::cmd;
use crate::flags::Args;
use crate::install;
use crate::project::{LOCAL_PACKAGE, Project};
use crate::sizes;

const DEFAULT_PORT: u16 = 8080;

/// Flags of `cargo xtask run`.
pub struct Options {
    port: Option<String>,
    data_dir: Option<String>,
    profile: Profile,
}

impl Options {
    /// Reads `--port N`, `--data-dir DIR` and `--release` (the default) or `--dev`.
    pub fn parse(mut args: Args) -> Result<Self> {
        let port = args.value("--port")?;
        let data_dir = args.value("--data-dir")?;
        let dev = args.flag("--dev");
        let release = args.flag("--release");
        if dev && release {
            anyhow::bail!("`--dev` and `--release` exclude each other");
        }
        args.finish()?;
        Ok(Self {
            port,
            data_dir,
            profile: Profile::from_dev_flag(dev),
        })
    }
}

/// Installs, builds, and execs `sesshu-local` (never returns on success).
pub fn run(project: &Project, options: Options) -> Result<()> {
    let port = resolve_port(options.port, std::env::var("PORT").ok())?;
    let data_dir = match options
        .data_dir
        .or_else(|| std::env::var("SESSHU_DATA_DIR").ok())
    {
        Some(dir) if !dir.is_empty() => std::path::absolute(PathBuf::from(dir))?,
        _ => project.root.join(".sesshu").join("data"),
    };
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create the data dir {}", data_dir.display()))?;

    install::ensure(project, install::Needs::APP)?;
    let built = app::build(project, options.profile)?;
    if built.rebuilt {
        sizes::print_table(&built.outputs()?)?;
    }

    let mut build = project.cargo();
    build.args(["build", "--package", LOCAL_PACKAGE]);
    let profile_dir = match options.profile {
        Profile::Release => {
            build.arg("--release");
            "release"
        }
        Profile::Dev => "debug",
    };
    cmd::run("run: build server", &mut build)?;

    let mut server = std::process::Command::new(project.host_binary(profile_dir, LOCAL_PACKAGE));
    server
        .arg("--port")
        .arg(port.to_string())
        .arg("--data-dir")
        .arg(&data_dir)
        .arg("--app-dir")
        .arg(&built.dist)
        .current_dir(&project.root);
    eprintln!("[run] $ {}", cmd::display(&server));
    exec(server)
}

#[cfg(unix)]
fn exec(mut command: std::process::Command) -> Result<()> {
    use std::os::unix::process::CommandExt;
    // Replacing this process hands Ctrl-C and the exit code straight to the server.
    let err = command.exec();
    Err(err).context("cannot start the local server")
}

#[cfg(not(unix))]
fn exec(mut command: std::process::Command) -> Result<()> {
    cmd::run("run", &mut command)
}

fn resolve_port(flag: Option<String>, env: Option<String>) -> Result<u16> {
    let (value, source) = match (flag, env) {
        (Some(v), _) => (v, "--port"),
        (None, Some(v)) if !v.is_empty() => (v, "$PORT"),
        _ => return Ok(DEFAULT_PORT),
    };
    value
        .parse()
        .with_context(|| format!("{source} must be a port number (1-65535), got `{value}`"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn the_port_flag_wins_over_the_environment() {
        assert_eq!(
            resolve_port(Some("9001".into()), Some("9002".into())).unwrap(),
            9001
        );
        assert_eq!(resolve_port(None, Some("9002".into())).unwrap(), 9002);
        assert_eq!(resolve_port(None, None).unwrap(), 8080);
    }

    #[test]
    fn a_bad_port_names_where_it_came_from() {
        let err = resolve_port(None, Some("http".into()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("$PORT"), "{err}");
    }
}
