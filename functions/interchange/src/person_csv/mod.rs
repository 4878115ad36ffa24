//! Reading the target-person CSV of the health-management system (健康管理システム).
//!
//! [`PersonCsvReader::new`] detects the encoding, reads the header and checks it; iterating then
//! yields one [`ParsedRow`] per data row: a [`RowOp`] to apply, or a [`RowError`] saying what
//! to fix. Rows are numbered as a spreadsheet shows them (the header is row 1, a line break
//! inside a quoted field does not start a new row). Blank rows are skipped. The interface is
//! documented for municipalities in `docs/interfaces/person-csv.md`.

mod error;
mod header;
mod line_endings;
mod row;

use std::io::{self, Cursor, Read};

use csv::{ReaderBuilder, StringRecord};
use sesshu_domain::person::MoveReason;
use sesshu_domain::person_input::PersonInput;
use sesshu_domain::{MunicipalityCode, MyNumber};
use time::{Date, OffsetDateTime, UtcOffset};

pub use error::{CsvFileError, HeaderProblem, RowError};
pub use header::{ALWAYS_REQUIRED, CONTENT_REQUIRED, EXPORT_ONLY_COLUMNS, Layout};

use crate::encoding::{DETECT_LEN, DecodingReader, TextEncoding, detect, is_utf16};
use line_endings::LineEndings;
use row::{RowContext, is_blank, parse_row};

/// What one valid row asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOp {
    /// 変更区分 1 (新規): register a person who must not exist yet.
    New(PersonInput),
    /// 変更区分 2 (更新): replace the content of the person with this My Number.
    Update(PersonInput),
    /// 変更区分 3 (削除): remove the person with this My Number.
    Delete(Deletion),
}

/// A deletion row: the keys, and optionally when and why the person left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    pub my_number: MyNumber,
    pub municipality_code: MunicipalityCode,
    /// 異動日
    pub moved_out_on: Option<Date>,
    /// 異動事由
    pub reason: Option<MoveReason>,
}

/// One data row and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRow {
    /// The row as a spreadsheet numbers it: the header is row 1.
    pub row_no: u64,
    pub result: Result<RowOp, RowError>,
}

type Decoded<R> = LineEndings<DecodingReader<io::Chain<Cursor<Vec<u8>>, R>>>;

/// A streaming reader of target-person rows; memory stays constant whatever the file size.
pub struct PersonCsvReader<R: Read> {
    csv: csv::Reader<Decoded<R>>,
    encoding: TextEncoding,
    layout: Layout,
    header_row_no: u64,
    expected: MunicipalityCode,
    today: Option<Date>,
    record: StringRecord,
    /// The row number of `record`.
    row_start: u64,
    /// Line breaks inside quoted fields so far: csv counts lines, a spreadsheet counts records.
    embedded_newlines: u64,
    finished: bool,
}

impl<R: Read> PersonCsvReader<R> {
    /// Detects the encoding and reads the header. Every row must carry `expected_municipality`
    /// (the tenant of the import). Birth dates after today in Japan are refused; see
    /// [`Self::with_today`].
    pub fn new(
        mut input: R,
        expected_municipality: MunicipalityCode,
    ) -> Result<Self, CsvFileError> {
        let mut head = Vec::with_capacity(DETECT_LEN);
        (&mut input)
            .take(DETECT_LEN as u64)
            .read_to_end(&mut head)?;
        if head.is_empty() {
            return Err(CsvFileError::Empty);
        }
        if is_utf16(&head) {
            return Err(CsvFileError::Utf16);
        }
        let encoding = detect(&head);
        let decoded = LineEndings::new(DecodingReader::new(
            Cursor::new(head).chain(input),
            encoding,
        ));
        let csv = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(64 * 1024)
            .from_reader(decoded);
        let mut reader = Self {
            csv,
            encoding,
            layout: Layout::empty(),
            header_row_no: 1,
            expected: expected_municipality,
            today: Some(japan_today()),
            record: StringRecord::new(),
            row_start: 0,
            embedded_newlines: 0,
            finished: false,
        };
        loop {
            if !reader.read_next()? {
                return Err(CsvFileError::Empty);
            }
            if !is_blank(&reader.record) {
                break;
            }
        }
        let row_no = reader.current_row_no();
        reader.layout = Layout::parse(reader.record.iter(), row_no)?;
        reader.header_row_no = row_no;
        Ok(reader)
    }

    /// Checks birth dates against `today` instead of the current date in Japan; `None` skips
    /// the check (the caller then checks it).
    pub fn with_today(mut self, today: Option<Date>) -> Self {
        self.today = today;
        self
    }

    /// The encoding the file was read in.
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// Where each field is in this file.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Whether the file has only the deletion columns (削除用データ).
    pub fn is_deletion_file(&self) -> bool {
        self.layout.deletion_only
    }

    /// The row number of the header (1 unless blank lines precede it).
    pub fn header_row_no(&self) -> u64 {
        self.header_row_no
    }

    /// Reads the next record and works out its row number as a spreadsheet shows it: the
    /// parser's line count after the record (every record ends in a consumed LF, see
    /// [`LineEndings`]) less the line breaks inside quoted fields so far, less the terminator.
    /// The line where the record started bounds it from below (for an unclosed quote at the
    /// end of the file, whose added LF ended up inside the field).
    fn read_next(&mut self) -> Result<bool, CsvFileError> {
        let more = self.csv.read_record(&mut self.record).map_err(csv_error)?;
        if more {
            let inside = self
                .record
                .as_slice()
                .bytes()
                .filter(|&b| b == b'\n')
                .count() as u64;
            self.embedded_newlines += inside;
            let start_line = self.record.position().map_or(1, csv::Position::line);
            let start_row = start_line.saturating_sub(self.embedded_newlines - inside);
            let end_line = self.csv.position().line();
            let row = end_line.saturating_sub(self.embedded_newlines + 1);
            self.row_start = row.max(start_row).max(1);
        }
        Ok(more)
    }

    fn current_row_no(&self) -> u64 {
        self.row_start
    }
}

impl<R: Read> Iterator for PersonCsvReader<R> {
    type Item = Result<ParsedRow, CsvFileError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        loop {
            match self.read_next() {
                Ok(true) => {}
                Ok(false) => {
                    self.finished = true;
                    return None;
                }
                Err(e) => {
                    self.finished = true;
                    return Some(Err(e));
                }
            }
            if is_blank(&self.record) {
                continue;
            }
            let context = RowContext {
                layout: &self.layout,
                expected: &self.expected,
                today: self.today,
            };
            return Some(Ok(ParsedRow {
                row_no: self.current_row_no(),
                result: parse_row(&self.record, &context),
            }));
        }
    }
}

fn csv_error(error: csv::Error) -> CsvFileError {
    match error.into_kind() {
        csv::ErrorKind::Io(e) => CsvFileError::Io(e),
        // Never the text itself: csv's messages can quote positions only, but stay generic.
        _ => CsvFileError::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            "the CSV text could not be read",
        )),
    }
}

/// Today's date in Japan (UTC+9, no daylight saving), so a child born this morning is not
/// "born in the future" for the nine hours the UTC date lags behind.
pub fn japan_today() -> Date {
    let jst = UtcOffset::from_hms(9, 0, 0).unwrap_or(UtcOffset::UTC);
    OffsetDateTime::now_utc().to_offset(jst).date()
}

#[cfg(test)]
mod tests;
