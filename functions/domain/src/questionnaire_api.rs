//! Wire types of the questionnaire API (予診票): residents and their proxies filling in forms,
//! and municipal staff managing template versions. Shared by the backend and the app; the routes
//! and rules are in `docs/interfaces/questionnaire-api.md`.
//!
//! Persons and responses are addressed by opaque handles and ids, never by subject numbers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::dto::MunicipalityRef;
use crate::questionnaire::{
    Answers, ItemId, Lang, Published, ResolvedTexts, TemplateContent, TemplateError,
    TemplateStatus, TemplateTexts, VaccinationSettingId,
};
use crate::record::VaccinationKind;

/// How the signed-in resident relates to a person whose forms they may fill in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The resident themselves.
    #[serde(rename = "self")]
    Own,
    /// Someone the resident acts for (代理: a child whose guardian they are).
    Proxy,
}

/// One person in the resident's person switcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonEntry {
    /// Opaque, valid for this session only; use it in `/people/{person}/…`.
    pub handle: String,
    pub relation: Relation,
    /// 氏名
    pub name: String,
    /// カナ氏名
    pub name_kana: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    #[serde(with = "crate::iso_date")]
    pub birth_date: Date,
    /// The municipality that registers the person (one entry per municipality).
    pub municipality: MunicipalityRef,
}

/// `GET /api/resident/people`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeopleList {
    pub people: Vec<PersonEntry>,
}

/// 回答処理ステータス as the resident sees it. `expired` is a submitted form past its
/// 強制失効日.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResponseStatus {
    Draft,
    Submitted,
    Used,
    Withdrawn,
    Expired,
}

/// What a history entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResponseEvent {
    Created,
    Saved,
    Submitted,
    Corrected,
    Withdrawn,
    Used,
}

/// Who made a change: the person, a proxy acting for them, or the clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    #[serde(rename = "self")]
    Own,
    Proxy,
    Clinic,
}

/// One vaccination that makes a questionnaire fillable now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueVaccination {
    pub kind: VaccinationKind,
    /// e.g. 麻しん風しん (MR) 第1期
    pub name_ja: String,
    pub name_en: String,
    /// `due_now`, `overdue` or `upcoming`.
    pub status: String,
    /// The next dose's number (接種区分), when known.
    pub dose_number: Option<u8>,
    /// For `upcoming`: the first day it may be given.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    #[serde(with = "crate::iso_date::option")]
    pub opens_on: Option<Date>,
}

/// A questionnaire the person may start now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FillableQuestionnaire {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub setting: VaccinationSettingId,
    /// The version a new response answers (the current published one).
    pub version: u32,
    /// The form's title in the language asked for (Japanese where it lacks one).
    pub title: String,
    pub vaccinations: Vec<DueVaccination>,
    /// The id of this setting's open draft, if one exists.
    pub open_draft: Option<String>,
}

/// One response, without its answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponseSummary {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub setting: VaccinationSettingId,
    /// The template version answered.
    pub template_version: u32,
    pub title: String,
    /// The language the form is filled in.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub lang: Lang,
    pub status: ResponseStatus,
    /// Send back with every change (optimistic concurrency).
    pub version: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// 回答日時: when the form was first submitted.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    /// 強制失効日: the last day a submitted form can be used.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    #[serde(with = "crate::iso_date::option")]
    pub expires_on: Option<Date>,
    /// Days a submitted form stays usable (the template version's setting).
    pub validity_days: u16,
}

/// One entry of a response's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponseHistoryEntry {
    /// The response's version after this change.
    pub version: u64,
    pub event: ResponseEvent,
    pub status: ResponseStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: ActorKind,
}

/// A response with its form: what the questionnaire page needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponseView {
    #[serde(flatten)]
    pub summary: ResponseSummary,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: Answers,
    /// A draft: save and submit are allowed.
    pub editable: bool,
    /// Submitted, not expired, not used: correct is allowed.
    pub correctable: bool,
    /// A draft, or submitted and neither expired nor used: withdraw is allowed.
    pub withdrawable: bool,
    pub history: Vec<ResponseHistoryEntry>,
    /// The template version answered.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub template: Published,
    /// Its texts in the language asked for, Japanese where that language lacks one.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub texts: ResolvedTexts,
    /// Languages this template version has texts in.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub languages: Vec<Lang>,
}

/// `GET /api/resident/people/{person}/questionnaires`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonQuestionnaires {
    pub person: PersonEntry,
    /// How `fillable` was decided: `schedule` (the routine schedule engine).
    pub basis: String,
    pub fillable: Vec<FillableQuestionnaire>,
    /// Every response of the person in this municipality, newest first.
    pub responses: Vec<ResponseSummary>,
}

/// `POST /api/resident/people/{person}/responses`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartResponse {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub setting: VaccinationSettingId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub lang: Lang,
}

/// `PUT /api/resident/people/{person}/responses/{id}`: autosave of a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SaveDraft {
    pub version: u64,
    /// Switches the form's language.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[serde(default)]
    pub lang: Option<Lang>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: Answers,
}

/// What an autosave kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DraftSaved {
    pub version: u64,
    /// The answers as stored (pruned).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: Answers,
    /// Items whose answers were dropped: hidden, not on the form, or for the doctor.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub removed: Vec<ItemId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// The body of submit and withdraw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionOnly {
    pub version: u64,
}

/// The body of correct: the whole corrected answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CorrectResponse {
    pub version: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: Answers,
}

/// The person's data a printed form shows in its header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrintPerson {
    pub name: String,
    pub name_kana: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    #[serde(with = "crate::iso_date")]
    pub birth_date: Date,
    /// `male` or `female`.
    pub sex: String,
    /// Age on the print day (Japan): full years and the months after them.
    pub age_years: u32,
    pub age_months: u32,
    /// 保護者氏名, on forms a guardian signs.
    pub guardian_name: Option<String>,
    /// 住所 (every standard form has it).
    pub address: Option<String>,
}

/// `GET …/responses/{id}/print`: everything a paper form needs, in Japanese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrintView {
    pub response: ResponseSummary,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: Answers,
    pub history: Vec<ResponseHistoryEntry>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub template: Published,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub texts: ResolvedTexts,
    pub person: PrintPerson,
    pub municipality: MunicipalityRef,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub printed_at: OffsetDateTime,
}

// --- staff: templates per municipality ------------------------------------------------------

/// Where a template version comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TemplateOrigin {
    /// The default shipped with the system (always version 1).
    Shipped,
    /// Made by the municipality.
    Municipality,
}

/// One version in the list of a setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateVersionSummary {
    pub version: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: TemplateStatus,
    pub origin: TemplateOrigin,
    pub validity_days: u16,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
}

/// A setting's open draft, in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DraftSummary {
    pub version: u32,
    pub revision: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// One vaccination setting with its versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateSetting {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub setting: VaccinationSettingId,
    /// The current version's Japanese title.
    pub title_ja: String,
    pub vaccination_kinds: Vec<VaccinationKind>,
    /// The version residents fill in now (the newest published).
    pub current_version: u32,
    /// Published versions, oldest first.
    pub versions: Vec<TemplateVersionSummary>,
    pub draft: Option<DraftSummary>,
}

/// `GET /api/admin/m/{code}/questionnaire-templates`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateSettings {
    pub settings: Vec<TemplateSetting>,
}

/// One version (published or the draft) with every stored language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateVersionView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub setting: VaccinationSettingId,
    pub version: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: TemplateStatus,
    pub origin: TemplateOrigin,
    /// For a draft: send back with PUT, DELETE and publish (optimistic concurrency).
    pub revision: u64,
    pub validity_days: u16,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    /// The document: `{"version", "status", …content}`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub template: serde_json::Value,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub texts: Vec<TemplateTexts>,
}

/// `POST …/draft`: start the draft from a published version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DraftCreate {
    pub from_version: u32,
}

/// `PUT …/draft`: the draft's new content, texts and validity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DraftUpdate {
    pub revision: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub content: TemplateContent,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub texts: Vec<TemplateTexts>,
    pub validity_days: u16,
}

/// `POST …/draft/publish`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DraftPublish {
    pub revision: u64,
}

/// `POST …/draft/validate`: the publish checks, without publishing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateCheck {
    pub valid: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub errors: Vec<TemplateError>,
    /// Per language (other than Japanese), the keys that would fall back to Japanese.
    pub missing_texts: BTreeMap<String, Vec<String>>,
}
