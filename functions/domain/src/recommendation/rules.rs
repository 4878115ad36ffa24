//! The rule set a municipality keeps: which series and statuses trigger a notice, how often,
//! and its texts (勧奨文) in Japanese and English.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::schedule::{SeriesCategory, SeriesStatus, Status};

/// Languages every notice text must have. Mynaportal shows Japanese; English serves residents
/// who chose it in the app.
pub const LANGUAGES: [&str; 2] = ["ja", "en"];

/// A municipality's recommendation rules and the contact line their texts may quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    /// What `{contact}` becomes, per language (e.g. the department and its telephone number).
    pub contact: BTreeMap<String, String>,
    pub rules: Vec<Rule>,
}

/// One recommendation rule (勧奨ルール), identified by its ルールID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// ルールID: 1–32 letters, digits, `-` or `_`; stored with every notice it produced.
    pub id: String,
    pub name_ja: String,
    pub name_en: String,
    /// A disabled rule produces nothing; its earlier notices stay.
    #[serde(default = "enabled")]
    pub enabled: bool,
    /// Series ids of the schedule (`mr_1`, `hpv`, …) this rule covers.
    #[serde(default)]
    pub series: Vec<String>,
    /// Whole categories this rule covers (`a`, `b`, `voluntary`), besides `series`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub categories: Vec<SeriesCategory>,
    pub trigger: Trigger,
    /// No notice of this rule goes to a person who received any notice within this many days
    /// before (notices of one day count as one contact).
    pub quiet_days: u16,
    /// `ja` and `en`: the notice's title and body, with placeholders.
    pub texts: BTreeMap<String, NoticeText>,
}

fn enabled() -> bool {
    true
}

/// When a rule fires for a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// The eligible period opens within `days_before` days (status `upcoming`).
    Upcoming { days_before: u16 },
    /// The next dose is due now (status `due_now`).
    DueNow,
    /// The standard period has passed (status `overdue`): a reminder at once, then every
    /// `every_days`, at most `max_times` per dose (the missed-dose reminder).
    Overdue { every_days: u16, max_times: u8 },
}

impl Trigger {
    /// The snake_case name, as serialised.
    pub fn code(self) -> &'static str {
        match self {
            Self::Upcoming { .. } => "upcoming",
            Self::DueNow => "due_now",
            Self::Overdue { .. } => "overdue",
        }
    }
}

/// A notice's title and body in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoticeText {
    pub title: String,
    pub body: String,
}

impl Rule {
    /// Whether the rule covers this series (by id or by category).
    pub fn covers(&self, status: &SeriesStatus) -> bool {
        self.categories.contains(&status.category)
            || self.series.iter().any(|s| status.series == s.as_str())
    }

    /// Whether the rule's trigger is the kind of status `status` is in.
    pub fn matches_status(&self, status: Status) -> bool {
        matches!(
            (self.trigger, status),
            (Trigger::Upcoming { .. }, Status::Upcoming { .. })
                | (Trigger::DueNow, Status::DueNow)
                | (Trigger::Overdue { .. }, Status::Overdue)
        )
    }

    /// The text in `lang`, falling back to Japanese.
    pub fn text(&self, lang: &str) -> Option<&NoticeText> {
        self.texts.get(lang).or_else(|| self.texts.get("ja"))
    }
}

impl RuleSet {
    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The contact line in `lang`, falling back to Japanese.
    pub fn contact(&self, lang: &str) -> &str {
        self.contact
            .get(lang)
            .or_else(|| self.contact.get("ja"))
            .map_or("", String::as_str)
    }

    /// Reads a rule set from TOML (the shipped defaults, or a file a municipality keeps).
    /// The message names the place, never a value.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| {
            // toml's messages quote the offending line: keep only where it is.
            match e.span() {
                Some(span) => format!(
                    "the rules file is not valid at byte {}: check the field names and types",
                    span.start
                ),
                None => "the rules file is not valid TOML for the rules format".to_owned(),
            }
        })
    }
}
