//! Questionnaire (予診票) rendering shared by the forms bundle (`src/bin/sesshu-forms/`), where
//! residents fill forms in, and the staff bundle's template preview. The resident bundle never
//! calls it, so it is not linked there.
//!
//! - [`model`]: a form being filled in: the template, its texts, the answers, which items the
//!   answers show (the domain's [`visible_items`](sesshu_domain::questionnaire::visible_items))
//!   and the message of each answer that needs correcting.
//! - [`fields`]: one component per item kind, large touch targets, messages tied to inputs.
//! - [`answer_text`]: an answer as a person reads it (review page, print).
//! - [`words`]: the few words a form needs beyond its texts (the "required" mark), in every
//!   form language.

pub mod answer_text;
pub mod fields;
pub mod model;
pub mod words;

pub use model::FormModel;
