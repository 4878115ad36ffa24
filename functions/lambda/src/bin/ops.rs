//! `ops`: the operator's commands against the AWS platform (DynamoDB + KMS), run from an
//! operator workstation with the platform's credentials, never deployed as a function.
//!
//! `cargo run --release -p sesshu-lambda --bin ops -- bootstrap-admin <municipality> <user id>
//! <e-mail> <name>` (with `TABLE_PREFIX` and AWS credentials set) creates a
//! municipality's first administrator and prints the one-time activation code (once). Refused
//! when the municipality already has users: from then on its administrators issue accounts on
//! request. The act is written to the municipality's operation log.

use anyhow::{Context, bail};
use sesshu_core::audit::AuditLogs;
use sesshu_core::directory::Directory;
use sesshu_core::staff::bootstrap::{FirstAdministrator, first_administrator};
use sesshu_domain::MunicipalityCode;
use sesshu_lambda::aws_platform;

const USAGE: &str =
    "usage: sesshu-ops bootstrap-admin <municipality code> <user id> <e-mail> <name>";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [command, code, user_id, email, name] = &args[..] else {
        bail!("{USAGE}");
    };
    if command != "bootstrap-admin" {
        bail!("unknown command {command}: {USAGE}");
    }
    let code = MunicipalityCode::parse(code).with_context(|| {
        format!("`{code}` is not a municipality code (6 digits with a check digit)")
    })?;
    let platform = aws_platform().await?;
    let directory = Directory::new(platform.directory_store().clone());
    if directory.municipality(&code).await?.is_none() {
        bail!(
            "municipality {} is not registered on this platform",
            code.as_str()
        );
    }
    let tenant = platform.tenant(&code)?;
    let who = FirstAdministrator {
        user_id: user_id.clone(),
        name: name.clone(),
        email: email.clone(),
    };
    let (issued, event) = first_administrator(&tenant, &who, platform.clock.now_epoch_s()).await?;
    AuditLogs::new(platform.clone())
        .tenant(&tenant)
        .append(vec![event])
        .await?;
    println!(
        "administrator {} of {} issued; activation code (shown once, valid until {}): {}",
        issued.user_id,
        code.as_str(),
        issued.activation_expires_at,
        issued.activation_code
    );
    Ok(())
}
