//! Exports to the health-management system: persons and vaccination records as CSV, in full
//! or changed since a day (through the change feed), in CP932 or UTF-8 with BOM. My Numbers go
//! into the person export only when the caller may see them.
//!
//! The subjects in scope are listed first (the operation log names how many persons an export
//! covers before any of it leaves); the file is then read, encoded and sent a chunk at a time.

use std::collections::BTreeSet;

use sesshu_domain::SubjectNo;
use sesshu_domain::staff_persons::PmhStatus;
use sesshu_interchange::encoding::TextEncoding;
use sesshu_interchange::person_export::{PersonExportWriter, PmhLinkState};
use sesshu_interchange::records_export::{RecordExportRow, RecordsExportWriter};
use sesshu_store::Query;
use time::Date;
use tokio::sync::mpsc;

use crate::error::CoreError;
use crate::persons::{self, changes, index, pmh_queue};
use crate::records;
use crate::tenancy::Tenant;

/// Which people an export covers.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    All,
    /// Changed on or after this day, up to `today`.
    ChangedSince {
        since: Date,
        today: Date,
    },
}

/// The subjects in scope, in subject order per shard (full) or day (changed-since), each once.
pub async fn subjects(tenant: &Tenant, scope: Scope) -> Result<Vec<SubjectNo>, CoreError> {
    let mut found = BTreeSet::new();
    match scope {
        Scope::All => {
            for shard in 0..index::SHARDS {
                let mut query = Query::partition(format!("PERSONS#{shard}")).limit(1_000);
                loop {
                    let page = tenant.store.query(&query).await?;
                    for item in &page.items {
                        found.insert(
                            SubjectNo::parse(&item.key.sk)
                                .map_err(|_| CoreError::Corrupt("listing entry".into()))?,
                        );
                    }
                    match page.next {
                        Some(next) => query.cursor = Some(next),
                        None => break,
                    }
                }
            }
        }
        Scope::ChangedSince { since, today } => {
            if since > today {
                return Err(CoreError::Invalid("the start day is in the future".into()));
            }
            if (today - since).whole_days() > 400 {
                return Err(CoreError::Invalid(
                    "changes are kept for 400 days; export everything instead".into(),
                ));
            }
            let mut day = since;
            while day <= today {
                found.extend(changes::changed_on(tenant, day).await?);
                day = day
                    .next_day()
                    .ok_or_else(|| CoreError::Invalid("day out of range".into()))?;
            }
        }
    }
    Ok(found.into_iter().collect())
}

/// Persons read (and rows sent) at a time while exporting.
pub const EXPORT_CHUNK: usize = 200;

/// What an export sends: a piece of the file, or that it stopped (the download must then fail,
/// not end as if the file were whole). The error itself goes to the caller's result and log.
pub type ExportChunk = Result<Vec<u8>, ExportStopped>;

/// The export stopped before the end of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the export stopped before the end of the file; download it again")]
pub struct ExportStopped;

/// The export writers, as the chunked sending needs them.
trait ChunkedCsv {
    fn take_output(&mut self) -> std::io::Result<Vec<u8>>;
    fn rows_written(&self) -> u64;
    fn finish(self) -> std::io::Result<Vec<u8>>;
}

impl ChunkedCsv for PersonExportWriter<Vec<u8>> {
    fn take_output(&mut self) -> std::io::Result<Vec<u8>> {
        PersonExportWriter::take_output(self)
    }
    fn rows_written(&self) -> u64 {
        PersonExportWriter::rows_written(self)
    }
    fn finish(self) -> std::io::Result<Vec<u8>> {
        PersonExportWriter::finish(self)
    }
}

impl ChunkedCsv for RecordsExportWriter<Vec<u8>> {
    fn take_output(&mut self) -> std::io::Result<Vec<u8>> {
        RecordsExportWriter::take_output(self)
    }
    fn rows_written(&self) -> u64 {
        RecordsExportWriter::rows_written(self)
    }
    fn finish(self) -> std::io::Result<Vec<u8>> {
        RecordsExportWriter::finish(self)
    }
}

fn broken(_: std::io::Error) -> CoreError {
    CoreError::Corrupt("csv".into())
}

/// Sends what the writer holds; `false` when the download was cancelled (the receiver is gone).
async fn send_chunk(
    out: &mpsc::Sender<ExportChunk>,
    writer: &mut impl ChunkedCsv,
) -> Result<bool, CoreError> {
    let bytes = writer.take_output().map_err(broken)?;
    Ok(bytes.is_empty() || out.send(Ok(bytes)).await.is_ok())
}

/// Sends the end of the file; the rows written.
async fn send_last(
    out: &mpsc::Sender<ExportChunk>,
    writer: impl ChunkedCsv,
) -> Result<u64, CoreError> {
    let rows = writer.rows_written();
    let bytes = writer.finish().map_err(broken)?;
    if !bytes.is_empty() {
        // A cancelled download has nobody left to tell.
        let _ = out.send(Ok(bytes)).await;
    }
    Ok(rows)
}

/// Tells the receiver the file is cut short if the export failed.
async fn cut_short_on_failure(
    out: &mpsc::Sender<ExportChunk>,
    result: Result<u64, CoreError>,
) -> Result<u64, CoreError> {
    if result.is_err() {
        let _ = out.send(Err(ExportStopped)).await;
    }
    result
}

/// Sends the persons export of `subjects` to `out` as it is produced, [`EXPORT_CHUNK`] persons
/// at a time, so the file is never whole in memory (at 1,000,000 persons it is ≈ 200 MB).
/// Returns the rows sent; stops early when the download is cancelled. A failure is sent as the
/// last chunk too, so the receiver can cut the download short.
pub async fn send_persons_csv(
    tenant: &Tenant,
    subjects: &[SubjectNo],
    encoding: TextEncoding,
    with_my_number: bool,
    out: &mpsc::Sender<ExportChunk>,
) -> Result<u64, CoreError> {
    let rows = async {
        let mut writer = if with_my_number {
            PersonExportWriter::new(Vec::new(), encoding)
        } else {
            PersonExportWriter::without_my_number(Vec::new(), encoding)
        }
        .map_err(broken)?;
        for chunk in subjects.chunks(EXPORT_CHUNK) {
            for (person, _) in persons::get_many(tenant, chunk)
                .await?
                .into_iter()
                .flatten()
            {
                let (status, _) = pmh_queue::status_of(tenant, &person).await?;
                let pmh = match status {
                    PmhStatus::Waiting => PmhLinkState::Waiting,
                    PmhStatus::Assigned => PmhLinkState::Assigned,
                    PmhStatus::Failed => PmhLinkState::Failed,
                };
                writer.write(&person, pmh).map_err(broken)?;
            }
            if !send_chunk(out, &mut writer).await? {
                return Ok(writer.rows_written());
            }
        }
        send_last(out, writer).await
    }
    .await;
    cut_short_on_failure(out, rows).await
}

/// Sends the vaccination records export (current versions) of `subjects` to `out`, as
/// [`send_persons_csv`] does.
pub async fn send_records_csv(
    tenant: &Tenant,
    subjects: &[SubjectNo],
    encoding: TextEncoding,
    out: &mpsc::Sender<ExportChunk>,
) -> Result<u64, CoreError> {
    let rows = async {
        let mut writer = RecordsExportWriter::new(Vec::new(), encoding).map_err(broken)?;
        for chunk in subjects.chunks(EXPORT_CHUNK) {
            for (person, _) in persons::get_many(tenant, chunk)
                .await?
                .into_iter()
                .flatten()
            {
                for record in records::list(tenant, &person.subject_no).await? {
                    writer
                        .write(&RecordExportRow {
                            municipality_code: &person.municipality_code,
                            municipal_business_id: &person.municipal_business_id,
                            subject_no: &person.subject_no,
                            record: &record,
                        })
                        .map_err(broken)?;
                }
            }
            if !send_chunk(out, &mut writer).await? {
                return Ok(writer.rows_written());
            }
        }
        send_last(out, writer).await
    }
    .await;
    cut_short_on_failure(out, rows).await
}
