//! The target person (対象者情報, seed items 1–16): who may be vaccinated in a municipality, as
//! imported from the health-management system or entered by staff.
//!
//! Names, kana, address and My Number are personal data: the `Debug` of every type holding them
//! prints `<redacted>` instead, so a stray `{:?}` in a log line cannot leak them. Serializing a
//! [`TargetPerson`] exposes everything (My Number included); do it only into encrypted storage.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::id::{MunicipalBusinessId, MunicipalityCode, MyNumber, PmhKey, PmhPseudonym, SubjectNo};
use crate::kana;

/// Why a name is not acceptable. Never carries the name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing but spaces was given.
    #[error("{field} is empty; enter the name")]
    Empty { field: NameField },
    /// Longer than the field allows.
    #[error("{field} has {actual} characters, at most {max} are allowed")]
    TooLong {
        field: NameField,
        max: usize,
        actual: usize,
    },
    /// A control character (e.g. a line break) inside the name.
    #[error("{field} has a control character at position {position}; remove line breaks and tabs")]
    ControlCharacter { field: NameField, position: usize },
    /// A character that is not katakana in a kana name (after normalization).
    #[error(
        "{field} has a character that is not katakana at position {position}; use katakana, ー, ・ and spaces only"
    )]
    NotKatakana { field: NameField, position: usize },
}

/// Which name field an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameField {
    Name,
    NameKana,
}

impl fmt::Display for NameField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Name => "name (氏名)",
            Self::NameKana => "name in kana (カナ氏名)",
        })
    }
}

/// 氏名: a person's name as registered (kanji, or the alphabet for some foreign residents).
/// Spaces are normalized like kana (runs become one full-width space, ends trimmed).
#[derive(Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonName(String);

impl PersonName {
    /// Longest accepted name, in characters (long enough for full foreign names).
    pub const MAX_CHARS: usize = 100;

    /// Validates a name: not empty, at most [`Self::MAX_CHARS`], no control characters.
    pub fn parse(s: &str) -> Result<Self, NameError> {
        let field = NameField::Name;
        let normalized = collapse_spaces(s);
        check_length(field, &normalized, Self::MAX_CHARS)?;
        if let Some(i) = normalized.chars().position(char::is_control) {
            return Err(NameError::ControlCharacter {
                field,
                position: i + 1,
            });
        }
        Ok(Self(normalized))
    }

    /// The name, for display to someone allowed to see it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// カナ氏名: the reading of a name in full-width katakana, normalized by [`kana::normalize`] (so
/// half-width kana and hiragana are accepted and converted).
#[derive(Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KanaName(String);

impl KanaName {
    /// Longest accepted kana name, in characters.
    pub const MAX_CHARS: usize = 100;

    /// Normalizes and validates: katakana, ー, ・ and single full-width spaces only.
    pub fn parse(s: &str) -> Result<Self, NameError> {
        let field = NameField::NameKana;
        let normalized = kana::normalize(s);
        check_length(field, &normalized, Self::MAX_CHARS)?;
        if let Some(i) = normalized.chars().position(|c| !kana::is_name_kana(c)) {
            return Err(NameError::NotKatakana {
                field,
                position: i + 1,
            });
        }
        Ok(Self(normalized))
    }

    /// The kana, for display to someone allowed to see it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for part in s
        .split([' ', kana::NAME_SPACE])
        .filter(|part| !part.is_empty())
    {
        if !out.is_empty() {
            out.push(kana::NAME_SPACE);
        }
        out.push_str(part);
    }
    out
}

fn check_length(field: NameField, s: &str, max: usize) -> Result<(), NameError> {
    let actual = s.chars().count();
    if actual == 0 {
        return Err(NameError::Empty { field });
    }
    if actual > max {
        return Err(NameError::TooLong { field, max, actual });
    }
    Ok(())
}

macro_rules! impl_name_traits {
    ($ty:ident) => {
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($ty), "(<redacted>)"))
            }
        }

        impl std::str::FromStr for $ty {
            type Err = NameError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = NameError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$ty> for String {
            fn from(name: $ty) -> String {
                name.0
            }
        }

        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

impl_name_traits!(PersonName);
impl_name_traits!(KanaName);

/// 性別, with the codes of the basic resident register (住民基本台帳): 1 male, 2 female.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// The register code.
    pub fn code(self) -> u8 {
        match self {
            Self::Male => 1,
            Self::Female => 2,
        }
    }

    /// The sex for a register code, if it is one.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Male),
            2 => Some(Self::Female),
            _ => None,
        }
    }
}

/// 変更区分: what an imported row does to the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// 新規
    #[default]
    New,
    /// 更新
    Update,
    /// 削除 (with 異動日, `moved_out_on`, when the person moved away)
    Delete,
}

impl ChangeKind {
    /// The CSV code: 1 新規, 2 更新, 3 削除.
    pub fn code(self) -> u8 {
        match self {
            Self::New => 1,
            Self::Update => 2,
            Self::Delete => 3,
        }
    }

    /// The change kind for a CSV code, if it is one.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::New),
            2 => Some(Self::Update),
            3 => Some(Self::Delete),
            _ => None,
        }
    }

    /// The Japanese word the health-management system writes: 新規, 更新, 削除.
    pub fn name_ja(self) -> &'static str {
        match self {
            Self::New => "新規",
            Self::Update => "更新",
            Self::Delete => "削除",
        }
    }
}

/// 異動事由: why a person was deleted from the targets (with 異動日 on a deletion row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MoveReason {
    /// 転出: moved to another municipality.
    MovedOut,
    /// 死亡: deceased.
    Deceased,
}

impl MoveReason {
    /// The CSV code: 1 転出, 2 死亡.
    pub fn code(self) -> u8 {
        match self {
            Self::MovedOut => 1,
            Self::Deceased => 2,
        }
    }

    /// The reason for a CSV code, if it is one.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::MovedOut),
            2 => Some(Self::Deceased),
            _ => None,
        }
    }

    /// The Japanese word: 転出 or 死亡.
    pub fn name_ja(self) -> &'static str {
        match self {
            Self::MovedOut => "転出",
            Self::Deceased => "死亡",
        }
    }
}

/// 制御フラグ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ControlFlags {
    /// リカバリー: the person is being restored (e.g. after a mistaken deletion).
    pub recovery: bool,
    /// 不開示: hide the person's data from the resident side (e.g. DV protection).
    pub non_disclosure: bool,
    /// 閲覧停止: viewing by the resident is suspended.
    pub viewing_suspended: bool,
}

impl ControlFlags {
    /// Whether residents (the person or a proxy) must not see this person's data.
    pub fn hides_from_resident(self) -> bool {
        self.non_disclosure || self.viewing_suspended
    }
}

/// 接種対象者区分: on what basis the person is a target. The seed names the field without its
/// values; these are the bases the vaccination law distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubjectCategory {
    /// 定期接種の対象年齢にある者 (the usual case).
    #[default]
    Routine,
    /// 長期療養特例: missed the age window through long illness, may still be vaccinated as routine.
    LongTermIllnessException,
    /// B類の60〜64歳で一定の障害を有する者 (influenza and pneumococcal for older people).
    DisabledAged60To64,
    /// 任意接種 the municipality subsidises.
    SubsidisedVoluntary,
}

/// 減免区分: whether and how the co-payment is waived; drives claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FeeExemption {
    /// The usual co-payment applies (or none exists, as for most child vaccinations).
    #[default]
    None,
    /// 全額免除, e.g. households on public assistance (生活保護) or exempt from resident tax.
    Full,
    /// 一部減額, by the municipality's own rule.
    Partial,
}

impl SubjectCategory {
    /// The CSV code: 1 routine, 2 long-term illness exception, 3 disabled aged 60–64,
    /// 4 subsidised voluntary.
    pub fn code(self) -> u8 {
        match self {
            Self::Routine => 1,
            Self::LongTermIllnessException => 2,
            Self::DisabledAged60To64 => 3,
            Self::SubsidisedVoluntary => 4,
        }
    }

    /// The category for a CSV code, if it is one.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Routine),
            2 => Some(Self::LongTermIllnessException),
            3 => Some(Self::DisabledAged60To64),
            4 => Some(Self::SubsidisedVoluntary),
            _ => None,
        }
    }
}

impl FeeExemption {
    /// The CSV code: 0 none, 1 full, 2 partial.
    pub fn code(self) -> u8 {
        match self {
            Self::None => 0,
            Self::Full => 1,
            Self::Partial => 2,
        }
    }

    /// The exemption for a CSV code, if it is one.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Self::None),
            1 => Some(Self::Full),
            2 => Some(Self::Partial),
            _ => None,
        }
    }
}

/// 連携処理ステータス.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// Imported, not yet linked with PMH.
    Pending,
    Succeeded,
    Failed,
}

/// Seed items 8–10: from which file the person came, when, and how linkage went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkStatus {
    /// 連携ファイル名
    pub file_name: String,
    /// 連携日時
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub linked_at: OffsetDateTime,
    /// 連携処理ステータス
    pub status: LinkState,
    /// エラー内容: a message about the row, never containing its personal data.
    pub error: Option<String>,
}

/// 対象者情報: one target person of one municipality (seed items 1–16).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetPerson {
    /// 15. 予防接種対象者番号
    pub subject_no: SubjectNo,
    /// 6. 自治体コード
    pub municipality_code: MunicipalityCode,
    /// 1. 個人番号
    pub my_number: MyNumber,
    /// 2. PMHキー, once linked
    pub pmh_key: Option<PmhKey>,
    /// 3. PMH仮名識別子, once the resident has used Mynaportal
    pub pmh_pseudonym: Option<PmhPseudonym>,
    /// 4. 氏名
    pub name: PersonName,
    /// 4. カナ
    pub name_kana: KanaName,
    /// 4. 住所
    pub address: String,
    /// 4. 生年月日
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub birth_date: Date,
    /// 4. 性別
    pub sex: Sex,
    /// 5. 保護者氏名
    pub guardian_name: Option<PersonName>,
    /// 7. 自治体業務ID
    pub municipal_business_id: MunicipalBusinessId,
    /// 12. 変更区分
    pub change_kind: ChangeKind,
    /// 13. 削除の異動日
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub moved_out_on: Option<Date>,
    /// 14. その他管理番号
    pub other_management_no: Option<String>,
    /// 11. 制御フラグ
    pub control_flags: ControlFlags,
    /// 16. 接種対象者区分
    pub subject_category: SubjectCategory,
    /// 16. 減免区分
    pub fee_exemption: FeeExemption,
    /// 8–10. 連携ファイル名 / 連携日時 / 連携処理ステータス
    pub link: Option<LinkStatus>,
}

impl TargetPerson {
    /// Age in full years on `on`, counted as Japanese law does (年齢計算ニ関スル法律): a year is
    /// added at the end of the day before the birthday, so someone born on 29 February turns a
    /// year older on 1 March in common years. Zero for dates before the birth.
    pub fn age_on(&self, on: Date) -> u32 {
        age_on(self.birth_date, on)
    }
}

/// See [`TargetPerson::age_on`].
pub fn age_on(birth_date: Date, on: Date) -> u32 {
    if on < birth_date {
        return 0;
    }
    let years = on.year() - birth_date.year();
    let before_birthday =
        (u8::from(on.month()), on.day()) < (u8::from(birth_date.month()), birth_date.day());
    u32::try_from(years - i32::from(before_birthday)).unwrap_or(0)
}

impl fmt::Debug for TargetPerson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Pseudonymous ids and flags help debugging; everything that names the person is masked.
        f.debug_struct("TargetPerson")
            .field("subject_no", &self.subject_no)
            .field("municipality_code", &self.municipality_code)
            .field("my_number", &self.my_number)
            .field("name", &self.name)
            .field("name_kana", &self.name_kana)
            .field("address", &"<redacted>")
            .field("birth_date", &"<redacted>")
            .field("guardian_name", &self.guardian_name)
            .field("municipal_business_id", &self.municipal_business_id)
            .field("change_kind", &self.change_kind)
            .field("control_flags", &self.control_flags)
            .field("subject_category", &self.subject_category)
            .field("fee_exemption", &self.fee_exemption)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn kana_name_accepts_half_width_and_normalizes_it() {
        assert_eq!(
            KanaName::parse("ﾔﾏﾀﾞ ﾊﾅｺ").unwrap().as_str(),
            "ヤマダ　ハナコ"
        );
    }

    #[test]
    fn kana_name_rejects_kanji_and_latin_with_their_position() {
        assert_eq!(
            KanaName::parse("ヤマ田").unwrap_err(),
            NameError::NotKatakana {
                field: NameField::NameKana,
                position: 3
            }
        );
        assert!(KanaName::parse("YAMADA").is_err());
    }

    #[test]
    fn names_reject_blank_over_long_and_control_characters() {
        assert_eq!(
            PersonName::parse(" \u{3000} ").unwrap_err(),
            NameError::Empty {
                field: NameField::Name
            }
        );
        assert!(matches!(
            PersonName::parse(&"山".repeat(101)),
            Err(NameError::TooLong { actual: 101, .. })
        ));
        assert!(matches!(
            PersonName::parse("山田\n花子"),
            Err(NameError::ControlCharacter { position: 3, .. })
        ));
    }

    #[test]
    fn person_name_collapses_spaces() {
        assert_eq!(
            PersonName::parse(" 山田  花子 ").unwrap().as_str(),
            "山田　花子"
        );
    }

    #[test]
    fn name_errors_do_not_contain_the_name() {
        let err = KanaName::parse("ヤマダ田中").unwrap_err();
        assert!(!format!("{err} {err:?}").contains("ヤマダ"));
    }

    #[test]
    fn age_follows_the_japanese_age_law_for_leap_day_births() {
        let born = date!(2020 - 02 - 29);
        assert_eq!(age_on(born, date!(2021 - 02 - 28)), 0);
        assert_eq!(age_on(born, date!(2021 - 03 - 01)), 1);
        assert_eq!(age_on(born, date!(2024 - 02 - 29)), 4);
        assert_eq!(age_on(born, date!(2019 - 01 - 01)), 0);
    }

    #[test]
    fn csv_codes_round_trip_for_every_coded_enum() {
        for code in 0..=9 {
            for (back, decoded) in [
                (ChangeKind::from_code(code).map(ChangeKind::code), code),
                (MoveReason::from_code(code).map(MoveReason::code), code),
                (
                    SubjectCategory::from_code(code).map(SubjectCategory::code),
                    code,
                ),
                (FeeExemption::from_code(code).map(FeeExemption::code), code),
            ] {
                assert!(back.is_none_or(|b| b == decoded));
            }
        }
        assert_eq!(ChangeKind::from_code(3), Some(ChangeKind::Delete));
        assert_eq!(MoveReason::from_code(2), Some(MoveReason::Deceased));
        assert_eq!(SubjectCategory::default().code(), 1);
        assert_eq!(FeeExemption::default().code(), 0);
    }

    #[test]
    fn control_flags_hide_from_residents_when_not_disclosed_or_suspended() {
        assert!(!ControlFlags::default().hides_from_resident());
        let flags = ControlFlags {
            non_disclosure: true,
            ..ControlFlags::default()
        };
        assert!(flags.hides_from_resident());
    }
}
