//! `sesshu-local`: the whole system on one machine. Run it with `cargo xtask run`.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use sesshu_local::{LocalConfig, build, default_app_dir};

mod audit_cli;
mod gen_persons_cli;

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
                     env: PORT, SESSHU_DATA_DIR, SESSHU_STORE_ENGINE (redb|lsm, new data directories), RUST_LOG\n\
                     other commands: totp, audit-verify, gen-persons (each with --help or usage)"
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

/// `sesshu-local totp <municipality> <user id> [--data-dir DIR]`: prints a demo staff user's
/// current TOTP code from the local demo file (what the tester's authenticator app would show).
fn print_demo_totp(args: &[String]) -> anyhow::Result<()> {
    let mut data_dir = std::env::var_os("SESSHU_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".sesshu/data"));
    let mut positional = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--data-dir" {
            data_dir = PathBuf::from(iter.next().context("--data-dir needs a value")?);
        } else {
            positional.push(arg.as_str());
        }
    }
    let [municipality, user_id] = positional[..] else {
        bail!("usage: totp <municipality code> <user id> [--data-dir DIR], e.g. totp 131016 admin");
    };
    let logins = sesshu_local::demo_staff::load(&data_dir.join("simulators"))?;
    let login = logins
        .iter()
        .find(|l| l.municipality == municipality && l.user_id == user_id)
        .with_context(|| {
            format!("no demo staff {user_id} in {municipality} under {}: start `cargo xtask run` once first", data_dir.display())
        })?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let code = sesshu_local::demo_staff::current_code(login, now)?;
    println!("{code}  (valid for {} more seconds)", 30 - now % 30);
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if raw.first().map(String::as_str) == Some("totp") {
        return print_demo_totp(&raw[1..]);
    }
    if raw.first().map(String::as_str) == Some("gen-persons") {
        return gen_persons_cli::run(&raw[1..]);
    }
    if raw.first().map(String::as_str) == Some("audit-verify") {
        return audit_cli::run(&raw[1..]).await;
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=info".into()),
        )
        .init();
    // Imports allocate many large buffers on several threads; see sesshu_malloc.
    if let Err(refused) = sesshu_malloc::return_large_allocations_when_freed() {
        tracing::warn!(%refused, "memory use of imports may grow");
    }
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
    if !system.demo_staff.is_empty() {
        println!(
            "  Staff: {url}/admin/login (municipal staff) or {url}/clinic/login (clinic staff); password {} for every demo account; the 6-digit code: `cargo xtask totp <municipality> <user id>`.",
            sesshu_local::demo_staff::DEMO_PASSWORD
        );
        for login in &system.demo_staff {
            println!(
                "    {} {:<9} {:<7} {}",
                login.municipality, login.user_id, login.surface, login.description
            );
        }
    }
    println!();
    // Imports or PMH linking a previous run left unfinished carry on now.
    let directory =
        sesshu_core::directory::Directory::new(system.platform.directory_store().clone());
    for municipality in directory.municipalities().await? {
        if let Ok(code) = sesshu_domain::MunicipalityCode::parse(&municipality.code) {
            let tenant = system.platform.tenant(&code)?;
            system.work.resume(&tenant).await;
            sesshu_api::staff::BackgroundWork::pmh_requested(system.work.as_ref(), tenant);
        }
    }
    // 接種勧奨: once now, then daily at 06:00 in Japan.
    system.recommendations.clone().spawn_daily();
    tracing::info!("listening on {url}");
    // The peer address reaches handlers: the staff surfaces allow only configured networks.
    let router = system
        .router
        .into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
