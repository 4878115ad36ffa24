//! Processing an uploaded import: a blocking thread streams the parts through the CSV reader
//! and hands batches of rows over a bounded channel (constant memory); the async side plans
//! each batch (lookups through the blind indexes), writes its intent into the job, applies it
//! and moves the checkpoint. See the module docs of [`super`] for why this is exact on resume.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use sesshu_domain::person::{LinkState, LinkStatus, TargetPerson};
use sesshu_domain::person_input::{FieldError, PersonField, PersonInput};
use sesshu_domain::staff_persons::ImportState;
use sesshu_domain::{MyNumber, SubjectNo};
use sesshu_interchange::person_csv::{ParsedRow, PersonCsvReader, RowError, RowOp};
use sesshu_store::{BatchWrite, Item, Key, Write};
use time::{Date, OffsetDateTime};
use tokio::sync::mpsc;

use super::written::WrittenKeys;
use super::{Job, RowProblem, load, problem_item, save};
use crate::error::CoreError;
use crate::persons::{self, duplicates, edit, history, index, search, subjects};
use crate::tenancy::Tenant;

/// How the runner batches.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Rows per batch (one intent, two bulk writes, one checkpoint).
    pub batch_rows: usize,
    /// Stop after this many batches (tests simulate a crash this way); `None` runs to the end.
    pub max_batches: Option<usize>,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            batch_rows: 2_000,
            max_batches: None,
        }
    }
}

/// What a batch will do to each of its rows; written before the batch is applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    pub start_row: u64,
    /// One past the last row of the batch.
    pub end_row: u64,
    pub bytes_after: u64,
    /// When the batch was planned (Unix nanoseconds): every time stamp it writes.
    pub at_ns: i64,
    pub outcomes: Vec<Outcome>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub row: u64,
    pub kind: OutcomeKind,
    pub subject: Option<String>,
    pub reason: Option<FailReason>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    Created,
    Updated,
    Deleted,
    Unchanged,
    Failed,
}

/// Why a valid row could not be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailReason {
    /// The row itself is invalid; the reader's errors say why.
    Invalid,
    /// 変更区分 1 for a My Number already registered with other content.
    AlreadyRegistered,
    /// 変更区分 2 or 3 for a My Number not registered.
    NotRegistered,
    /// The 自治体業務ID belongs to another person.
    BusinessIdInUse,
}

impl FailReason {
    fn problem(self, row: u64) -> RowProblem {
        let (field, ja, en) = match self {
            Self::Invalid => (None, "行が不正です", "the row is invalid"),
            Self::AlreadyRegistered => (
                Some(PersonField::MyNumber),
                "この個人番号の対象者は登録済みで、内容が異なります。変更する場合は変更区分を2（更新）にしてください",
                "a person with this My Number is already registered with other content; use 変更区分 2 (update) to change it",
            ),
            Self::NotRegistered => (
                Some(PersonField::MyNumber),
                "この個人番号の対象者は登録されていません（削除済みの可能性があります）。新規登録は変更区分を1にしてください",
                "no person with this My Number is registered (perhaps already deleted); use 変更区分 1 (new) to register",
            ),
            Self::BusinessIdInUse => (
                Some(PersonField::MunicipalBusinessId),
                "この自治体業務IDは別の対象者に使われています。健康管理システムのIDを確認してください",
                "this 自治体業務ID belongs to another person; check the id in the health-management system",
            ),
        };
        RowProblem {
            row,
            field,
            ja: ja.to_owned(),
            en: en.to_owned(),
        }
    }
}

enum Message {
    Encoding(String),
    Batch {
        rows: Vec<ParsedRow>,
        bytes_after: u64,
    },
    FileError {
        ja: String,
        en: String,
    },
    Done,
}

/// Where a run spent its time (wall clock, summed over batches), for the benchmark and logs.
#[derive(Debug, Clone, Copy, Default)]
pub struct PhaseTimes {
    /// Waiting for the parser thread (reading parts, decoding, validating).
    pub parse_wait: std::time::Duration,
    pub plan: std::time::Duration,
    /// Building (sealing) the items of a batch.
    pub build: std::time::Duration,
    /// Bulk writes of the batch's items.
    pub write: std::time::Duration,
    /// Intent and checkpoint writes of the job.
    pub job_writes: std::time::Duration,
    /// Index reads left out because the run knew it had not written the key (see `written`).
    pub reads_skipped: u64,
}

static LAST_TIMES: std::sync::Mutex<PhaseTimes> = std::sync::Mutex::new(PhaseTimes {
    parse_wait: std::time::Duration::ZERO,
    plan: std::time::Duration::ZERO,
    build: std::time::Duration::ZERO,
    write: std::time::Duration::ZERO,
    job_writes: std::time::Duration::ZERO,
    reads_skipped: 0,
});

/// The phase times of the last run that finished in this process.
pub fn last_phase_times() -> PhaseTimes {
    LAST_TIMES.lock().map(|t| *t).unwrap_or_default()
}

/// Runs (or resumes) the job until it is done, failed, or `config.max_batches` is reached.
pub async fn run(tenant: &Tenant, job_id: &str, config: &RunConfig) -> Result<Job, CoreError> {
    let mut times = PhaseTimes::default();
    let result = run_timed(tenant, job_id, config, &mut times).await;
    tracing::info!(?times, "import run finished");
    if let Ok(mut last) = LAST_TIMES.lock() {
        *last = times;
    }
    result
}

async fn run_timed(
    tenant: &Tenant,
    job_id: &str,
    config: &RunConfig,
    times: &mut PhaseTimes,
) -> Result<Job, CoreError> {
    let (job, _) = load(tenant, job_id).await?;
    if !matches!(job.state, ImportState::Queued | ImportState::Processing) {
        return Ok(job);
    }
    // One import at a time changes a municipality's persons, and clerks wait for it. The job
    // stays queued (the app shows 処理待ち) while another import holds the lease.
    let mut lease = persons::import_lease::acquire_waiting(tenant, job_id).await?;
    let result = start_leased(tenant, job_id, config, times, &mut lease).await;
    let released = lease.release(tenant).await;
    let job = result?;
    released?;
    Ok(job)
}

async fn start_leased(
    tenant: &Tenant,
    job_id: &str,
    config: &RunConfig,
    times: &mut PhaseTimes,
    lease: &mut persons::import_lease::Lease,
) -> Result<Job, CoreError> {
    let (mut job, mut version) = load(tenant, job_id).await?;
    match job.state {
        ImportState::Queued => {
            job.state = ImportState::Processing;
            version = save(tenant, &job, Some(version)).await?;
        }
        ImportState::Processing => {}
        ImportState::Uploading | ImportState::Done | ImportState::Failed => return Ok(job),
    }
    run_leased(tenant, job, version, config, times, lease).await
}

async fn run_leased(
    tenant: &Tenant,
    mut job: Job,
    mut version: u64,
    config: &RunConfig,
    times: &mut PhaseTimes,
    lease: &mut persons::import_lease::Lease,
) -> Result<Job, CoreError> {
    let today = sesshu_interchange::person_csv::japan_today();
    let start_row = job.intent.as_ref().map_or(job.next_row, |i| i.start_row);
    let first_end = job.intent.as_ref().map(|i| i.end_row);
    let (tx, mut rx) = mpsc::channel(2);
    let parser = {
        let tenant = tenant.clone();
        let job = job.clone();
        let handle = tokio::runtime::Handle::current();
        let batch_rows = config.batch_rows.max(1);
        tokio::task::spawn_blocking(move || {
            parse(
                &handle, &tenant, &job, today, start_row, first_end, batch_rows, &tx,
            );
        })
    };
    let written = memory_for(tenant, job.size).await?;
    let mut batches = 0;
    loop {
        let waited = std::time::Instant::now();
        let Some(message) = rx.recv().await else {
            break;
        };
        times.parse_wait += waited.elapsed();
        match message {
            Message::Encoding(encoding) => {
                if job.encoding.as_deref() != Some(encoding.as_str()) {
                    job.encoding = Some(encoding);
                    version = save(tenant, &job, Some(version)).await?;
                }
            }
            Message::Batch { rows, bytes_after } => {
                if config.max_batches.is_some_and(|max| batches >= max) {
                    break;
                }
                lease.renew(tenant).await?;
                let intent = match job.intent.clone() {
                    Some(intent) => intent,
                    None => {
                        let started = std::time::Instant::now();
                        let intent =
                            plan(tenant, &rows, bytes_after, written.as_deref(), times).await?;
                        times.plan += started.elapsed();
                        job.intent = Some(intent.clone());
                        let started = std::time::Instant::now();
                        version = save(tenant, &job, Some(version)).await?;
                        times.job_writes += started.elapsed();
                        intent
                    }
                };
                apply(tenant, &job, &rows, &intent, written.as_ref(), times).await?;
                for outcome in &intent.outcomes {
                    let counter = match outcome.kind {
                        OutcomeKind::Created => &mut job.counts.created,
                        OutcomeKind::Updated => &mut job.counts.updated,
                        OutcomeKind::Deleted => &mut job.counts.deleted,
                        OutcomeKind::Unchanged => &mut job.counts.unchanged,
                        OutcomeKind::Failed => &mut job.counts.failed,
                    };
                    *counter += 1;
                }
                job.next_row = intent.end_row;
                job.bytes_processed = intent.bytes_after.min(job.size);
                job.intent = None;
                let started = std::time::Instant::now();
                version = save(tenant, &job, Some(version)).await?;
                times.job_writes += started.elapsed();
                batches += 1;
            }
            Message::FileError { ja, en } => {
                job.state = ImportState::Failed;
                job.error = Some((ja, en));
                job.finished_at = Some(OffsetDateTime::now_utc().unix_timestamp());
                save(tenant, &job, Some(version)).await?;
                super::delete_parts(tenant, &job).await?;
                return Ok(job);
            }
            Message::Done => {
                job.state = ImportState::Done;
                job.bytes_processed = job.size;
                job.finished_at = Some(OffsetDateTime::now_utc().unix_timestamp());
                save(tenant, &job, Some(version)).await?;
                super::delete_parts(tenant, &job).await?;
                return Ok(job);
            }
        }
    }
    drop(rx);
    let _ = parser.await;
    Ok(job)
}

/// A memory of what this run writes, when the run may read the store only for keys it wrote:
/// nobody is listed yet and no import is part-way through a batch (see `written`). The caller
/// holds the persons lease, so this stays true while the run goes on.
async fn memory_for(
    tenant: &Tenant,
    file_bytes: u64,
) -> Result<Option<Arc<WrittenKeys>>, CoreError> {
    if !persons::index::nobody_listed(tenant).await? {
        return Ok(None);
    }
    let jobs = super::list(tenant, 100).await?;
    if jobs.iter().any(|job| job.intent.is_some()) {
        return Ok(None);
    }
    Ok(Some(Arc::new(WrittenKeys::for_file(file_bytes))))
}

/// The items at `keys` (in order), read from the store except those `written` knows this run
/// never wrote, which are absent.
async fn get_written(
    tenant: &Tenant,
    keys: &[Key],
    written: Option<&WrittenKeys>,
    times: &mut PhaseTimes,
) -> Result<Vec<Option<Item>>, CoreError> {
    let Some(written) = written else {
        return Ok(tenant.store.get_many(keys).await?);
    };
    let mut read = Vec::new();
    let mut to_read = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let maybe = persons::index::lookup_of(key)
            .is_none_or(|(partition, prefix)| written.may_have_written(partition, prefix));
        if maybe {
            read.push(i);
            to_read.push(key.clone());
        }
    }
    times.reads_skipped += (keys.len() - to_read.len()) as u64;
    let mut items = vec![None; keys.len()];
    for (i, item) in read.into_iter().zip(tenant.store.get_many(&to_read).await?) {
        items[i] = item;
    }
    Ok(items)
}

/// Reads the uploaded parts in order, fetching each when the previous one is used up.
struct PartsReader {
    handle: tokio::runtime::Handle,
    tenant: Tenant,
    job_id: String,
    parts: u32,
    next_part: u32,
    buffer: Vec<u8>,
    position: usize,
    consumed: Arc<AtomicU64>,
}

impl Read for PartsReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.position == self.buffer.len() {
            if self.next_part == self.parts {
                return Ok(0);
            }
            let part =
                self.handle
                    .block_on(super::read_part(&self.tenant, &self.job_id, self.next_part));
            self.buffer = part.map_err(|e| io::Error::other(e.to_string()))?;
            self.position = 0;
            self.next_part += 1;
        }
        let n = out.len().min(self.buffer.len() - self.position);
        out[..n].copy_from_slice(&self.buffer[self.position..self.position + n]);
        self.position += n;
        self.consumed.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn my_number_of(row: &ParsedRow) -> Option<&MyNumber> {
    match &row.result {
        Ok(RowOp::New(input) | RowOp::Update(input)) => Some(&input.my_number),
        Ok(RowOp::Delete(deletion)) => Some(&deletion.my_number),
        Err(_) => None,
    }
}

/// The blocking side: streams rows into batches. A batch ends at `batch_rows` rows, before a
/// My Number it already holds (so each person is touched once per batch and file order holds),
/// and — when resuming an intent — exactly where that intent's batch ended.
#[allow(clippy::too_many_arguments)]
fn parse(
    handle: &tokio::runtime::Handle,
    tenant: &Tenant,
    job: &Job,
    today: Date,
    start_row: u64,
    first_end: Option<u64>,
    batch_rows: usize,
    tx: &mpsc::Sender<Message>,
) {
    let consumed = Arc::new(AtomicU64::new(0));
    let reader = PartsReader {
        handle: handle.clone(),
        tenant: tenant.clone(),
        job_id: job.job_id.clone(),
        parts: job.part_count(),
        next_part: 0,
        buffer: Vec::new(),
        position: 0,
        consumed: Arc::clone(&consumed),
    };
    let csv = match PersonCsvReader::new(reader, tenant.code.clone()) {
        Ok(csv) => csv.with_today(Some(today)),
        Err(e) => {
            let _ = tx.blocking_send(Message::FileError {
                ja: e.ja(),
                en: e.en(),
            });
            return;
        }
    };
    if tx
        .blocking_send(Message::Encoding(encoding_name(&csv)))
        .is_err()
    {
        return;
    }
    let mut batch: Vec<ParsedRow> = Vec::with_capacity(batch_rows);
    let mut seen: HashSet<String> = HashSet::new();
    let mut forced_end = first_end;
    for row in csv {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                let _ = tx.blocking_send(Message::FileError {
                    ja: e.ja(),
                    en: e.en(),
                });
                return;
            }
        };
        if row.row_no < start_row {
            continue;
        }
        let digits = my_number_of(&row).map(|n| n.expose_digits().to_owned());
        let cut = match forced_end {
            Some(end) => row.row_no >= end,
            None => batch.len() >= batch_rows || digits.as_ref().is_some_and(|d| seen.contains(d)),
        };
        if cut && !batch.is_empty() {
            forced_end = None;
            let rows = std::mem::replace(&mut batch, Vec::with_capacity(batch_rows));
            seen.clear();
            let bytes_after = consumed.load(Ordering::Relaxed);
            if tx
                .blocking_send(Message::Batch { rows, bytes_after })
                .is_err()
            {
                return;
            }
        }
        if let Some(digits) = digits {
            seen.insert(digits);
        }
        batch.push(row);
    }
    if !batch.is_empty() {
        let bytes_after = consumed.load(Ordering::Relaxed);
        if tx
            .blocking_send(Message::Batch {
                rows: batch,
                bytes_after,
            })
            .is_err()
        {
            return;
        }
    }
    let _ = tx.blocking_send(Message::Done);
}

fn encoding_name<R: Read>(csv: &PersonCsvReader<R>) -> String {
    use sesshu_interchange::encoding::TextEncoding;
    match csv.encoding() {
        TextEncoding::Utf8 => "utf8",
        TextEncoding::Utf8Bom => "utf8_bom",
        TextEncoding::Cp932 => "cp932",
    }
    .to_owned()
}

/// Decides every row's outcome from the store as it is before the batch.
async fn plan(
    tenant: &Tenant,
    rows: &[ParsedRow],
    bytes_after: u64,
    written: Option<&WrittenKeys>,
    times: &mut PhaseTimes,
) -> Result<Intent, CoreError> {
    let at = OffsetDateTime::now_utc();
    // Who holds each row's My Number now.
    let mut mn_keys = Vec::new();
    for row in rows {
        if let Some(my_number) = my_number_of(row) {
            mn_keys.push(index::my_number_key(tenant, my_number).await?);
        }
    }
    let holders = get_written(tenant, &mn_keys, written, times).await?;
    let mut holders = holders.into_iter();
    let mut subject_of_row: Vec<Option<SubjectNo>> = Vec::with_capacity(rows.len());
    for row in rows {
        subject_of_row.push(match my_number_of(row) {
            Some(_) => index::subject_of(holders.next().flatten())?,
            None => None,
        });
    }
    // Current content of the people that new and update rows compare against.
    let compare: Vec<SubjectNo> = rows
        .iter()
        .zip(&subject_of_row)
        .filter(|(row, _)| matches!(row.result, Ok(RowOp::New(_) | RowOp::Update(_))))
        .filter_map(|(_, subject)| subject.clone())
        .collect();
    let current: HashMap<SubjectNo, TargetPerson> = persons::get_many(tenant, &compare)
        .await?
        .into_iter()
        .flatten()
        .map(|(person, _)| (person.subject_no.clone(), person))
        .collect();
    // Who holds the business ids that rows would take.
    let mut bid_rows = Vec::new();
    let mut bid_keys = Vec::new();
    for (i, (row, subject)) in rows.iter().zip(&subject_of_row).enumerate() {
        let input = match &row.result {
            Ok(RowOp::New(input) | RowOp::Update(input)) => input,
            _ => continue,
        };
        let changes_bid = match subject.as_ref().and_then(|s| current.get(s)) {
            Some(person) => person.municipal_business_id != input.municipal_business_id,
            None => true,
        };
        if changes_bid {
            bid_rows.push(i);
            bid_keys.push(index::business_id_key(tenant, &input.municipal_business_id).await?);
        }
    }
    let bid_holders = get_written(tenant, &bid_keys, written, times).await?;
    let mut bid_holder: HashMap<usize, (Key, Option<SubjectNo>)> = HashMap::new();
    for ((i, key), item) in bid_rows.into_iter().zip(bid_keys).zip(bid_holders) {
        bid_holder.insert(i, (key, index::subject_of(item)?));
    }
    // Business ids taken or freed by earlier rows of this batch win over the store.
    let mut bid_overrides: HashMap<Key, Option<SubjectNo>> = HashMap::new();
    let mut outcomes = Vec::with_capacity(rows.len());
    let mut creates = 0u32;
    for (i, row) in rows.iter().enumerate() {
        let subject = subject_of_row[i].clone();
        let mut outcome = Outcome {
            row: row.row_no,
            kind: OutcomeKind::Failed,
            subject: None,
            reason: None,
        };
        let bid_free_for = |me: Option<&SubjectNo>, overrides: &HashMap<Key, Option<SubjectNo>>| {
            bid_holder.get(&i).is_none_or(|(key, holder)| {
                let holder = overrides
                    .get(key)
                    .cloned()
                    .unwrap_or_else(|| holder.clone());
                holder.is_none() || holder.as_ref() == me
            })
        };
        match &row.result {
            Err(_) => outcome.reason = Some(FailReason::Invalid),
            Ok(RowOp::New(input)) => match subject.as_ref() {
                Some(s) => match current.get(s) {
                    Some(person) if !input.differs_from(person) => {
                        outcome.kind = OutcomeKind::Unchanged;
                        outcome.subject = Some(s.as_str().to_owned());
                    }
                    _ => outcome.reason = Some(FailReason::AlreadyRegistered),
                },
                None if !bid_free_for(None, &bid_overrides) => {
                    outcome.reason = Some(FailReason::BusinessIdInUse);
                }
                None => {
                    outcome.kind = OutcomeKind::Created;
                    creates += 1;
                }
            },
            Ok(RowOp::Update(input)) => match subject.as_ref().and_then(|s| current.get(s)) {
                None => outcome.reason = Some(FailReason::NotRegistered),
                Some(person) if !input.differs_from(person) => {
                    outcome.kind = OutcomeKind::Unchanged;
                    outcome.subject = Some(person.subject_no.as_str().to_owned());
                }
                Some(person) if !bid_free_for(Some(&person.subject_no), &bid_overrides) => {
                    outcome.reason = Some(FailReason::BusinessIdInUse);
                }
                Some(person) => {
                    outcome.kind = OutcomeKind::Updated;
                    outcome.subject = Some(person.subject_no.as_str().to_owned());
                    if let Some((key, _)) = bid_holder.get(&i) {
                        bid_overrides.insert(key.clone(), Some(person.subject_no.clone()));
                        let old =
                            index::business_id_key(tenant, &person.municipal_business_id).await?;
                        bid_overrides.insert(old, None);
                    }
                }
            },
            Ok(RowOp::Delete(_)) => match subject.as_ref() {
                None => outcome.reason = Some(FailReason::NotRegistered),
                Some(s) => {
                    outcome.kind = OutcomeKind::Deleted;
                    outcome.subject = Some(s.as_str().to_owned());
                }
            },
        }
        if outcome.kind == OutcomeKind::Created
            && let Some((key, _)) = bid_holder.get(&i)
        {
            // The subject is allocated below; any Some marks the id as taken.
            bid_overrides.insert(key.clone(), Some(placeholder_subject()?));
        }
        outcomes.push(outcome);
    }
    if creates > 0 {
        let mut allocated = subjects::allocate(tenant, creates).await?.into_iter();
        for outcome in &mut outcomes {
            if outcome.kind == OutcomeKind::Created {
                outcome.subject = allocated.next().map(|s| s.as_str().to_owned());
            }
        }
    }
    let start_row = rows.first().map_or(0, |r| r.row_no);
    let end_row = rows.last().map_or(start_row, |r| r.row_no + 1);
    Ok(Intent {
        start_row,
        end_row,
        bytes_after,
        at_ns: i64::try_from(at.unix_timestamp_nanos()).unwrap_or(i64::MAX),
        outcomes,
    })
}

/// A subject number no real person has (sequence 0 is never allocated).
fn placeholder_subject() -> Result<SubjectNo, CoreError> {
    SubjectNo::from_sequence(0).map_err(|_| CoreError::Corrupt("subject number".into()))
}

fn subject(outcome: &Outcome) -> Result<SubjectNo, CoreError> {
    outcome
        .subject
        .as_deref()
        .and_then(|s| SubjectNo::parse(s).ok())
        .ok_or_else(|| CoreError::Corrupt("import intent without subject".into()))
}

fn write_item(write: Write) -> Option<Item> {
    match write {
        Write::Put { item, .. } => Some(item),
        _ => None,
    }
}

/// Writes what the intent says, rebuilt from the rows and the store as it is now: applying an
/// intent twice (after an interruption) writes the same items again.
async fn apply(
    tenant: &Tenant,
    job: &Job,
    rows: &[ParsedRow],
    intent: &Intent,
    written: Option<&Arc<WrittenKeys>>,
    times: &mut PhaseTimes,
) -> Result<(), CoreError> {
    let started = std::time::Instant::now();
    if rows.len() != intent.outcomes.len()
        || rows
            .iter()
            .zip(&intent.outcomes)
            .any(|(row, outcome)| row.row_no != outcome.row)
    {
        return Err(CoreError::Corrupt(
            "the import's rows do not match its intent; the file changed".into(),
        ));
    }
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(intent.at_ns))
        .map_err(|_| CoreError::Corrupt("intent time".into()))?;
    let actor = format!("import:{}", job.job_id);
    let link = LinkStatus {
        file_name: job.file_name.clone(),
        linked_at: at,
        status: LinkState::Succeeded,
        error: None,
    };
    let mut secondary: BTreeMap<Key, BatchWrite> = BTreeMap::new();
    let mut primary: Vec<BatchWrite> = Vec::new();
    let mut add = |write: BatchWrite| {
        secondary.insert(write.key().clone(), write);
    };
    let mut created_here: HashMap<(String, Date), Vec<SubjectNo>> = HashMap::new();
    let (built, skipped) = build_creations(tenant, rows, intent, &link, at, written).await?;
    times.reads_skipped += skipped;
    let mut built = built.into_iter();
    for (row, outcome) in rows.iter().zip(&intent.outcomes) {
        match (outcome.kind, &row.result) {
            (OutcomeKind::Created, Ok(RowOp::New(_))) => {
                let Some(Creation {
                    person,
                    items,
                    mut twins,
                }) = built.next()
                else {
                    return Err(CoreError::Corrupt("import creations out of step".into()));
                };
                items
                    .unique
                    .into_iter()
                    .for_each(|i| add(BatchWrite::Put(i)));
                items
                    .others
                    .into_iter()
                    .for_each(|i| add(BatchWrite::Put(i)));
                primary.push(BatchWrite::Put(items.profile));
                let kb = (person.name_kana.as_str().to_owned(), person.birth_date);
                let here = created_here.entry(kb).or_default();
                twins.extend(here.iter().cloned());
                here.push(person.subject_no.clone());
                for twin in twins.iter().take(10) {
                    for item in duplicates::pair_items(&person.subject_no, twin) {
                        add(BatchWrite::Put(item));
                    }
                }
            }
            (OutcomeKind::Updated, Ok(RowOp::Update(input))) => {
                let Some((old, version)) = persons::get(tenant, &subject(outcome)?).await? else {
                    continue;
                };
                let new = updated(&old, input, &link);
                if new == old {
                    continue;
                }
                let items = persons::update_items(tenant, &old, &new, at).await?;
                items
                    .new_unique
                    .into_iter()
                    .for_each(|i| add(BatchWrite::Put(i)));
                items
                    .new_shared
                    .into_iter()
                    .for_each(|i| add(BatchWrite::Put(i)));
                items
                    .removed
                    .into_iter()
                    .for_each(|k| add(BatchWrite::Delete(k)));
                add(BatchWrite::Put(items.feed));
                let changes = history::diff(&old, &new);
                add(BatchWrite::Put(
                    history::item(tenant, &new.subject_no, at, &actor, "updated", changes).await?,
                ));
                if old.control_flags != new.control_flags
                    && let Some(view) = write_item(edit::view_write(tenant, &new).await?)
                {
                    add(BatchWrite::Put(view));
                }
                primary.push(BatchWrite::Put(items.profile.with_version(version + 1)));
            }
            (OutcomeKind::Deleted, Ok(RowOp::Delete(_))) => {
                let subject = subject(outcome)?;
                let Some((person, _)) = persons::get(tenant, &subject).await? else {
                    continue;
                };
                let plan =
                    persons::deletion_plan(tenant, &person, at, persons::RECORD_RETENTION_DAYS)
                        .await?;
                let profile = persons::profile_key(&subject);
                for key in plan.deletes.into_iter().filter(|k| *k != profile) {
                    if persons::index::is_listing(&key) {
                        // Removed with the profile, after every other item (see `is_listing`).
                        primary.push(BatchWrite::Delete(key));
                    } else {
                        add(BatchWrite::Delete(key));
                    }
                }
                for key in duplicates::keys_naming(tenant, &subject).await? {
                    add(BatchWrite::Delete(key));
                }
                plan.retained
                    .into_iter()
                    .for_each(|i| add(BatchWrite::Put(i)));
                add(BatchWrite::Put(super::deletion_item(
                    &job.job_id,
                    row.row_no,
                    &subject,
                )));
                add(BatchWrite::Put(plan.feed));
                primary.push(BatchWrite::Delete(profile));
            }
            (OutcomeKind::Unchanged, _) => {}
            (OutcomeKind::Failed, result) => {
                let problems: Vec<RowProblem> = match (result, outcome.reason) {
                    (Err(error), _) => row_problems(row.row_no, error),
                    (Ok(_), Some(reason)) => vec![reason.problem(row.row_no)],
                    (Ok(_), None) => vec![FailReason::Invalid.problem(row.row_no)],
                };
                for (n, problem) in problems.iter().enumerate() {
                    add(BatchWrite::Put(problem_item(&job.job_id, n, problem)));
                }
            }
            _ => {
                return Err(CoreError::Corrupt(
                    "the import's rows do not match its intent; the file changed".into(),
                ));
            }
        }
    }
    // New people's listing entries go first, before any other item of theirs (see
    // `is_listing`); what the run writes is remembered before it is written.
    let (listings, mut secondary): (Vec<BatchWrite>, Vec<BatchWrite>) =
        secondary.into_values().partition(
            |write| matches!(write, BatchWrite::Put(item) if persons::index::is_listing(&item.key)),
        );
    if let Some(written) = written {
        for write in &secondary {
            if let BatchWrite::Put(item) = write
                && let Some((partition, prefix)) = persons::index::lookup_of(&item.key)
            {
                written.remember(partition, prefix);
            }
        }
    }
    times.build += started.elapsed();
    let started = std::time::Instant::now();
    tenant.store.write_batch(listings).await?;
    // Moved to the store in chunks, not cloned.
    while !secondary.is_empty() {
        let rest = secondary.split_off(secondary.len().min(20_000));
        tenant.store.write_batch(secondary).await?;
        secondary = rest;
    }
    // Profiles last: a profile in place means all of its other items are.
    tenant.store.write_batch(primary).await?;
    times.write += started.elapsed();
    Ok(())
}

/// One new person of a batch with its items and the people already stored with the same
/// kana and birth date.
struct Creation {
    person: TargetPerson,
    items: persons::CreationItems,
    twins: Vec<SubjectNo>,
}

/// Seals the batch's new people on every core: creations do not depend on each other, and
/// sealing and index HMACs are most of an import's CPU.
async fn build_creations(
    tenant: &Tenant,
    rows: &[ParsedRow],
    intent: &Intent,
    link: &LinkStatus,
    at: OffsetDateTime,
    written: Option<&Arc<WrittenKeys>>,
) -> Result<(Vec<Creation>, u64), CoreError> {
    let mut work = Vec::new();
    for (row, outcome) in rows.iter().zip(&intent.outcomes) {
        if let (OutcomeKind::Created, Ok(RowOp::New(input))) = (outcome.kind, &row.result) {
            work.push(persons::new_person(
                input,
                subject(outcome)?,
                Some(link.clone()),
            ));
        }
    }
    let workers = std::thread::available_parallelism()
        .map_or(2, usize::from)
        .max(1);
    let chunk = work.len().div_ceil(workers).max(1);
    let mut tasks = Vec::new();
    while !work.is_empty() {
        let rest = work.split_off(chunk.min(work.len()));
        let mine = std::mem::replace(&mut work, rest);
        let tenant = tenant.clone();
        let written = written.cloned();
        tasks.push(tokio::spawn(async move {
            let mut done = Vec::with_capacity(mine.len());
            let mut skipped = 0;
            for person in mine {
                let items = persons::creation_items(&tenant, &person, at).await?;
                let unwritten = written.as_ref().is_some_and(|written| {
                    items
                        .others
                        .iter()
                        .find_map(|item| persons::index::lookup_of(&item.key))
                        .is_some_and(|(kana, birth)| !written.may_have_written(kana, birth))
                });
                let twins = if unwritten {
                    skipped += 1;
                    Vec::new()
                } else {
                    search::same_kana_and_birth(
                        &tenant,
                        person.name_kana.as_str(),
                        person.birth_date,
                        &person.subject_no,
                    )
                    .await?
                };
                done.push(Creation {
                    person,
                    items,
                    twins,
                });
            }
            Ok::<_, CoreError>((done, skipped))
        }));
    }
    let mut all = Vec::new();
    let mut skipped = 0;
    for task in tasks {
        let (done, n) = task
            .await
            .map_err(|_| CoreError::Corrupt("an import worker stopped".into()))??;
        all.extend(done);
        skipped += n;
    }
    Ok((all, skipped))
}

fn updated(old: &TargetPerson, input: &PersonInput, link: &LinkStatus) -> TargetPerson {
    let mut new = old.clone();
    input.apply_to(&mut new);
    if input.differs_from(old) {
        new.link = Some(link.clone());
    }
    new
}

fn row_problems(row: u64, error: &RowError) -> Vec<RowProblem> {
    match error {
        RowError::Row { en, ja } => vec![RowProblem {
            row,
            field: None,
            ja: ja.clone(),
            en: en.clone(),
        }],
        RowError::Fields(errors) => errors
            .iter()
            .map(|FieldError { field, en, ja }| RowProblem {
                row,
                field: Some(*field),
                ja: ja.clone(),
                en: en.clone(),
            })
            .collect(),
    }
}
