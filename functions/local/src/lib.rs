//! The whole system on one machine: the embedded store, the local keyring, the simulators of
//! the national systems, demo data, every API surface and the built app, on one origin.

pub mod demo;
pub mod demo_staff;
pub mod recommendations;
pub mod static_files;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use sesshu_api::resident::{ResidentConfig, ResidentReadLog, ResidentState};
use sesshu_api::staff::StaffState;
use sesshu_core::alerts::{Detector, LocalOutbox};
use sesshu_core::audit::AuditLogs;
use sesshu_core::clock::{Clock, SystemClock};
use sesshu_core::directory::Directory;
use sesshu_core::mynaportal_token::{Jwks, TokenVerifier};
use sesshu_core::resident::ResidentService;
use sesshu_core::staff::Surface;
use sesshu_core::staff::accounts::AdministratorDirectory;
use sesshu_core::staff::auth::StaffAuth;
use sesshu_core::staff::network::NetworkPolicy;
use sesshu_core::staff::sessions::SessionPolicy;
use sesshu_core::tenancy::{Platform, TableOpener};
use sesshu_crypto::LocalKeyring;
use sesshu_simulators::mynaportal::{DemoResident, MynaportalSim};
use sesshu_simulators::pmh::PmhSim;
use sesshu_store::embedded::EmbeddedTables;

use crate::static_files::AppFiles;

/// The issuer the Mynaportal simulator signs as, and the client id it issues tokens for.
pub const SIM_ISSUER: &str = "https://mynaportal.simulator.invalid";
pub const CLIENT_ID: &str = "sesshu-local";

#[derive(Debug, Clone)]
pub struct LocalConfig {
    pub data_dir: PathBuf,
    pub app_dir: PathBuf,
    /// Create the demo municipalities, persons and records on first start.
    pub demo: bool,
    /// `Secure` cookies (browsers accept them on http://127.0.0.1 too).
    pub secure_cookies: bool,
}

/// The wired system: its router and the parts tests and the demo generator need.
pub struct LocalSystem {
    pub router: Router,
    pub platform: Arc<Platform>,
    pub mynaportal: Arc<MynaportalSim>,
    pub pmh: Arc<PmhSim>,
    pub app_built: bool,
    /// Who can log in at the Mynaportal simulator.
    pub demo_residents: Vec<DemoResident>,
    /// The demo data in plaintext, when this start generated it (tests scan stores for it).
    pub generated: Option<demo::DemoData>,
    /// Demo staff logins of every demo municipality.
    pub demo_staff: Vec<demo_staff::DemoStaff>,
    /// The operation logs (one per municipality and one for the platform).
    pub audit: Arc<AuditLogs>,
    /// Background imports and PMH linking; `resume` picks up what a stop left.
    pub work: Arc<sesshu_api::staff::SpawnedWork>,
    /// The recommendation job (接種勧奨) and the Mynaportal inbox it delivers to.
    pub recommendations: Arc<recommendations::RecommendationRunner>,
    pub notifications: Arc<sesshu_simulators::mynaportal_notices::MynaportalInbox>,
}

/// Builds the system over `config.data_dir`, creating demo data on first start.
pub async fn build(config: &LocalConfig) -> anyhow::Result<LocalSystem> {
    build_with_clock(config, Arc::new(SystemClock)).await
}

pub async fn build_with_clock(
    config: &LocalConfig,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<LocalSystem> {
    let data_dir = &config.data_dir;
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
    // The engine of a new data directory: `SESSHU_STORE_ENGINE=lsm` for municipalities that
    // import hundreds of thousands of people (docs/benchmarks.md); an existing one keeps its own.
    let engine = match std::env::var("SESSHU_STORE_ENGINE") {
        Ok(name) => name
            .parse()
            .map_err(|e| anyhow::anyhow!("SESSHU_STORE_ENGINE: {e}"))?,
        Err(_) => sesshu_store::Engine::default(),
    };
    let tables = Arc::new(EmbeddedTables::with_engine(data_dir.join("tables"), engine));
    let opener: TableOpener = Arc::new(move |name: &str| tables.table(name));
    let keyring = Arc::new(
        LocalKeyring::open_or_create(&data_dir.join("master.key"))
            .context("cannot open the local master key")?,
    );
    let platform = Arc::new(Platform::new(opener, keyring, clock.clone())?);

    let sim_dir = data_dir.join("simulators");
    let pmh = Arc::new(PmhSim::load_or_create(&sim_dir).context("PMH simulator")?);
    let sim_clock = clock.clone();
    let mynaportal = Arc::new(
        MynaportalSim::load_or_create(&sim_dir, SIM_ISSUER.to_owned())
            .context("Mynaportal simulator")?
            .with_clock(move || sim_clock.now_epoch_s()),
    );

    let directory = Directory::new(platform.directory_store().clone());
    let generated = if config.demo && directory.municipalities().await?.is_empty() {
        Some(
            demo::generate(&platform, &pmh, clock.today(), &sim_dir)
                .await
                .context("demo data")?,
        )
    } else {
        None
    };
    let residents = demo::demo_residents(&sim_dir).context("demo residents")?;
    let demo_staff = if config.demo {
        demo_staff::ensure(&platform, &sim_dir, clock.now_epoch_s())
            .await
            .context("demo staff")?
    } else {
        Vec::new()
    };

    let jwks: Jwks = serde_json::from_value(mynaportal.jwks()).context("simulator JWKS")?;
    let verifier = TokenVerifier::new(jwks, SIM_ISSUER.to_owned(), CLIENT_ID.to_owned());
    let resident = Arc::new(ResidentService::new(platform.clone(), verifier).await?);
    let detector = Arc::new(Detector::new(
        Arc::new(LocalOutbox::new(platform.clone())),
        Arc::new(AdministratorDirectory),
    ));
    // Per-municipality log retention: `SESSHU_LOG_RETENTION_DAYS=131016:1826,…` (default 3 years).
    let retention = std::env::var("SESSHU_LOG_RETENTION_DAYS").unwrap_or_default();
    let audit = Arc::new(
        AuditLogs::new(platform.clone())
            .with_retention_config(&retention)
            .map_err(|e| anyhow::anyhow!("SESSHU_LOG_RETENTION_DAYS: {e}"))?
            .with_detector(detector.clone()),
    );
    let resident_state = ResidentState {
        service: resident,
        config: Arc::new(ResidentConfig {
            authorize_url: "/sim/mynaportal/authorize".to_owned(),
            client_id: CLIENT_ID.to_owned(),
            secure_cookies: config.secure_cookies,
        }),
        reads: Arc::new(ResidentReadLog::new(audit.clone())),
    };

    let linker = Arc::new(sesshu_core::pmh_link::PmhLinker::new(
        pmh.clone(),
        platform.clock.clone(),
        detector.clone(),
    ));
    let work = sesshu_api::staff::SpawnedWork::new(
        audit.clone(),
        Some(Arc::new(LocalPmhRun {
            linker,
            directory: Directory::new(platform.directory_store().clone()),
        })),
    );
    let staff_auth = Arc::new(StaffAuth::new(platform.clone(), SessionPolicy::default()).await?);
    let network = Arc::new(staff_networks()?);
    let background: Arc<dyn sesshu_api::staff::BackgroundWork> = work.clone();
    let staff_state = |surface| StaffState {
        work: Some(background.clone()),
        auth: staff_auth.clone(),
        audit: audit.clone(),
        network: network.clone(),
        platform: platform.clone(),
        surface,
        secure_cookies: config.secure_cookies,
    };

    let app = AppFiles::load(&config.app_dir);
    let app_built = app.is_built();
    let routes = sesshu_api::resident_routes(resident_state)
        .merge(sesshu_api::staff_routes(staff_state(Surface::Admin)))
        .merge(sesshu_api::staff_routes(staff_state(Surface::Clinic)))
        .nest(
            "/sim/mynaportal",
            sesshu_simulators::mynaportal::router(mynaportal.clone(), Arc::new(residents.clone())),
        )
        .merge(app.fallback());
    let notifications = Arc::new(sesshu_simulators::mynaportal_notices::MynaportalInbox::new());
    let recommendations = Arc::new(recommendations::RecommendationRunner::new(
        platform.clone(),
        audit.clone(),
        sesshu_core::recommendations::job::Job {
            directory: Directory::new(platform.directory_store().clone()),
            mynaportal: notifications.clone(),
            config: Default::default(),
        },
    ));
    Ok(LocalSystem {
        router: sesshu_api::surface(routes),
        platform,
        mynaportal,
        pmh,
        app_built,
        demo_residents: residents,
        generated,
        demo_staff,
        audit,
        work,
        recommendations,
        notifications,
    })
}

/// PMH linking against the simulator, run after imports and on request.
struct LocalPmhRun {
    linker: Arc<sesshu_core::pmh_link::PmhLinker>,
    directory: Directory,
}

#[async_trait::async_trait]
impl sesshu_api::staff::PmhRun for LocalPmhRun {
    async fn run(&self, tenant: &sesshu_core::tenancy::Tenant) {
        match self.linker.run_once(tenant, &self.directory).await {
            Ok(report) => tracing::info!(
                assigned = report.assigned,
                failed = report.failed,
                "PMH linking pass finished"
            ),
            Err(error) => tracing::error!(%error, "PMH linking pass stopped; it resumes next time"),
        }
    }
}

/// The networks allowed on the admin and clinic surfaces: `SESSHU_STAFF_NETWORKS` (comma-
/// separated CIDR ranges), loopback by default.
fn staff_networks() -> anyhow::Result<NetworkPolicy> {
    match std::env::var("SESSHU_STAFF_NETWORKS") {
        Ok(ranges) => {
            NetworkPolicy::parse(&ranges).map_err(|e| anyhow::anyhow!("SESSHU_STAFF_NETWORKS: {e}"))
        }
        Err(_) => Ok(NetworkPolicy::loopback()),
    }
}

/// `<workspace>/target/app/dist` when run from the workspace root.
pub fn default_app_dir() -> PathBuf {
    Path::new("target").join("app").join("dist")
}
