//! Pre-vaccination questionnaires (予診票) over the stores: a municipality's template versions,
//! residents' responses (sealed: answers are health data), who may fill in whose forms (代理),
//! and which forms a person can fill in now.
//!
//! - [`templates`]: the shipped defaults as version 1 of every setting, a municipality's own
//!   published versions (immutable) and its one draft per setting.
//! - [`templates_admin`]: the staff use cases on templates (permission `manage_templates`).
//! - [`responses`]: responses and their sealed history; the state machine draft → submitted →
//!   used / withdrawn, expiry, optimistic concurrency, [`responses::mark_used`] for clinics.
//! - [`proxy`]: the 保護者氏名 and age check behind acting for someone else.
//! - [`fillable`]: which settings a person can fill in now, from the routine schedule.
//! - [`resident`]: the resident use cases the HTTP layer calls, with what to log.
//!
//! The wire types are in `sesshu_domain::questionnaire_api`; the API in
//! `docs/interfaces/questionnaire-api.md`.

pub mod fillable;
pub mod proxy;
pub mod resident;
pub mod responses;
pub mod templates;
pub mod templates_admin;

use time::{Date, OffsetDateTime, UtcOffset};

/// Japan Standard Time (no daylight saving).
const JST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// The date in Japan at `at`: forms expire and children turn 20 on Japanese days, not UTC ones.
pub fn japan_date(at: OffsetDateTime) -> Date {
    at.to_offset(JST).date()
}
