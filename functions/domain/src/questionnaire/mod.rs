//! Pre-vaccination questionnaires (予診票): versioned templates per vaccination setting, their
//! texts in several languages, conditions between questions, answers and their checks, and the
//! default templates after the MHLW standard forms.
//!
//! - [`model`]: codes, item kinds, conditions, sections; [`Draft`] (editable) and
//!   [`Published`] (immutable; editing makes the next version's draft).
//! - [`texts`]: one text bundle per language keyed by item id / option code, Japanese fallback.
//! - [`conditions`] (private): what a set of answers shows; whether an item can be shown at all.
//! - [`validation`]: the publish checks, each finding in English and Japanese.
//! - [`answers`]: [`Answers`], [`validate_answer`], [`visible_items`], [`prune`],
//!   [`validate_submission`].
//! - [`defaults`]: the shipped templates (`data/questionnaires/`).
//!
//! The format is described in `docs/interfaces/questionnaire-templates.md`.

pub mod answers;
mod conditions;
pub mod defaults;
pub mod model;
pub mod texts;
pub mod validation;

pub use answers::{
    AnswerError, AnswerErrorKind, AnswerValue, Answers, ConsentAnswer, prune, validate_answer,
    validate_doctor_entries, validate_submission, visible_items,
};
pub use model::{
    CodeError, Condition, Decimal, Draft, FilledBy, Item, ItemId, ItemKind, OptionCode, Place,
    Published, Section, SectionId, Signer, TemplateContent, TemplateDocError, TemplateStatus,
    VaccinationSettingId, YesNo,
};
pub use texts::{Lang, ResolvedTexts, TemplateTexts};
pub use validation::{TemplateError, TemplateErrorKind, validate_structure, validate_template};
