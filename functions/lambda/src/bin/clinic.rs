//! The clinic surface as a Lambda function. Its routes arrive with the staff issues (#4 onwards);
//! until then it answers health checks, the OpenAPI document and JSON 404s.

use sesshu_lambda::run;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let routes = axum::Router::new().fallback(sesshu_api::not_found);
    run(sesshu_api::surface(routes)).await
}
