//! CSV import of target persons (対象者情報) from the health-management system.
//!
//! An import is a job (`IMPORT#<job id>` / `JOB`, sealed): the browser uploads the file in
//! parts (`PART#<n>`, sealed, [`PART_SIZE`] bytes each), then starts it; the [`runner`] streams
//! the parts through the CSV reader in batches and applies each batch. Bad rows become error
//! items (`ERR#<row>#<n>`, plain: row, column and reason only) and change nothing.
//!
//! **Resumable and exact:** before a batch is applied, its *intent* (every row's outcome and
//! subject number) is written into the job; then the batch's items are written (new people's
//! listing entries first, then the other secondary items, profiles and removed listings last);
//! then the job's checkpoint moves past the batch. A process killed
//! anywhere re-runs the intent, which rebuilds the same writes, so the result equals that of an
//! uninterrupted run: nobody half-written, nobody twice. **Idempotent:** a row whose person
//! already holds its content is `unchanged`, so the same file again changes nothing.
//!
//! **A first import reads little:** a run that starts when nobody is listed remembers the index
//! entries it writes ([`written`]) and reads the store only for keys it may have written: the
//! My Number and 業務ID lookups of its plan and the duplicate check of each new person.
//!
//! **One at a time:** a run holds the municipality's persons lease
//! ([`crate::persons::import_lease`]) from start to end, so clerks cannot change persons between
//! a batch's plan and its unconditional writes, and a second import waits.

pub mod runner;
mod written;

use serde::{Deserialize, Serialize};
use sesshu_crypto::{Protection, Schema};
use sesshu_domain::person_input::PersonField;
use sesshu_domain::staff_persons::{ImportCounts, ImportJobView, ImportState};
use sesshu_store::{AttrValue, BatchWrite, Condition, Item, Key, Query, StoreError};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::CoreError;
use crate::tenancy::Tenant;

/// Bytes per uploaded part: small enough for one DynamoDB item and a Lambda request.
pub const PART_SIZE: u64 = 256 * 1024;
/// Largest file accepted (≈ 4 million rows).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024 * 1024;

pub const JOB_SCHEMA: Schema = Schema {
    name: "import_job",
    version: 1,
    attributes: &[("job", Protection::EncryptAndSign)],
};

pub const PART_SCHEMA: Schema = Schema {
    name: "import_part",
    version: 1,
    attributes: &[("data", Protection::EncryptAndSign)],
};

const JOBS: &str = "IMPORTS";

/// An import job as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    pub job_id: String,
    pub file_name: String,
    pub uploaded_by: String,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub state: ImportState,
    pub size: u64,
    pub parts: Vec<u32>,
    pub encoding: Option<String>,
    pub bytes_processed: u64,
    /// The first row not yet applied (rows numbered as a spreadsheet shows them).
    pub next_row: u64,
    pub counts: ImportCounts,
    /// The batch being applied, if the process stopped while applying it.
    pub intent: Option<runner::Intent>,
    pub error: Option<(String, String)>,
}

impl Job {
    pub fn part_count(&self) -> u32 {
        u32::try_from(self.size.div_ceil(PART_SIZE)).unwrap_or(u32::MAX)
    }

    pub fn view(&self) -> ImportJobView {
        let time = |s: i64| {
            OffsetDateTime::from_unix_timestamp(s)
                .ok()
                .and_then(|t| t.format(&Rfc3339).ok())
                .unwrap_or_default()
        };
        let received: u64 = self.parts.iter().map(|n| part_len(self.size, *n)).sum();
        ImportJobView {
            job_id: self.job_id.clone(),
            file_name: self.file_name.clone(),
            encoding: self.encoding.clone(),
            uploaded_by: self.uploaded_by.clone(),
            created_at: time(self.created_at),
            finished_at: self.finished_at.map(time),
            state: self.state,
            bytes_total: self.size,
            bytes_received: received,
            bytes_processed: self.bytes_processed,
            part_size: PART_SIZE,
            parts_received: self.parts.clone(),
            counts: self.counts,
            error_ja: self.error.as_ref().map(|(ja, _)| ja.clone()),
            error_en: self.error.as_ref().map(|(_, en)| en.clone()),
        }
    }
}

fn part_len(size: u64, n: u32) -> u64 {
    let start = u64::from(n) * PART_SIZE;
    size.saturating_sub(start).min(PART_SIZE)
}

fn job_key(job_id: &str) -> Key {
    Key::new(format!("IMPORT#{job_id}"), "JOB")
}

fn part_key(job_id: &str, n: u32) -> Key {
    Key::new(format!("IMPORT#{job_id}"), format!("PART#{n:06}"))
}

pub(crate) fn error_key(job_id: &str, row: u64, n: usize) -> Key {
    Key::new(format!("IMPORT#{job_id}"), format!("ERR#{row:010}#{n:03}"))
}

/// A job id that sorts by creation time: `YYYYMMDDhhmmss-<8 hex>`.
fn new_job_id(at: OffsetDateTime) -> String {
    let mut random = [0u8; 4];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut random);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}-{}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        random
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

fn valid_job_id(job_id: &str) -> bool {
    job_id.len() == 23
        && job_id
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'-' || (b'a'..=b'f').contains(&b))
}

pub(crate) async fn load(tenant: &Tenant, job_id: &str) -> Result<(Job, u64), CoreError> {
    if !valid_job_id(job_id) {
        return Err(CoreError::NotFound);
    }
    let item = tenant
        .store
        .get(&job_key(job_id))
        .await?
        .ok_or(CoreError::NotFound)?;
    let version = item.version;
    let opened = tenant.cipher.open(&JOB_SCHEMA, item).await?;
    let body = opened
        .get("job")
        .and_then(AttrValue::as_s)
        .ok_or_else(|| CoreError::Corrupt("import job".into()))?;
    let job = serde_json::from_str(body)
        .map_err(|_| CoreError::Corrupt("import job does not decode".into()))?;
    Ok((job, version))
}

/// Writes the job if it still has `version` (None: must be new); returns the new version.
pub(crate) async fn save(
    tenant: &Tenant,
    job: &Job,
    version: Option<u64>,
) -> Result<u64, CoreError> {
    let body = serde_json::to_string(job)
        .map_err(|_| CoreError::Corrupt("import job does not encode".into()))?;
    let new_version = version.map_or(1, |v| v + 1);
    let item = tenant
        .cipher
        .seal(
            &JOB_SCHEMA,
            Item::new(job_key(&job.job_id)).with("job", AttrValue::S(body)),
        )
        .await?
        .with_version(new_version);
    let condition = version.map_or(Condition::MustNotExist, Condition::VersionIs);
    match tenant.store.put(item, condition).await {
        Ok(()) => Ok(new_version),
        Err(StoreError::ConditionFailed { .. }) => Err(CoreError::Conflict(
            "the import was changed meanwhile; reload it",
        )),
        Err(other) => Err(other.into()),
    }
}

/// Opens an import of a file of `size` bytes named `file_name`.
pub async fn create(
    tenant: &Tenant,
    file_name: &str,
    size: u64,
    uploaded_by: &str,
    at: OffsetDateTime,
) -> Result<Job, CoreError> {
    let file_name = file_name.trim();
    if file_name.is_empty() || file_name.chars().count() > 255 {
        return Err(CoreError::Invalid(
            "give the file's name (1 to 255 characters)".into(),
        ));
    }
    if size == 0 || size > MAX_FILE_BYTES {
        return Err(CoreError::Invalid(format!(
            "the file must have 1 to {MAX_FILE_BYTES} bytes; split larger files"
        )));
    }
    let job = Job {
        job_id: new_job_id(at),
        file_name: file_name.chars().filter(|c| !c.is_control()).collect(),
        uploaded_by: uploaded_by.to_owned(),
        created_at: at.unix_timestamp(),
        finished_at: None,
        state: ImportState::Uploading,
        size,
        parts: Vec::new(),
        encoding: None,
        bytes_processed: 0,
        next_row: 0,
        counts: ImportCounts::default(),
        intent: None,
        error: None,
    };
    save(tenant, &job, None).await?;
    tenant
        .store
        .put(Item::new(Key::new(JOBS, &job.job_id)), Condition::None)
        .await?;
    Ok(job)
}

/// Stores part `n` of the file (idempotent: the same part again replaces it).
pub async fn upload_part(
    tenant: &Tenant,
    job_id: &str,
    n: u32,
    data: Vec<u8>,
) -> Result<Job, CoreError> {
    let (job, _) = load(tenant, job_id).await?;
    if job.state != ImportState::Uploading {
        return Err(CoreError::Invalid(
            "this import has started; parts can no longer be changed".into(),
        ));
    }
    if n >= job.part_count() {
        return Err(CoreError::Invalid(format!(
            "part {n} is beyond the file's {} parts",
            job.part_count()
        )));
    }
    let expected = part_len(job.size, n);
    if data.len() as u64 != expected {
        return Err(CoreError::Invalid(format!(
            "part {n} must have {expected} bytes, got {}",
            data.len()
        )));
    }
    let item = tenant
        .cipher
        .seal(
            &PART_SCHEMA,
            Item::new(part_key(job_id, n)).with("data", AttrValue::B(data)),
        )
        .await?;
    tenant.store.put(item, Condition::None).await?;
    for _ in 0..20 {
        let (mut job, version) = load(tenant, job_id).await?;
        if let Err(at) = job.parts.binary_search(&n) {
            job.parts.insert(at, n);
        }
        match save(tenant, &job, Some(version)).await {
            Ok(_) => return Ok(job),
            Err(CoreError::Conflict(_)) => continue,
            Err(other) => return Err(other),
        }
    }
    Err(CoreError::Conflict(
        "the import is busy; send the part again",
    ))
}

/// Marks a fully uploaded import ready for the runner.
pub async fn start(tenant: &Tenant, job_id: &str) -> Result<Job, CoreError> {
    let (mut job, version) = load(tenant, job_id).await?;
    match job.state {
        ImportState::Uploading => {}
        ImportState::Queued | ImportState::Processing => return Ok(job),
        ImportState::Done | ImportState::Failed => {
            return Err(CoreError::Invalid("this import has finished".into()));
        }
    }
    let missing: Vec<u32> = (0..job.part_count())
        .filter(|n| job.parts.binary_search(n).is_err())
        .take(5)
        .collect();
    if !missing.is_empty() {
        return Err(CoreError::Invalid(format!(
            "parts {missing:?} have not arrived; send them, then start again"
        )));
    }
    job.state = ImportState::Queued;
    save(tenant, &job, Some(version)).await?;
    Ok(job)
}

/// The job as the admin app shows it.
pub async fn view(tenant: &Tenant, job_id: &str) -> Result<ImportJobView, CoreError> {
    Ok(load(tenant, job_id).await?.0.view())
}

/// The newest imports first.
pub async fn list(tenant: &Tenant, limit: usize) -> Result<Vec<Job>, CoreError> {
    let page = tenant
        .store
        .query(&Query::partition(JOBS).descending().limit(limit))
        .await?;
    let mut jobs = Vec::with_capacity(page.items.len());
    for item in page.items {
        match load(tenant, &item.key.sk).await {
            Ok((job, _)) => jobs.push(job),
            Err(CoreError::NotFound) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(jobs)
}

/// Jobs that were queued or interrupted while processing: what a restarted server resumes.
pub async fn unfinished(tenant: &Tenant) -> Result<Vec<String>, CoreError> {
    Ok(list(tenant, 100)
        .await?
        .into_iter()
        .filter(|job| matches!(job.state, ImportState::Queued | ImportState::Processing))
        .map(|job| job.job_id)
        .collect())
}

/// One row's problem in the error report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub row: u64,
    pub field: Option<PersonField>,
    pub ja: String,
    pub en: String,
}

pub(crate) fn problem_item(job_id: &str, n: usize, problem: &RowProblem) -> Item {
    let mut item = Item::new(error_key(job_id, problem.row, n))
        .with(
            "row",
            AttrValue::N(i64::try_from(problem.row).unwrap_or(i64::MAX)),
        )
        .with("ja", AttrValue::S(problem.ja.clone()))
        .with("en", AttrValue::S(problem.en.clone()));
    if let Some(field) = problem.field {
        item = item.with("field", AttrValue::S(field.column_en().to_owned()));
    }
    item
}

/// The record that row `row` of the job deleted `subject` (for the operation log).
pub(crate) fn deletion_item(job_id: &str, row: u64, subject: &sesshu_domain::SubjectNo) -> Item {
    Item::new(Key::new(
        format!("IMPORT#{job_id}"),
        format!("DEL#{row:010}"),
    ))
    .with("subject_no", AttrValue::S(subject.as_str().to_owned()))
}

/// The subject numbers a job deleted, in row order, one page.
pub async fn deleted_subjects(
    tenant: &Tenant,
    job_id: &str,
    cursor: Option<String>,
    limit: usize,
) -> Result<(Vec<String>, Option<String>), CoreError> {
    load(tenant, job_id).await?;
    let page = tenant
        .store
        .query(
            &Query::prefix(format!("IMPORT#{job_id}"), "DEL#")
                .limit(limit)
                .after(cursor),
        )
        .await?;
    let subjects = page
        .items
        .iter()
        .filter_map(|item| item.get("subject_no").and_then(AttrValue::as_s))
        .map(str::to_owned)
        .collect();
    Ok((subjects, page.next))
}

/// The error report of a job, in row order, one page.
pub async fn problems(
    tenant: &Tenant,
    job_id: &str,
    cursor: Option<String>,
    limit: usize,
) -> Result<(Vec<RowProblem>, Option<String>), CoreError> {
    load(tenant, job_id).await?;
    let page = tenant
        .store
        .query(
            &Query::prefix(format!("IMPORT#{job_id}"), "ERR#")
                .limit(limit)
                .after(cursor),
        )
        .await?;
    let problems = page
        .items
        .iter()
        .map(|item| RowProblem {
            row: item
                .get("row")
                .and_then(AttrValue::as_n)
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or(0),
            field: item
                .get("field")
                .and_then(AttrValue::as_s)
                .and_then(PersonField::from_column),
            ja: item
                .get("ja")
                .and_then(AttrValue::as_s)
                .unwrap_or_default()
                .to_owned(),
            en: item
                .get("en")
                .and_then(AttrValue::as_s)
                .unwrap_or_default()
                .to_owned(),
        })
        .collect();
    Ok((problems, page.next))
}

/// Removes the uploaded parts of a finished job: the file held My Numbers in the clear.
pub(crate) async fn delete_parts(tenant: &Tenant, job: &Job) -> Result<(), CoreError> {
    let deletes: Vec<BatchWrite> = (0..job.part_count())
        .map(|n| BatchWrite::Delete(part_key(&job.job_id, n)))
        .collect();
    for chunk in deletes.chunks(500) {
        tenant.store.write_batch(chunk.to_vec()).await?;
    }
    Ok(())
}

/// The decrypted bytes of part `n`.
pub(crate) async fn read_part(tenant: &Tenant, job_id: &str, n: u32) -> Result<Vec<u8>, CoreError> {
    let item = tenant
        .store
        .get(&part_key(job_id, n))
        .await?
        .ok_or_else(|| CoreError::Corrupt(format!("import part {n} is missing")))?;
    let mut opened = tenant.cipher.open(&PART_SCHEMA, item).await?;
    match opened.attrs.remove("data") {
        Some(AttrValue::B(bytes)) => Ok(bytes),
        _ => Err(CoreError::Corrupt(format!("import part {n}"))),
    }
}
