//! Wire types of the admin surface's target-person work: search, entry and edit, history,
//! duplicates, PMH key status and CSV imports. My Number never appears in any of them except
//! the search request (a POST body, never a URL) and the reveal answer in `staff.rs`.

use serde::{Deserialize, Serialize};

use crate::person::ControlFlags;
use crate::person_input::{FieldError, PersonFields};

/// A search over the keyed indexes. Give one of: `subject_no`, `municipal_business_id`,
/// `my_number` (needs the My Number right), or `name_kana` and/or `birth_date`. Sent as a POST
/// body so that no identifier ends up in a URL or an access log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonSearch {
    #[serde(default)]
    pub subject_no: Option<String>,
    #[serde(default)]
    pub municipal_business_id: Option<String>,
    #[serde(default)]
    pub my_number: Option<String>,
    #[serde(default)]
    pub name_kana: Option<String>,
    /// YYYY-MM-DD (other forms as in the CSV are accepted too)
    #[serde(default)]
    pub birth_date: Option<String>,
    /// The `next` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// One page of search results, within the caller's duties.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonSearchPage {
    pub items: Vec<PersonListItem>,
    pub next: Option<String>,
}

/// A person in a result list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonListItem {
    pub subject_no: String,
    pub name: String,
    pub name_kana: String,
    /// YYYY-MM-DD
    pub birth_date: String,
    /// `male` / `female`
    pub sex: String,
    pub municipal_business_id: String,
    pub pmh: PmhStatus,
    pub control_flags: ControlFlags,
}

/// Where a person's PMH key assignment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PmhStatus {
    Waiting,
    Assigned,
    Failed,
}

/// Everything staff see of a person (My Number masked), with what the edit form needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonRecordView {
    pub person: crate::staff::StaffPerson,
    /// The form's fields, My Number masked; send them back edited with `version`.
    pub fields: PersonFields,
    pub other_management_no: Option<String>,
    /// `routine` / `long_term_illness_exception` / `disabled_aged60_to64` / `subsidised_voluntary`
    pub subject_category: String,
    /// `none` / `full` / `partial`
    pub fee_exemption: String,
    pub control_flags: ControlFlags,
    pub pmh: PmhStatus,
    /// Why the last PMH assignment failed, if it did.
    pub pmh_failure: Option<String>,
    /// 連携ファイル名 / 連携日時 (RFC 3339) / 連携処理ステータス, if the person came by CSV.
    pub link_file_name: Option<String>,
    pub link_at: Option<String>,
    /// Subject numbers of people with the same kana and birth date (possible duplicates).
    pub possible_duplicates: Vec<String>,
    /// The version to send with an edit, so a concurrent change is never overwritten.
    pub version: u64,
}

/// A new person from the entry form. The My Number field is required here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonCreate {
    pub fields: PersonFields,
}

/// An edit: all fields as in the form, and the version read. A `my_number` left as the mask
/// keeps the stored one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonUpdate {
    pub fields: PersonFields,
    pub version: u64,
}

/// New control flags for a person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ControlFlagsUpdate {
    pub control_flags: ControlFlags,
    pub version: u64,
}

/// The answer to a create or edit: the person's subject number and new version; or, with
/// status 422, the field errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonSaved {
    pub subject_no: String,
    pub version: u64,
    /// Subject numbers of people with the same kana and birth date, to review.
    pub possible_duplicates: Vec<String>,
}

/// 422 body of a rejected form: every field error at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldErrors {
    pub errors: Vec<FieldError>,
}

/// One change of a person: when, by whom (user id, or `import:<job id>`), what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonHistoryEntry {
    /// RFC 3339
    pub at: String,
    pub actor: String,
    /// `created` / `updated` / `control_flags` / `pmh_key`
    pub kind: String,
    pub changes: Vec<FieldChange>,
}

/// One field's change; My Number changes show as masked on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    /// The field's snake_case name (as `PersonField`).
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// A pair flagged as possible duplicates (same kana and birth date, different My Number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicatePair {
    pub first: crate::staff::StaffPerson,
    pub second: crate::staff::StaffPerson,
}

/// Where an import job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportState {
    /// Parts of the file are still being uploaded.
    Uploading,
    /// Uploaded, waiting for the processor.
    Queued,
    Processing,
    Done,
    /// Stopped for a reason about the whole file (e.g. its header); see `error`.
    Failed,
}

/// Per-outcome row counts of an import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportCounts {
    pub created: u64,
    pub updated: u64,
    pub deleted: u64,
    pub unchanged: u64,
    pub failed: u64,
}

impl ImportCounts {
    pub fn total(&self) -> u64 {
        self.created + self.updated + self.deleted + self.unchanged + self.failed
    }
}

/// An import job as the admin app shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportJobView {
    pub job_id: String,
    pub file_name: String,
    /// `utf8` / `utf8_bom` / `cp932`, once known
    pub encoding: Option<String>,
    pub uploaded_by: String,
    /// RFC 3339
    pub created_at: String,
    pub finished_at: Option<String>,
    pub state: ImportState,
    /// Size of the file, and how much of it was uploaded and processed.
    pub bytes_total: u64,
    pub bytes_received: u64,
    pub bytes_processed: u64,
    /// Upload parts: each `part_size` bytes but the last.
    pub part_size: u64,
    pub parts_received: Vec<u32>,
    pub counts: ImportCounts,
    /// A problem with the whole file (e.g. a missing column), in Japanese and English.
    pub error_ja: Option<String>,
    pub error_en: Option<String>,
}

/// Starts an import: the file's name and size; the parts follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportCreate {
    pub file_name: String,
    pub size: u64,
}

/// The import list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportList {
    pub items: Vec<ImportJobView>,
}

/// PMH key assignment at a glance: how many wait, and who failed why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PmhOverview {
    pub waiting: u64,
    pub failed: Vec<PmhFailure>,
}

/// One failed assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PmhFailure {
    pub subject_no: String,
    pub reason: String,
    /// RFC 3339
    pub at: String,
}
