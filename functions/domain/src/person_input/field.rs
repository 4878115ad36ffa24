//! The columns of a target person (CSV header names and form fields) and the error about one of
//! them, in both languages.

use serde::{Deserialize, Serialize};

/// One item of a target person as it appears in the CSV file and in the admin form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PersonField {
    MyNumber,
    Name,
    NameKana,
    BirthDate,
    Sex,
    Address,
    GuardianName,
    MunicipalityCode,
    MunicipalBusinessId,
    ChangeKind,
    MovedOutOn,
    MovedOutReason,
    OtherManagementNo,
    SubjectCategory,
    FeeExemption,
    Recovery,
    NonDisclosure,
    ViewingSuspended,
}

impl PersonField {
    /// Every field, in the column order of the import layout.
    pub const ALL: [Self; 18] = [
        Self::MyNumber,
        Self::Name,
        Self::NameKana,
        Self::BirthDate,
        Self::Sex,
        Self::Address,
        Self::GuardianName,
        Self::MunicipalityCode,
        Self::MunicipalBusinessId,
        Self::ChangeKind,
        Self::MovedOutOn,
        Self::MovedOutReason,
        Self::OtherManagementNo,
        Self::SubjectCategory,
        Self::FeeExemption,
        Self::Recovery,
        Self::NonDisclosure,
        Self::ViewingSuspended,
    ];

    /// The Japanese column name of the CSV header, e.g. 個人番号.
    pub fn column_ja(self) -> &'static str {
        self.names().0
    }

    /// The English alias also accepted as a header (and the serde name), e.g. `my_number`.
    pub fn column_en(self) -> &'static str {
        self.names().1
    }

    fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::MyNumber => ("個人番号", "my_number"),
            Self::Name => ("氏名", "name"),
            Self::NameKana => ("氏名カナ", "name_kana"),
            Self::BirthDate => ("生年月日", "birth_date"),
            Self::Sex => ("性別", "sex"),
            Self::Address => ("住所", "address"),
            Self::GuardianName => ("保護者氏名", "guardian_name"),
            Self::MunicipalityCode => ("自治体コード", "municipality_code"),
            Self::MunicipalBusinessId => ("自治体業務ID", "municipal_business_id"),
            Self::ChangeKind => ("変更区分", "change_kind"),
            Self::MovedOutOn => ("異動日", "moved_out_on"),
            Self::MovedOutReason => ("異動事由", "moved_out_reason"),
            Self::OtherManagementNo => ("その他管理番号", "other_management_no"),
            Self::SubjectCategory => ("接種対象者区分", "subject_category"),
            Self::FeeExemption => ("減免区分", "fee_exemption"),
            Self::Recovery => ("リカバリー", "recovery"),
            Self::NonDisclosure => ("不開示", "non_disclosure"),
            Self::ViewingSuspended => ("閲覧停止", "viewing_suspended"),
        }
    }

    /// The field whose Japanese or English column name is `name` (exact after the caller's
    /// normalization; the English alias is matched ignoring ASCII case).
    pub fn from_column(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.column_ja() == name || f.column_en().eq_ignore_ascii_case(name))
    }
}

impl std::fmt::Display for PersonField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.column_ja(), self.column_en())
    }
}

/// Why the value of one field is not acceptable, in English and Japanese, with what to do.
///
/// **Never contains the value** (it may be a My Number or a name): only the field, positions,
/// lengths and the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: PersonField,
    /// The reason and the fix in English, lowercase, no trailing period.
    pub en: String,
    /// The same in Japanese.
    pub ja: String,
}

impl FieldError {
    /// An error about `field` with both messages.
    pub fn new(field: PersonField, en: impl Into<String>, ja: impl Into<String>) -> Self {
        Self {
            field,
            en: en.into(),
            ja: ja.into(),
        }
    }

    /// The field is empty although it is required.
    pub fn required(field: PersonField) -> Self {
        Self::new(
            field,
            "is required; fill it in",
            "必須項目です。入力してください",
        )
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field.column_en(), self.en)
    }
}

impl std::error::Error for FieldError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_name_maps_back_to_its_field() {
        for field in PersonField::ALL {
            assert_eq!(PersonField::from_column(field.column_ja()), Some(field));
            assert_eq!(PersonField::from_column(field.column_en()), Some(field));
            assert_eq!(
                PersonField::from_column(&field.column_en().to_ascii_uppercase()),
                Some(field)
            );
        }
        assert_eq!(PersonField::from_column("名前"), None);
    }

    #[test]
    fn serde_names_are_the_english_column_names() {
        for field in PersonField::ALL {
            let json = serde_json::to_string(&field).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", field.column_en()));
        }
    }
}
