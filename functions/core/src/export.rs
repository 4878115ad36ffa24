//! Exports to the health-management system: persons and vaccination records as CSV, in full
//! or changed since a day (through the change feed), in CP932 or UTF-8 with BOM. My Numbers go
//! into the person export only when the caller may see them.

use std::collections::BTreeSet;

use sesshu_domain::SubjectNo;
use sesshu_domain::staff_persons::PmhStatus;
use sesshu_interchange::encoding::TextEncoding;
use sesshu_interchange::person_export::{PersonExportWriter, PmhLinkState};
use sesshu_interchange::records_export::{RecordExportRow, RecordsExportWriter};
use sesshu_store::Query;
use time::Date;

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

/// The persons export; returns the file and how many rows it has.
pub async fn persons_csv(
    tenant: &Tenant,
    scope: Scope,
    encoding: TextEncoding,
    with_my_number: bool,
) -> Result<(Vec<u8>, u64), CoreError> {
    let broken = |_| CoreError::Corrupt("csv".into());
    let mut writer = if with_my_number {
        PersonExportWriter::new(Vec::new(), encoding)
    } else {
        PersonExportWriter::without_my_number(Vec::new(), encoding)
    }
    .map_err(broken)?;
    for chunk in subjects(tenant, scope).await?.chunks(200) {
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
    }
    let rows = writer.rows_written();
    Ok((writer.finish().map_err(broken)?, rows))
}

/// The vaccination records export (current versions), for the people in scope.
pub async fn records_csv(
    tenant: &Tenant,
    scope: Scope,
    encoding: TextEncoding,
) -> Result<(Vec<u8>, u64), CoreError> {
    let broken = |_| CoreError::Corrupt("csv".into());
    let mut writer = RecordsExportWriter::new(Vec::new(), encoding).map_err(broken)?;
    for chunk in subjects(tenant, scope).await?.chunks(200) {
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
    }
    let rows = writer.rows_written();
    Ok((writer.finish().map_err(broken)?, rows))
}
