//! The admin surface (municipal staff) as a Lambda function.

use sesshu_core::staff::Surface;
use sesshu_lambda::{run, staff_router};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    run(staff_router(Surface::Admin).await?).await
}
