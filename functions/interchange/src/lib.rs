//! CSV interchange with the municipality's health-management system (健康管理システム):
//! reading target persons ([`person_csv`]), writing error reports, person and record exports
//! in the encoding the municipality needs, and generating realistic test files.
//!
//! Pure: no storage, no async, no clock except [`person_csv::japan_today`] as a default. The
//! import engine in `sesshu-core` drives [`person_csv::PersonCsvReader`] and decides what each
//! row does to the store.
//!
//! **Invariant:** no error message or `Debug` output carries a cell's text; errors name the
//! row, the column and the rule.

pub mod csv_out;
pub mod encoding;
pub mod error_report;
pub mod fuzzing;
pub mod generator;
pub mod person_csv;
pub mod person_export;
pub mod records_export;

pub use csv_out::CsvWriter;
pub use encoding::TextEncoding;
pub use error_report::ErrorReportWriter;
pub use person_csv::{CsvFileError, Deletion, ParsedRow, PersonCsvReader, RowError, RowOp};
