//! Fuzz target bodies, here rather than in `fuzz/` so that an ordinary test replays the corpus
//! on every build (`tests/fuzz_corpus.rs`) and `cargo fuzz` only adds the driver.

use std::io;

use sesshu_domain::MunicipalityCode;

use crate::encoding::TextEncoding;
use crate::error_report::ErrorReportWriter;
use crate::person_csv::PersonCsvReader;

/// Reads `data` as a target-person CSV for 131016 and writes every error into an error report
/// in both output encodings. Must never panic, whatever the bytes.
pub fn person_csv(data: &[u8]) {
    let Ok(expected) = MunicipalityCode::parse("131016") else {
        return;
    };
    let mut reports = [
        ErrorReportWriter::new(io::sink(), TextEncoding::Cp932),
        ErrorReportWriter::new(io::sink(), TextEncoding::Utf8Bom),
    ];
    let reader = match PersonCsvReader::new(data, expected) {
        Ok(reader) => reader,
        Err(error) => {
            for report in reports.iter_mut().flatten() {
                let _ = report.write_file_error(&error);
            }
            return;
        }
    };
    for item in reader.take(100_000) {
        match item {
            Ok(row) => {
                if let Err(error) = &row.result {
                    for report in reports.iter_mut().flatten() {
                        let _ = report.write_row_error(row.row_no, error);
                    }
                }
            }
            Err(error) => {
                for report in reports.iter_mut().flatten() {
                    let _ = report.write_file_error(&error);
                }
            }
        }
    }
    for report in reports.into_iter().flatten() {
        let _ = report.finish();
    }
}
