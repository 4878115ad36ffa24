//! KMS calls per 10,000 decryptions on the DynamoDB + KMS path (moto).

use anyhow::{Result, bail};

use super::Benchmark;
use crate::cmd;
use crate::install;
use crate::project::Project;

/// `cargo xtask bench kms-calls`.
pub const BENCH: Benchmark = Benchmark {
    name: "kms-calls",
    about: "KMS requests per 10,000 record decryptions on the moto path",
    run,
};

fn run(project: &Project) -> Result<String> {
    install::ensure(
        project,
        install::Needs {
            moto: true,
            ..install::Needs::NONE
        },
    )?;
    let (status, output) = cmd::tee_stdout(
        "bench kms-calls",
        project
            .cargo()
            .env("MOTO_SERVER", project.moto_server())
            .args([
                "test",
                "-p",
                "sesshu-local",
                "--test",
                "moto_stores",
                "--",
                "--ignored",
                "--nocapture",
            ]),
    )?;
    if !status.success() {
        bail!("the kms-calls measurement failed: see its output above");
    }
    let Some(line) = output.lines().find(|l| l.starts_with("KMS calls per")) else {
        bail!("the moto test printed no KMS call count");
    };
    let import = output
        .lines()
        .find(|l| l.starts_with("moto import of"))
        .unwrap_or("moto import: no timing printed");
    Ok(format!(
        "## KMS calls and the import on DynamoDB\n\nDemo data written through DynamoDB + KMS on \
         moto, then a fresh process (new key cache) opens sealed records repeatedly. The same run \
         imports 10,000 CSV rows twice through BatchWriteItem/BatchGetItem and scans the table \
         for plaintext.\n\n- {line}\n- {import}\n"
    ))
}
