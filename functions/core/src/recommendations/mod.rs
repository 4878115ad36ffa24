//! 接種勧奨: a municipality's recommendation rules, the daily job that turns the schedule
//! engine's statuses into notices and delivers them to Mynaportal, what residents and staff
//! see of them, and the worklist of people missing a vaccination (未接種者).
//!
//! - [`rules`]: the rule set per municipality (defaults until one is saved), versioned.
//! - [`notices`]: notices in the person's partition (`P#<subject>` / `NOTE#<id>`) and the
//!   person's 勧奨情報 (seed item 37: ルールID, 勧奨日) as `P#<subject>` / `RECO`.
//! - [`plan`]: which notices a person is due, and their texts (shared by the job and preview).
//! - [`job`]: one run over every person: evaluate, plan, store (deterministic ids, conditional
//!   puts), deliver with retries and backoff, write the worklist index and the run report.
//! - [`worklist`]: the index the job writes and the staff list and CSV over it.
//! - [`admin`] and [`resident`]: the use cases of the two surfaces.
//!
//! Format and semantics: `docs/interfaces/recommendations.md`.

pub mod admin;
pub mod job;
pub mod notices;
pub mod plan;
pub mod resident;
pub mod rules;
pub mod worklist;
