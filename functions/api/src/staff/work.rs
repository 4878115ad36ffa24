//! Work that outlives its request: processing an uploaded import, then asking PMH for the new
//! people's keys. The local server runs it on its own tokio runtime; each piece is resumable
//! (see `sesshu_core::import`), so a restart picks up where it stopped.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use sesshu_core::audit::{AuditEvent, AuditLogs};
use sesshu_core::import::runner::{self, RunConfig};
use sesshu_core::tenancy::Tenant;
use sesshu_domain::staff::Outcome;

/// Starts background work; returns at once.
pub trait BackgroundWork: Send + Sync + 'static {
    /// The import `job_id` was started by `actor`: process it.
    fn import_started(&self, tenant: Tenant, job_id: String, actor: String);
    /// Assign PMH keys to whoever waits for one.
    fn pmh_requested(&self, tenant: Tenant);
}

/// One PMH linking pass over a municipality's queue.
#[async_trait]
pub trait PmhRun: Send + Sync + 'static {
    async fn run(&self, tenant: &Tenant);
}

/// Runs work as tokio tasks, at most one per import and one PMH pass per municipality at once.
pub struct SpawnedWork {
    audit: Arc<AuditLogs>,
    pmh: Option<Arc<dyn PmhRun>>,
    config: RunConfig,
    running: Arc<Mutex<HashSet<String>>>,
}

impl SpawnedWork {
    pub fn new(audit: Arc<AuditLogs>, pmh: Option<Arc<dyn PmhRun>>) -> Arc<Self> {
        Arc::new(Self {
            audit,
            pmh,
            config: RunConfig::default(),
            running: Arc::new(Mutex::new(HashSet::new())),
        })
    }

    /// Claims `key` for one runner; false if one is already running.
    fn claim(running: &Mutex<HashSet<String>>, key: &str) -> bool {
        running
            .lock()
            .map(|mut set| set.insert(key.to_owned()))
            .unwrap_or(false)
    }

    fn release(running: &Mutex<HashSet<String>>, key: &str) {
        if let Ok(mut set) = running.lock() {
            set.remove(key);
        }
    }

    /// Resumes the imports a stopped server left queued or half-done.
    pub async fn resume(self: &Arc<Self>, tenant: &Tenant) {
        match sesshu_core::import::unfinished(tenant).await {
            Ok(jobs) => {
                for job_id in jobs {
                    self.import_started(tenant.clone(), job_id, "system:resume".into());
                }
            }
            Err(error) => tracing::error!(%error, "could not list unfinished imports"),
        }
    }
}

async fn pmh_pass(pmh: &Arc<dyn PmhRun>, running: &Mutex<HashSet<String>>, tenant: &Tenant) {
    let key = format!("pmh:{}", tenant.code.as_str());
    if !SpawnedWork::claim(running, &key) {
        return;
    }
    pmh.run(tenant).await;
    SpawnedWork::release(running, &key);
}

impl BackgroundWork for SpawnedWork {
    fn import_started(&self, tenant: Tenant, job_id: String, actor: String) {
        let key = format!("import:{}:{job_id}", tenant.code.as_str());
        if !Self::claim(&self.running, &key) {
            return;
        }
        let (audit, pmh, config, running) = (
            Arc::clone(&self.audit),
            self.pmh.clone(),
            self.config.clone(),
            Arc::clone(&self.running),
        );
        tokio::spawn(async move {
            let result = runner::run(&tenant, &job_id, &config).await;
            SpawnedWork::release(&running, &key);
            let event = match &result {
                Ok(job) => AuditEvent::new(
                    actor.clone(),
                    "server",
                    "admin",
                    "import.processed",
                    Outcome::Allowed,
                    &job_id,
                )
                .with_reason(format!(
                    "state={:?} created={} updated={} deleted={} unchanged={} failed={}",
                    job.state,
                    job.counts.created,
                    job.counts.updated,
                    job.counts.deleted,
                    job.counts.unchanged,
                    job.counts.failed
                )),
                Err(error) => {
                    tracing::error!(%error, "import stopped; it resumes on the next start");
                    AuditEvent::new(
                        actor.clone(),
                        "server",
                        "admin",
                        "import.processed",
                        Outcome::Failed,
                        &job_id,
                    )
                    .with_reason("stopped")
                }
            };
            let mut events = vec![event];
            // Each person a deletion file removed is logged, 200 subjects per entry.
            let mut cursor = None;
            loop {
                match sesshu_core::import::deleted_subjects(&tenant, &job_id, cursor, 200).await {
                    Ok((subjects, next)) => {
                        if !subjects.is_empty() {
                            events.push(
                                AuditEvent::new(
                                    actor.clone(),
                                    "server",
                                    "admin",
                                    "person.delete",
                                    Outcome::Allowed,
                                    &job_id,
                                )
                                .with_subjects(subjects),
                            );
                        }
                        match next {
                            Some(next) => cursor = Some(next),
                            None => break,
                        }
                    }
                    Err(error) => {
                        tracing::error!(%error, "could not list the import's deletions");
                        break;
                    }
                }
            }
            if let Err(error) = audit.tenant(&tenant).append(events).await {
                tracing::error!(%error, "could not log the import's result");
            }
            if let Some(pmh) = pmh {
                pmh_pass(&pmh, &running, &tenant).await;
            }
        });
    }

    fn pmh_requested(&self, tenant: Tenant) {
        let Some(pmh) = self.pmh.clone() else {
            return;
        };
        let running = Arc::clone(&self.running);
        tokio::spawn(async move { pmh_pass(&pmh, &running, &tenant).await });
    }
}
