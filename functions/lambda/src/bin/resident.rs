//! The resident surface as a Lambda function.

use std::sync::Arc;

use sesshu_api::resident::{ResidentConfig, ResidentReadLog, ResidentState};
use sesshu_core::audit::AuditLogs;
use sesshu_core::mynaportal_token::{Jwks, TokenVerifier};
use sesshu_core::resident::ResidentService;
use sesshu_lambda::{aws_platform, env, run};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let platform = aws_platform().await?;
    let jwks: Jwks = serde_json::from_str(&env("MYNAPORTAL_JWKS")?)
        .map_err(|_| anyhow::anyhow!("MYNAPORTAL_JWKS must be a JWK Set in JSON"))?;
    let client_id = env("MYNAPORTAL_CLIENT_ID")?;
    let verifier = TokenVerifier::new(jwks, env("MYNAPORTAL_ISSUER")?, client_id.clone());
    let audit = Arc::new(AuditLogs::new(platform.clone()));
    let state = ResidentState {
        reads: Arc::new(ResidentReadLog::new(audit)),
        service: Arc::new(ResidentService::new(platform, verifier).await?),
        config: Arc::new(ResidentConfig {
            authorize_url: env("MYNAPORTAL_AUTHORIZE_URL")?,
            client_id,
            secure_cookies: true,
        }),
    };
    let routes = sesshu_api::resident_routes(state).fallback(sesshu_api::not_found);
    run(sesshu_api::surface(routes)).await
}
