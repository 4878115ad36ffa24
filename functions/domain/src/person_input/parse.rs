//! One parser per field: normalizes the raw text, validates it and says what is wrong in both
//! languages without repeating the value. The form, the CSV reader and [`super::PersonFields`]
//! all go through these, so a value is accepted or refused the same way everywhere.

use time::Date;

use super::date::{self, DateError};
use super::field::{FieldError, PersonField};
use super::normalize;
use crate::id::{IdError, MunicipalBusinessId, MunicipalityCode, MyNumber};
use crate::person::{
    ChangeKind, FeeExemption, KanaName, MoveReason, NameError, PersonName, Sex, SubjectCategory,
};

/// Longest accepted address, in characters.
pub const ADDRESS_MAX_CHARS: usize = 200;
/// Longest accepted その他管理番号, in characters.
pub const OTHER_MANAGEMENT_NO_MAX_CHARS: usize = 64;
/// The earliest accepted birth date: anything before is a wrong year or era.
pub const EARLIEST_BIRTH_YEAR: i32 = 1900;

/// 個人番号: 12 digits with a valid check digit. Hyphens and spaces between digit groups
/// (`1234-5678-9018`) are dropped first.
pub fn my_number(raw: &str) -> Result<MyNumber, FieldError> {
    let field = PersonField::MyNumber;
    let text = normalize::code(raw);
    let digits = if text.contains(['-', ' ']) {
        std::borrow::Cow::Owned(text.chars().filter(|c| !matches!(c, '-' | ' ')).collect())
    } else {
        text
    };
    MyNumber::parse(&digits).map_err(|e| id_error(field, &e, "12桁の数字"))
}

/// 自治体コード: 6 digits with a valid check digit.
pub fn municipality_code(raw: &str) -> Result<MunicipalityCode, FieldError> {
    MunicipalityCode::parse(&normalize::code(raw))
        .map_err(|e| id_error(PersonField::MunicipalityCode, &e, "6桁の数字"))
}

/// 自治体業務ID: 1–64 characters of `A-Z a-z 0-9 _ -`, not starting with `-`.
pub fn municipal_business_id(raw: &str) -> Result<MunicipalBusinessId, FieldError> {
    let field = PersonField::MunicipalBusinessId;
    let id = MunicipalBusinessId::parse(&normalize::code(raw))
        .map_err(|e| id_error(field, &e, "1〜64文字の英数字"))?;
    no_formula_start(field, id.as_str())?;
    Ok(id)
}

/// 氏名.
pub fn name(raw: &str) -> Result<PersonName, FieldError> {
    person_name(PersonField::Name, raw)
}

/// 保護者氏名: optional.
pub fn guardian_name(raw: &str) -> Result<Option<PersonName>, FieldError> {
    if normalize::free_text(raw).is_empty() {
        return Ok(None);
    }
    person_name(PersonField::GuardianName, raw).map(Some)
}

fn person_name(field: PersonField, raw: &str) -> Result<PersonName, FieldError> {
    let text = normalize::free_text(raw);
    let name = PersonName::parse(&text).map_err(|e| name_error(field, &e))?;
    no_formula_start(field, name.as_str())?;
    Ok(name)
}

/// 氏名カナ: katakana after [`crate::kana::normalize`] (half-width kana and hiragana accepted).
pub fn name_kana(raw: &str) -> Result<KanaName, FieldError> {
    KanaName::parse(raw).map_err(|e| name_error(PersonField::NameKana, &e))
}

/// 住所: 1–200 characters, no control characters.
pub fn address(raw: &str) -> Result<String, FieldError> {
    let field = PersonField::Address;
    let text = normalize::free_text(raw);
    let count = text.chars().count();
    if count == 0 {
        return Err(FieldError::required(field));
    }
    if count > ADDRESS_MAX_CHARS {
        return Err(too_long(field, ADDRESS_MAX_CHARS, count));
    }
    no_control_character(field, &text)?;
    no_formula_start(field, &text)?;
    Ok(text.into_owned())
}

/// 生年月日: required, one of the forms of [`super::date`], not before 1900, and not after
/// `today` when the caller knows the date.
pub fn birth_date(raw: &str, today: Option<Date>) -> Result<Date, FieldError> {
    let field = PersonField::BirthDate;
    let text = normalize::code(raw);
    if text.is_empty() {
        return Err(FieldError::required(field));
    }
    let date = date::parse(&text).map_err(|e| date_error(field, e))?;
    if date.year() < EARLIEST_BIRTH_YEAR {
        return Err(FieldError::new(
            field,
            format!("is before {EARLIEST_BIRTH_YEAR}; check the year and the era"),
            format!("{EARLIEST_BIRTH_YEAR}年より前の日付です。年と元号を確認してください"),
        ));
    }
    if today.is_some_and(|today| date > today) {
        return Err(FieldError::new(
            field,
            "is after today; check the year and the era",
            "今日より後の日付です。年と元号を確認してください",
        ));
    }
    Ok(date)
}

/// 性別: 1 or 男/男性 (male), 2 or 女/女性 (female).
pub fn sex(raw: &str) -> Result<Sex, FieldError> {
    let field = PersonField::Sex;
    match &*normalize::code(raw) {
        "" => Err(FieldError::required(field)),
        "1" | "男" | "男性" => Ok(Sex::Male),
        "2" | "女" | "女性" => Ok(Sex::Female),
        _ => Err(FieldError::new(
            field,
            "must be 1 (male) or 2 (female)",
            "1（男）または2（女）で入力してください",
        )),
    }
}

/// 接種対象者区分: 1–4, empty meaning 1 (routine).
pub fn subject_category(raw: &str) -> Result<SubjectCategory, FieldError> {
    let text = normalize::code(raw);
    if text.is_empty() {
        return Ok(SubjectCategory::default());
    }
    single_digit(&text)
        .and_then(SubjectCategory::from_code)
        .ok_or_else(|| {
            FieldError::new(
                PersonField::SubjectCategory,
                "must be 1 (routine), 2 (long-term illness exception), 3 (disabled, aged 60-64) or 4 (subsidised voluntary), or empty for 1",
                "1（定期接種）、2（長期療養特例）、3（60〜64歳の障害者）、4（助成対象の任意接種）のいずれかを入力してください（空欄は1）",
            )
        })
}

/// 減免区分: 0–2, empty meaning 0 (none).
pub fn fee_exemption(raw: &str) -> Result<FeeExemption, FieldError> {
    let text = normalize::code(raw);
    if text.is_empty() {
        return Ok(FeeExemption::default());
    }
    single_digit(&text)
        .and_then(FeeExemption::from_code)
        .ok_or_else(|| {
            FieldError::new(
                PersonField::FeeExemption,
                "must be 0 (none), 1 (full exemption) or 2 (partial reduction), or empty for 0",
                "0（なし）、1（全額免除）、2（一部減額）のいずれかを入力してください（空欄は0）",
            )
        })
}

/// A control flag (リカバリー, 不開示, 閲覧停止): 0 or 1, empty meaning 0.
pub fn flag(field: PersonField, raw: &str) -> Result<bool, FieldError> {
    match &*normalize::code(raw) {
        "" | "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(FieldError::new(
            field,
            "must be 0 (off) or 1 (on), or empty for 0",
            "0（なし）または1（あり）で入力してください（空欄は0）",
        )),
    }
}

/// その他管理番号: optional, at most 64 characters, no control characters.
pub fn other_management_no(raw: &str) -> Result<Option<String>, FieldError> {
    let field = PersonField::OtherManagementNo;
    let text = normalize::code(raw);
    if text.is_empty() {
        return Ok(None);
    }
    let count = text.chars().count();
    if count > OTHER_MANAGEMENT_NO_MAX_CHARS {
        return Err(too_long(field, OTHER_MANAGEMENT_NO_MAX_CHARS, count));
    }
    no_control_character(field, &text)?;
    no_formula_start(field, &text)?;
    Ok(Some(text.into_owned()))
}

/// 変更区分: 1/新規, 2/更新, 3/削除 (CSV only).
pub fn change_kind(raw: &str) -> Result<ChangeKind, FieldError> {
    let field = PersonField::ChangeKind;
    match &*normalize::code(raw) {
        "" => Err(FieldError::required(field)),
        "1" | "新規" => Ok(ChangeKind::New),
        "2" | "更新" => Ok(ChangeKind::Update),
        "3" | "削除" => Ok(ChangeKind::Delete),
        _ => Err(FieldError::new(
            field,
            "must be 1 (new), 2 (update) or 3 (delete)",
            "1（新規）、2（更新）、3（削除）のいずれかを入力してください",
        )),
    }
}

/// 異動日: optional date (deletion rows only).
pub fn moved_out_on(raw: &str) -> Result<Option<Date>, FieldError> {
    let field = PersonField::MovedOutOn;
    let text = normalize::code(raw);
    if text.is_empty() {
        return Ok(None);
    }
    date::parse(&text)
        .map(Some)
        .map_err(|e| date_error(field, e))
}

/// 異動事由: optional, 1/転出 or 2/死亡 (deletion rows only).
pub fn move_reason(raw: &str) -> Result<Option<MoveReason>, FieldError> {
    match &*normalize::code(raw) {
        "" => Ok(None),
        "1" | "転出" => Ok(Some(MoveReason::MovedOut)),
        "2" | "死亡" => Ok(Some(MoveReason::Deceased)),
        _ => Err(FieldError::new(
            PersonField::MovedOutReason,
            "must be 1 (moved out) or 2 (deceased), or empty",
            "1（転出）または2（死亡）を入力してください（空欄も可）",
        )),
    }
}

fn single_digit(text: &str) -> Option<u8> {
    match text.as_bytes() {
        [d @ b'0'..=b'9'] => Some(d - b'0'),
        _ => None,
    }
}

fn too_long(field: PersonField, max: usize, actual: usize) -> FieldError {
    FieldError::new(
        field,
        format!("has {actual} characters, at most {max} are allowed; shorten it"),
        format!("{max}文字以内で入力してください（{actual}文字あります）"),
    )
}

fn no_control_character(field: PersonField, text: &str) -> Result<(), FieldError> {
    // C0 controls and DEL are single bytes, C1 controls start with 0xC2: most text has neither.
    if !text.bytes().any(|b| b < 0x20 || b == 0x7F || b == 0xC2) {
        return Ok(());
    }
    match text.chars().position(char::is_control) {
        Some(i) => Err(control_character(field, i + 1)),
        None => Ok(()),
    }
}

fn control_character(field: PersonField, position: usize) -> FieldError {
    FieldError::new(
        field,
        format!(
            "has a line break, tab or other control character at position {position}; remove it"
        ),
        format!("{position}文字目に改行・タブなどの制御文字があります。削除してください"),
    )
}

/// Refuses text that a spreadsheet would run as a formula when the export is opened
/// (CSV injection); no name, address or number legitimately starts like that.
fn no_formula_start(field: PersonField, text: &str) -> Result<(), FieldError> {
    if text.starts_with(['=', '+', '-', '@']) {
        return Err(FieldError::new(
            field,
            "must not begin with =, +, - or @ (a spreadsheet would treat it as a formula); remove that character",
            "先頭に =、+、-、@ は使えません（表計算ソフトで数式として扱われるため）。その文字を削除してください",
        ));
    }
    Ok(())
}

fn name_error(field: PersonField, error: &NameError) -> FieldError {
    match *error {
        NameError::Empty { .. } => FieldError::required(field),
        NameError::TooLong { max, actual, .. } => too_long(field, max, actual),
        NameError::ControlCharacter { position, .. } => control_character(field, position),
        NameError::NotKatakana { position, .. } => FieldError::new(
            field,
            format!(
                "has a character that is not katakana at position {position}; use katakana, ー, ・ and spaces only"
            ),
            format!(
                "{position}文字目にカタカナ以外の文字があります。カタカナ・長音記号（ー）・中点（・）・空白のみ使えます"
            ),
        ),
    }
}

fn id_error(field: PersonField, error: &IdError, expected_ja: &str) -> FieldError {
    match *error {
        IdError::Empty { .. } => FieldError::required(field),
        IdError::WrongLength {
            expected, actual, ..
        } => FieldError::new(
            field,
            format!(
                "must be {expected}, but {actual} characters were given; check for missing or extra digits"
            ),
            format!(
                "{expected_ja}で入力してください（{actual}文字入力されています）。桁の過不足を確認してください"
            ),
        ),
        IdError::FullWidthDigit { position, .. } | IdError::NotADigit { position, .. } => {
            FieldError::new(
                field,
                format!(
                    "has a character that is not a digit at position {position}; use digits 0-9 only"
                ),
                format!("{position}文字目に数字以外の文字があります。数字のみで入力してください"),
            )
        }
        IdError::InvalidCharacter { position, .. } => FieldError::new(
            field,
            format!(
                "has a character that is not allowed at position {position}; use A-Z, a-z, 0-9, '_' or '-'"
            ),
            format!("{position}文字目に使えない文字があります。英数字、_、- のみ使えます"),
        ),
        IdError::BadCheckDigit { .. } => FieldError::new(
            field,
            "has a check digit that does not match; the number was probably mistyped, check each digit",
            "チェックデジットが一致しません。入力誤りの可能性があります。各桁を確認してください",
        ),
        _ => FieldError::new(
            field,
            "is not valid; check the value",
            "正しくありません。値を確認してください",
        ),
    }
}

fn date_error(field: PersonField, error: DateError) -> FieldError {
    match error {
        DateError::Format => FieldError::new(
            field,
            "is not a date; write it as YYYYMMDD, YYYY-MM-DD, YYYY/MM/DD or an era date such as R5.4.1",
            "日付として読み取れません。YYYYMMDD、YYYY-MM-DD、YYYY/MM/DD、または和暦（例: R5.4.1、令和5年4月1日）で入力してください",
        ),
        DateError::NoSuchDay => FieldError::new(
            field,
            "is a day that does not exist; check the month and the day",
            "存在しない日付です。月と日を確認してください",
        ),
        DateError::OutsideEra => FieldError::new(
            field,
            "does not fall inside the era given; check the era and the year",
            "元号の期間外の日付です。元号と年を確認してください",
        ),
    }
}
