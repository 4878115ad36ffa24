//! What the Lambda binaries share: configuration from the environment, the AWS adapters, and
//! the runner that speaks the Lambda runtime API in Lambda and plain HTTP elsewhere.
//!
//! **Invariant:** no simulator is linked here; `sesshu-simulators` is not a dependency.

use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use sesshu_aws::{DynamoTables, KmsKeyring};
use sesshu_core::clock::SystemClock;
use sesshu_core::tenancy::{Platform, TableOpener};

/// Reads a required environment variable with an error that names it.
pub fn env(name: &str) -> anyhow::Result<String> {
    std::env::var(name).with_context(|| format!("environment variable {name} is not set"))
}

/// The platform over DynamoDB (`TABLE_PREFIX`) and KMS (one key alias per municipality,
/// `alias/<TABLE_PREFIX>-<code>`), both in the region of the Lambda.
pub async fn aws_platform() -> anyhow::Result<Arc<Platform>> {
    let prefix = env("TABLE_PREFIX")?;
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let tables = Arc::new(DynamoTables::new(
        aws_sdk_dynamodb::Client::new(&config),
        prefix.clone(),
    ));
    let opener: TableOpener = Arc::new(move |name: &str| Ok(tables.table(name)));
    let alias_prefix = prefix.clone();
    let keyring = Arc::new(KmsKeyring::new(
        aws_sdk_kms::Client::new(&config),
        move |tenant: &str| format!("alias/{alias_prefix}-{tenant}"),
    ));
    Ok(Arc::new(Platform::new(
        opener,
        keyring,
        Arc::new(SystemClock),
    )?))
}

/// Runs `router` under the Lambda runtime when `AWS_LAMBDA_RUNTIME_API` is set, otherwise as a
/// plain HTTP server on 127.0.0.1:`PORT` (default 3000) for trying a single surface locally.
pub async fn run(router: Router) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        lambda_http::run(router)
            .await
            .map_err(|e| anyhow::anyhow!("lambda runtime: {e}"))
    } else {
        let port: u16 = std::env::var("PORT")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(3000);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        tracing::info!("listening on http://127.0.0.1:{port}");
        axum::serve(listener, router).await?;
        Ok(())
    }
}
