//! The recommendation job on one machine: once at start, then every day at 06:00 in Japan,
//! over every municipality, delivering to the Mynaportal simulator. (In AWS a scheduled jobs
//! function runs the same `Job::run_logged`.)

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use sesshu_core::audit::AuditLogs;
use sesshu_core::directory::Directory;
use sesshu_core::recommendations::job::Job;
use sesshu_core::tenancy::Platform;
use sesshu_domain::MunicipalityCode;
use sesshu_domain::schedule_api::RunReport;
use time::{Duration, OffsetDateTime, Time, UtcOffset};

/// The hour (Japan time) of the daily run.
pub const DAILY_AT_HOUR: u8 = 6;

pub struct RecommendationRunner {
    platform: Arc<Platform>,
    audit: Arc<AuditLogs>,
    job: Job,
    running: Mutex<HashSet<MunicipalityCode>>,
}

impl RecommendationRunner {
    pub fn new(platform: Arc<Platform>, audit: Arc<AuditLogs>, job: Job) -> Self {
        Self {
            platform,
            audit,
            job,
            running: Mutex::new(HashSet::new()),
        }
    }

    /// Runs the job for one municipality now; `None` if a run for it is already going.
    pub async fn run(&self, code: &MunicipalityCode) -> anyhow::Result<Option<RunReport>> {
        let claimed = self
            .running
            .lock()
            .map(|mut set| set.insert(code.clone()))
            .unwrap_or(false);
        if !claimed {
            return Ok(None);
        }
        let result = self.run_claimed(code).await;
        if let Ok(mut set) = self.running.lock() {
            set.remove(code);
        }
        result.map(Some)
    }

    async fn run_claimed(&self, code: &MunicipalityCode) -> anyhow::Result<RunReport> {
        let tenant = self.platform.tenant(code)?;
        let municipality = Directory::new(self.platform.directory_store().clone())
            .municipality(code)
            .await?
            .ok_or_else(|| {
                anyhow::anyhow!("municipality {} is not in the directory", code.as_str())
            })?;
        let now = self.platform.clock.now();
        Ok(self
            .job
            .run_logged(&self.audit, &tenant, &municipality, now)
            .await?)
    }

    /// Runs the job for every municipality in the directory, one after another.
    pub async fn run_all(&self) -> anyhow::Result<Vec<RunReport>> {
        let directory = Directory::new(self.platform.directory_store().clone());
        let mut reports = Vec::new();
        for municipality in directory.municipalities().await? {
            let Ok(code) = MunicipalityCode::parse(&municipality.code) else {
                continue;
            };
            match self.run(&code).await {
                Ok(Some(report)) => {
                    tracing::info!(
                        municipality = code.as_str(),
                        persons = report.persons,
                        errors = report.errors,
                        "recommendation run finished"
                    );
                    reports.push(report);
                }
                Ok(None) => {}
                Err(error) => {
                    tracing::error!(%error, municipality = code.as_str(), "recommendation run stopped; the next run carries on");
                }
            }
        }
        Ok(reports)
    }

    /// Runs now, then every day at [`DAILY_AT_HOUR`] in Japan, for as long as the server runs.
    pub fn spawn_daily(self: Arc<Self>) {
        tokio::spawn(async move {
            loop {
                if let Err(error) = self.run_all().await {
                    tracing::error!(%error, "recommendation runs could not start");
                }
                let wait = until_next_run(self.platform.clock.now());
                tokio::time::sleep(
                    wait.try_into()
                        .unwrap_or(std::time::Duration::from_secs(86_400)),
                )
                .await;
            }
        });
    }
}

/// How long from `now` until the next [`DAILY_AT_HOUR`]:00 in Japan.
pub fn until_next_run(now: OffsetDateTime) -> Duration {
    let jst = UtcOffset::from_hms(9, 0, 0).unwrap_or(UtcOffset::UTC);
    let local = now.to_offset(jst);
    let at = Time::from_hms(DAILY_AT_HOUR, 0, 0).unwrap_or(Time::MIDNIGHT);
    let mut next = local.replace_time(at);
    if next <= local {
        next += Duration::days(1);
    }
    next - local
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_next_run_is_at_six_in_the_morning_in_japan() {
        // 2026-04-01 20:00 UTC is 2026-04-02 05:00 in Japan: one hour to go.
        assert_eq!(
            until_next_run(datetime!(2026-04-01 20:00 UTC)),
            Duration::hours(1)
        );
        // Exactly 06:00 in Japan: the next one is a day later.
        assert_eq!(
            until_next_run(datetime!(2026-04-01 21:00 UTC)),
            Duration::days(1)
        );
    }
}
