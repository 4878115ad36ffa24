//! Reading the log newest first, filtered on the server.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sesshu_domain::staff::AuditPage;
use sesshu_store::{Query, SkRange};
use time::Date;
use time::macros::format_description;

use super::chain::{DAYS_PK, Entry, day_pk, seq_of_sk, seq_sk};
use super::{Inner, day_string};
use crate::error::CoreError;

/// Most entries one page call examines (matching or not) before it returns with a cursor.
const SCAN_BUDGET: usize = 5_000;
const MAX_LIMIT: usize = 500;
const FIRST_DAY: &str = "0000-01-01";
const LAST_DAY: &str = "9999-12-31";

/// Which entries a page shows; every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Exactly this actor, e.g. `staff:tanaka`.
    pub actor: Option<String>,
    /// Entries naming this subject number.
    pub subject: Option<String>,
    /// This action; a value ending in `.` matches every action starting with it (`login.`).
    pub action: Option<String>,
    /// The oldest UTC day to show.
    pub from_day: Option<Date>,
    /// The newest UTC day to show.
    pub to_day: Option<Date>,
}

impl AuditFilter {
    /// Parses a `YYYY-MM-DD` query parameter.
    pub fn parse_day(text: &str) -> Result<Date, CoreError> {
        Date::parse(text, format_description!("[year]-[month]-[day]")).map_err(|_| {
            CoreError::Invalid("a day must be written YYYY-MM-DD, e.g. 2026-11-25".into())
        })
    }

    fn matches(&self, entry: &Entry) -> bool {
        let event = &entry.event;
        self.actor.as_ref().is_none_or(|a| *a == event.actor)
            && self
                .subject
                .as_ref()
                .is_none_or(|s| event.subjects.contains(s))
            && self.action.as_ref().is_none_or(|a| {
                if a.ends_with('.') {
                    event.action.starts_with(a.as_str())
                } else {
                    *a == event.action
                }
            })
    }
}

/// Where the previous page stopped: the day and the last sequence number examined.
struct Cursor {
    day: String,
    seq: u64,
}

impl Cursor {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}/{}", self.day, self.seq))
    }

    fn decode(text: &str) -> Result<Self, CoreError> {
        let invalid =
            || CoreError::Invalid("the cursor is not valid; start again without a cursor".into());
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (day, seq) = text.split_once('/').ok_or_else(invalid)?;
        AuditFilter::parse_day(day).map_err(|_| invalid())?;
        Ok(Self {
            day: day.to_owned(),
            seq: seq.parse().map_err(|_| invalid())?,
        })
    }
}

pub(super) async fn page(
    inner: &Inner,
    filter: &AuditFilter,
    cursor: Option<&str>,
    limit: usize,
) -> Result<AuditPage, CoreError> {
    let limit = limit.clamp(1, MAX_LIMIT);
    let now = inner.clock.now_epoch_s();
    let cursor = cursor.map(Cursor::decode).transpose()?;
    let from = filter
        .from_day
        .map(day_string)
        .unwrap_or_else(|| FIRST_DAY.to_owned());
    let mut to = filter
        .to_day
        .map(day_string)
        .unwrap_or_else(|| LAST_DAY.to_owned());
    if let Some(cursor) = &cursor {
        to = to.min(cursor.day.clone());
    }
    let mut entries = Vec::new();
    if from > to {
        return Ok(AuditPage {
            entries,
            next: None,
        });
    }
    let mut scanned = 0;
    let mut days_cursor = None;
    loop {
        let days = inner
            .store
            .query(
                &Query::between(DAYS_PK, from.clone(), to.clone())
                    .descending()
                    .after(days_cursor),
            )
            .await?;
        for marker in &days.items {
            let day = &marker.key.sk;
            let before = match &cursor {
                Some(c) if c.day == *day => Some(c.seq),
                _ => None,
            };
            let range = match before {
                Some(0 | 1) => continue,
                Some(seq) => SkRange::Between {
                    from: seq_sk(0),
                    to: seq_sk(seq - 1),
                },
                None => SkRange::All,
            };
            let mut query = Query::partition(day_pk(day)).descending();
            query.range = range;
            loop {
                let found = inner.store.query(&query).await?;
                for item in &found.items {
                    scanned += 1;
                    let Some(seq) = seq_of_sk(&item.key.sk) else {
                        continue;
                    };
                    let stop = |entries: Vec<_>| AuditPage {
                        entries,
                        next: Some(
                            Cursor {
                                day: day.clone(),
                                seq,
                            }
                            .encode(),
                        ),
                    };
                    if !item.is_expired(now) {
                        match Entry::from_item(item) {
                            Ok(entry) if filter.matches(&entry) => entries.push(entry.to_wire()),
                            Ok(_) => {}
                            // Shown by verify as an edited entry; the viewer stays usable.
                            Err(attribute) => {
                                tracing::warn!(log = %inner.name, seq, attribute, "malformed operation log entry");
                            }
                        }
                    }
                    if entries.len() == limit || scanned >= SCAN_BUDGET {
                        return Ok(stop(entries));
                    }
                }
                match found.next {
                    Some(next) => query.cursor = Some(next),
                    None => break,
                }
            }
        }
        match days.next {
            Some(next) => days_cursor = Some(next),
            None => break,
        }
    }
    Ok(AuditPage {
        entries,
        next: None,
    })
}
