//! The forms pages, one file each; the form itself in steps (`form_*`).

pub mod form;
pub mod form_done;
pub mod form_review;
pub mod form_section;
pub mod form_view;
pub mod not_found;
pub mod notices;
pub mod people;
pub mod person;
pub mod print;
