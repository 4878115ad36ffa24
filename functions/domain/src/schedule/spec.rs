//! The data-file format, exactly as reviewers write it (TOML). [`super::model`] turns it into the
//! checked, indexed form the engine runs on. Every field is documented in
//! `docs/interfaces/schedule.md`.

use serde::Deserialize;

use crate::person::Sex;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct File {
    pub meta: Meta,
    pub rules: Option<Rules>,
    #[serde(default)]
    pub vaccines: Vec<VaccineSpec>,
    #[serde(default)]
    pub products: Vec<ProductSpec>,
    #[serde(default)]
    pub series: Vec<SeriesSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Meta {
    pub id: String,
    pub title_ja: String,
    pub as_of: String,
    pub legal_basis: String,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rules {
    pub injectable_live_interval: String,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VaccineSpec {
    pub id: String,
    pub kind: Option<String>,
    pub name_ja: String,
    pub name_en: String,
    #[serde(default)]
    pub live_injectable: bool,
    pub use_from: Option<String>,
    pub use_until: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProductSpec {
    pub gtin: String,
    pub vaccine: String,
    pub brand_ja: String,
    pub maker_ja: String,
    #[serde(default)]
    pub sample_gtin: bool,
    #[allow(dead_code)] // for reviewers; the engine does not read it
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CategorySpec {
    A,
    B,
    Voluntary,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SeriesSpec {
    pub id: String,
    pub kind: Option<String>,
    pub stage: Option<u8>,
    pub first_dose_number: Option<u8>,
    pub category: CategorySpec,
    pub name_ja: Option<String>,
    pub name_en: Option<String>,
    pub sex: Option<Sex>,
    pub vaccines: Vec<String>,
    #[serde(default)]
    pub only_if_history_has: Vec<String>,
    #[serde(default)]
    pub unless_history_has: Vec<String>,
    pub follows: Option<String>,
    #[serde(default)]
    pub count_only_within_windows: bool,
    pub season: Option<SeasonSpec>,
    pub source: String,
    pub note: Option<String>,
    pub windows: Vec<WindowSpec>,
    pub plans: Vec<PlanSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SeasonSpec {
    pub from: String,
    pub until: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FlagSpec {
    #[serde(rename = "high_risk_60_to_64")]
    HighRisk60To64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WindowSpec {
    #[allow(dead_code)] // for reviewers
    pub label_ja: Option<String>,
    pub from: Option<String>,
    pub until: Option<String>,
    pub born_from: Option<String>,
    pub born_until: Option<String>,
    pub date_from: Option<String>,
    pub date_until: Option<String>,
    pub requires_flag: Option<FlagSpec>,
    pub requires_dose_between: Option<[String; 2]>,
    pub requires_complete: Option<String>,
    #[serde(default)]
    pub special: bool,
    #[allow(dead_code)] // for reviewers
    pub source: Option<String>,
    #[allow(dead_code)] // for reviewers
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanSpec {
    pub id: String,
    pub label_ja: String,
    pub label_en: String,
    pub vaccines: Option<Vec<String>>,
    pub first_vaccines: Option<Vec<String>>,
    pub first_age_from: Option<String>,
    pub first_age_after: Option<String>,
    pub first_age_until: Option<String>,
    pub when_history_has: Option<Vec<String>>,
    pub born_from: Option<String>,
    pub born_until: Option<String>,
    #[allow(dead_code)] // for reviewers
    pub note: Option<String>,
    pub doses: Vec<DoseSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DoseSpec {
    pub label_ja: String,
    pub label_en: String,
    pub min_age: Option<String>,
    pub max_age: Option<String>,
    pub standard_from: Option<String>,
    pub standard_until: Option<String>,
    pub skip_after: Option<String>,
    pub skip_if_previous_after: Option<String>,
    #[serde(default)]
    pub intervals: Vec<IntervalSpec>,
    pub intervals_after_skip: Option<Vec<IntervalSpec>>,
    #[allow(dead_code)] // for reviewers
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum FromSpec {
    Dose(u8),
    Named(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IntervalSpec {
    pub from: FromSpec,
    pub min: Option<String>,
    pub standard_min: Option<String>,
    pub standard_max: Option<String>,
}
