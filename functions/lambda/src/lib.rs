//! What the Lambda binaries share: configuration from the environment, the AWS adapters, and
//! the runner that speaks the Lambda runtime API in Lambda and plain HTTP elsewhere.
//!
//! **Invariant:** no simulator is linked here; `sesshu-simulators` is not a dependency.

use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use sesshu_api::staff::{ClientAddress, StaffState};
use sesshu_aws::{DynamoTables, KmsKeyring};
use sesshu_core::alerts::{Detector, LocalOutbox};
use sesshu_core::audit::AuditLogs;
use sesshu_core::clock::SystemClock;
use sesshu_core::staff::Surface;
use sesshu_core::staff::accounts::AdministratorDirectory;
use sesshu_core::staff::auth::StaffAuth;
use sesshu_core::staff::network::NetworkPolicy;
use sesshu_core::staff::sessions::SessionPolicy;
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

/// A staff surface (admin or clinic) over the AWS platform. The allowed networks come from
/// `STAFF_NETWORKS` (comma-separated CIDR ranges: the closed network / LGWAN egress); without it
/// the function refuses to start rather than serve staff from anywhere.
pub async fn staff_router(surface: Surface) -> anyhow::Result<Router> {
    let platform = aws_platform().await?;
    let networks = NetworkPolicy::parse(&env("STAFF_NETWORKS")?)
        .map_err(|e| anyhow::anyhow!("STAFF_NETWORKS: {e}"))?;
    let detector = Arc::new(Detector::new(
        Arc::new(LocalOutbox::new(platform.clone())),
        Arc::new(AdministratorDirectory),
    ));
    let state = StaffState {
        // Imports are processed by a batch worker, not in the request path (not yet deployed).
        work: None,
        auth: Arc::new(StaffAuth::new(platform.clone(), SessionPolicy::default()).await?),
        audit: Arc::new(
            AuditLogs::new(platform.clone())
                .with_retention_config(&std::env::var("LOG_RETENTION_DAYS").unwrap_or_default())
                .map_err(|e| anyhow::anyhow!("LOG_RETENTION_DAYS: {e}"))?
                .with_detector(detector),
        ),
        network: Arc::new(networks),
        platform,
        surface,
        secure_cookies: true,
    };
    let routes =
        sesshu_api::staff_routes(state).layer(axum::middleware::from_fn(gateway_source_ip));
    Ok(sesshu_api::surface(routes))
}

/// Hands the API Gateway's `sourceIp` to the staff guard as the client address.
async fn gateway_source_ip(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use lambda_http::RequestExt;
    use lambda_http::request::RequestContext;
    let source = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.clone(),
        Some(RequestContext::ApiGatewayV1(context)) => context.identity.source_ip.clone(),
        _ => None,
    };
    if let Some(ip) = source.and_then(|s| s.parse().ok()) {
        request.extensions_mut().insert(ClientAddress(ip));
    }
    next.run(request).await
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
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await?;
        Ok(())
    }
}
