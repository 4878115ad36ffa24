//! The worklist of people missing a vaccination (未接種者), written by each run of the job and
//! read by staff a page at a time.
//!
//! | pk | sk | what |
//! |---|---|---|
//! | `WL#<run>#<bi(series/kind)>#<shard>` | `<subject>` | the person is `overdue` for, or has `never` had, the series (sealed: birth date and the series' status) |
//!
//! The partition names the run, so a new run never has to delete the old one's entries (they
//! expire after [`ENTRY_DAYS`]); the series and kind are a keyed blind index, so the raw store
//! does not tell which vaccination anyone is missing. Ten shards spread the writes.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sesshu_crypto::{Protection, Schema};
use sesshu_domain::SubjectNo;
use sesshu_domain::schedule::{SeriesStatus, Status};
use sesshu_store::{AttrValue, Item, Key, Query};
use time::Date;

use crate::error::CoreError;
use crate::persons::index::{SHARDS, shard_of};
use crate::tenancy::Tenant;

pub const WORKLIST_SCHEMA: Schema = Schema {
    name: "worklist_entry",
    version: 1,
    attributes: &[("entry", Protection::EncryptAndSign)],
};

/// Entries outlive their run by this many days, so the list stays while a run is late.
pub const ENTRY_DAYS: u64 = 8;
const INDEX: &str = "worklist";

/// Which list: overdue (past the standard period), or no dose at all while eligible now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ListKind {
    Overdue,
    Never,
}

impl ListKind {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "overdue" => Some(Self::Overdue),
            "never" => Some(Self::Never),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Overdue => "overdue",
            Self::Never => "never",
        }
    }

    /// The lists a series status puts a person on.
    pub fn of(status: &SeriesStatus) -> impl Iterator<Item = ListKind> {
        let overdue = status.status == Status::Overdue;
        let never = status.doses_counted == 0
            && matches!(
                status.status,
                Status::DueNow | Status::Overdue | Status::TooEarly | Status::IntervalNotMet
            );
        [(overdue, Self::Overdue), (never, Self::Never)]
            .into_iter()
            .filter_map(|(on, kind)| on.then_some(kind))
    }
}

/// One person on a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(with = "sesshu_domain::iso_date")]
    pub birth_date: Date,
    pub status: String,
    pub doses_counted: u8,
    pub doses_required: u8,
    #[serde(with = "sesshu_domain::iso_date::option", default)]
    pub earliest: Option<Date>,
    #[serde(with = "sesshu_domain::iso_date::option", default)]
    pub latest: Option<Date>,
}

impl Entry {
    pub fn of(birth_date: Date, status: &SeriesStatus) -> Self {
        Self {
            birth_date,
            status: status.status.code().to_owned(),
            doses_counted: status.doses_counted,
            doses_required: status.doses_required,
            earliest: status.next_dose.as_ref().map(|n| n.earliest),
            latest: status.next_dose.as_ref().and_then(|n| n.latest),
        }
    }
}

/// The blind-indexed middle of a list's partition names.
pub async fn list_index(
    tenant: &Tenant,
    series: &str,
    kind: ListKind,
) -> Result<String, CoreError> {
    Ok(tenant
        .cipher
        .blind_index(INDEX, format!("{series}/{}", kind.code()).as_bytes())
        .await?)
}

fn partition(run_id: &str, index: &str, shard: u8) -> String {
    format!("WL#{run_id}#{index}#{shard}")
}

/// The sealed entry of `subject` on the list whose blind index is `index`.
pub(crate) async fn entry_item(
    tenant: &Tenant,
    run_id: &str,
    index: &str,
    subject_no: &SubjectNo,
    entry: &Entry,
    expires_at: u64,
) -> Result<Item, CoreError> {
    let body = serde_json::to_string(entry)
        .map_err(|_| CoreError::Corrupt("worklist entry does not encode".into()))?;
    let item = Item::new(Key::new(
        partition(run_id, index, shard_of(subject_no)),
        subject_no.as_str(),
    ))
    .with("entry", AttrValue::S(body))
    .expiring_at(expires_at);
    Ok(tenant.cipher.seal(&WORKLIST_SCHEMA, item).await?)
}

/// Who may be shown: an age range in whole years on `today`, inclusive.
#[derive(Debug, Clone, Copy)]
pub struct AgeFilter {
    pub from: Option<u32>,
    pub to: Option<u32>,
    pub today: Date,
}

impl AgeFilter {
    fn admits(&self, birth_date: Date) -> bool {
        let age = sesshu_domain::person::age_on(birth_date, self.today);
        self.from.is_none_or(|from| age >= from) && self.to.is_none_or(|to| age <= to)
    }
}

/// Where a page continues: the shard and the store's cursor within it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct PageToken {
    shard: u8,
    cursor: Option<String>,
}

fn encode(token: &PageToken) -> Result<String, CoreError> {
    let json = serde_json::to_vec(token)
        .map_err(|_| CoreError::Corrupt("page token does not encode".into()))?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

fn decode(text: &str) -> Result<PageToken, CoreError> {
    let invalid = || CoreError::Invalid("the page token is not one this list gave out".into());
    let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
    let token: PageToken = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if token.shard >= SHARDS {
        return Err(invalid());
    }
    Ok(token)
}

/// Up to `size` entries of a list from `run_id` that pass `ages`, and where to continue.
pub async fn page(
    tenant: &Tenant,
    run_id: &str,
    series: &str,
    kind: ListKind,
    ages: AgeFilter,
    page: Option<&str>,
    size: usize,
) -> Result<(Vec<(SubjectNo, Entry)>, Option<String>), CoreError> {
    let index = list_index(tenant, series, kind).await?;
    let mut token = match page {
        Some(text) => decode(text)?,
        None => PageToken {
            shard: 0,
            cursor: None,
        },
    };
    let mut found = Vec::new();
    loop {
        let query = Query::partition(partition(run_id, &index, token.shard))
            .limit(size.saturating_sub(found.len()).max(1))
            .after(token.cursor.clone());
        let result = tenant.store.query(&query).await?;
        for item in result.items {
            let subject = SubjectNo::parse(&item.key.sk)
                .map_err(|_| CoreError::Corrupt("worklist entry".into()))?;
            let opened = tenant.cipher.open(&WORKLIST_SCHEMA, item).await?;
            let entry: Entry = opened
                .get("entry")
                .and_then(AttrValue::as_s)
                .and_then(|s| serde_json::from_str(s).ok())
                .ok_or_else(|| CoreError::Corrupt("worklist entry".into()))?;
            if ages.admits(entry.birth_date) {
                found.push((subject, entry));
            }
        }
        token.cursor = result.next;
        if token.cursor.is_none() {
            if token.shard + 1 >= SHARDS {
                return Ok((found, None));
            }
            token.shard += 1;
        }
        if found.len() >= size {
            return Ok((found, Some(encode(&token)?)));
        }
    }
}
