//! The routine vaccination schedule (定期接種) as data, and the engine that evaluates a person's
//! history against it.
//!
//! - The rules live in reviewable TOML files under `data/schedule/` (the routine A類/B類
//!   vaccinations in force on the file's `as_of` date, each rule with its legal source), compiled
//!   once into a [`Schedule`]. A municipality's 任意接種 can be added by a second file with the
//!   same format ([`Schedule::from_sources`]).
//! - [`evaluate`] answers, for every series, where the person stands on a date and when the next
//!   dose may, should and must be given; [`check_proposed`] says whether a proposed vaccination
//!   may be given and why not.
//! - Ages, intervals and fiscal years follow the Japanese rules exactly as
//!   `docs/interfaces/schedule.md` defines them ([`calendar`]).
//!
//! Everything is pure and deterministic: the same person, history (in any order) and date give
//! the same answer.

pub mod calendar;
mod compile;
mod engine;
mod error;
mod model;
mod proposal;
mod spec;
mod status;

use std::sync::OnceLock;

use time::Date;

pub use calendar::Period;
pub use engine::Evaluator;
pub use error::ScheduleError;
pub use model::{FileInfo, Product, Schedule, SeriesInfo, Vaccine};
pub use proposal::check_proposed;
pub use status::{
    Code, Dose, Finding, Given, NextDose, Reason, SeriesCategory, SeriesStatus, Status, Subject,
    Verdict,
};

/// The routine schedule shipped with the system.
pub const ROUTINE_TOML: &str = include_str!("../../data/schedule/routine.toml");

/// The file name [`ROUTINE_TOML`] is reported under in errors.
pub const ROUTINE_FILE: &str = "data/schedule/routine.toml";

impl Schedule {
    /// The shipped routine schedule, parsed once.
    pub fn routine() -> Result<&'static Schedule, ScheduleError> {
        static ROUTINE: OnceLock<Result<Schedule, ScheduleError>> = OnceLock::new();
        ROUTINE
            .get_or_init(|| Schedule::build_for_program(&[(ROUTINE_FILE, ROUTINE_TOML)]))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The shipped routine schedule plus a municipality's supplementary file.
    pub fn routine_with(name: &str, supplement: &str) -> Result<Schedule, ScheduleError> {
        Schedule::from_sources(&[(ROUTINE_FILE, ROUTINE_TOML), (name, supplement)])
    }
}

/// Every series of `schedule` for `person` on `on`, in the schedule's order.
pub fn evaluate(
    schedule: &Schedule,
    person: &Subject,
    history: &[Dose],
    on: Date,
) -> Result<Vec<SeriesStatus>, ScheduleError> {
    let mut out = Vec::new();
    Evaluator::new(schedule).evaluate_into(person, history, on, &mut out)?;
    Ok(out)
}

/// Evaluates many persons on one date, reusing the buffers, and hands each result to `sink`
/// with the person's position.
pub fn evaluate_many<'h, I, F>(schedule: &Schedule, on: Date, people: I, mut sink: F)
where
    I: IntoIterator<Item = (&'h Subject, &'h [Dose])>,
    F: FnMut(usize, Result<&[SeriesStatus], ScheduleError>),
{
    let mut evaluator = Evaluator::new(schedule);
    let mut out = Vec::new();
    for (position, (person, history)) in people.into_iter().enumerate() {
        match evaluator.evaluate_into(person, history, on, &mut out) {
            Ok(()) => sink(position, Ok(&out)),
            Err(e) => sink(position, Err(e)),
        }
    }
}
