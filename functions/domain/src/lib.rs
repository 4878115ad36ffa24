//! The domain: identifiers with check digits, target persons, vaccination records and the API
//! DTOs that the app and the backend share, so the contract cannot drift.
//!
//! **Invariant:** no I/O here; everything builds for `wasm32-unknown-unknown`.

pub mod dto;
pub mod id;
pub mod iso_date;
pub mod kana;
pub mod person;
pub mod person_input;
pub mod questionnaire;
pub mod questionnaire_api;
pub mod recommendation;
pub mod record;
pub mod schedule;
pub mod schedule_api;
pub mod staff;
pub mod staff_persons;

pub use id::{
    Gtin, IdError, InstitutionCode, MunicipalityCode, MyNumber, PmhKey, PmhPseudonym, SubjectNo,
};
