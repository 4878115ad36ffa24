//! The Leptos client-side-rendered app.
//!
//! Each surface is its own bundle (its own bin) built from this library, so residents never
//! download staff code: `resident` holds the resident app's router, `pages::resident` its pages.
//! `api`, `i18n`, `session` and `components` are shared.
//!
//! **Invariant:** nothing under `pages::resident` or `resident` imports staff modules.

pub mod api;
pub mod components;
pub mod i18n;
pub mod pages;
pub mod resident;
pub mod session;
