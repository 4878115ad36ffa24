//! Recommendation rules (勧奨ルール): which vaccinations and statuses of the schedule engine
//! produce a notice to the person (接種勧奨, the missed-dose reminder), how often, and the
//! notice texts (勧奨文) in Japanese and English with placeholders.
//!
//! Pure, like the schedule: [`validate`] checks a rule set against a [`crate::schedule::Schedule`],
//! [`decide::occasion`] says whether a rule fires for a series today, [`render::render`] fills in
//! a text. The stores, the daily job and delivery to Mynaportal are in `sesshu-core`
//! (`recommendations`). Format and semantics: `docs/interfaces/recommendations.md`.

pub mod decide;
pub mod render;
mod rules;
mod validate;

pub use rules::{LANGUAGES, NoticeText, Rule, RuleSet, Trigger};
pub use validate::{MAX_RULES, RuleError, validate};

/// The rules every municipality starts with (until it saves its own).
pub const DEFAULT_RULES_TOML: &str = include_str!("../../data/recommendation/default-rules.toml");

impl RuleSet {
    /// The shipped default rules.
    pub fn defaults() -> Result<Self, String> {
        Self::from_toml(DEFAULT_RULES_TOML)
    }
}
