//! The header row: which column holds which field. Columns may come in any order, named in
//! Japanese or English (full-width letters and surrounding spaces are tolerated).

use sesshu_domain::person_input::PersonField;

use super::error::{CsvFileError, HeaderProblem};
use crate::encoding::REPLACEMENT;

/// Columns every file must have.
pub const ALWAYS_REQUIRED: [PersonField; 3] = [
    PersonField::MyNumber,
    PersonField::MunicipalityCode,
    PersonField::ChangeKind,
];

/// Columns a file with new or update rows must have. A file with none of them is a deletion
/// file (削除用データ), which may hold only deletion rows.
pub const CONTENT_REQUIRED: [PersonField; 6] = [
    PersonField::Name,
    PersonField::NameKana,
    PersonField::BirthDate,
    PersonField::Sex,
    PersonField::Address,
    PersonField::MunicipalBusinessId,
];

/// Columns the person export adds; accepted and ignored on import, so an exported file can be
/// imported again as updates.
pub const EXPORT_ONLY_COLUMNS: [(&str, &str); 2] = [
    ("予防接種対象者番号", "subject_no"),
    ("PMHキー連携状況", "pmh_link_status"),
];

/// Other names some systems use for a column.
const ALIASES: [(&str, PersonField); 3] = [
    ("マイナンバー", PersonField::MyNumber),
    ("カナ氏名", PersonField::NameKana),
    ("フリガナ", PersonField::NameKana),
];

/// Where each field is, by column index (0-based).
#[derive(Debug, Clone)]
pub struct Layout {
    index: [Option<usize>; PersonField::ALL.len()],
    /// The number of columns in the header; every row must have as many.
    pub len: usize,
    /// True for a deletion file: no person-content columns at all.
    pub deletion_only: bool,
}

impl Layout {
    /// The column index of `field`, if the file has it.
    pub fn column(&self, field: PersonField) -> Option<usize> {
        self.index[field as usize]
    }

    /// A layout with no columns, before the header is read.
    pub(crate) fn empty() -> Self {
        Self {
            index: [None; PersonField::ALL.len()],
            len: 0,
            deletion_only: true,
        }
    }

    /// Parses the header cells of row `row_no`.
    pub fn parse<'a>(
        cells: impl IntoIterator<Item = &'a str>,
        row_no: u64,
    ) -> Result<Self, CsvFileError> {
        let mut len = 0;
        let mut index = [None; PersonField::ALL.len()];
        let mut problems = Vec::new();
        let mut known = 0usize;
        for (i, cell) in cells.into_iter().enumerate() {
            let column = i + 1;
            len = column;
            if cell.contains(REPLACEMENT) {
                problems.push(HeaderProblem::Encoding { column });
                continue;
            }
            let name = column_name(cell);
            if EXPORT_ONLY_COLUMNS
                .iter()
                .any(|(ja, en)| *ja == name || en.eq_ignore_ascii_case(&name))
            {
                known += 1;
                continue;
            }
            let field = PersonField::from_column(&name).or_else(|| {
                ALIASES
                    .iter()
                    .find(|(alias, _)| *alias == name)
                    .map(|(_, f)| *f)
            });
            let Some(field) = field else {
                problems.push(HeaderProblem::Unknown { column });
                continue;
            };
            known += 1;
            match index[field as usize] {
                Some(first) => problems.push(HeaderProblem::Duplicate {
                    field,
                    first: first + 1,
                    second: column,
                }),
                None => index[field as usize] = Some(i),
            }
        }
        if known == 0
            && !problems
                .iter()
                .any(|p| matches!(p, HeaderProblem::Encoding { .. }))
        {
            return Err(CsvFileError::NoHeader { row_no });
        }
        let has = |f: PersonField| index[f as usize].is_some();
        for field in ALWAYS_REQUIRED {
            if !has(field) {
                problems.push(HeaderProblem::Missing { field });
            }
        }
        let deletion_only = !CONTENT_REQUIRED.into_iter().any(has);
        if !deletion_only {
            for field in CONTENT_REQUIRED {
                if !has(field) {
                    problems.push(HeaderProblem::Missing { field });
                }
            }
        }
        if !problems.is_empty() {
            return Err(CsvFileError::Header { row_no, problems });
        }
        Ok(Self {
            index,
            len,
            deletion_only,
        })
    }
}

/// A header cell as a column name: BOM and surrounding spaces (half- or full-width) dropped,
/// full-width ASCII (ＩＤ) made half-width. Not [`sesshu_domain::person_input::normalize::code`]:
/// that turns the ー of リカバリー into a hyphen.
fn column_name(cell: &str) -> String {
    cell.trim_matches(|c| c == ' ' || c == '\u{3000}' || c == '\u{FEFF}' || c == '\t')
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(cells: &[&str]) -> Result<Layout, CsvFileError> {
        Layout::parse(cells.iter().copied(), 1)
    }

    fn problems(cells: &[&str]) -> Vec<HeaderProblem> {
        match parse(cells) {
            Err(CsvFileError::Header { problems, .. }) => problems,
            other => panic!("expected header problems, got {other:?}"),
        }
    }

    #[test]
    fn columns_may_be_in_any_order_and_in_either_language() {
        let layout = parse(&[
            " change_kind ",
            "ＭＵＮＩＣＩＰＡＬＩＴＹ_ＣＯＤＥ",
            "\u{FEFF}マイナンバー",
            "予防接種対象者番号",
        ])
        .unwrap();
        assert_eq!(layout.column(PersonField::MyNumber), Some(2));
        assert_eq!(layout.column(PersonField::ChangeKind), Some(0));
        assert!(layout.deletion_only);
        assert_eq!(layout.len, 4);
    }

    #[test]
    fn missing_columns_are_named() {
        assert_eq!(
            problems(&["個人番号", "変更区分", "氏名"]),
            vec![
                HeaderProblem::Missing {
                    field: PersonField::MunicipalityCode
                },
                HeaderProblem::Missing {
                    field: PersonField::NameKana
                },
                HeaderProblem::Missing {
                    field: PersonField::BirthDate
                },
                HeaderProblem::Missing {
                    field: PersonField::Sex
                },
                HeaderProblem::Missing {
                    field: PersonField::Address
                },
                HeaderProblem::Missing {
                    field: PersonField::MunicipalBusinessId
                },
            ]
        );
    }

    #[test]
    fn duplicate_and_unknown_columns_are_reported_by_position() {
        assert_eq!(
            problems(&["個人番号", "自治体コード", "変更区分", "my_number", "備考"]),
            vec![
                HeaderProblem::Duplicate {
                    field: PersonField::MyNumber,
                    first: 1,
                    second: 4
                },
                HeaderProblem::Unknown { column: 5 },
            ]
        );
    }

    #[test]
    fn a_data_row_in_place_of_the_header_is_called_that_without_echoing_it() {
        let err = parse(&["123456789018", "山田　花子"]).unwrap_err();
        assert!(matches!(err, CsvFileError::NoHeader { row_no: 1 }));
        assert!(!err.to_string().contains("123456789018"));
        assert!(!err.ja().contains("山田"));
    }
}
