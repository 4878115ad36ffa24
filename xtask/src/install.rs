//! `cargo xtask install`: every tool the project needs, each installed once and skipped quickly
//! when present. Only the package registries are used (crates.io, npm, PyPI, Debian): nothing
//! downloads a prebuilt binary from elsewhere.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use crate::cmd;
use crate::project::Project;

/// The moto release the DynamoDB/KMS contract tests are written against.
const MOTO: &str = "moto[server]==5.2.5";
/// Japanese glyphs for Chromium, so e2e screenshots show text instead of empty boxes.
const JAPANESE_FONT_PACKAGE: &str = "fonts-ipafont-gothic";
const JAPANESE_FONT_FILE: &str = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf";
const CHROMIUM: &str = "/usr/bin/chromium";

/// Which groups of tools a command needs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Needs {
    /// The wasm32 target and the wasm-bindgen CLI.
    pub wasm: bool,
    /// style/ npm packages: design tokens and binaryen's wasm-opt.
    pub style: bool,
    /// e2e/ npm packages (Playwright, axe) and Debian's Chromium.
    pub e2e: bool,
    /// The moto venv for the DynamoDB/KMS tests.
    pub moto: bool,
}

impl Needs {
    /// Everything (`install`, `test`).
    pub const ALL: Self = Self {
        wasm: true,
        style: true,
        e2e: true,
        moto: true,
    };
    /// What building the app needs (`build-app`, `run`, `bench`).
    pub const APP: Self = Self {
        wasm: true,
        style: true,
        e2e: false,
        moto: false,
    };
    /// Nothing beyond the Rust toolchain.
    pub const NONE: Self = Self {
        wasm: false,
        style: false,
        e2e: false,
        moto: false,
    };

    /// Both sets together.
    pub fn union(self, other: Self) -> Self {
        Self {
            wasm: self.wasm || other.wasm,
            style: self.style || other.style,
            e2e: self.e2e || other.e2e,
            moto: self.moto || other.moto,
        }
    }
}

/// Installs what `needs` names, printing one line per tool.
pub fn ensure(project: &Project, needs: Needs) -> Result<()> {
    std::thread::scope(|scope| {
        // Compiling wasm-bindgen-cli keeps both cores busy for minutes while the other installs
        // mostly wait on the network, so it runs alongside them.
        let bindgen = needs.wasm.then(|| {
            wasm_target(project)?;
            Ok::<_, anyhow::Error>(scope.spawn(|| wasm_bindgen(project)))
        });
        let others = (|| {
            if needs.style {
                npm_packages(
                    &project.root.join("style"),
                    "style npm packages (design tokens, wasm-opt)",
                )?;
            }
            if needs.e2e {
                npm_packages(
                    &project.root.join("e2e"),
                    "e2e npm packages (playwright, axe)",
                )?;
                chromium()?;
            }
            if needs.moto {
                moto(project)?;
            }
            Ok::<_, anyhow::Error>(())
        })();
        if let Some(bindgen) = bindgen {
            match bindgen?.join() {
                Ok(result) => result?,
                Err(_) => bail!("installing wasm-bindgen-cli panicked"),
            }
        }
        others
    })
}

fn report(tool: &str, present: bool) {
    println!(
        "install: {tool}: {}",
        if present { "ok" } else { "installing" }
    );
}

fn wasm_target(project: &Project) -> Result<()> {
    const TARGET: &str = "wasm32-unknown-unknown";
    let sysroot = cmd::read(
        "install",
        Command::new("rustc").args(["--print", "sysroot"]),
    )?;
    let present = Path::new(sysroot.trim())
        .join("lib/rustlib")
        .join(TARGET)
        .is_dir();
    report(&format!("rust target {TARGET}"), present);
    if !present {
        cmd::run(
            "install wasm target",
            Command::new("rustup")
                .args(["target", "add", TARGET])
                .current_dir(&project.root),
        )?;
    }
    Ok(())
}

fn wasm_bindgen(project: &Project) -> Result<()> {
    let version = project.wasm_bindgen_version()?;
    let binary = project.wasm_bindgen(&version);
    let present = binary.is_file();
    report(&format!("wasm-bindgen-cli {version}"), present);
    if present {
        return Ok(());
    }
    let root = project.tools().join(format!("wasm-bindgen-{version}"));
    // Without --locked: the CLI's own lockfile names a webpki-roots release the registry no
    // longer has. The versioned folder keeps the skip check honest when Cargo.lock moves on.
    cmd::run(
        "install wasm-bindgen-cli",
        project
            .cargo()
            .args([
                "install",
                "wasm-bindgen-cli",
                "--version",
                &version,
                "--root",
            ])
            .arg(&root),
    )?;
    if !binary.is_file() {
        bail!(
            "wasm-bindgen-cli installed but {} is missing",
            binary.display()
        );
    }
    Ok(())
}

/// Installs a folder's npm packages when package.json or package-lock.json changed since the
/// last install (a hash stamp inside node_modules records what was installed).
fn npm_packages(dir: &Path, label: &str) -> Result<()> {
    let manifest = std::fs::read(dir.join("package.json"))
        .with_context(|| format!("cannot read {}/package.json", dir.display()))?;
    let lock_path = dir.join("package-lock.json");
    let lock = std::fs::read(&lock_path).unwrap_or_default();
    let mut hasher = Sha256::new();
    hasher.update(&manifest);
    hasher.update(&lock);
    let want = format!("{:x}", hasher.finalize());
    let stamp = dir.join("node_modules").join(".xtask-installed");
    let present = std::fs::read_to_string(&stamp).is_ok_and(|have| have.trim() == want);
    report(label, present);
    if present {
        return Ok(());
    }
    let mut npm = Command::new("npm");
    npm.arg(if lock_path.is_file() { "ci" } else { "install" })
        .args(["--no-audit", "--no-fund"])
        .current_dir(dir)
        // Browsers come from Debian; Playwright must never fetch its own.
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    cmd::run(&format!("install {label}"), &mut npm)?;
    std::fs::write(&stamp, want).with_context(|| format!("cannot write {}", stamp.display()))?;
    Ok(())
}

fn chromium() -> Result<()> {
    let present = Path::new(CHROMIUM).is_file() && Path::new(JAPANESE_FONT_FILE).is_file();
    report("chromium (Debian) with Japanese fonts", present);
    if present {
        return Ok(());
    }
    let sudo = !is_root()?;
    let apt = |args: &[&str]| {
        let mut command = if sudo {
            Command::new("sudo")
        } else {
            Command::new("apt-get")
        };
        if sudo {
            command.arg("apt-get");
        }
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    cmd::run("install chromium", &mut apt(&["update"]))?;
    cmd::run(
        "install chromium",
        &mut apt(&["install", "-y", "chromium", JAPANESE_FONT_PACKAGE]),
    )?;
    Ok(())
}

fn is_root() -> Result<bool> {
    Ok(cmd::read("install", Command::new("id").arg("-u"))?.trim() == "0")
}

fn moto(project: &Project) -> Result<()> {
    let present = project.moto_server().is_file();
    report("moto server (python venv)", present);
    if present {
        return Ok(());
    }
    let venv = project.moto_venv();
    cmd::run(
        "install moto venv",
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
    )
    .context("python3 -m venv failed: on Debian install python3-venv")?;
    cmd::run(
        "install moto",
        Command::new(venv.join("bin").join("pip")).args([
            "install",
            "--disable-pip-version-check",
            "--quiet",
            MOTO,
        ]),
    )?;
    if !project.moto_server().is_file() {
        bail!(
            "moto installed but {} is missing",
            project.moto_server().display()
        );
    }
    Ok(())
}
