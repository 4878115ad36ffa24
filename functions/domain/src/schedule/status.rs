//! The wire types of the schedule engine: who is evaluated, what was given, and what the engine
//! answers. All serde-serialisable for the API and the app.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::Date;

use crate::id::Gtin;
use crate::person::Sex;
use crate::record::VaccinationKind;

/// A short text shared by many answers (a series id, a dose label) without copying it each time.
///
/// The shipped schedule lives for the whole process, so its texts are plain static strings and
/// cloning one costs nothing (no reference count that two threads would fight over); texts of
/// other schedules are shared behind an `Arc`.
#[derive(Clone)]
pub struct Code(Repr);

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    Shared(Arc<str>),
}

impl Code {
    pub fn new(text: &str) -> Self {
        Self(Repr::Shared(Arc::from(text)))
    }

    /// A code for a text that lives as long as the program.
    pub fn from_static(text: &'static str) -> Self {
        Self(Repr::Static(text))
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(text) => text,
            Repr::Shared(text) => text,
        }
    }
}

impl PartialEq for Code {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Code {}

impl std::hash::Hash for Code {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Code {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Ok(Self(Repr::Shared(Arc::from(text))))
    }
}

/// The person the schedule is evaluated for: only what the rules need, nothing that names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    #[serde(with = "wire_date")]
    pub birth_date: Date,
    pub sex: Sex,
    /// 60–64 years old with the disability the B類 rules name (heart, kidney or respiratory
    /// function, or immune function through HIV, at the level of 身体障害者手帳1級). Opens the B類
    /// vaccinations from 60; for 帯状疱疹 the law names the HIV case only.
    #[serde(default)]
    pub high_risk_60_to_64: bool,
}

impl Subject {
    pub fn new(birth_date: Date, sex: Sex) -> Self {
        Self {
            birth_date,
            sex,
            high_risk_60_to_64: false,
        }
    }
}

/// What was given: a scanned product (GTIN) or, without a barcode, the vaccine's id in the
/// schedule (`hib`, `hpv9`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Given {
    Product(Gtin),
    Vaccine(String),
}

/// One dose in a person's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dose {
    #[serde(with = "wire_date")]
    pub date: Date,
    #[serde(flatten)]
    pub given: Given,
}

impl Dose {
    pub fn product(date: Date, gtin: Gtin) -> Self {
        Self {
            date,
            given: Given::Product(gtin),
        }
    }

    pub fn vaccine(date: Date, vaccine: &str) -> Self {
        Self {
            date,
            given: Given::Vaccine(vaccine.to_owned()),
        }
    }
}

/// Which part of the law a series belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeriesCategory {
    /// A類疾病 (children, HPV): 努力義務 and 勧奨.
    A,
    /// B類疾病 (older people): individual prevention, no 努力義務.
    B,
    /// A municipality's 任意接種, from a supplementary data file.
    Voluntary,
}

/// Where a series stands on the evaluation date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Status {
    /// Every required dose is counted (for a seasonal series: this season's dose).
    Complete,
    /// The next dose may be given today and today is within its standard period (or it has none).
    DueNow,
    /// The next dose cannot be given before the eligible age or period opens.
    Upcoming {
        #[serde(with = "wire_date")]
        opens_on: Date,
    },
    /// Still eligible, but the standard period of the next dose has passed.
    Overdue,
    /// May be given today, but the standard period of the next dose starts later.
    TooEarly,
    /// No remaining date can count as this routine vaccination.
    PastEligibility,
    /// The eligible period is open, but the minimum interval since an earlier dose has not
    /// passed (including the 27 days between injectable live vaccines).
    IntervalNotMet,
    /// The series does not concern this person (sex, birth cohort, or another combination of
    /// vaccines covers it).
    NotApplicable,
}

impl Status {
    /// The snake_case code, as serialised.
    pub fn code(self) -> &'static str {
        match self {
            Self::Complete => "complete",
            Self::DueNow => "due_now",
            Self::Upcoming { .. } => "upcoming",
            Self::Overdue => "overdue",
            Self::TooEarly => "too_early",
            Self::PastEligibility => "past_eligibility",
            Self::IntervalNotMet => "interval_not_met",
            Self::NotApplicable => "not_applicable",
        }
    }
}

macro_rules! reasons {
    ($($variant:ident => $code:literal, $ja:literal, $en:literal;)*) => {
        /// Why: a fixed sentence in Japanese and English. Reasons carry no dates or other
        /// personal data; the dates are in their own fields.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Reason {
            $($variant,)*
        }

        impl Reason {
            pub const ALL: &'static [Reason] = &[$(Reason::$variant,)*];

            /// The stable snake_case code.
            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }

            /// The sentence in Japanese.
            pub fn ja(self) -> &'static str {
                match self { $(Self::$variant => $ja,)* }
            }

            /// The sentence in English.
            pub fn en(self) -> &'static str {
                match self { $(Self::$variant => $en,)* }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

reasons! {
    SeriesComplete => "series_complete",
        "必要な回数の接種を終えています",
        "all required doses have been given";
    SeasonComplete => "season_complete",
        "今年度（今シーズン）の接種は済んでいます",
        "this season's dose has been given";
    NotForThisSex => "not_for_this_sex",
        "この接種の対象となる性別ではありません",
        "this vaccination is not for this sex";
    CoveredByOtherSeries => "covered_by_other_series",
        "接種歴から、別のワクチンの組み合わせで接種する対象です",
        "the history follows another combination of vaccines, which covers this one";
    NotInTargetGroup => "not_in_target_group",
        "生年月日や条件から、この接種の対象ではありません",
        "not in the target group by birth date or condition";
    NotYetEligible => "not_yet_eligible",
        "対象となる年齢・期間が始まる日から接種できます",
        "can be given once the eligible age or period begins";
    SeasonNotStarted => "season_not_started",
        "接種期間（シーズン）が始まる日から接種できます",
        "can be given once the season begins";
    IntervalNotMet => "interval_not_met",
        "前回の接種から必要な間隔がまだ経っていません",
        "the minimum interval since the previous dose has not passed yet";
    LiveVaccineInterval => "live_vaccine_interval",
        "注射生ワクチン同士は27日以上の間隔をおく必要があります（同じ日の同時接種は可能です）",
        "injectable live vaccines need at least 27 days between them (the same day is allowed)";
    BeforeStandardPeriod => "before_standard_period",
        "接種できますが、標準的な接種期間はまだ先です",
        "may be given, but the standard period starts later";
    WithinStandardPeriod => "within_standard_period",
        "標準的な接種期間です",
        "within the standard period";
    WithinEligiblePeriod => "within_eligible_period",
        "接種できる期間です",
        "within the eligible period";
    AfterStandardPeriod => "after_standard_period",
        "標準的な接種期間を過ぎています。対象期間内に接種してください",
        "past the standard period; still eligible until the latest date";
    EligibilityEnded => "eligibility_ended",
        "定期接種として接種できる期間を過ぎました",
        "the period in which this counts as a routine vaccination has ended";
    Accepted => "accepted",
        "この日にこの接種を行うことができます",
        "this dose may be given on this date";
    ProductNotValidForSeries => "product_not_valid_for_series",
        "この製品（ワクチン）は、この接種の次の回には使えません",
        "this product cannot be used for the next dose of this series";
    ProductNotInUse => "product_not_in_use",
        "この製品はこの日付では定期接種に使用できません",
        "this product is not used for routine vaccination on this date";
    NoSeriesForVaccine => "no_series_for_vaccine",
        "このワクチンを使う接種はスケジュールにありません",
        "no vaccination in the schedule uses this vaccine";
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// `{"code": "...", "ja": "...", "en": "..."}`, so clients can show the words directly.
impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("Reason", 3)?;
        out.serialize_field("code", self.code())?;
        out.serialize_field("ja", self.ja())?;
        out.serialize_field("en", self.en())?;
        out.end()
    }
}

impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            code: String,
        }
        let wire = Wire::deserialize(d)?;
        Self::from_code(&wire.code)
            .ok_or_else(|| serde::de::Error::custom("unknown schedule reason code"))
    }
}

/// The next dose of a series and when it may be given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextDose {
    /// 接種区分: the dose number as records count it for this vaccination (MR 2期 is dose 2,
    /// 日本脳炎 2期 is dose 4).
    pub dose_number: u8,
    pub stage: Option<u8>,
    /// The dose as the rules name it, e.g. 初回2回目.
    pub label_ja: Code,
    pub label_en: Code,
    /// The first date it may be given (it may lie in the past when the dose is overdue).
    #[serde(with = "wire_date")]
    pub earliest: Date,
    /// The recommended date: the start of the standard period, never before `earliest` nor
    /// after `latest`.
    #[serde(with = "wire_date")]
    pub recommended: Date,
    /// The last date it counts as routine; none when the eligibility has no end (65歳以上).
    #[serde(with = "wire_date::option")]
    pub latest: Option<Date>,
    /// The end of the standard period, when the rules give one.
    #[serde(with = "wire_date::option")]
    pub standard_until: Option<Date>,
    /// Eligible only under a 特例, キャッチアップ or 経過措置, not the regular age window.
    pub special: bool,
}

/// One series (a vaccination, or one stage of it) for one person on one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesStatus {
    /// The series id in the schedule, e.g. `hib`, `mr_2`.
    pub series: Code,
    pub kind: Option<VaccinationKind>,
    pub stage: Option<u8>,
    pub category: SeriesCategory,
    /// The dose plan that applies (e.g. `start_7_to_12m`, `nonavalent_two_doses`), when one does.
    pub plan: Option<Code>,
    pub status: Status,
    pub reason: Reason,
    /// Doses in the history that count for this series.
    pub doses_counted: u8,
    /// Doses the series needs in the plan that applies (late starts need fewer); for a seasonal
    /// series, one per season.
    pub doses_required: u8,
    pub next_dose: Option<NextDose>,
}

/// One finding about a proposed vaccination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub series: Option<Code>,
    pub dose_number: Option<u8>,
    pub reason: Reason,
    #[serde(with = "wire_date::option")]
    pub earliest: Option<Date>,
    #[serde(with = "wire_date::option")]
    pub latest: Option<Date>,
}

/// Whether a proposed vaccination may be given, and why (or why not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub allowed: bool,
    pub reasons: Vec<Finding>,
}

impl Verdict {
    /// Whether any finding has this reason.
    pub fn has(&self, reason: Reason) -> bool {
        self.reasons.iter().any(|f| f.reason == reason)
    }
}

/// `YYYY-MM-DD` dates that also read from owned strings (`serde_json::from_value`, flattened
/// fields), which [`crate::iso_date`] does not.
mod wire_date {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use time::Date;

    pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        crate::iso_date::serialize(date, serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        crate::iso_date::parse(&text)
            .ok_or_else(|| D::Error::custom("expected a date as YYYY-MM-DD"))
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(
            date: &Option<Date>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match date {
                Some(date) => super::serialize(date, serializer),
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<Date>, D::Error> {
            match Option::<std::borrow::Cow<'de, str>>::deserialize(deserializer)? {
                Some(text) => crate::iso_date::parse(&text)
                    .map(Some)
                    .ok_or_else(|| D::Error::custom("expected a date as YYYY-MM-DD")),
                None => Ok(None),
            }
        }
    }
}
