//! What can go wrong loading a schedule or reading a history. Messages name files, fields and
//! positions, never a person's data.

/// Why a schedule could not be built or a history could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("schedule file {file} is not valid TOML for the schedule format: {message}")]
    Parse { file: String, message: String },
    #[error("schedule file {file}, {path}: {problem}")]
    Invalid {
        file: String,
        path: String,
        problem: String,
    },
    #[error(
        "history entry {index} names a GTIN the schedule does not know; add the product to a schedule file"
    )]
    UnknownProduct { index: usize },
    #[error(
        "history entry {index} names a vaccine id the schedule does not know; use an id from the schedule"
    )]
    UnknownVaccine { index: usize },
    #[error(
        "the proposed product or vaccine is not in the schedule; use a GTIN or vaccine id from it"
    )]
    UnknownProposal,
}
