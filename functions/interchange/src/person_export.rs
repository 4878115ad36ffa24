//! Exporting target persons in the import layout (all columns of [`PersonField::ALL`]) plus
//! 予防接種対象者番号 and PMHキー連携状況, so that a file exported here can be edited and
//! imported again: every row says 変更区分 2 (更新) and the two extra columns are ignored on
//! import.
//!
//! The file contains My Numbers unless written with [`PersonExportWriter::without_my_number`]:
//! the caller checks that the member of staff may see them.

use std::io::{self, Write};

use sesshu_domain::person::TargetPerson;
use sesshu_domain::person_input::{PersonField, PersonInput};

use crate::csv_out::CsvWriter;
use crate::encoding::TextEncoding;
use crate::person_csv::EXPORT_ONLY_COLUMNS;

/// Where a person stands in the PMH key linkage (PMHキー連携状況), as the export shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PmhLinkState {
    /// 連携待ち: not yet asked or no answer yet.
    Waiting,
    /// 連携済み: PMH assigned a key.
    Assigned,
    /// 連携エラー: PMH refused or the request failed.
    Failed,
}

impl PmhLinkState {
    /// The text in the column: 連携待ち, 連携済み or 連携エラー.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Waiting => "連携待ち",
            Self::Assigned => "連携済み",
            Self::Failed => "連携エラー",
        }
    }
}

/// The header of the person export.
pub fn header() -> Vec<&'static str> {
    PersonField::ALL
        .iter()
        .map(|f| f.column_ja())
        .chain(EXPORT_ONLY_COLUMNS.iter().map(|(ja, _)| *ja))
        .collect()
}

/// Writes the person export.
pub struct PersonExportWriter<W: Write> {
    csv: CsvWriter<W>,
    with_my_number: bool,
    rows: u64,
}

impl<W: Write> PersonExportWriter<W> {
    /// Starts an export with My Numbers and writes the header.
    pub fn new(out: W, encoding: TextEncoding) -> io::Result<Self> {
        Self::start(out, encoding, true)
    }

    /// Starts an export whose 個人番号 column is left empty (for staff who may not see My
    /// Numbers; such a file cannot be imported again).
    pub fn without_my_number(out: W, encoding: TextEncoding) -> io::Result<Self> {
        Self::start(out, encoding, false)
    }

    fn start(out: W, encoding: TextEncoding, with_my_number: bool) -> io::Result<Self> {
        let mut csv = CsvWriter::new(out, encoding);
        csv.write_record(header())?;
        Ok(Self {
            csv,
            with_my_number,
            rows: 0,
        })
    }

    /// Writes one person.
    pub fn write(&mut self, person: &TargetPerson, pmh: PmhLinkState) -> io::Result<()> {
        let fields = PersonInput::from_person(person).to_fields();
        let my_number = if self.with_my_number {
            fields.my_number.as_str()
        } else {
            ""
        };
        let change_kind = sesshu_domain::person::ChangeKind::Update.code().to_string();
        let row: [&str; 20] = [
            my_number,
            &fields.name,
            &fields.name_kana,
            &fields.birth_date,
            &fields.sex,
            &fields.address,
            &fields.guardian_name,
            &fields.municipality_code,
            &fields.municipal_business_id,
            &change_kind,
            "",
            "",
            &fields.other_management_no,
            &fields.subject_category,
            &fields.fee_exemption,
            &fields.recovery,
            &fields.non_disclosure,
            &fields.viewing_suspended,
            person.subject_no.as_str(),
            pmh.label_ja(),
        ];
        self.csv.write_record(row)?;
        self.rows += 1;
        Ok(())
    }

    /// Persons written so far.
    pub fn rows_written(&self) -> u64 {
        self.rows
    }

    /// Characters written as 〓 (CP932 only): a name CP932 cannot hold will not import back
    /// unchanged, so tell the user how many there were.
    pub fn replaced_chars(&self) -> u64 {
        self.csv.replaced_chars()
    }

    /// Hands over what was written so far; see [`CsvWriter::take_output`].
    pub fn take_output(&mut self) -> io::Result<W>
    where
        W: Default,
    {
        self.csv.take_output()
    }

    /// Flushes and returns the inner writer.
    pub fn finish(self) -> io::Result<W> {
        self.csv.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_the_import_layout_plus_two_columns() {
        let header = header();
        assert_eq!(header.len(), 20);
        assert_eq!(header[0], "個人番号");
        assert_eq!(header[9], "変更区分");
        assert_eq!(&header[18..], ["予防接種対象者番号", "PMHキー連携状況"]);
    }
}
