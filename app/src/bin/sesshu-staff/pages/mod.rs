//! The staff pages, one file each; a person's detail page in sections (`person_*`).

pub mod activate;
pub mod alerts;
pub mod audit;
pub mod duplicates;
pub mod exports;
pub mod home;
pub mod imports;
pub mod login;
pub mod not_found;
pub mod person_delete;
pub mod person_detail;
pub mod person_edit;
pub mod person_flags;
pub mod person_form;
pub mod person_history;
pub mod person_new;
pub mod persons;
pub mod pmh;
pub mod requests;
pub mod review;
pub mod roles;
pub mod template_edit;
pub mod template_preview;
pub mod templates;
pub mod users;
