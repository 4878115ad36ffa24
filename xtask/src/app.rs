//! `cargo xtask build-app`: the Leptos app, from Rust to the files the server hands out.
//!
//! For each bin of the app crate: cargo (wasm32) → wasm-bindgen `--target web` → wasm-opt `-Oz`
//! (release only) into a staging folder, skipped when the cargo output is unchanged. Then
//! `target/app/dist` is assembled afresh: the staged bundles, `public/*`, `app.css` (the design
//! tokens followed by `style/*.css`) when the page asks for it, and `<name>.css` from
//! `style/<name>/*.css` for pages that ask for it (e.g. `staff.css`, which only staff.html loads),
//! with `?v=<hash>` added to every asset URL so browsers may cache assets for good and still
//! never run a stale one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use crate::cmd;
use crate::project::{APP_PACKAGE, Project};
use crate::sizes::{self, Size};

const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Where the Digital Agency design tokens keep their CSS inside the npm package.
const TOKENS_PACKAGE: &str = "style/node_modules/@digital-go-jp/design-tokens";
/// The stylesheet name that makes the build concatenate tokens and styles.
const APP_CSS: &str = "app.css";

/// How the app is compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// `wasm-release` (opt-level z, LTO, panic abort) and wasm-opt -Oz: what residents get.
    Release,
    /// cargo's dev profile, wasm-bindgen `--debug`, no wasm-opt: quick rebuilds.
    Dev,
}

impl Profile {
    /// `--dev` picks Dev; release otherwise.
    pub fn from_dev_flag(dev: bool) -> Self {
        if dev { Self::Dev } else { Self::Release }
    }

    fn cargo_profile(self) -> &'static str {
        match self {
            Self::Release => "wasm-release",
            Self::Dev => "dev",
        }
    }

    fn output_dir(self) -> &'static str {
        match self {
            Self::Release => "wasm-release",
            Self::Dev => "debug",
        }
    }
}

/// One bundle of the app: a bin target of the app crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bin {
    /// The bin target name, also the bundle's file stem (`<name>.js`, `<name>_bg.wasm`).
    pub name: String,
    /// True for the bin at `src/main.rs`: the resident bundle.
    pub resident: bool,
}

/// The result of a build.
pub struct BuiltApp {
    /// The assembled folder (`target/app/dist`).
    pub dist: PathBuf,
    /// Whether any bundle went through wasm-bindgen again (false when all were up to date).
    pub rebuilt: bool,
}

impl BuiltApp {
    /// Sizes of every file in dist, by name.
    pub fn outputs(&self) -> Result<Vec<Size>> {
        let mut files = list_files(&self.dist)?;
        files.sort();
        files
            .iter()
            .map(|f| sizes::measure(&self.dist.join(f)))
            .collect()
    }

    /// Sizes of what a browser downloads to show the first page: `index.html` and every dist file
    /// it references, transitively (so staff bundles that the page never loads are not counted).
    pub fn first_load(&self) -> Result<Vec<Size>> {
        let names = list_files(&self.dist)?;
        let mut texts = BTreeMap::new();
        for name in &names {
            if is_text(name) {
                texts.insert(name.clone(), std::fs::read_to_string(self.dist.join(name))?);
            }
        }
        let loaded = referenced_closure("index.html", &names, &texts);
        loaded
            .iter()
            .map(|f| sizes::measure(&self.dist.join(f)))
            .collect()
    }
}

/// Builds every bundle and assembles `target/app/dist`. Tools must be installed first.
pub fn build(project: &Project, profile: Profile) -> Result<BuiltApp> {
    let step = "build-app";
    let bins = app_bins(project)?;
    if bins.is_empty() {
        bail!("step `{step}`: the `{APP_PACKAGE}` crate has no bin target to build");
    }
    cmd::run(
        step,
        project.cargo().args([
            "build",
            "--package",
            APP_PACKAGE,
            "--bins",
            "--target",
            WASM_TARGET,
            "--profile",
            profile.cargo_profile(),
        ]),
    )?;

    let bindgen_version = project.wasm_bindgen_version()?;
    let features = wasm_opt_features(project)?;
    let wasm_bindgen = project.wasm_bindgen(&bindgen_version);
    let staging = project.stamps().join(profile.cargo_profile());
    std::fs::create_dir_all(&staging)?;
    let mut rebuilt = false;
    for bin in &bins {
        let input = project
            .target
            .join(WASM_TARGET)
            .join(profile.output_dir())
            .join(format!("{}.wasm", bin.name));
        let bytes =
            std::fs::read(&input).with_context(|| format!("cargo left no {}", input.display()))?;
        let stamp_path = staging.join(format!("{}.stamp", bin.name));
        let stamp = format!("{} wasm-bindgen {bindgen_version}", hex(&bytes));
        let staged = [staging.join(js_name(bin)), staging.join(wasm_name(bin))];
        let fresh = std::fs::read_to_string(&stamp_path).is_ok_and(|s| s == stamp)
            && staged.iter().all(|f| f.is_file());
        if fresh {
            println!("build-app: {} is up to date", bin.name);
            continue;
        }
        rebuilt = true;
        let mut bindgen = Command::new(&wasm_bindgen);
        bindgen
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                &bin.name,
                "--out-dir",
            ])
            .arg(&staging)
            .arg(&input);
        if profile == Profile::Dev {
            bindgen.arg("--debug");
        }
        cmd::run(&format!("{step}: wasm-bindgen {}", bin.name), &mut bindgen)?;
        if profile == Profile::Release {
            let wasm = staging.join(wasm_name(bin));
            cmd::run(
                &format!("{step}: wasm-opt {}", bin.name),
                Command::new(project.wasm_opt())
                    .arg("-Oz")
                    .args(&features)
                    .arg(&wasm)
                    .arg("-o")
                    .arg(&wasm),
            )?;
        }
        std::fs::write(&stamp_path, stamp)?;
    }

    let dist = project.dist();
    assemble(project, &staging, &bins, &dist)?;
    Ok(BuiltApp { dist, rebuilt })
}

/// wasm-opt flags for the wasm features rustc compiles with. wasm-bindgen rewrites the module's
/// `target_features` section to list only what it needs itself, so wasm-opt cannot detect them
/// and would reject the `memory.copy` that rustc emits.
fn wasm_opt_features(project: &Project) -> Result<Vec<String>> {
    let cfg = cmd::read(
        "build-app",
        Command::new("rustc")
            .args(["--print", "cfg", "--target", WASM_TARGET])
            .current_dir(&project.root),
    )?;
    Ok(binaryen_flags(&cfg))
}

fn binaryen_flags(rustc_cfg: &str) -> Vec<String> {
    let mut flags = Vec::new();
    for line in rustc_cfg.lines() {
        let Some(feature) = line
            .strip_prefix("target_feature=\"")
            .and_then(|rest| rest.strip_suffix('"'))
        else {
            continue;
        };
        let names: &[&str] = match feature {
            "bulk-memory" => &["bulk-memory", "bulk-memory-opt"],
            "nontrapping-fptoint" => &["nontrapping-float-to-int"],
            "simd128" => &["simd"],
            "atomics" => &["threads"],
            other => &[other][..],
        };
        flags.extend(names.iter().map(|name| format!("--enable-{name}")));
    }
    flags
}

fn js_name(bin: &Bin) -> String {
    format!("{}.js", bin.name)
}

fn wasm_name(bin: &Bin) -> String {
    format!("{}_bg.wasm", bin.name)
}

/// The app crate's bin targets, from `cargo metadata` so `[[bin]]` renames are honoured.
fn app_bins(project: &Project) -> Result<Vec<Bin>> {
    let json = cmd::read(
        "build-app",
        project
            .cargo()
            .args(["metadata", "--no-deps", "--format-version", "1"]),
    )?;
    bins_from_metadata(&json)
}

fn bins_from_metadata(json: &str) -> Result<Vec<Bin>> {
    let metadata: serde_json::Value =
        serde_json::from_str(json).context("cargo metadata printed invalid JSON")?;
    let package = metadata["packages"]
        .as_array()
        .and_then(|packages| packages.iter().find(|p| p["name"] == APP_PACKAGE))
        .with_context(|| format!("the workspace has no `{APP_PACKAGE}` package"))?;
    let mut bins = Vec::new();
    for target in package["targets"].as_array().into_iter().flatten() {
        let is_bin = target["kind"]
            .as_array()
            .is_some_and(|kinds| kinds.iter().any(|k| k == "bin"));
        if let (true, Some(name)) = (is_bin, target["name"].as_str()) {
            let src = target["src_path"].as_str().unwrap_or_default();
            let resident = Path::new(src).ends_with("src/main.rs");
            bins.push(Bin {
                name: name.to_owned(),
                resident,
            });
        }
    }
    bins.sort_by(|a, b| (!a.resident, &a.name).cmp(&(!b.resident, &b.name)));
    Ok(bins)
}

/// Writes dist from the staged bundles, public/ and the styles, replacing what was there.
fn assemble(project: &Project, staging: &Path, bins: &[Bin], dist: &Path) -> Result<()> {
    // name → content, in the order URLs must be fixed: a file's hash covers the rewritten URLs
    // inside it, so what it references must be final before it is hashed.
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let public = project.root.join("public");
    if public.is_dir() {
        for name in list_files(&public)? {
            files.insert(name.clone(), std::fs::read(public.join(&name))?);
        }
    } else {
        println!("build-app: warning: no public/ folder, so dist has no page");
    }
    for bin in bins {
        for name in [js_name(bin), wasm_name(bin)] {
            let content = std::fs::read(staging.join(&name))
                .with_context(|| format!("missing staged {name}: run build-app again"))?;
            files.insert(name, content);
        }
    }
    let page_wants_css = files
        .get("index.html")
        .is_some_and(|html| contains_reference(&String::from_utf8_lossy(html), APP_CSS));
    if page_wants_css {
        files.insert(APP_CSS.to_owned(), app_css(project)?);
    }
    for (name, css) in page_stylesheets(project, &files)? {
        files.insert(name, css);
    }

    let glue: Vec<String> = bins.iter().map(js_name).collect();
    let level = |name: &str| -> u8 {
        if name.ends_with(".html") {
            3
        } else if name.ends_with(".js") && !glue.iter().any(|g| g == name) {
            2
        } else if name.ends_with(".js") {
            1
        } else {
            0
        }
    };
    let mut versions: Vec<(String, String)> = Vec::new();
    for current in 0..=3u8 {
        let names: Vec<String> = files
            .keys()
            .filter(|n| level(n) == current)
            .cloned()
            .collect();
        for name in names {
            let Some(content) = files.get_mut(&name) else {
                continue;
            };
            if current > 0 {
                let mut text = String::from_utf8(std::mem::take(content))
                    .with_context(|| format!("{name} is not UTF-8 text"))?;
                for (asset, version) in &versions {
                    text = add_version(&text, asset, version);
                }
                *content = text.into_bytes();
            }
            versions.push((name, hex(content)[..10].to_owned()));
        }
    }

    std::fs::create_dir_all(dist)?;
    for stale in list_files(dist)? {
        if !files.contains_key(&stale) {
            std::fs::remove_file(dist.join(&stale))?;
        }
    }
    for (name, content) in &files {
        let path = dist.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if std::fs::read(&path).ok().as_ref() != Some(content) {
            std::fs::write(&path, content)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(())
}

/// The design tokens' CSS followed by `style/*.css` in name order.
fn app_css(project: &Project) -> Result<Vec<u8>> {
    let package = project.root.join(TOKENS_PACKAGE);
    let tokens = [package.join("dist/tokens.css"), package.join("tokens.css")]
        .into_iter()
        .find(|p| p.is_file())
        .with_context(|| {
            format!(
                "no tokens.css in {}: run `cargo xtask install`",
                package.display()
            )
        })?;
    let mut css = std::fs::read(&tokens)?;
    concat_sheets(&project.root.join("style"), &mut css)?;
    Ok(css)
}

/// `<name>.css` for each folder `style/<name>/` whose stylesheet a page in `files` references:
/// the folder's `*.css` in name order. Styles only one bundle's pages need (the staff pages')
/// stay out of `app.css`, which residents download.
fn page_stylesheets(
    project: &Project,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<Vec<(String, Vec<u8>)>> {
    let style = project.root.join("style");
    let pages: Vec<String> = files
        .iter()
        .filter(|(name, _)| name.ends_with(".html"))
        .map(|(_, html)| String::from_utf8_lossy(html).into_owned())
        .collect();
    let mut sheets = Vec::new();
    for entry in std::fs::read_dir(&style)? {
        let folder = entry?.path();
        let Some(stem) = folder.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let name = format!("{stem}.css");
        if !folder.is_dir() || !pages.iter().any(|html| contains_reference(html, &name)) {
            continue;
        }
        let mut css = Vec::new();
        concat_sheets(&folder, &mut css)?;
        sheets.push((name, css));
    }
    Ok(sheets)
}

/// Appends the `*.css` files directly in `dir`, in name order, each after a newline.
fn concat_sheets(dir: &Path, css: &mut Vec<u8>) -> Result<()> {
    let mut sheets: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "css") && p.is_file())
        .collect();
    sheets.sort();
    for sheet in sheets {
        if !css.is_empty() {
            css.push(b'\n');
        }
        css.extend(std::fs::read(&sheet)?);
    }
    Ok(())
}

/// Files under `dir`, as `/`-separated paths relative to it.
fn list_files(dir: &Path) -> Result<Vec<String>> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
        for entry in
            std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                walk(base, &path, out)?;
            } else if let Ok(relative) = path.strip_prefix(base) {
                let parts: Vec<_> = relative.iter().map(|p| p.to_string_lossy()).collect();
                out.push(parts.join("/"));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    if dir.is_dir() {
        walk(dir, dir, &mut out)?;
    }
    Ok(out)
}

fn is_text(name: &str) -> bool {
    [".html", ".js", ".css", ".svg"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

fn hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Byte ranges where `text` refers to the asset `name` as a URL: the name comes right after a
/// `/`, quote or `(` and right before a quote, `)` or `?`.
fn references(text: &str, name: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = text[from..].find(name) {
        let start = from + offset;
        let end = start + name.len();
        let before_ok = start > 0 && matches!(bytes[start - 1], b'/' | b'"' | b'\'' | b'(');
        let after_ok = bytes
            .get(end)
            .is_some_and(|b| matches!(b, b'"' | b'\'' | b')' | b'?'));
        if before_ok && after_ok {
            found.push(end);
        }
        from = end;
    }
    found
}

fn contains_reference(text: &str, name: &str) -> bool {
    !references(text, name).is_empty()
}

/// Appends `?v=<version>` to every URL in `text` that points at `name` (and has no query yet).
pub fn add_version(text: &str, name: &str, version: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut last = 0;
    for end in references(text, name) {
        if text.as_bytes().get(end) == Some(&b'?') {
            continue;
        }
        out.push_str(&text[last..end]);
        out.push_str("?v=");
        out.push_str(version);
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

/// `start` and every file it references, directly or through other text files.
fn referenced_closure(
    start: &str,
    names: &[String],
    texts: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut loaded = vec![start.to_owned()];
    let mut next = 0;
    while next < loaded.len() {
        if let Some(text) = texts.get(&loaded[next]) {
            for name in names {
                let base = name.rsplit('/').next().unwrap_or(name);
                if !loaded.contains(name) && contains_reference(text, base) {
                    loaded.push(name.clone());
                }
            }
        }
        next += 1;
    }
    loaded
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn versions_urls_in_html_js_and_glue_code() {
        let html = r#"<link rel="stylesheet" href="/app.css"><script src="/resident.js"></script>"#;
        let html = add_version(html, "app.css", "abc");
        assert_eq!(
            add_version(&html, "resident.js", "def"),
            r#"<link rel="stylesheet" href="/app.css?v=abc"><script src="/resident.js?v=def"></script>"#
        );
        let js = "import init from '/sesshu-app.js';";
        assert_eq!(
            add_version(js, "sesshu-app.js", "1"),
            "import init from '/sesshu-app.js?v=1';"
        );
        let glue = "module_or_path = new URL('sesshu-app_bg.wasm', import.meta.url);";
        assert!(add_version(glue, "sesshu-app_bg.wasm", "2").contains("'sesshu-app_bg.wasm?v=2'"));
    }

    #[test]
    fn leaves_lookalike_names_and_versioned_urls_alone() {
        let text = r#"<script src="/my-app.js"></script> '/app.js?v=1' app.js"#;
        assert_eq!(add_version(text, "app.js", "9"), text);
    }

    #[test]
    fn first_load_follows_references_but_skips_unloaded_bundles() {
        let names: Vec<String> = [
            "index.html",
            "resident.js",
            "sesshu-app.js",
            "sesshu-app_bg.wasm",
            "staff.js",
            "staff_bg.wasm",
            "app.css",
        ]
        .map(String::from)
        .to_vec();
        let texts = BTreeMap::from([
            (
                "index.html".to_owned(),
                r#"<link href="/app.css?v=1"><script src="/resident.js?v=2"></script>"#.to_owned(),
            ),
            (
                "resident.js".to_owned(),
                "import i from '/sesshu-app.js?v=3';".to_owned(),
            ),
            (
                "sesshu-app.js".to_owned(),
                "new URL('sesshu-app_bg.wasm?v=4')".to_owned(),
            ),
            ("staff.js".to_owned(), "new URL('staff_bg.wasm')".to_owned()),
        ]);
        let mut loaded = referenced_closure("index.html", &names, &texts);
        loaded.sort();
        assert_eq!(
            loaded,
            [
                "app.css",
                "index.html",
                "resident.js",
                "sesshu-app.js",
                "sesshu-app_bg.wasm"
            ]
        );
    }

    #[test]
    fn pages_get_the_stylesheet_of_their_style_folder_and_nothing_else() {
        let root = std::env::temp_dir().join(format!("xtask-page-css-{}", std::process::id()));
        let style = root.join("style");
        std::fs::create_dir_all(style.join("staff")).unwrap();
        std::fs::create_dir_all(style.join("unused")).unwrap();
        std::fs::write(style.join("app.css"), "main{}").unwrap();
        std::fs::write(style.join("staff/b.css"), "b{}").unwrap();
        std::fs::write(style.join("staff/a.css"), "a{}").unwrap();
        std::fs::write(style.join("unused/x.css"), "x{}").unwrap();
        let project = Project {
            root: root.clone(),
            target: root.join("target"),
        };
        let files = BTreeMap::from([
            (
                "index.html".to_owned(),
                br#"<link href="/app.css">"#.to_vec(),
            ),
            (
                "staff.html".to_owned(),
                br#"<link href="/app.css"><link href="/staff.css">"#.to_vec(),
            ),
        ]);
        let sheets = page_stylesheets(&project, &files);
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(
            sheets.unwrap(),
            [("staff.css".to_owned(), b"a{}\nb{}".to_vec())]
        );
    }

    #[test]
    fn maps_rustc_wasm_features_to_binaryen_flags() {
        let cfg = "panic=\"abort\"\ntarget_feature=\"bulk-memory\"\ntarget_feature=\"nontrapping-fptoint\"\ntarget_feature=\"sign-ext\"\n";
        assert_eq!(
            binaryen_flags(cfg),
            [
                "--enable-bulk-memory",
                "--enable-bulk-memory-opt",
                "--enable-nontrapping-float-to-int",
                "--enable-sign-ext"
            ]
        );
    }

    #[test]
    fn main_rs_is_the_resident_bundle_and_comes_first() {
        let json = r#"{"packages":[{"name":"sesshu-app","targets":[
            {"kind":["lib"],"name":"sesshu_app","src_path":"/r/app/src/lib.rs"},
            {"kind":["bin"],"name":"staff","src_path":"/r/app/src/bin/staff.rs"},
            {"kind":["bin"],"name":"sesshu-app","src_path":"/r/app/src/main.rs"}]}]}"#;
        let bins = bins_from_metadata(json).unwrap();
        assert_eq!(
            bins,
            vec![
                Bin {
                    name: "sesshu-app".into(),
                    resident: true
                },
                Bin {
                    name: "staff".into(),
                    resident: false
                },
            ]
        );
    }
}
