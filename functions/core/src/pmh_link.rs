//! PMH key assignment (PMHキーの取得): persons registered without a PMH key wait in the PMH
//! queue (`crate::persons::pmh_queue`); [`PmhLinker::run_once`] sends their My Numbers to PMH
//! in batches, stores each key returned, and records the person in the platform directory so
//! the resident login finds them.
//!
//! How a run behaves:
//! - The waiting shards are read in order and filled into batches of up to
//!   [`PmhLinkConfig::batch_size`] (PMH takes at most 1,000 My Numbers per call).
//! - Each call has its own timeout; `Timeout` and `Unavailable` are retried with exponential
//!   backoff and jitter. When PMH still fails, every person of that batch moves to the failed
//!   list with the reason (`timeout`, `unavailable: …`, `protocol: …`) and **the run stops**:
//!   an outage is service-wide, so the next batches would only fail the same way after the
//!   same waits and fill the failed list with people nobody needs to look at. They stay
//!   waiting for the next run; [`retry_failed`] puts the failed ones back.
//! - PMH must answer one entry per My Number, in order, each with the My Number sent. A
//!   different count fails the batch (`protocol`); a different My Number fails that person
//!   (`pmh_mismatch`) and raises one `pmh_mismatch` alert per batch. The number is never logged.
//! - A key is stored in one transaction per person, grouped up to 24 persons per store
//!   transaction: the profile under its version, the unique `PMH#<key>` index (which must not
//!   exist unless it already points to this person), a history entry (actor `pmh`) and a
//!   change-feed entry. Only then is the directory entry written, and only after that is the
//!   person taken off the queue: a run cut short anywhere leaves the person waiting, and the
//!   next run finds the key already in the profile and just finishes the directory and queue.
//! - A person deleted meanwhile is dropped from the queue; one whose My Number was edited
//!   between the read and the write stays waiting for the next run; one whose key another
//!   person of the municipality already holds fails with `pmh_key_in_use`.
//!
//! - While an import of target persons holds the persons lease
//!   (`crate::persons::import_lease`), the run does not start a batch, and every key
//!   transaction checks the lease too: an import plans from the profiles and writes them back
//!   unconditionally, so a key written under it could be lost. A run that meets an import stops
//!   with the reason [`REASON_IMPORT_RUNNING`] and leaves everyone waiting; the import asks for
//!   a run when it finishes.
//!
//! Runs of several processes at once are safe: the version condition lets one write the key,
//! and the other finds it stored.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use sesshu_domain::person::TargetPerson;
use sesshu_domain::staff::AlertKind;
use sesshu_domain::staff_persons::{PmhFailure, PmhOverview, PmhStatus};
use sesshu_domain::{MyNumber, PmhKey, SubjectNo};
use sesshu_store::{AttrValue, BatchWrite, Condition, Item, Query, StoreError, Write};
use time::OffsetDateTime;

use crate::alerts::{AlertScope, Detector};
use crate::clock::Clock;
use crate::directory::{Directory, Residence};
use crate::error::CoreError;
use crate::persons::import_lease::{self, Guarded};
use crate::persons::index::{self, SHARDS};
use crate::persons::pmh_queue::{self, FAILED_PARTITION};
use crate::persons::{self, changes, history};
use crate::ports::{Pmh, PmhAssignment, PmhError};
use crate::tenancy::Tenant;

/// The most My Numbers PMH takes in one call.
pub const PMH_BATCH_LIMIT: usize = 1_000;

/// Who the history names for a key stored by this job.
pub const HISTORY_ACTOR: &str = "pmh";

/// The failure reason of a person whose answer carried another My Number.
pub const REASON_MISMATCH: &str = "pmh_mismatch";
/// The failure reason of a person whose key another person of the municipality holds.
pub const REASON_KEY_IN_USE: &str = "pmh_key_in_use";
/// Why a run stopped without failing anyone: an import of target persons is running.
pub const REASON_IMPORT_RUNNING: &str = "import_running";
/// The failure reason of a batch PMH did not answer in time.
pub const REASON_TIMEOUT: &str = "timeout";

/// Writes per person in a key transaction: profile, PMH index, history, change feed.
const WRITES_PER_PERSON: usize = 4;
/// Persons per key transaction; one write of each transaction is the import-lease check.
const PERSONS_PER_TRANSACTION: usize =
    (sesshu_store::MAX_TRANSACTION_WRITES - 1) / WRITES_PER_PERSON;
/// How often one person's write is tried again after a concurrent change.
const WRITE_ATTEMPTS: u32 = 5;
/// Page size when counting or listing queue items.
const QUEUE_PAGE: usize = 1_000;
/// Longest reason kept from a PMH error message.
const MAX_REASON_CHARS: usize = 200;

/// How the job talks to PMH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PmhLinkConfig {
    /// My Numbers per call (clamped to 1..=[`PMH_BATCH_LIMIT`]).
    pub batch_size: usize,
    /// How long one call may take before it counts as `Timeout`.
    pub call_timeout: Duration,
    /// Calls per batch in all, the first included, while PMH times out or is unavailable.
    pub attempts: u32,
    /// The wait before the second call; it doubles for each further call.
    pub first_backoff: Duration,
    /// The longest wait between calls.
    pub max_backoff: Duration,
}

impl Default for PmhLinkConfig {
    fn default() -> Self {
        Self {
            batch_size: PMH_BATCH_LIMIT,
            call_timeout: Duration::from_secs(30),
            attempts: 5,
            first_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(60),
        }
    }
}

impl PmhLinkConfig {
    /// The wait after failed call number `attempt` (1-based): exponential, capped, and drawn
    /// from its upper half so that several processes do not call again in step.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        let full = self
            .first_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        let half = full / 2;
        let spread = u64::try_from((full - half).as_micros()).unwrap_or(u64::MAX);
        half + Duration::from_micros(rand::thread_rng().gen_range(0..=spread))
    }
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PmhRunReport {
    /// Persons whose key was stored by this run.
    pub assigned: u64,
    /// Persons moved to the failed list by this run.
    pub failed: u64,
    /// Persons still waiting after the run (edited meanwhile, or behind a failed batch).
    pub remaining: u64,
    /// Why the run stopped early: the reason of the batch PMH failed on.
    pub stopped: Option<String>,
}

/// Sends waiting persons to PMH and stores their keys. Share one per process.
pub struct PmhLinker {
    pmh: Arc<dyn Pmh>,
    clock: Arc<dyn Clock>,
    detector: Arc<Detector>,
    config: PmhLinkConfig,
}

impl std::fmt::Debug for PmhLinker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PmhLinker")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// A person about to get a key.
struct Plan {
    person: TargetPerson,
    version: u64,
    key: PmhKey,
}

/// How one person's write ended.
enum Settled {
    Assigned(PmhKey),
    /// Someone else (another run) stored a key first.
    AlreadyKeyed(PmhKey),
    Gone,
    KeyInUse,
    /// The My Number changed since it was sent: the key may not be theirs; try next run.
    Changed,
    /// An import started: the person stays waiting and the run stops.
    ImportRunning,
}

/// What a batch does to the queue and the directory, applied at its end.
#[derive(Default)]
struct Outcome {
    /// Persons with a stored key: directory entry, then off the queue.
    keyed: Vec<(SubjectNo, PmhKey)>,
    /// Persons no longer there: off the queue.
    gone: Vec<SubjectNo>,
    /// Persons who move to the failed list, with the reason.
    failed: Vec<(SubjectNo, String)>,
    assigned: u64,
    mismatches: u64,
    /// An import took the persons lease while the batch was being written.
    import_running: bool,
}

impl PmhLinker {
    pub fn new(pmh: Arc<dyn Pmh>, clock: Arc<dyn Clock>, detector: Arc<Detector>) -> Self {
        Self {
            pmh,
            clock,
            detector,
            config: PmhLinkConfig::default(),
        }
    }

    pub fn with_config(mut self, config: PmhLinkConfig) -> Self {
        self.config = config;
        self
    }

    pub fn config(&self) -> &PmhLinkConfig {
        &self.config
    }

    /// Works through the municipality's waiting persons once (see the module documentation).
    /// An `Err` is a store or encryption failure; whatever was done before it stays done and
    /// the next run carries on from there.
    pub async fn run_once(
        &self,
        tenant: &Tenant,
        directory: &Directory,
    ) -> Result<PmhRunReport, CoreError> {
        let mut report = PmhRunReport::default();
        let mut queue = WaitingQueue::default();
        let batch_size = self.config.batch_size.clamp(1, PMH_BATCH_LIMIT);
        loop {
            if import_lease::held(tenant).await? {
                report.stopped = Some(REASON_IMPORT_RUNNING.to_owned());
                break;
            }
            let batch = queue.next_batch(tenant, batch_size).await?;
            if batch.is_empty() {
                break;
            }
            let (outcome, stopped) = self.process(tenant, &batch).await?;
            report.assigned += outcome.assigned;
            report.failed += outcome.failed.len() as u64;
            let mismatches = outcome.mismatches;
            let stopped = stopped.or_else(|| {
                outcome
                    .import_running
                    .then(|| REASON_IMPORT_RUNNING.to_owned())
            });
            finish(tenant, directory, outcome, self.clock.now_epoch_s()).await?;
            if mismatches > 0 {
                self.alert_mismatch(tenant, mismatches).await;
            }
            if let Some(reason) = stopped {
                tracing::warn!(municipality = %tenant.code.as_str(), %reason, "the PMH run stops early");
                report.stopped = Some(reason);
                break;
            }
        }
        report.remaining = waiting_count(tenant).await?;
        tracing::info!(
            municipality = %tenant.code.as_str(),
            assigned = report.assigned,
            failed = report.failed,
            remaining = report.remaining,
            "PMH key run finished"
        );
        Ok(report)
    }

    /// One batch up to its writes of keys; the queue and directory are left to [`finish`].
    /// The second value is set when PMH failed the whole batch.
    async fn process(
        &self,
        tenant: &Tenant,
        batch: &[SubjectNo],
    ) -> Result<(Outcome, Option<String>), CoreError> {
        let mut outcome = Outcome::default();
        let mut to_send = Vec::new();
        for (subject, found) in batch.iter().zip(persons::get_many(tenant, batch).await?) {
            match found {
                None => outcome.gone.push(subject.clone()),
                Some((person, version)) => match person.pmh_key.clone() {
                    Some(key) => outcome.keyed.push((subject.clone(), key)),
                    None => to_send.push((person, version)),
                },
            }
        }
        if to_send.is_empty() {
            return Ok((outcome, None));
        }
        let numbers: Vec<MyNumber> = to_send.iter().map(|(p, _)| p.my_number.clone()).collect();
        let answer = match self.call(&numbers).await {
            Ok(answer) if answer.len() == numbers.len() => answer,
            Ok(answer) => {
                let reason = reason_of(&PmhError::Protocol(format!(
                    "the answer has {} entries for {} My Numbers",
                    answer.len(),
                    numbers.len()
                )));
                fail_all(&mut outcome, &to_send, &reason);
                return Ok((outcome, Some(reason)));
            }
            Err(error) => {
                let reason = reason_of(&error);
                fail_all(&mut outcome, &to_send, &reason);
                return Ok((outcome, Some(reason)));
            }
        };
        let mut plans = Vec::with_capacity(answer.len());
        for ((person, version), PmhAssignment { my_number, pmh_key }) in
            to_send.into_iter().zip(answer)
        {
            if my_number == person.my_number {
                plans.push(Plan {
                    person,
                    version,
                    key: pmh_key,
                });
            } else {
                outcome.mismatches += 1;
                outcome
                    .failed
                    .push((person.subject_no, REASON_MISMATCH.to_owned()));
            }
        }
        self.store_keys(tenant, plans, &mut outcome).await?;
        Ok((outcome, None))
    }

    /// Calls PMH with the timeout, retrying what may pass.
    async fn call(&self, numbers: &[MyNumber]) -> Result<Vec<PmhAssignment>, PmhError> {
        let attempts = self.config.attempts.max(1);
        let mut attempt = 1;
        loop {
            let result =
                match tokio::time::timeout(self.config.call_timeout, self.pmh.assign_keys(numbers))
                    .await
                {
                    Ok(result) => result,
                    Err(_) => Err(PmhError::Timeout),
                };
            match result {
                Ok(answer) => return Ok(answer),
                Err(error @ (PmhError::Timeout | PmhError::Unavailable(_)))
                    if attempt < attempts =>
                {
                    let wait = self.config.backoff(attempt);
                    tracing::warn!(
                        attempt,
                        reason = %reason_of(&error),
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        "PMH call failed; trying again"
                    );
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Stores the keys, up to [`PERSONS_PER_TRANSACTION`] persons per transaction; a person
    /// whose condition fails is taken out and settled alone.
    async fn store_keys(
        &self,
        tenant: &Tenant,
        plans: Vec<Plan>,
        outcome: &mut Outcome,
    ) -> Result<(), CoreError> {
        let index_keys: Vec<_> = plans.iter().map(|p| index::pmh_key(&p.key)).collect();
        let owners = tenant.store.get_many(&index_keys).await?;
        let mut ready = Vec::with_capacity(plans.len());
        for (plan, owner) in plans.into_iter().zip(owners) {
            match index::subject_of(owner)? {
                None => ready.push((plan, Condition::MustNotExist)),
                Some(owner) if owner == plan.person.subject_no => {
                    ready.push((plan, Condition::MustExist));
                }
                Some(_) => record(outcome, plan.person.subject_no, Settled::KeyInUse),
            }
        }
        let mut pending = ready.into_iter().peekable();
        while pending.peek().is_some() {
            let mut group: Vec<(Plan, Condition)> =
                pending.by_ref().take(PERSONS_PER_TRANSACTION).collect();
            let mut conflicts = 0;
            while !group.is_empty() {
                let at = self.clock.now();
                let mut writes = Vec::with_capacity(group.len() * WRITES_PER_PERSON + 1);
                for (plan, condition) in &group {
                    writes.extend(key_writes(tenant, plan, *condition, at).await?);
                }
                match import_lease::transact_unless_importing(tenant, writes).await {
                    Ok(()) => {
                        for (plan, _) in group.drain(..) {
                            record(outcome, plan.person.subject_no, Settled::Assigned(plan.key));
                        }
                    }
                    Err(Guarded::ImportRunning) => {
                        // Everyone not yet written stays waiting for the run after the import.
                        outcome.import_running = true;
                        return Ok(());
                    }
                    Err(Guarded::Store(StoreError::ConditionFailed { index })) => {
                        let (plan, _) =
                            group.remove((index / WRITES_PER_PERSON).min(group.len() - 1));
                        let (subject, settled) = self.settle(tenant, plan).await?;
                        record(outcome, subject, settled);
                        if outcome.import_running {
                            return Ok(());
                        }
                    }
                    Err(Guarded::Store(StoreError::Conflict)) if conflicts < WRITE_ATTEMPTS => {
                        conflicts += 1;
                        let pause = Duration::from_millis(rand::thread_rng().gen_range(5..=50));
                        tokio::time::sleep(pause).await;
                    }
                    Err(Guarded::Store(StoreError::Conflict)) => {
                        // Contended: one by one, each with its own retries.
                        for (plan, _) in group.drain(..) {
                            let (subject, settled) = self.settle(tenant, plan).await?;
                            record(outcome, subject, settled);
                            if outcome.import_running {
                                return Ok(());
                            }
                        }
                    }
                    Err(Guarded::Store(other)) => return Err(other.into()),
                }
            }
        }
        Ok(())
    }

    /// Writes one person's key alone after a failed condition, reading the person and the
    /// index again on each attempt.
    async fn settle(
        &self,
        tenant: &Tenant,
        mut plan: Plan,
    ) -> Result<(SubjectNo, Settled), CoreError> {
        let subject = plan.person.subject_no.clone();
        let sent = plan.person.my_number.clone();
        for _ in 0..WRITE_ATTEMPTS {
            let Some((person, version)) = persons::get(tenant, &subject).await? else {
                return Ok((subject, Settled::Gone));
            };
            if let Some(key) = person.pmh_key {
                return Ok((subject, Settled::AlreadyKeyed(key)));
            }
            if person.my_number != sent {
                return Ok((subject, Settled::Changed));
            }
            plan.person = person;
            plan.version = version;
            let owner = index::subject_of(tenant.store.get(&index::pmh_key(&plan.key)).await?)?;
            let condition = match owner {
                None => Condition::MustNotExist,
                Some(owner) if owner == subject => Condition::MustExist,
                Some(_) => return Ok((subject, Settled::KeyInUse)),
            };
            let writes = key_writes(tenant, &plan, condition, self.clock.now()).await?;
            match import_lease::transact_unless_importing(tenant, writes.into()).await {
                Ok(()) => return Ok((subject, Settled::Assigned(plan.key))),
                Err(Guarded::ImportRunning) => return Ok((subject, Settled::ImportRunning)),
                Err(Guarded::Store(StoreError::ConditionFailed { .. } | StoreError::Conflict)) => {
                    let pause = Duration::from_millis(rand::thread_rng().gen_range(1..=20));
                    tokio::time::sleep(pause).await;
                }
                Err(Guarded::Store(other)) => return Err(other.into()),
            }
        }
        // Still contended after every attempt: leave them waiting for the next run.
        Ok((subject, Settled::Changed))
    }

    async fn alert_mismatch(&self, tenant: &Tenant, count: u64) {
        let message_ja = format!(
            "PMHの応答で、送信した個人番号と異なる個人番号が{count}件返されました。該当者のPMHキーは保存していません。PMH連携の失敗一覧（理由 {REASON_MISMATCH}）を確認し、PMH側に問い合わせてください。"
        );
        let message_en = format!(
            "PMH answered {count} time(s) with a My Number other than the one sent. No key was stored for those persons; see the PMH failures (reason {REASON_MISMATCH}) and ask PMH."
        );
        let scope = AlertScope::tenant(tenant);
        if let Err(error) = self
            .detector
            .report(
                &scope,
                AlertKind::PmhMismatch,
                message_ja,
                message_en,
                self.clock.now_epoch_s(),
            )
            .await
        {
            // The persons are on the failed list with the reason either way.
            tracing::error!(municipality = %tenant.code.as_str(), %error, "cannot raise the PMH mismatch alert");
        }
    }
}

fn fail_all(outcome: &mut Outcome, to_send: &[(TargetPerson, u64)], reason: &str) {
    outcome.failed.extend(
        to_send
            .iter()
            .map(|(person, _)| (person.subject_no.clone(), reason.to_owned())),
    );
}

fn record(outcome: &mut Outcome, subject: SubjectNo, settled: Settled) {
    match settled {
        Settled::Assigned(key) => {
            outcome.assigned += 1;
            outcome.keyed.push((subject, key));
        }
        Settled::AlreadyKeyed(key) => outcome.keyed.push((subject, key)),
        Settled::Gone => outcome.gone.push(subject),
        Settled::KeyInUse => outcome.failed.push((subject, REASON_KEY_IN_USE.to_owned())),
        Settled::Changed => {}
        Settled::ImportRunning => outcome.import_running = true,
    }
}

/// The writes that give one person their key.
async fn key_writes(
    tenant: &Tenant,
    plan: &Plan,
    index_condition: Condition,
    at: OffsetDateTime,
) -> Result<[Write; WRITES_PER_PERSON], CoreError> {
    let subject = &plan.person.subject_no;
    let mut keyed = plan.person.clone();
    keyed.pmh_key = Some(plan.key.clone());
    let profile = persons::seal_profile(tenant, &keyed)
        .await?
        .with_version(plan.version + 1);
    let entry = history::item(
        tenant,
        subject,
        at,
        HISTORY_ACTOR,
        "pmh_key",
        history::diff(&plan.person, &keyed),
    )
    .await?;
    Ok([
        Write::Put {
            item: profile,
            condition: Condition::VersionIs(plan.version),
        },
        Write::Put {
            item: index::subject_item(index::pmh_key(&plan.key), subject),
            condition: index_condition,
        },
        Write::Put {
            item: entry,
            condition: Condition::None,
        },
        Write::Put {
            item: changes::entry(at.date(), subject),
            condition: Condition::None,
        },
    ])
}

/// Records the keyed persons in the directory, then updates the queue: keyed and gone persons
/// leave it (waiting and failed), failed ones move to the failed list.
async fn finish(
    tenant: &Tenant,
    directory: &Directory,
    outcome: Outcome,
    now_epoch_s: u64,
) -> Result<(), CoreError> {
    let residences: Vec<(PmhKey, Residence)> = outcome
        .keyed
        .iter()
        .map(|(subject, key)| {
            (
                key.clone(),
                Residence {
                    municipality: tenant.code.clone(),
                    subject_no: subject.clone(),
                },
            )
        })
        .collect();
    directory.record_residences(&residences).await?;
    let mut writes = Vec::new();
    for subject in outcome.keyed.iter().map(|(s, _)| s).chain(&outcome.gone) {
        writes.push(BatchWrite::Delete(pmh_queue::waiting_key(subject)));
        writes.push(BatchWrite::Delete(pmh_queue::failed_key(subject)));
    }
    for (subject, reason) in &outcome.failed {
        // The failure first: cut short in between, the person is still on a list.
        writes.push(BatchWrite::Put(pmh_queue::failed_item(
            subject,
            reason,
            now_epoch_s,
        )));
        writes.push(BatchWrite::Delete(pmh_queue::waiting_key(subject)));
    }
    if !writes.is_empty() {
        tenant.store.write_batch(writes).await?;
    }
    Ok(())
}

/// The reason stored for a failed call: a short code and PMH's own words, without long digit
/// runs in case an adapter breaks its contract and quotes a My Number.
fn reason_of(error: &PmhError) -> String {
    match error {
        PmhError::Timeout => REASON_TIMEOUT.to_owned(),
        PmhError::Unavailable(message) => format!("unavailable: {}", scrub(message)),
        PmhError::Protocol(message) => format!("protocol: {}", scrub(message)),
    }
}

fn scrub(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(MAX_REASON_CHARS));
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() >= 4 {
            out.push_str("####");
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in message.chars().take(MAX_REASON_CHARS) {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(if c.is_control() { ' ' } else { c });
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// Reads the waiting shards in order, continuing where the last batch ended.
#[derive(Default)]
struct WaitingQueue {
    shard: u8,
    cursor: Option<String>,
}

impl WaitingQueue {
    async fn next_batch(
        &mut self,
        tenant: &Tenant,
        size: usize,
    ) -> Result<Vec<SubjectNo>, CoreError> {
        let mut batch = Vec::with_capacity(size);
        while batch.len() < size && self.shard < SHARDS {
            let query = Query::partition(pmh_queue::waiting_partition(self.shard))
                .limit(size - batch.len())
                .after(self.cursor.take());
            let page = tenant.store.query(&query).await?;
            for item in &page.items {
                batch.push(subject_in(item)?);
            }
            match page.next {
                Some(next) => self.cursor = Some(next),
                None => self.shard += 1,
            }
        }
        Ok(batch)
    }
}

fn subject_in(item: &Item) -> Result<SubjectNo, CoreError> {
    SubjectNo::parse(&item.key.sk).map_err(|_| CoreError::Corrupt("PMH queue item".into()))
}

/// How many persons wait for a key, across the shards.
pub async fn waiting_count(tenant: &Tenant) -> Result<u64, CoreError> {
    let mut count = 0u64;
    for shard in 0..SHARDS {
        let mut query = Query::partition(pmh_queue::waiting_partition(shard)).limit(QUEUE_PAGE);
        loop {
            let page = tenant.store.query(&query).await?;
            count += page.items.len() as u64;
            match page.next {
                Some(next) => query.cursor = Some(next),
                None => break,
            }
        }
    }
    Ok(count)
}

/// Every failed assignment, in subject order.
async fn failures(tenant: &Tenant) -> Result<Vec<PmhFailure>, CoreError> {
    let mut query = Query::partition(FAILED_PARTITION).limit(QUEUE_PAGE);
    let mut failed = Vec::new();
    loop {
        let page = tenant.store.query(&query).await?;
        for item in &page.items {
            failed.push(failure_of(item)?);
        }
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => return Ok(failed),
        }
    }
}

fn failure_of(item: &Item) -> Result<PmhFailure, CoreError> {
    let reason = item
        .get("reason")
        .and_then(AttrValue::as_s)
        .ok_or_else(|| CoreError::Corrupt("PMH failure reason".into()))?;
    let at = item
        .get("at")
        .and_then(AttrValue::as_n)
        .and_then(|n| u64::try_from(n).ok())
        .unwrap_or(0);
    Ok(PmhFailure {
        subject_no: subject_in(item)?.as_str().to_owned(),
        reason: reason.to_owned(),
        at: crate::audit::rfc3339(at),
    })
}

/// PMH key assignment at a glance: how many wait, and every failure with its reason.
pub async fn overview(tenant: &Tenant) -> Result<PmhOverview, CoreError> {
    Ok(PmhOverview {
        waiting: waiting_count(tenant).await?,
        failed: failures(tenant).await?,
    })
}

/// Puts failed persons back in the queue for the next run: every failed one, or those of
/// `subjects` that failed (others are ignored). Returns how many were put back.
pub async fn retry_failed(
    tenant: &Tenant,
    subjects: Option<&[SubjectNo]>,
) -> Result<u64, CoreError> {
    let failed: Vec<SubjectNo> = match subjects {
        None => {
            let mut all = Vec::new();
            let mut query = Query::partition(FAILED_PARTITION).limit(QUEUE_PAGE);
            loop {
                let page = tenant.store.query(&query).await?;
                for item in &page.items {
                    all.push(subject_in(item)?);
                }
                match page.next {
                    Some(next) => query.cursor = Some(next),
                    None => break all,
                }
            }
        }
        Some(subjects) => {
            let unique: Vec<SubjectNo> = subjects
                .iter()
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let mut found = Vec::new();
            for chunk in unique.chunks(QUEUE_PAGE) {
                let keys: Vec<_> = chunk.iter().map(pmh_queue::failed_key).collect();
                let items = tenant.store.get_many(&keys).await?;
                found.extend(
                    chunk
                        .iter()
                        .zip(items)
                        .filter(|(_, item)| item.is_some())
                        .map(|(subject, _)| subject.clone()),
                );
            }
            found
        }
    };
    for chunk in failed.chunks(QUEUE_PAGE / 2) {
        // Waiting first: cut short in between, the person is still on a list.
        let writes = chunk
            .iter()
            .flat_map(|subject| {
                [
                    BatchWrite::Put(pmh_queue::waiting_item(subject)),
                    BatchWrite::Delete(pmh_queue::failed_key(subject)),
                ]
            })
            .collect();
        tenant.store.write_batch(writes).await?;
    }
    Ok(failed.len() as u64)
}

/// Where the person's key assignment stands, and why it failed if it did.
/// [`CoreError::NotFound`] if there is no such person.
pub async fn status(
    tenant: &Tenant,
    subject: &SubjectNo,
) -> Result<(PmhStatus, Option<String>), CoreError> {
    let (person, _) = persons::get(tenant, subject)
        .await?
        .ok_or(CoreError::NotFound)?;
    status_of(tenant, &person).await
}

/// As [`status`], for a person already read (one bulk read of the queue items at most).
pub async fn status_of(
    tenant: &Tenant,
    person: &TargetPerson,
) -> Result<(PmhStatus, Option<String>), CoreError> {
    if person.pmh_key.is_some() {
        return Ok((PmhStatus::Assigned, None));
    }
    let subject = &person.subject_no;
    let items = tenant
        .store
        .get_many(&[
            pmh_queue::waiting_key(subject),
            pmh_queue::failed_key(subject),
        ])
        .await?;
    // Waiting wins: a failed person put back (or moved halfway) is retried by the next run.
    match (items.first(), items.get(1)) {
        (Some(Some(_)), _) => Ok((PmhStatus::Waiting, None)),
        (_, Some(Some(failed))) => Ok((PmhStatus::Failed, Some(failure_of(failed)?.reason))),
        _ => Ok((PmhStatus::Waiting, None)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn backoff_doubles_stays_within_its_upper_half_and_is_capped() {
        let config = PmhLinkConfig {
            first_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(700),
            ..PmhLinkConfig::default()
        };
        for _ in 0..50 {
            let first = config.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = config.backoff(3);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let capped = config.backoff(30);
            assert!(capped >= Duration::from_millis(350) && capped <= Duration::from_millis(700));
        }
    }

    #[test]
    fn a_reason_keeps_pmh_words_but_no_long_digit_runs() {
        let reason = reason_of(&PmhError::Unavailable(
            "HTTP 503 for 123456789018\nretry later".into(),
        ));
        assert_eq!(reason, "unavailable: HTTP 503 for #### retry later");
        assert_eq!(reason_of(&PmhError::Timeout), "timeout");
        let long = reason_of(&PmhError::Protocol("x".repeat(1_000)));
        assert!(long.chars().count() <= "protocol: ".len() + MAX_REASON_CHARS);
    }
}
