//! The staff pages, one file each.

pub mod activate;
pub mod alerts;
pub mod audit;
pub mod home;
pub mod login;
pub mod not_found;
pub mod requests;
pub mod review;
pub mod roles;
pub mod users;
