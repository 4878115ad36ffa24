//! `sesshu-local`: the whole system on one machine. Run it with `cargo xtask run`.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use sesshu_local::{LocalConfig, build, default_app_dir};

struct Args {
    port: u16,
    config: LocalConfig,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut port: u16 = match std::env::var("PORT") {
        Ok(p) => p
            .parse()
            .context("PORT must be a port number, e.g. PORT=8080")?,
        Err(_) => 8080,
    };
    let mut data_dir = std::env::var_os("SESSHU_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".sesshu/data"));
    let mut app_dir = default_app_dir();
    let mut demo = true;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().with_context(|| format!("{flag} needs a value"));
        match arg.as_str() {
            "--port" => {
                port = value("--port")?
                    .parse()
                    .context("--port must be a port number")?
            }
            "--data-dir" => data_dir = PathBuf::from(value("--data-dir")?),
            "--app-dir" => app_dir = PathBuf::from(value("--app-dir")?),
            "--no-demo" => demo = false,
            "--help" | "-h" => {
                println!(
                    "sesshu-local [--port N] [--data-dir DIR] [--app-dir DIR] [--no-demo]\n\
                     env: PORT, SESSHU_DATA_DIR, RUST_LOG"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}: see --help"),
        }
    }
    Ok(Args {
        port,
        config: LocalConfig {
            data_dir,
            app_dir,
            demo,
            secure_cookies: true,
        },
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=info".into()),
        )
        .init();
    let args = parse_args()?;
    let system = build(&args.config).await?;
    let address = SocketAddr::from(([127, 0, 0, 1], args.port));
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| {
            format!("cannot listen on {address}: is another server using it? try --port")
        })?;
    let url = format!("http://{address}");
    println!();
    println!("  Sesshu (予防接種) is running at {url}");
    println!("  Data: {}", args.config.data_dir.display());
    if !system.app_built {
        println!(
            "  The app is not built ({}): run `cargo xtask run`.",
            args.config.app_dir.display()
        );
    }
    println!(
        "  Log in as a demo resident: open {url}, press 「マイナポータルでログイン」, then pick one of the {} demo residents on the Mynaportal simulator page.",
        system.demo_residents.len()
    );
    println!();
    tracing::info!("listening on {url}");
    axum::serve(listener, system.router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
