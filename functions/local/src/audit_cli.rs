//! `sesshu-local audit-verify <municipality|platform> [--data-dir DIR] [--json]`: checks the hash
//! chain of a local operation log and prints whether it is intact or where it breaks. Exits 1
//! when it is not intact. Run it with the server stopped (a redb file opens in one process).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use sesshu_core::audit::AuditLog;
use sesshu_core::clock::SystemClock;
use sesshu_core::tenancy::{PLATFORM_TABLE, Platform, TableOpener};
use sesshu_crypto::LocalKeyring;
use sesshu_domain::MunicipalityCode;
use sesshu_store::embedded::EmbeddedTables;

const USAGE: &str = "usage: audit-verify <municipality code|platform> [--data-dir DIR] [--json], e.g. audit-verify 131016";

pub async fn run(args: &[String]) -> anyhow::Result<()> {
    let mut data_dir = std::env::var_os("SESSHU_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".sesshu/data"));
    let mut json = false;
    let mut positional = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--data-dir" => {
                data_dir = PathBuf::from(iter.next().context("--data-dir needs a value")?)
            }
            "--json" => json = true,
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(());
            }
            other if other.starts_with('-') => bail!("unknown flag {other}: {USAGE}"),
            other => positional.push(other),
        }
    }
    let [name] = positional[..] else {
        bail!("{USAGE}");
    };
    let code = if name == PLATFORM_TABLE {
        None
    } else {
        Some(MunicipalityCode::parse(name).with_context(|| {
            format!(
                "`{name}` is not a municipality code (6 digits with a check digit) or `platform`"
            )
        })?)
    };
    // Never create a key or a table here: verifying an absent log must not invent one.
    let key_file = data_dir.join("master.key");
    let table = data_dir.join("tables").join(format!("{name}.redb"));
    for (path, what) in [(&key_file, "master key"), (&table, "table")] {
        if !path.exists() {
            bail!(
                "no {what} at {}: pass the server's data directory with --data-dir",
                path.display()
            );
        }
    }

    let tables = Arc::new(EmbeddedTables::new(data_dir.join("tables")));
    let opener: TableOpener = Arc::new(move |name: &str| tables.table(name));
    let keyring = Arc::new(
        LocalKeyring::open_or_create(&key_file).context("cannot open the local master key")?,
    );
    let platform = Platform::new(opener, keyring, Arc::new(SystemClock))
        .context("cannot open the tables; is the server still running? stop it first")?;
    let log = match &code {
        Some(code) => AuditLog::for_tenant(
            &platform.tenant(code).context(
                "cannot open the municipality's table; is the server still running? stop it first",
            )?,
            platform.clock.clone(),
        ),
        None => AuditLog::for_platform(&platform),
    };
    let report = log
        .verify()
        .await
        .context("cannot read the operation log")?;

    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if let Some(problem) = &report.problem {
        println!(
            "operation log of {name}: NOT intact: {} at seq {}: {} ({} entries checked)",
            problem.kind, problem.seq, problem.message, report.entries_checked
        );
    } else {
        println!(
            "operation log of {name}: intact ({} entries checked)",
            report.entries_checked
        );
    }
    if !report.intact {
        std::process::exit(1);
    }
    Ok(())
}
