//! Wire types of the schedule, recommendation and notification endpoints (staff and
//! residents), shared with the app. The API is described in `docs/interfaces/recommendations.md`.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::dto::MunicipalityRef;
use crate::recommendation::{RuleError, RuleSet};
use crate::record::VaccinationKind;
use crate::schedule::{SeriesCategory, SeriesStatus};

/// One series of the schedule for one person, with the names people read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleEntry {
    #[serde(flatten)]
    pub status: SeriesStatus,
    pub name_ja: String,
    pub name_en: String,
}

/// How a vaccination record was read as a dose of the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DoseSource {
    /// The record's GTIN is a product of the schedule.
    Gtin,
    /// The record's vaccine names match one vaccine of its kind.
    Name,
    /// The record's kind has several vaccines and nothing told them apart: the first one in
    /// use on that date was assumed. Correct the record (GTIN) if it matters.
    Assumed,
    /// The schedule has no vaccine of the record's kind; the record counts for nothing.
    NotInSchedule,
}

/// One record as the engine read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryDose {
    pub record_id: String,
    #[serde(with = "crate::iso_date")]
    pub vaccinated_on: Date,
    pub kind: VaccinationKind,
    pub dose_number: u8,
    /// The schedule's vaccine id (`hib`, `pcv20`, …), when there is one.
    pub vaccine: Option<String>,
    pub source: DoseSource,
}

/// 勧奨情報 (seed item 37): the rule and day of the person's latest recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    pub rule_id: String,
    #[serde(with = "crate::iso_date")]
    pub recommended_on: Date,
}

/// `GET /api/admin/m/{code}/persons/{subject_no}/schedule`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonSchedule {
    pub subject_no: String,
    /// The evaluation date.
    #[serde(with = "crate::iso_date")]
    pub on: Date,
    /// Every series within the caller's duties, in the schedule's order.
    pub entries: Vec<ScheduleEntry>,
    /// The person's records as the engine read them, newest first.
    pub history: Vec<HistoryDose>,
    pub recommendation: Option<Recommendation>,
}

/// `POST /api/admin/m/{code}/schedule/check`: a proposed vaccination, by schedule vaccine id
/// or by scanned GTIN (exactly one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleCheckRequest {
    pub subject_no: String,
    #[serde(default)]
    pub vaccine: Option<String>,
    #[serde(default)]
    pub gtin: Option<String>,
    #[serde(with = "crate::iso_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: Date,
}

/// A series a rule or a worklist may name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesOption {
    pub id: String,
    pub kind: Option<VaccinationKind>,
    pub category: SeriesCategory,
    pub name_ja: String,
    pub name_en: String,
}

/// Residents: one person's vaccinations that are due or coming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentPersonSchedule {
    /// The person's handle from `GET /api/resident/people` (absent on `/schedule` for self).
    pub handle: Option<String>,
    pub municipality: MunicipalityRef,
    #[serde(with = "crate::iso_date")]
    pub on: Date,
    /// Series that are due, overdue, possible early, waiting for an interval, or upcoming.
    pub entries: Vec<ScheduleEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentSchedule {
    pub people: Vec<ResidentPersonSchedule>,
}

/// Where a notice stands with Mynaportal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not sent yet (next run), or waiting until the person is linked to Mynaportal.
    Pending,
    Delivered,
    /// The last attempt failed; `reason` says why. Retried with backoff until `max` attempts.
    Failed,
    /// Not sent because a control flag (不開示, 閲覧停止, リカバリー) applies.
    Suppressed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub state: DeliveryState,
    /// `not_linked`, `control_flag`, `recovery`, or Mynaportal's failure (`timeout`,
    /// `unavailable`, `rejected`), never personal data.
    pub reason: Option<String>,
    pub attempts: u32,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub delivered_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub next_attempt_at: Option<OffsetDateTime>,
}

/// A notice as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffNotice {
    pub id: String,
    pub rule_id: String,
    pub series: String,
    pub dose_number: u8,
    pub occasion: String,
    /// 勧奨日.
    #[serde(with = "crate::iso_date")]
    pub recommended_on: Date,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub title_ja: String,
    pub delivery: Delivery,
    pub read: bool,
}

/// A notice as the resident sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentNotice {
    /// `<municipality code>-<notice id>`.
    pub id: String,
    pub municipality: MunicipalityRef,
    #[serde(with = "crate::iso_date")]
    pub recommended_on: Date,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub title_ja: String,
    pub body_ja: String,
    pub title_en: String,
    pub body_en: String,
    pub read: bool,
}

/// Newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeList {
    pub notices: Vec<ResidentNotice>,
    pub unread: usize,
}

/// `GET /api/admin/m/{code}/recommendation-rules`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSetView {
    /// 0 while the shipped defaults apply.
    pub version: u64,
    pub is_default: bool,
    pub rule_set: RuleSet,
    /// The placeholders texts may use, e.g. `{vaccination}`.
    pub placeholders: Vec<String>,
    pub series: Vec<SeriesOption>,
}

/// `PUT …/recommendation-rules`: the new rules, against the version they were read at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleSetUpdate {
    pub version: u64,
    pub rule_set: RuleSet,
}

/// `POST …/recommendation-rules/validate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCheck {
    pub ok: bool,
    pub errors: Vec<RuleError>,
}

/// `POST …/recommendation-rules/preview`: render a rule for a sample, or for a person as the
/// next run would (nothing is stored or sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewRequest {
    pub rule_id: String,
    /// A draft to preview instead of the saved rules.
    #[serde(default)]
    pub rule_set: Option<RuleSet>,
    #[serde(default)]
    pub subject_no: Option<String>,
    #[serde(default, with = "crate::iso_date::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewNotice {
    pub series: String,
    pub dose_number: u8,
    pub occasion: String,
    pub title_ja: String,
    pub body_ja: String,
    pub title_en: String,
    pub body_en: String,
    /// Why a run would not send it now: `quiet_period`, `already_sent`, `control_flag`.
    pub held_back: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewResult {
    /// Rendered for invented sample values rather than a person.
    pub sample: bool,
    pub notices: Vec<PreviewNotice>,
}

/// One person missing a vaccination (未接種者).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorklistRow {
    pub subject_no: String,
    pub municipal_business_id: String,
    pub name: String,
    pub name_kana: String,
    #[serde(with = "crate::iso_date")]
    pub birth_date: Date,
    pub age: u32,
    pub sex: String,
    pub series: String,
    /// The engine's status code (`overdue`, `due_now`, …).
    pub status: String,
    pub doses_counted: u8,
    pub doses_required: u8,
    #[serde(with = "crate::iso_date::option", default)]
    pub earliest: Option<Date>,
    #[serde(with = "crate::iso_date::option", default)]
    pub latest: Option<Date>,
    pub recommendation: Option<Recommendation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorklistPage {
    /// The day of the run the list comes from; `None` before the first run.
    #[serde(with = "crate::iso_date::option", default)]
    pub run_on: Option<Date>,
    pub rows: Vec<WorklistRow>,
    /// Pass as `page` for the next page.
    pub next: Option<String>,
}

/// What one run did for one rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleRunCounts {
    pub rule_id: String,
    pub created: u64,
    pub delivered: u64,
    pub failed: u64,
    pub suppressed: u64,
    /// Waiting for the person to be linked to Mynaportal.
    pub not_linked: u64,
}

/// One run of the recommendation job in one municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunReport {
    pub run_id: String,
    #[serde(with = "crate::iso_date")]
    pub on: Date,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub finished_at: OffsetDateTime,
    pub persons: u64,
    /// Persons whose data could not be read or evaluated (see the server log).
    pub errors: u64,
    pub worklist_entries: u64,
    /// Per rule: this run's notices and deliveries (retries of earlier notices included).
    pub rules: Vec<RuleRunCounts>,
}
