//! The resident's pages (mobile first).

pub mod home;
pub mod not_found;
pub mod record;
pub mod records;
