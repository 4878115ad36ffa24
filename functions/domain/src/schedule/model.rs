//! The checked, indexed schedule the engine runs on, compiled from one or more data files.
//!
//! [`super::compile`] builds it and refuses anything the engine could misread.

use std::collections::HashMap;

use time::Date;

use super::calendar::{MonthDay, Period, fiscal_end, fiscal_start, fiscal_year, reached};
use super::error::ScheduleError;
use super::status::{Code, SeriesCategory};
use crate::id::Gtin;
use crate::person::Sex;
use crate::record::VaccinationKind;

/// At most this many doses in one plan, so a plan run fits in fixed arrays.
pub(crate) const MAX_DOSES: usize = 8;
/// At most this many series, so "counted by" fits in a `u64` per dose.
pub(crate) const MAX_SERIES: usize = 64;
/// At most this many vaccines, so a set of them fits in a `u128`.
pub(crate) const MAX_VACCINES: usize = 128;

/// Index of a vaccine in [`Schedule`].
pub(crate) type VaccineId = u8;

/// A set of vaccines as a bit mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct VaccineSet(u128);

impl VaccineSet {
    pub fn contains(self, id: VaccineId) -> bool {
        self.0 & (1u128 << id) != 0
    }

    pub fn insert(&mut self, id: VaccineId) {
        self.0 |= 1u128 << id;
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn intersects(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    pub fn is_subset_of(self, other: Self) -> bool {
        self.0 & !other.0 == 0
    }
}

/// An age bound of a window or a standard period: an age reached, or the fiscal year in which
/// an age in years is reached (its first day as a start, its last day as an end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AgeBound {
    Reached(Period),
    FiscalYearOf(u16),
}

impl AgeBound {
    pub(crate) fn parse(text: &str) -> Option<Self> {
        if let Some(years) = text.strip_prefix("fy") {
            if years.is_empty() || !years.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            return years.parse().ok().map(Self::FiscalYearOf);
        }
        let period = Period::parse(text)?;
        (!period.has_half()).then_some(Self::Reached(period))
    }

    pub fn start(self, birth: Date) -> Date {
        match self {
            Self::Reached(period) => reached(birth, period),
            Self::FiscalYearOf(years) => fiscal_start(fiscal_year(reached_years(birth, years))),
        }
    }

    pub fn end(self, birth: Date) -> Date {
        match self {
            Self::Reached(period) => reached(birth, period),
            Self::FiscalYearOf(years) => fiscal_end(fiscal_year(reached_years(birth, years))),
        }
    }
}

fn reached_years(birth: Date, years: u16) -> Date {
    reached(
        birth,
        Period::Months {
            months: years.saturating_mul(12),
            half: false,
        },
    )
}

/// One data file that went into a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    pub id: String,
    pub title_ja: String,
    pub as_of: Date,
    pub legal_basis: String,
    pub note: Option<String>,
}

/// A vaccine (一般名 level): what products map to and what series count.
#[derive(Debug, Clone)]
pub struct Vaccine {
    pub id: Code,
    pub kind: Option<VaccinationKind>,
    pub name_ja: String,
    pub name_en: String,
    /// An injectable live vaccine: 27 days from any other one (same day allowed).
    pub live_injectable: bool,
    /// First and last dates on which it may be used for a new dose in these series.
    pub use_from: Option<Date>,
    pub use_until: Option<Date>,
    pub note: Option<String>,
}

impl Vaccine {
    pub(crate) fn in_use_on(&self, date: Date) -> bool {
        self.use_from.is_none_or(|from| date >= from)
            && self.use_until.is_none_or(|until| date <= until)
    }
}

/// A product (販売名) with its GTIN; many products map to one vaccine.
#[derive(Debug, Clone)]
pub struct Product {
    pub gtin: Gtin,
    pub vaccine: Code,
    pub brand_ja: String,
    pub maker_ja: String,
    /// The GTIN is invented sample data, not the maker's.
    pub sample_gtin: bool,
    pub(crate) vaccine_id: VaccineId,
}

#[derive(Debug, Clone)]
pub(crate) struct Window {
    /// A 特例, キャッチアップ or 経過措置 rather than the regular age window.
    pub special: bool,
    pub from: Option<AgeBound>,
    pub until: Option<AgeBound>,
    pub born_from: Option<Date>,
    pub born_until: Option<Date>,
    pub date_from: Option<Date>,
    pub date_until: Option<Date>,
    pub requires_flag: bool,
    pub requires_dose_between: Option<(Date, Date)>,
    pub requires_complete: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntervalFrom {
    /// The previous counted dose of this plan (for the first dose of a series that follows
    /// another, the last counted dose of that series).
    Previous,
    /// A given dose of this plan, 0-based.
    Dose(usize),
}

#[derive(Debug, Clone)]
pub(crate) struct Interval {
    pub from: IntervalFrom,
    /// None for an interval that only sets a standard (標準的な間隔) without a legal minimum.
    pub min: Option<Period>,
    pub standard_min: Option<Period>,
    pub standard_max: Option<Period>,
}

#[derive(Debug, Clone)]
pub(crate) struct DoseRule {
    pub label_ja: Code,
    pub label_en: Code,
    pub min_age: Option<Period>,
    pub max_age: Option<Period>,
    pub standard_from: Option<AgeBound>,
    pub standard_until: Option<AgeBound>,
    pub skip_after: Option<Period>,
    pub skip_if_previous_after: Option<Period>,
    pub intervals: Vec<Interval>,
    pub intervals_after_skip: Option<Vec<Interval>>,
}

#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub id: Code,
    pub label_ja: String,
    pub label_en: String,
    pub vaccines: VaccineSet,
    pub first_vaccines: Option<VaccineSet>,
    pub first_age_from: Option<Period>,
    /// Exclusive: the first dose must come after the day this age is reached
    /// (「生後7月に至った日の翌日から」).
    pub first_age_after: Option<Period>,
    pub first_age_until: Option<Period>,
    pub when_history_has: Option<VaccineSet>,
    pub born_from: Option<Date>,
    pub born_until: Option<Date>,
    pub live: bool,
    pub doses: Vec<DoseRule>,
}

#[derive(Debug, Clone)]
pub(crate) struct Season {
    pub from: MonthDay,
    pub until: MonthDay,
}

#[derive(Debug, Clone)]
pub(crate) struct Series {
    pub code: Code,
    pub kind: Option<VaccinationKind>,
    pub stage: Option<u8>,
    pub first_dose_number: u8,
    pub category: SeriesCategory,
    pub name_ja: String,
    pub name_en: String,
    pub sex: Option<Sex>,
    pub vaccines: VaccineSet,
    pub only_if_history_has: VaccineSet,
    pub unless_history_has: VaccineSet,
    pub follows: Option<usize>,
    /// A later series follows this one or needs it complete, so its projected completion is
    /// worth computing.
    pub has_dependents: bool,
    pub count_only_within_windows: bool,
    pub season: Option<Season>,
    pub source: String,
    pub note: Option<String>,
    pub windows: Vec<Window>,
    pub plans: Vec<Plan>,
}

/// What a reviewer or a screen needs to know about one series.
#[derive(Debug, Clone, Copy)]
pub struct SeriesInfo<'a> {
    pub id: &'a Code,
    pub kind: Option<VaccinationKind>,
    pub stage: Option<u8>,
    pub category: SeriesCategory,
    pub name_ja: &'a str,
    pub name_en: &'a str,
    pub source: &'a str,
    pub note: Option<&'a str>,
    /// How many dose plans (late-start and product variants) the series has.
    pub plans: usize,
}

/// The vaccination schedule: vaccines, products and series from one or more data files.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub(crate) files: Vec<FileInfo>,
    pub(crate) live_interval: Period,
    pub(crate) vaccines: Vec<Vaccine>,
    pub(crate) vaccine_index: HashMap<String, VaccineId>,
    pub(crate) products: Vec<Product>,
    pub(crate) gtin_index: HashMap<String, usize>,
    pub(crate) series: Vec<Series>,
}

impl Schedule {
    /// Compiles data files in order; later files (a municipality's 任意接種) may use the vaccines
    /// of earlier ones but may not redefine any id or GTIN.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Self, ScheduleError> {
        Self::build(sources, false)
    }

    /// As [`Schedule::from_sources`], for a schedule kept for the rest of the program: its texts
    /// are leaked once so answers can share them without reference counting.
    pub(crate) fn build_for_program(sources: &[(&str, &str)]) -> Result<Self, ScheduleError> {
        Self::build(sources, true)
    }

    fn build(sources: &[(&str, &str)], for_program: bool) -> Result<Self, ScheduleError> {
        super::compile::compile(sources, for_program)
    }

    /// The data files this schedule was built from.
    pub fn files(&self) -> &[FileInfo] {
        &self.files
    }

    /// The minimum interval between two different injectable live vaccines.
    pub fn live_interval(&self) -> Period {
        self.live_interval
    }

    /// Every series, in evaluation order.
    pub fn series(&self) -> impl Iterator<Item = SeriesInfo<'_>> {
        self.series.iter().map(|s| SeriesInfo {
            id: &s.code,
            kind: s.kind,
            stage: s.stage,
            category: s.category,
            name_ja: &s.name_ja,
            name_en: &s.name_en,
            source: &s.source,
            note: s.note.as_deref(),
            plans: s.plans.len(),
        })
    }

    /// The Japanese and English label of a series' dose plan (as [`super::SeriesStatus::plan`]
    /// names it).
    pub fn plan_label(&self, series: &str, plan: &str) -> Option<(&str, &str)> {
        self.series
            .iter()
            .find(|s| s.code == series)?
            .plans
            .iter()
            .find(|p| p.id == plan)
            .map(|p| (p.label_ja.as_str(), p.label_en.as_str()))
    }

    /// Every vaccine.
    pub fn vaccines(&self) -> &[Vaccine] {
        &self.vaccines
    }

    /// Every product.
    pub fn products(&self) -> &[Product] {
        &self.products
    }

    /// The product with this GTIN (13 or 14 digits).
    pub fn product(&self, gtin: &Gtin) -> Option<&Product> {
        self.gtin_index
            .get(gtin.as_str())
            .and_then(|&i| self.products.get(i))
    }

    /// The vaccine with this id.
    pub fn vaccine(&self, id: &str) -> Option<&Vaccine> {
        self.vaccine_id(id)
            .and_then(|i| self.vaccines.get(usize::from(i)))
    }

    pub(crate) fn vaccine_id(&self, id: &str) -> Option<VaccineId> {
        self.vaccine_index.get(id).copied()
    }

    pub(crate) fn product_vaccine(&self, gtin: &Gtin) -> Option<VaccineId> {
        self.gtin_index
            .get(gtin.as_str())
            .and_then(|&i| self.products.get(i))
            .map(|p| p.vaccine_id)
    }
}
