//! The error report (エラーレポート) a municipality downloads after an import: one line per
//! problem, naming the row as a spreadsheet shows it and the column, in Japanese and English.
//! Problems of a whole row, or of the file, leave 列 empty.
//!
//! Like every message here, no line contains a cell's text.

use std::io::{self, Write};

use sesshu_domain::person_input::{FieldError, PersonField};

use crate::csv_out::CsvWriter;
use crate::encoding::TextEncoding;
use crate::person_csv::{CsvFileError, RowError};

/// The header: row number, column, the message in Japanese, the message in English.
pub const HEADER: [&str; 4] = ["行番号", "列", "エラー内容", "error"];

/// Writes an error report.
pub struct ErrorReportWriter<W: Write> {
    csv: CsvWriter<W>,
    lines: u64,
}

impl<W: Write> ErrorReportWriter<W> {
    /// Starts a report in `encoding` and writes its header.
    pub fn new(out: W, encoding: TextEncoding) -> io::Result<Self> {
        let mut csv = CsvWriter::new(out, encoding);
        csv.write_record(HEADER)?;
        Ok(Self { csv, lines: 0 })
    }

    /// Every problem of a row: one line per field error, or one line without a column.
    pub fn write_row_error(&mut self, row_no: u64, error: &RowError) -> io::Result<()> {
        for (field, en, ja) in error.lines() {
            self.line(Some(row_no), field, ja, en)?;
        }
        Ok(())
    }

    /// One field error.
    pub fn write_field_error(&mut self, row_no: u64, error: &FieldError) -> io::Result<()> {
        self.line(Some(row_no), Some(error.field), &error.ja, &error.en)
    }

    /// A problem of a whole row found later (e.g. by the import engine: "already registered"),
    /// with an empty 列.
    pub fn write_row_message(&mut self, row_no: u64, ja: &str, en: &str) -> io::Result<()> {
        self.line(Some(row_no), None, ja, en)
    }

    /// A problem of the whole file: one line per header problem, or one line without a row
    /// when no row is to blame.
    pub fn write_file_error(&mut self, error: &CsvFileError) -> io::Result<()> {
        match error {
            CsvFileError::Header { row_no, problems } => {
                for problem in problems {
                    self.line(Some(*row_no), problem.field(), &problem.ja(), &problem.en())?;
                }
                Ok(())
            }
            other => self.line(other.row_no(), None, &other.ja(), &other.en()),
        }
    }

    /// Problem lines written so far (the header not counted).
    pub fn lines_written(&self) -> u64 {
        self.lines
    }

    /// Characters written as 〓 (CP932 reports only).
    pub fn replaced_chars(&self) -> u64 {
        self.csv.replaced_chars()
    }

    /// Flushes and returns the inner writer.
    pub fn finish(self) -> io::Result<W> {
        self.csv.finish()
    }

    fn line(
        &mut self,
        row_no: Option<u64>,
        field: Option<PersonField>,
        ja: &str,
        en: &str,
    ) -> io::Result<()> {
        let row = row_no.map(|n| n.to_string()).unwrap_or_default();
        let column = field.map_or("", PersonField::column_ja);
        let en = match field {
            Some(field) => format!("{}: {en}", field.column_en()),
            None => en.to_owned(),
        };
        self.csv
            .write_record([row.as_str(), column, ja, en.as_str()])?;
        self.lines += 1;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn report_lines_name_row_and_column_and_leave_the_column_empty_for_row_errors() {
        let mut report = ErrorReportWriter::new(Vec::new(), TextEncoding::Utf8).unwrap();
        report
            .write_row_error(
                3,
                &RowError::Fields(vec![FieldError::required(PersonField::Name)]),
            )
            .unwrap();
        report
            .write_row_error(
                4,
                &RowError::Row {
                    en: "bad, row".into(),
                    ja: "不正".into(),
                },
            )
            .unwrap();
        report.write_file_error(&CsvFileError::Empty).unwrap();
        assert_eq!(report.lines_written(), 3);
        let text = String::from_utf8(report.finish().unwrap()).unwrap();
        assert_eq!(
            text,
            "行番号,列,エラー内容,error\r\n\
             3,氏名,必須項目です。入力してください,name: is required; fill it in\r\n\
             4,,不正,\"bad, row\"\r\n\
             ,,ファイルが空です。対象者データを出力し直して、そのファイルを選んでください,the file is empty; export the target persons again and choose that file\r\n"
        );
    }
}
