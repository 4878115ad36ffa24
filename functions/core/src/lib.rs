//! Use cases and repositories over the ports. Knows nothing of HTTP.

pub mod alerts;
pub mod audit;
pub mod clock;
pub mod digest;
pub mod directory;
pub mod error;
pub mod export;
pub mod import;
pub mod mynaportal_token;
pub mod persons;
pub mod pmh_link;
pub mod ports;
pub mod questionnaires;
pub mod recommendations;
pub mod records;
pub mod resident;
pub mod resident_view;
pub mod schedule;
pub mod session;
pub mod staff;
pub mod tenancy;

pub use error::CoreError;
