//! The Leptos client-side-rendered app.
//!
//! Each surface is its own bundle (its own bin) built from this library, so residents never
//! download staff code: `resident` holds the resident app's router, `pages::resident` its pages.
//! `api`, `i18n`, `session` and `components` are shared. The staff bundle (`/admin`, `/clinic`)
//! keeps its pages, texts and API calls in its own bin (`src/bin/sesshu-staff/`) and uses this
//! library's language context, language switch, loading indicator and fetch helpers.
//!
//! `questionnaire` renders forms (fields, answers as text) for the forms bundle
//! (`src/bin/sesshu-forms/`, `/forms`) and the staff template preview; the resident bundle does
//! not call it, so it is not linked there.
//!
//! **Invariant:** this library holds no staff pages or staff texts, so linking it into the
//! resident bundle cannot bring them along.

pub mod api;
pub mod components;
pub mod i18n;
pub mod pages;
pub mod questionnaire;
pub mod resident;
pub mod session;
