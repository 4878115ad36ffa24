//! The template of a questionnaire (予診票): codes, exact decimals, item kinds, conditions,
//! sections, and the two states of a version — an editable [`Draft`] and an immutable
//! [`Published`] template.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::texts::TemplateTexts;
use super::validation::{TemplateError, validate_structure, validate_template};
use crate::record::VaccinationKind;

/// Why a text is not a valid code (item id, option code, section id, setting id).
/// Codes are template data, never personal, so the error may name the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("{kind} is empty; use 1-64 of a-z, 0-9 and _")]
    Empty { kind: &'static str },
    #[error("{kind} is longer than 64 characters; shorten it")]
    TooLong { kind: &'static str },
    #[error("{kind} must start with a lowercase letter a-z")]
    NotStartingWithLetter { kind: &'static str },
    #[error("{kind} has a character other than a-z, 0-9 and _ at position {position}")]
    BadCharacter { kind: &'static str, position: usize },
}

fn check_code(kind: &'static str, s: &str) -> Result<(), CodeError> {
    if s.is_empty() {
        return Err(CodeError::Empty { kind });
    }
    if s.len() > 64 {
        return Err(CodeError::TooLong { kind });
    }
    if !s.as_bytes()[0].is_ascii_lowercase() {
        return Err(CodeError::NotStartingWithLetter { kind });
    }
    match s
        .bytes()
        .position(|b| !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'))
    {
        Some(i) => Err(CodeError::BadCharacter {
            kind,
            position: i + 1,
        }),
        None => Ok(()),
    }
}

/// A language-neutral code: 1–64 of `[a-z0-9_]`, starting with a letter. Deserialization
/// validates, so a template can never hold an id that would break a text key.
macro_rules! code_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Parses 1–64 of `[a-z0-9_]`, starting with a letter.
            pub fn parse(s: &str) -> Result<Self, CodeError> {
                check_code($kind, s)?;
                Ok(Self(s.to_owned()))
            }

            /// The code.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = CodeError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                check_code($kind, &s).map_err(serde::de::Error::custom)?;
                Ok(Self(s))
            }
        }
    };
}

code_type!(
    /// 項目ID: the language-neutral id of a question, e.g. `unwell_today`.
    ItemId,
    "item id"
);
code_type!(
    /// The code of an answer option, e.g. `proceed`. Yes/no items use `yes` and `no`.
    OptionCode,
    "option code"
);
code_type!(
    /// The id of a section (one screen in the app), e.g. `health`.
    SectionId,
    "section id"
);
code_type!(
    /// 予防接種設定ID: the vaccination setting a template belongs to, e.g. `infant_general`.
    VaccinationSettingId,
    "vaccination setting id"
);

/// An exact decimal with up to three places (stored in thousandths), so 36.7 ℃ is exactly
/// 36.7 and range/step checks never suffer from binary rounding.
///
/// On the wire it is a JSON number; more than three decimal places are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Decimal(i64);

impl Decimal {
    /// Largest magnitude in thousandths (one billion units): far beyond any form field, small
    /// enough that every value is exact as an `f64`.
    const MAX_ABS_THOUSANDTHS: i64 = 1_000_000_000_000;

    /// The value `n / 1000`, if within ±1,000,000,000.
    pub fn from_thousandths(n: i64) -> Option<Self> {
        (n.abs() <= Self::MAX_ABS_THOUSANDTHS).then_some(Self(n))
    }

    /// The value in thousandths.
    pub fn thousandths(self) -> i64 {
        self.0
    }

    /// Parses `36.5`, `-1`, `0.125` (at most three decimals, no exponent, no spaces).
    pub fn parse(s: &str) -> Option<Self> {
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || whole.len() > 10
            || !all_digits(whole)
            || fraction.len() > 3
            || !all_digits(fraction)
            || (digits.contains('.') && fraction.is_empty())
        {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let mut thousandths: i64 = 0;
        for (i, b) in fraction.bytes().enumerate() {
            thousandths += i64::from(b - b'0') * [100, 10, 1][i];
        }
        let n = whole.checked_mul(1000)?.checked_add(thousandths)?;
        Self::from_thousandths(if negative { -n } else { n })
    }

    /// The exact decimal of an `f64`, if it has at most three decimal places. Uses the
    /// shortest text that reads back as the same `f64` (what a person typed), so `36.7` is
    /// accepted although its binary value is not exactly 36.7.
    pub fn from_f64(x: f64) -> Option<Self> {
        if !x.is_finite() {
            return None;
        }
        // `Display` for f64 never uses an exponent and prints the shortest round-trip digits.
        Self::parse(&x.to_string())
    }

    /// The nearest `f64` (exact for at most three decimals at this magnitude).
    pub fn to_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// How many decimal places the value needs: 0–3.
    pub fn decimals(self) -> usize {
        match self.0 % 1000 {
            0 => 0,
            r if r % 100 == 0 => 1,
            r if r % 10 == 0 => 2,
            _ => 3,
        }
    }

    /// The value with exactly `decimals` places (0–3; more are capped at 3), e.g. `35.0`.
    pub fn format(self, decimals: usize) -> String {
        let decimals = decimals.min(3);
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let (whole, fraction) = (abs / 1000, abs % 1000);
        match decimals {
            0 => format!("{sign}{whole}"),
            d => {
                let digits = format!("{fraction:03}");
                format!("{sign}{whole}.{}", &digits[..d])
            }
        }
    }
}

/// The shortest exact text: `36.5`, `42`, `0.125`.
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(self.decimals()))
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 1000 == 0 {
            s.serialize_i64(self.0 / 1000)
        } else {
            s.serialize_f64(self.to_f64())
        }
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let x = f64::deserialize(d)?;
        Self::from_f64(x).ok_or_else(|| {
            serde::de::Error::custom(
                "expected a number with at most 3 decimal places, between -1000000000 and 1000000000",
            )
        })
    }
}

/// はい / いいえ. Their codes (`yes`, `no`) are what conditions refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum YesNo {
    Yes,
    No,
}

impl YesNo {
    /// `yes` or `no`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Yes => "yes",
            Self::No => "no",
        }
    }
}

/// Who fills an item in: the resident (or guardian) before the visit, or the doctor at the
/// clinic. Residents see doctor items (the 医師記入欄 is part of the form) but cannot answer them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilledBy {
    #[default]
    Resident,
    Doctor,
}

/// Who signs the consent (接種の同意 / 希望).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signer {
    /// 本人 (the person vaccinated).
    Recipient,
    /// 保護者.
    Guardian,
    /// 代筆者: signs for a recipient who cannot write (older people's forms); gives the
    /// relationship (続柄).
    Proxy,
}

impl Signer {
    /// The code, also the serde name and the text key suffix (`signer.<code>`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Recipient => "recipient",
            Self::Guardian => "guardian",
            Self::Proxy => "proxy",
        }
    }
}

/// Default limit of a yes/no item's detail text, in characters.
pub const DEFAULT_DETAIL_MAX_CHARS: u16 = 200;
/// Largest limit a free-text item may set, in characters.
pub const MAX_TEXT_LIMIT: u16 = 2000;

fn default_detail_max_chars() -> u16 {
    DEFAULT_DETAIL_MAX_CHARS
}

/// What kind of answer an item takes, with its settings. Serialized with a `type` tag inside
/// the item: `{"id": "temperature", "type": "number", "unit": "℃", "min": 35, …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ItemKind {
    /// はい / いいえ, with a detail text (病名, 症状 …) required when the answer is
    /// `detail_when` (usually `yes`); no detail box when `detail_when` is absent.
    YesNo {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail_when: Option<YesNo>,
        #[serde(default = "default_detail_max_chars")]
        detail_max_chars: u16,
    },
    /// Exactly one of `options`.
    SingleChoice { options: Vec<OptionCode> },
    /// Any number of `options` (none = not answered).
    MultipleChoice { options: Vec<OptionCode> },
    /// A number `min..=max` on the grid `min + k·step`, e.g. 35.0–42.0 ℃ by 0.1. The unit is a
    /// symbol shown as is in every language (℃, g).
    Number {
        unit: String,
        min: Decimal,
        max: Decimal,
        step: Decimal,
    },
    /// A calendar date (ISO `YYYY-MM-DD` on the wire).
    Date,
    /// Free text of at most `max_chars` characters.
    Text { max_chars: u16 },
    /// The consent block: agree or not, who signs (one of `signers`) and the signer's name.
    Consent { signers: Vec<Signer> },
}

impl ItemKind {
    /// The codes a condition may compare this item's answer with: `yes`/`no` or the options;
    /// `None` for kinds conditions cannot refer to.
    pub fn condition_codes(&self) -> Option<Vec<&str>> {
        match self {
            Self::YesNo { .. } => Some(vec!["yes", "no"]),
            Self::SingleChoice { options } | Self::MultipleChoice { options } => {
                Some(options.iter().map(OptionCode::as_str).collect())
            }
            _ => None,
        }
    }

    /// Whether an answer holds one value at most (so a condition cannot want two at once).
    pub(crate) fn single_valued(&self) -> bool {
        !matches!(self, Self::MultipleChoice { .. })
    }
}

/// When an item is shown. `{"item": "convulsion", "equals": "yes"}` holds when that item is
/// shown and its answer is that code (a multiple-choice answer: includes it); `any`/`all`
/// combine conditions and may nest. Conditions chain: an item whose condition refers to a
/// hidden item is hidden too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum Condition {
    Answer { item: ItemId, equals: OptionCode },
    Any { any: Vec<Condition> },
    All { all: Vec<Condition> },
}

impl Condition {
    /// `item` answered `code`.
    pub fn answer(item: &ItemId, code: &str) -> Result<Self, CodeError> {
        Ok(Self::Answer {
            item: item.clone(),
            equals: OptionCode::parse(code)?,
        })
    }

    /// Every `item equals code` test inside, in order.
    pub fn atoms(&self) -> Vec<(&ItemId, &OptionCode)> {
        let mut out = Vec::new();
        self.collect_atoms(&mut out);
        out
    }

    fn collect_atoms<'a>(&'a self, out: &mut Vec<(&'a ItemId, &'a OptionCode)>) {
        match self {
            Self::Answer { item, equals } => out.push((item, equals)),
            Self::Any { any: cs } | Self::All { all: cs } => {
                cs.iter().for_each(|c| c.collect_atoms(out));
            }
        }
    }
}

/// One question (or doctor's field) of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: ItemId,
    #[serde(flatten)]
    pub kind: ItemKind,
    /// Must be answered when shown, by whoever fills it in ([`FilledBy`]).
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub filled_by: FilledBy,
    /// Shown only when this holds; always shown when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_when: Option<Condition>,
}

/// A group of items: one screen in the app, one block on paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub id: SectionId,
    pub items: Vec<Item>,
}

/// What a template says, apart from its version and status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateContent {
    pub vaccination_setting_id: VaccinationSettingId,
    /// The vaccinations this form is used for.
    pub vaccination_kinds: Vec<VaccinationKind>,
    /// Where the structure and questions come from (shown to admins, not to residents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub sections: Vec<Section>,
}

impl TemplateContent {
    /// Every item, in document order (sections in order, items in order).
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }

    /// The item with this id (the first one, should a draft repeat an id).
    pub fn item(&self, id: &ItemId) -> Option<&Item> {
        self.items().find(|i| &i.id == id)
    }

    /// The ids of every item, as a set.
    pub fn item_ids(&self) -> BTreeSet<&ItemId> {
        self.items().map(|i| &i.id).collect()
    }
}

/// Where in a template a finding is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub enum Place {
    Template,
    Section { id: SectionId },
    Item { id: ItemId },
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Template => f.write_str("template"),
            Self::Section { id } => write!(f, "section `{id}`"),
            Self::Item { id } => write!(f, "item `{id}`"),
        }
    }
}

/// 下書き / 公開済み.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateStatus {
    Draft,
    Published,
}

/// The wire shape of both states: `{"version": 2, "status": "draft", …content}`.
#[derive(Serialize, Deserialize)]
struct TemplateDoc {
    version: u32,
    status: TemplateStatus,
    #[serde(flatten)]
    content: TemplateContent,
}

/// A template version being edited: anything goes until [`Draft::publish`] validates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TemplateDoc", into = "TemplateDoc")]
pub struct Draft {
    version: u32,
    /// Freely editable while a draft.
    pub content: TemplateContent,
}

impl Draft {
    /// The first version of a new template.
    pub fn new(content: TemplateContent) -> Self {
        Self {
            version: 1,
            content,
        }
    }

    /// The version number this draft will have once published.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The published version, if the content passes [`validate_template`] with the Japanese
    /// texts; otherwise every finding. The draft stays as it is either way.
    pub fn publish(&self, ja: &TemplateTexts) -> Result<Published, Vec<TemplateError>> {
        validate_template(&self.content, ja)?;
        Ok(Published {
            version: self.version,
            content: self.content.clone(),
        })
    }
}

/// A published template version. **Immutable**: there is no way to change its content; edit
/// [`Published::new_draft`] instead, which becomes the next version. Answers refer to
/// (setting id, version), so a published version must never change under them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TemplateDoc", into = "TemplateDoc")]
pub struct Published {
    version: u32,
    content: TemplateContent,
}

impl Published {
    /// The version number (1, 2, …).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The content, read-only.
    pub fn content(&self) -> &TemplateContent {
        &self.content
    }

    /// A draft of the next version with the same content, to edit and publish.
    pub fn new_draft(&self) -> Draft {
        Draft {
            version: self.version.saturating_add(1),
            content: self.content.clone(),
        }
    }
}

impl AsRef<TemplateContent> for Published {
    fn as_ref(&self) -> &TemplateContent {
        &self.content
    }
}

impl AsRef<TemplateContent> for Draft {
    fn as_ref(&self) -> &TemplateContent {
        &self.content
    }
}

/// Why a stored template document is not the state it claims.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateDocError {
    #[error(
        "template status is {found:?} where {expected:?} was expected; load it as the other type"
    )]
    WrongStatus {
        expected: TemplateStatus,
        found: TemplateStatus,
    },
    #[error("template version must be 1 or more")]
    ZeroVersion,
    #[error("published template is not valid: {0}")]
    Invalid(String),
}

impl TryFrom<TemplateDoc> for Draft {
    type Error = TemplateDocError;
    fn try_from(doc: TemplateDoc) -> Result<Self, Self::Error> {
        check_doc(&doc, TemplateStatus::Draft)?;
        Ok(Self {
            version: doc.version,
            content: doc.content,
        })
    }
}

/// A published document is checked again on the way in (structure only: texts live apart),
/// so a hand-edited store item cannot smuggle in a broken template.
impl TryFrom<TemplateDoc> for Published {
    type Error = TemplateDocError;
    fn try_from(doc: TemplateDoc) -> Result<Self, Self::Error> {
        check_doc(&doc, TemplateStatus::Published)?;
        let errors = validate_structure(&doc.content);
        if !errors.is_empty() {
            let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
            return Err(TemplateDocError::Invalid(list.join("; ")));
        }
        Ok(Self {
            version: doc.version,
            content: doc.content,
        })
    }
}

fn check_doc(doc: &TemplateDoc, expected: TemplateStatus) -> Result<(), TemplateDocError> {
    if doc.status != expected {
        return Err(TemplateDocError::WrongStatus {
            expected,
            found: doc.status,
        });
    }
    if doc.version == 0 {
        return Err(TemplateDocError::ZeroVersion);
    }
    Ok(())
}

impl From<Draft> for TemplateDoc {
    fn from(d: Draft) -> Self {
        Self {
            version: d.version,
            status: TemplateStatus::Draft,
            content: d.content,
        }
    }
}

impl From<Published> for TemplateDoc {
    fn from(p: Published) -> Self {
        Self {
            version: p.version,
            status: TemplateStatus::Published,
            content: p.content,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn decimals_read_what_people_type_exactly() {
        assert_eq!(Decimal::parse("36.7"), Decimal::from_thousandths(36_700));
        assert_eq!(Decimal::from_f64(36.7), Decimal::from_thousandths(36_700));
        assert_eq!(Decimal::from_f64(0.1 + 0.2), None, "0.30000000000000004");
        assert_eq!(Decimal::parse("-0.125"), Decimal::from_thousandths(-125));
        for bad in ["", ".5", "5.", "1.2345", "1e3", " 1", "+1", "1,5"] {
            assert_eq!(Decimal::parse(bad), None, "{bad}");
        }
        assert_eq!(Decimal::from_f64(f64::NAN), None);
        assert_eq!(Decimal::from_f64(1e10), None);
    }

    #[test]
    fn decimals_format_with_the_places_asked_for() {
        let t = Decimal::parse("35").unwrap();
        assert_eq!(t.format(1), "35.0");
        assert_eq!(t.to_string(), "35");
        assert_eq!(Decimal::parse("-0.05").unwrap().to_string(), "-0.05");
        assert_eq!(Decimal::parse("0.1").unwrap().decimals(), 1);
    }

    #[test]
    fn decimals_are_json_numbers() {
        let d = Decimal::parse("36.5").unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "36.5");
        assert_eq!(
            serde_json::to_string(&Decimal::parse("42").unwrap()).unwrap(),
            "42"
        );
        assert_eq!(serde_json::from_str::<Decimal>("36.5").unwrap(), d);
        assert!(serde_json::from_str::<Decimal>("36.5001").is_err());
        assert!(serde_json::from_str::<Decimal>("\"36.5\"").is_err());
    }

    #[test]
    fn codes_accept_snake_case_only() {
        assert!(ItemId::parse("unwell_today2").is_ok());
        assert_eq!(
            ItemId::parse("Unwell"),
            Err(CodeError::NotStartingWithLetter { kind: "item id" })
        );
        assert_eq!(
            OptionCode::parse("a-b"),
            Err(CodeError::BadCharacter {
                kind: "option code",
                position: 2
            })
        );
        assert!(SectionId::parse("").is_err());
        assert!(serde_json::from_str::<ItemId>("\"a.b\"").is_err());
    }
}
