//! One run of the recommendation job over a municipality: for every person, evaluate the
//! schedule on the day (in Japan), produce the notices the rules call for, deliver new and
//! earlier undelivered notices to Mynaportal, and write the worklist; then the run report.
//!
//! Re-running is safe at any point: a notice's id is derived from what it is about and it is
//! stored with a must-not-exist put before it is sent, so it is produced once; its delivery
//! state is written after each attempt, and a delivery repeated after a crash carries the same
//! id, which Mynaportal treats as an idempotency key. Failed deliveries wait for the next run
//! after a backoff (1 h, doubling, at most a day) and give up after `max_attempts`.
//!
//! Control flags: 不開示 and 閲覧停止 (hidden from residents) and リカバリー (the person is being
//! restored) suppress delivery; the notice is kept with state `suppressed`.

use std::collections::BTreeMap;
use std::sync::Arc;

use sesshu_domain::dto::MunicipalityRef;
use sesshu_domain::person::TargetPerson;
use sesshu_domain::recommendation::RuleSet;
use sesshu_domain::schedule::{Schedule, SeriesStatus};
use sesshu_domain::schedule_api::{Delivery, DeliveryState, RuleRunCounts, RunReport};
use sesshu_domain::staff::Outcome;
use sesshu_domain::{PmhPseudonym, SubjectNo};
use sesshu_store::{AttrValue, BatchWrite, Item, Key, Query};
use time::{Date, Duration, OffsetDateTime};

use super::notices::{self, StoredNotice};
use super::plan::{self, Setting};
use super::worklist::{self, Entry, ListKind};
use crate::audit::{AuditEvent, AuditLogs};
use crate::directory::Directory;
use crate::error::CoreError;
use crate::ports::{Mynaportal, PortalNotice};
use crate::records::{self, person_pk};
use crate::tenancy::Tenant;

/// How a run goes.
#[derive(Debug, Clone)]
pub struct JobConfig {
    /// Persons processed at the same time.
    pub parallel: usize,
    /// Delivery attempts before a notice is given up (state `failed`, no next attempt).
    pub max_attempts: u32,
    /// The wait after the first failure; it doubles with each failure up to `max_backoff`.
    pub first_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for JobConfig {
    fn default() -> Self {
        Self {
            parallel: 8,
            max_attempts: 8,
            first_backoff: Duration::hours(1),
            max_backoff: Duration::days(1),
        }
    }
}

/// The job's dependencies: where pseudonyms are found and where notices go.
pub struct Job {
    pub directory: Directory,
    pub mynaportal: Arc<dyn Mynaportal>,
    pub config: JobConfig,
}

const RUNS_PK: &str = "RECORUNS";
/// Run reports are kept this long.
const REPORT_DAYS: u64 = 400;

/// What the run shares between its tasks.
struct Shared {
    tenant: Tenant,
    schedule: &'static Schedule,
    rules: RuleSet,
    municipality: MunicipalityRef,
    today: Date,
    now: OffsetDateTime,
    run_id: String,
    /// Blind indexes of every (series, list), computed once per run.
    lists: BTreeMap<(String, ListKind), String>,
    directory: Directory,
    mynaportal: Arc<dyn Mynaportal>,
    config: JobConfig,
}

/// What processing one person did.
#[derive(Default)]
struct Tally {
    rules: BTreeMap<String, RuleRunCounts>,
    worklist: Vec<Item>,
    notified: Vec<SubjectNo>,
    errors: u64,
    persons: u64,
}

impl Tally {
    fn count(&mut self, rule_id: &str) -> &mut RuleRunCounts {
        self.rules
            .entry(rule_id.to_owned())
            .or_insert_with(|| RuleRunCounts {
                rule_id: rule_id.to_owned(),
                ..RuleRunCounts::default()
            })
    }
}

/// The totals of a run, with who received new notices (for the operation log).
pub struct RunResult {
    pub report: RunReport,
    pub notified: Vec<SubjectNo>,
}

impl Job {
    /// Runs over every person of `tenant` at `now`.
    pub async fn run(
        &self,
        tenant: &Tenant,
        municipality: &MunicipalityRef,
        now: OffsetDateTime,
    ) -> Result<RunResult, CoreError> {
        let started = std::time::Instant::now();
        let schedule = crate::schedule::routine()?;
        let rules = super::rules::current(tenant).await?.rule_set;
        let run_id = format!("{:012}", now.unix_timestamp().max(0));
        let mut lists = BTreeMap::new();
        for series in schedule.series() {
            for kind in [ListKind::Overdue, ListKind::Never] {
                let index = worklist::list_index(tenant, series.id.as_str(), kind).await?;
                lists.insert((series.id.as_str().to_owned(), kind), index);
            }
        }
        let shared = Arc::new(Shared {
            tenant: tenant.clone(),
            schedule,
            rules,
            municipality: municipality.clone(),
            today: crate::questionnaires::japan_date(now),
            now,
            run_id: run_id.clone(),
            lists,
            directory: self.directory.clone(),
            mynaportal: self.mynaportal.clone(),
            config: self.config.clone(),
        });
        let mut totals = Tally::default();
        let mut notified = Vec::new();
        let mut worklist_entries = 0u64;
        for shard in 0..crate::persons::index::SHARDS {
            let mut query = Query::partition(format!("PERSONS#{shard}")).limit(1_000);
            loop {
                let page = tenant.store.query(&query).await?;
                let subjects: Vec<SubjectNo> = page
                    .items
                    .iter()
                    .filter_map(|item| SubjectNo::parse(&item.key.sk).ok())
                    .collect();
                let outcome = process_page(&shared, subjects).await?;
                worklist_entries += outcome.worklist.len() as u64;
                if !outcome.worklist.is_empty() {
                    tenant
                        .store
                        .write_batch(outcome.worklist.into_iter().map(BatchWrite::Put).collect())
                        .await?;
                }
                totals.persons += outcome.persons;
                totals.errors += outcome.errors;
                for (rule, counts) in outcome.rules {
                    add(totals.count(&rule), &counts);
                }
                notified.extend(outcome.notified);
                match page.next {
                    Some(next) => query.cursor = Some(next),
                    None => break,
                }
            }
        }
        let elapsed = Duration::try_from(started.elapsed()).unwrap_or(Duration::ZERO);
        let report = RunReport {
            run_id,
            on: shared.today,
            started_at: now,
            finished_at: now + elapsed,
            persons: totals.persons,
            errors: totals.errors,
            worklist_entries,
            rules: per_rule(&shared.rules, totals.rules),
        };
        save_report(tenant, &report, now).await?;
        Ok(RunResult { report, notified })
    }

    /// [`Job::run`], written to the municipality's operation log as `system:recommendations`:
    /// the run (what it read, its counts) and who received new notices, 200 per entry.
    pub async fn run_logged(
        &self,
        audit: &AuditLogs,
        tenant: &Tenant,
        municipality: &MunicipalityRef,
        now: OffsetDateTime,
    ) -> Result<RunReport, CoreError> {
        let event = |action: &str, outcome| {
            AuditEvent::new(
                "system:recommendations",
                "server",
                "jobs",
                action,
                outcome,
                format!("run-{}", now.unix_timestamp()),
            )
        };
        let result = self.run(tenant, municipality, now).await;
        let mut events = Vec::new();
        match &result {
            Ok(run) => {
                let sum =
                    |f: fn(&RuleRunCounts) -> u64| run.report.rules.iter().map(f).sum::<u64>();
                events.push(
                    event("recommendation.run", Outcome::Allowed)
                        .with_fields(
                            ["birth_date", "sex", "vaccination_records", "notices"]
                                .map(str::to_owned)
                                .to_vec(),
                        )
                        .with_reason(format!(
                            "persons={} errors={} created={} delivered={} failed={} suppressed={} not_linked={} worklist={}",
                            run.report.persons,
                            run.report.errors,
                            sum(|c| c.created),
                            sum(|c| c.delivered),
                            sum(|c| c.failed),
                            sum(|c| c.suppressed),
                            sum(|c| c.not_linked),
                            run.report.worklist_entries
                        )),
                );
                for chunk in run.notified.chunks(200) {
                    events.push(
                        event("notice.create", Outcome::Allowed)
                            .with_subjects(chunk.iter().map(|s| s.as_str().to_owned()).collect())
                            .with_fields(vec!["notices".to_owned()]),
                    );
                }
            }
            Err(_) => {
                events.push(event("recommendation.run", Outcome::Failed).with_reason("stopped"))
            }
        }
        audit.tenant(tenant).append(events).await?;
        result.map(|run| run.report)
    }
}

/// The counts in rule order, every rule listed; counts of rules no longer in the set (their
/// earlier notices were retried) after them.
fn per_rule(rules: &RuleSet, mut counts: BTreeMap<String, RuleRunCounts>) -> Vec<RuleRunCounts> {
    let mut out: Vec<RuleRunCounts> = rules
        .rules
        .iter()
        .map(|r| {
            counts.remove(&r.id).unwrap_or_else(|| RuleRunCounts {
                rule_id: r.id.clone(),
                ..RuleRunCounts::default()
            })
        })
        .collect();
    out.extend(counts.into_values());
    out
}

fn add(total: &mut RuleRunCounts, counts: &RuleRunCounts) {
    total.created += counts.created;
    total.delivered += counts.delivered;
    total.failed += counts.failed;
    total.suppressed += counts.suppressed;
    total.not_linked += counts.not_linked;
}

/// Processes a page of persons in `parallel` tasks.
async fn process_page(shared: &Arc<Shared>, subjects: Vec<SubjectNo>) -> Result<Tally, CoreError> {
    let tasks = shared.config.parallel.max(1);
    let mut groups: Vec<Vec<SubjectNo>> = vec![Vec::new(); tasks];
    for (i, subject) in subjects.into_iter().enumerate() {
        groups[i % tasks].push(subject);
    }
    let mut set = tokio::task::JoinSet::new();
    for group in groups.into_iter().filter(|g| !g.is_empty()) {
        let shared = Arc::clone(shared);
        set.spawn(async move {
            let mut outcome = Tally::default();
            for subject in group {
                if let Err(error) = process_person(&shared, &subject, &mut outcome).await {
                    // The error names no one (CoreError never carries personal data).
                    tracing::warn!(%error, "a person was skipped by the recommendation run");
                    outcome.errors += 1;
                }
            }
            outcome
        });
    }
    let mut total = Tally::default();
    while let Some(joined) = set.join_next().await {
        let outcome =
            joined.map_err(|_| CoreError::Corrupt("a recommendation task stopped".into()))?;
        total.persons += outcome.persons;
        total.errors += outcome.errors;
        total.worklist.extend(outcome.worklist);
        for (rule, counts) in outcome.rules {
            add(total.count(&rule), &counts);
        }
        total.notified.extend(outcome.notified);
    }
    Ok(total)
}

/// Everything in a person's partition the job needs, from one query.
struct Partition {
    person: Option<TargetPerson>,
    records: Vec<sesshu_domain::record::VaccinationRecord>,
    notices: Vec<(StoredNotice, u64)>,
}

async fn load(tenant: &Tenant, subject: &SubjectNo) -> Result<Partition, CoreError> {
    let mut query = Query::partition(person_pk(subject)).limit(500);
    let mut partition = Partition {
        person: None,
        records: Vec::new(),
        notices: Vec::new(),
    };
    loop {
        let page = tenant.store.query(&query).await?;
        for item in page.items {
            let sk = item.key.sk.as_str();
            if sk == "PROFILE" {
                partition.person = Some(crate::persons::open_profile(tenant, item).await?);
            } else if sk.starts_with("REC#") {
                let record = records::open_record(tenant, item).await?;
                if record.latest && !record.deleted {
                    partition.records.push(record);
                }
            } else if sk.starts_with(notices::NOTICE_PREFIX) {
                partition.notices.push(notices::open(tenant, item).await?);
            }
        }
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => return Ok(partition),
        }
    }
}

/// Why delivery to this person is suppressed now, if it is.
fn suppression(person: &TargetPerson) -> Option<&'static str> {
    if person.control_flags.hides_from_resident() {
        Some("control_flag")
    } else if person.control_flags.recovery {
        Some("recovery")
    } else {
        None
    }
}

async fn process_person(
    shared: &Shared,
    subject: &SubjectNo,
    outcome: &mut Tally,
) -> Result<(), CoreError> {
    let tenant = &shared.tenant;
    let partition = load(tenant, subject).await?;
    let Some(person) = partition.person else {
        return Ok(());
    };
    if person.moved_out_on.is_some_and(|day| day <= shared.today) {
        return Ok(());
    }
    outcome.persons += 1;
    let (statuses, _) =
        crate::schedule::evaluate(shared.schedule, &person, &partition.records, shared.today)?;
    worklist_items(shared, &person, &statuses, outcome).await?;

    let stored: Vec<&StoredNotice> = partition.notices.iter().map(|(n, _)| n).collect();
    let past = plan::past_of(&stored);
    let setting = Setting {
        schedule: shared.schedule,
        rules: &shared.rules,
        municipality: &shared.municipality,
        today: shared.today,
    };
    let suppressed = suppression(&person);
    let mut to_deliver: Vec<(StoredNotice, u64)> = Vec::new();
    for planned in plan::plan(&setting, &statuses, &past, None) {
        if planned.held_back.is_some() {
            continue;
        }
        let id = notices::notice_id(
            &tenant.code,
            subject,
            &planned.rule_id,
            &planned.series,
            planned.dose_number,
            &planned.occasion,
        );
        if partition.notices.iter().any(|(n, _)| n.id == id) {
            continue;
        }
        let notice = StoredNotice {
            id,
            rule_id: planned.rule_id,
            series: planned.series,
            dose_number: planned.dose_number,
            occasion: planned.occasion,
            trigger: planned.trigger.to_owned(),
            recommended_on: shared.today,
            created_at: shared.now,
            title_ja: planned.texts.title_ja,
            body_ja: planned.texts.body_ja,
            title_en: planned.texts.title_en,
            body_en: planned.texts.body_en,
            delivery: Delivery {
                state: if suppressed.is_some() {
                    DeliveryState::Suppressed
                } else {
                    DeliveryState::Pending
                },
                reason: suppressed.map(str::to_owned),
                attempts: 0,
                delivered_at: None,
                next_attempt_at: None,
            },
            read_at: None,
        };
        if !notices::create(tenant, subject, &notice).await? {
            // Another run stored it first; that run delivers it.
            continue;
        }
        let counts = outcome.count(&notice.rule_id);
        counts.created += 1;
        if suppressed.is_some() {
            counts.suppressed += 1;
        } else {
            if outcome.notified.last() != Some(subject) {
                outcome.notified.push(subject.clone());
            }
            to_deliver.push((notice, 1));
        }
    }
    for (notice, version) in partition.notices {
        if due_for_delivery(&notice.delivery, shared) {
            to_deliver.push((notice, version));
        }
    }
    if to_deliver.is_empty() {
        return Ok(());
    }
    let mut pseudonym = None;
    for (notice, version) in to_deliver {
        deliver(shared, &person, &mut pseudonym, notice, version, outcome).await?;
    }
    Ok(())
}

fn due_for_delivery(delivery: &Delivery, shared: &Shared) -> bool {
    match delivery.state {
        DeliveryState::Pending => true,
        DeliveryState::Failed => {
            delivery.attempts < shared.config.max_attempts
                && delivery.next_attempt_at.is_some_and(|at| at <= shared.now)
        }
        DeliveryState::Delivered | DeliveryState::Suppressed => false,
    }
}

async fn worklist_items(
    shared: &Shared,
    person: &TargetPerson,
    statuses: &[SeriesStatus],
    outcome: &mut Tally,
) -> Result<(), CoreError> {
    let expires = u64::try_from(shared.now.unix_timestamp())
        .unwrap_or(0)
        .saturating_add(worklist::ENTRY_DAYS * 86_400);
    for status in statuses {
        for kind in ListKind::of(status) {
            let Some(index) = shared.lists.get(&(status.series.as_str().to_owned(), kind)) else {
                continue;
            };
            outcome.worklist.push(
                worklist::entry_item(
                    &shared.tenant,
                    &shared.run_id,
                    index,
                    &person.subject_no,
                    &Entry::of(person.birth_date, status),
                    expires,
                )
                .await?,
            );
        }
    }
    Ok(())
}

/// The person's Mynaportal pseudonym: the profile's (item 3), else the directory's link from
/// their first login. Looked up once per person per run.
async fn pseudonym_of(
    shared: &Shared,
    person: &TargetPerson,
    cache: &mut Option<Option<PmhPseudonym>>,
) -> Result<Option<PmhPseudonym>, CoreError> {
    if let Some(known) = cache {
        return Ok(known.clone());
    }
    let found = match (&person.pmh_pseudonym, &person.pmh_key) {
        (Some(pseudonym), _) => Some(pseudonym.clone()),
        (None, Some(key)) => shared.directory.pseudonym_of(key).await?,
        (None, None) => None,
    };
    *cache = Some(found.clone());
    Ok(found)
}

async fn deliver(
    shared: &Shared,
    person: &TargetPerson,
    pseudonym: &mut Option<Option<PmhPseudonym>>,
    mut notice: StoredNotice,
    version: u64,
    outcome: &mut Tally,
) -> Result<(), CoreError> {
    let before = notice.delivery.clone();
    let counts = outcome.count(&notice.rule_id);
    if let Some(reason) = suppression(person) {
        notice.delivery.state = DeliveryState::Suppressed;
        notice.delivery.reason = Some(reason.to_owned());
        notice.delivery.next_attempt_at = None;
        counts.suppressed += 1;
    } else {
        match pseudonym_of(shared, person, pseudonym).await? {
            None => {
                notice.delivery.state = DeliveryState::Pending;
                notice.delivery.reason = Some("not_linked".to_owned());
                counts.not_linked += 1;
            }
            Some(pseudonym) => {
                let sent = shared
                    .mynaportal
                    .notify(&PortalNotice {
                        notice_id: notice.id.clone(),
                        pseudonym,
                        municipality: shared.tenant.code.clone(),
                        title_ja: notice.title_ja.clone(),
                        body_ja: notice.body_ja.clone(),
                        title_en: notice.title_en.clone(),
                        body_en: notice.body_en.clone(),
                    })
                    .await;
                notice.delivery.attempts += 1;
                match sent {
                    Ok(()) => {
                        notice.delivery.state = DeliveryState::Delivered;
                        notice.delivery.reason = None;
                        notice.delivery.delivered_at = Some(shared.now);
                        notice.delivery.next_attempt_at = None;
                        counts.delivered += 1;
                    }
                    Err(error) => {
                        notice.delivery.state = DeliveryState::Failed;
                        notice.delivery.reason = Some(error.code());
                        notice.delivery.next_attempt_at =
                            (notice.delivery.attempts < shared.config.max_attempts).then(|| {
                                shared.now + backoff(&shared.config, notice.delivery.attempts)
                            });
                        counts.failed += 1;
                    }
                }
            }
        }
    }
    if notice.delivery == before {
        return Ok(());
    }
    store_delivery(&shared.tenant, &person.subject_no, &notice, version).await
}

/// The wait after the `attempts`-th failure.
fn backoff(config: &JobConfig, attempts: u32) -> Duration {
    let factor = 1i32 << attempts.saturating_sub(1).min(20);
    (config.first_backoff * factor).min(config.max_backoff)
}

/// Writes the delivery state; if the resident marked the notice read meanwhile, applies it to
/// the new version instead.
async fn store_delivery(
    tenant: &Tenant,
    subject: &SubjectNo,
    notice: &StoredNotice,
    version: u64,
) -> Result<(), CoreError> {
    match notices::update(tenant, subject, notice, version).await {
        Ok(_) => Ok(()),
        Err(CoreError::Conflict(_)) => {
            let key = Key::new(
                person_pk(subject),
                format!("{}{}", notices::NOTICE_PREFIX, notice.id),
            );
            let Some(item) = tenant.store.get(&key).await? else {
                return Ok(());
            };
            let (mut current, current_version) = notices::open(tenant, item).await?;
            current.delivery = notice.delivery.clone();
            notices::update(tenant, subject, &current, current_version).await?;
            Ok(())
        }
        Err(other) => Err(other),
    }
}

async fn save_report(
    tenant: &Tenant,
    report: &RunReport,
    now: OffsetDateTime,
) -> Result<(), CoreError> {
    let body = serde_json::to_string(report)
        .map_err(|_| CoreError::Corrupt("run report does not encode".into()))?;
    let expires = u64::try_from(now.unix_timestamp())
        .unwrap_or(0)
        .saturating_add(REPORT_DAYS * 86_400);
    let item = Item::new(Key::new(RUNS_PK, format!("RUN#{}", report.run_id)))
        .with("report", AttrValue::S(body))
        .expiring_at(expires);
    let sealed = tenant.cipher.seal(&REPORT_SCHEMA, item).await?;
    tenant
        .store
        .put(sealed, sesshu_store::Condition::None)
        .await?;
    Ok(())
}

/// Run reports hold counts only.
pub const REPORT_SCHEMA: sesshu_crypto::Schema = sesshu_crypto::Schema {
    name: "recommendation_run",
    version: 1,
    attributes: &[("report", sesshu_crypto::Protection::SignOnly)],
};

/// The latest runs, newest first.
pub async fn reports(tenant: &Tenant, limit: usize) -> Result<Vec<RunReport>, CoreError> {
    let page = tenant
        .store
        .query(&Query::prefix(RUNS_PK, "RUN#").descending().limit(limit))
        .await?;
    let mut out = Vec::with_capacity(page.items.len());
    for item in page.items {
        let opened = tenant.cipher.open(&REPORT_SCHEMA, item).await?;
        let report = opened
            .get("report")
            .and_then(AttrValue::as_s)
            .and_then(|s| serde_json::from_str(s).ok())
            .ok_or_else(|| CoreError::Corrupt("run report".into()))?;
        out.push(report);
    }
    Ok(out)
}
