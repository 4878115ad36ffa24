//! What can be wrong with a whole file or with one row, in English and Japanese. No message
//! ever contains a cell's text: a file without a header row would otherwise echo a My Number.

use std::io;

use sesshu_domain::person_input::{FieldError, PersonField};

/// Why the file cannot be read at all (or, for [`CsvFileError::Io`], stopped being readable).
#[derive(Debug, thiserror::Error)]
pub enum CsvFileError {
    #[error("reading the file failed: {0}")]
    Io(#[from] io::Error),
    #[error("the file is empty; export the target persons again and choose that file")]
    Empty,
    #[error(
        "the file is UTF-16 (Excel's Unicode text); save it as CSV UTF-8 or CSV (Shift_JIS / CP932) and import again"
    )]
    Utf16,
    #[error(
        "row {row_no} does not look like a header (no known column name); add the header row of the import layout as the first row"
    )]
    NoHeader { row_no: u64 },
    #[error("the header (row {row_no}) has problems: {}", join_en(.problems))]
    Header {
        row_no: u64,
        problems: Vec<HeaderProblem>,
    },
}

/// One problem in the header row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderProblem {
    /// The column at this position (1-based) has a name we do not know.
    Unknown { column: usize },
    /// The same field appears twice.
    Duplicate {
        field: PersonField,
        first: usize,
        second: usize,
    },
    /// A column every file needs is absent.
    Missing { field: PersonField },
    /// The header cell at this position has bytes invalid in the detected encoding.
    Encoding { column: usize },
}

impl HeaderProblem {
    /// The field the problem is about, when there is one.
    pub fn field(&self) -> Option<PersonField> {
        match self {
            Self::Duplicate { field, .. } | Self::Missing { field } => Some(*field),
            Self::Unknown { .. } | Self::Encoding { .. } => None,
        }
    }

    pub fn en(&self) -> String {
        match self {
            Self::Unknown { column } => format!(
                "column {column} has a name that is not in the import layout; correct the name or delete the column"
            ),
            Self::Duplicate {
                field,
                first,
                second,
            } => format!(
                "{} appears twice (columns {first} and {second}); delete one of them",
                field.column_en()
            ),
            Self::Missing { field } => format!(
                "the column {} ({}) is missing; add it to the header",
                field.column_ja(),
                field.column_en()
            ),
            Self::Encoding { column } => format!(
                "column {column} of the header has characters that are not valid in the file's encoding; {SAVE_AGAIN_EN}"
            ),
        }
    }

    pub fn ja(&self) -> String {
        match self {
            Self::Unknown { column } => format!(
                "{column}列目の列名が取込レイアウトにありません。列名を修正するか、列を削除してください"
            ),
            Self::Duplicate {
                field,
                first,
                second,
            } => format!(
                "{}が2回あります（{first}列目と{second}列目）。どちらかを削除してください",
                field.column_ja()
            ),
            Self::Missing { field } => format!(
                "{}の列がありません。見出し行に追加してください",
                field.column_ja()
            ),
            Self::Encoding { column } => format!(
                "見出し行の{column}列目に文字コードとして正しくない文字があります。{SAVE_AGAIN_JA}"
            ),
        }
    }
}

impl CsvFileError {
    /// The message in Japanese (the English one is `Display`).
    pub fn ja(&self) -> String {
        match self {
            Self::Io(_) => "ファイルの読み込みに失敗しました。もう一度取り込んでください".to_owned(),
            Self::Empty => "ファイルが空です。対象者データを出力し直して、そのファイルを選んでください".to_owned(),
            Self::Utf16 => "ファイルがUTF-16（Unicodeテキスト）です。CSV UTF-8またはCSV（Shift_JIS / CP932）で保存し直して取り込んでください".to_owned(),
            Self::NoHeader { row_no } => format!(
                "{row_no}行目が見出し行ではありません（既知の列名がありません）。取込レイアウトの見出し行を1行目に追加してください"
            ),
            Self::Header { problems, .. } => problems
                .iter()
                .map(HeaderProblem::ja)
                .collect::<Vec<_>>()
                .join("。"),
        }
    }

    /// The message in English (the same as `Display`).
    pub fn en(&self) -> String {
        self.to_string()
    }

    /// The row the error is about, when there is one.
    pub fn row_no(&self) -> Option<u64> {
        match self {
            Self::NoHeader { row_no } | Self::Header { row_no, .. } => Some(*row_no),
            Self::Io(_) | Self::Empty | Self::Utf16 => None,
        }
    }
}

fn join_en(problems: &[HeaderProblem]) -> String {
    problems
        .iter()
        .map(HeaderProblem::en)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why one row was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowError {
    /// The row as a whole is wrong (e.g. its number of fields), so no column is to blame.
    Row { en: String, ja: String },
    /// One or more fields are wrong, in the file's column order.
    Fields(Vec<FieldError>),
}

impl RowError {
    /// The field errors (empty for a row-level error).
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Row { .. } => &[],
            Self::Fields(errors) => errors,
        }
    }

    /// Each problem as (field, if any; English; Japanese), for reports and summaries.
    pub fn lines(&self) -> Vec<(Option<PersonField>, &str, &str)> {
        match self {
            Self::Row { en, ja } => vec![(None, en.as_str(), ja.as_str())],
            Self::Fields(errors) => errors
                .iter()
                .map(|e| (Some(e.field), e.en.as_str(), e.ja.as_str()))
                .collect(),
        }
    }
}

pub(crate) const SAVE_AGAIN_EN: &str =
    "save the file again as CSV (Shift_JIS / CP932) or CSV UTF-8 and import it again";
pub(crate) const SAVE_AGAIN_JA: &str =
    "ファイルをCSV（Shift_JIS / CP932）またはCSV UTF-8で保存し直して、もう一度取り込んでください";

/// The error for a field that holds bytes invalid in the file's encoding.
pub(crate) fn encoding_error(field: PersonField) -> FieldError {
    FieldError::new(
        field,
        format!("has characters that are not valid in the file's encoding; {SAVE_AGAIN_EN}"),
        format!("文字コードとして正しくない文字が含まれています。{SAVE_AGAIN_JA}"),
    )
}
