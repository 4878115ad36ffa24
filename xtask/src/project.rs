//! Where things live: the repository root, cargo's target dir, tools, the built app.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The crate that holds the Leptos app.
pub const APP_PACKAGE: &str = "sesshu-app";
/// The crate of the single-machine server.
pub const LOCAL_PACKAGE: &str = "sesshu-local";

/// Paths of the checkout xtask was built in.
pub struct Project {
    /// The workspace root (the folder holding the root `Cargo.toml`).
    pub root: PathBuf,
    /// Cargo's target dir: `$CARGO_TARGET_DIR` when set, else `<root>/target`.
    pub target: PathBuf,
}

impl Project {
    /// Finds the workspace root from where xtask was compiled, so it works from any directory.
    pub fn locate() -> Result<Self> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .context("xtask is expected one level below the workspace root")?
            .to_path_buf();
        let target = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) if !dir.is_empty() => std::path::absolute(PathBuf::from(dir))?,
            _ => root.join("target"),
        };
        Ok(Self { root, target })
    }

    /// The cargo that started us (`$CARGO`), or the one on PATH.
    pub fn cargo(&self) -> std::process::Command {
        let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = std::process::Command::new(program);
        command.current_dir(&self.root);
        command
    }

    /// Installed tools; always under the checkout's own `target/`, whatever the cargo target
    /// dir, so every build of this checkout shares one set.
    pub fn tools(&self) -> PathBuf {
        self.root.join("target").join("tools")
    }

    /// The built app that the local server serves.
    pub fn dist(&self) -> PathBuf {
        self.root.join("target").join("app").join("dist")
    }

    /// Build stamps that let repeated builds skip unchanged work.
    pub fn stamps(&self) -> PathBuf {
        self.root.join("target").join("app").join("stamps")
    }

    /// The `wasm-bindgen` version pinned by Cargo.lock; the CLI must match it exactly.
    pub fn wasm_bindgen_version(&self) -> Result<String> {
        let lock = std::fs::read_to_string(self.root.join("Cargo.lock"))
            .context("cannot read Cargo.lock: run `cargo generate-lockfile`")?;
        let versions = locked_versions(&lock, "wasm-bindgen");
        match versions.as_slice() {
            [one] => Ok(one.clone()),
            [] => {
                bail!("Cargo.lock has no `wasm-bindgen` package: the app crate should depend on it")
            }
            many => bail!(
                "Cargo.lock has several `wasm-bindgen` versions ({}): pin one so the CLI can match it",
                many.join(", ")
            ),
        }
    }

    /// The wasm-bindgen CLI installed for `version`.
    pub fn wasm_bindgen(&self, version: &str) -> PathBuf {
        self.tools()
            .join(format!("wasm-bindgen-{version}"))
            .join("bin")
            .join("wasm-bindgen")
    }

    /// binaryen's `wasm-opt` from npm (Debian's is too old: its output fails in Chromium).
    pub fn wasm_opt(&self) -> PathBuf {
        self.root.join("style/node_modules/.bin/wasm-opt")
    }

    /// The Python venv holding moto, the DynamoDB/KMS emulator.
    pub fn moto_venv(&self) -> PathBuf {
        self.tools().join("moto-venv")
    }

    /// moto's server entry point, handed to the Rust tests as `$MOTO_SERVER`.
    pub fn moto_server(&self) -> PathBuf {
        self.moto_venv().join("bin").join("moto_server")
    }

    /// A binary built by cargo for the host in `profile_dir` (`debug` or `release`).
    pub fn host_binary(&self, profile_dir: &str, name: &str) -> PathBuf {
        self.target.join(profile_dir).join(name)
    }
}

/// Every version of package `name` recorded in a Cargo.lock text.
pub fn locked_versions(lock: &str, name: &str) -> Vec<String> {
    let mut versions = Vec::new();
    let mut current: Option<&str> = None;
    for line in lock.lines() {
        let line = line.trim();
        if line == "[[package]]" {
            current = None;
        } else if let Some(value) = line.strip_prefix("name = ") {
            current = Some(value.trim_matches('"'));
        } else if let Some(value) = line.strip_prefix("version = ")
            && current == Some(name)
        {
            versions.push(value.trim_matches('"').to_owned());
        }
    }
    versions
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "wasm-bindgen-macro"
version = "0.2.99"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "wasm-bindgen-macro",
]
"#;

    #[test]
    fn finds_the_exact_locked_version_of_a_package() {
        assert_eq!(locked_versions(LOCK, "wasm-bindgen"), vec!["0.2.130"]);
    }

    #[test]
    fn does_not_confuse_packages_sharing_a_prefix() {
        assert_eq!(locked_versions(LOCK, "wasm-bindgen-macro"), vec!["0.2.99"]);
        assert!(locked_versions(LOCK, "wasm").is_empty());
    }

    #[test]
    fn reads_this_workspace_lockfile() {
        let project = Project::locate();
        assert!(project.is_ok_and(|p| p.wasm_bindgen_version().is_ok()));
    }
}
