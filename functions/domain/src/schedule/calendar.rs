//! Japanese age and interval arithmetic, as the vaccination law reads it.
//!
//! The rules (see `docs/interfaces/schedule.md` for the worked examples):
//!
//! - **Ages** follow 年齢計算ニ関スル法律 and 民法 第143条: a person reaches an age of *n* months
//!   at the end of the day before the day of the month that corresponds to the birth date
//!   (応当日), or at the end of the last day of the month when that month has no such day. The
//!   vaccination rules count that day as already having the age (厚生労働省事務連絡, as
//!   municipalities restate it: 「生後2月から」= the day before the 2-month 応当日). So
//!   [`reached`] returns the day *before* the 応当日, and both ends of an age window are inclusive.
//! - **Weeks** (rotavirus only) count the birth date as 出生0週0日; "出生6週0日後" is 42 days after.
//! - **Intervals** "N日以上の間隔をおいて" mean N whole days between the two doses, so the next
//!   dose may be given N + 1 days later (27日以上 = the same weekday four weeks later).
//!   "N月以上の間隔" ends on the 応当日 N months later (or the 1st of the following month when
//!   that day does not exist); "N月半" adds half of that month, rounded up (14, 15, 15, 16 days).
//! - **Fiscal years** (年度) run from 1 April to 31 March; "N歳となる日の属する年度" is the fiscal
//!   year containing [`reached`] for N years.

use std::fmt;

use time::{Date, Duration, Month};

/// An age or an interval as the rules write it: `27d`, `6w0d`, `2m`, `2.5m`, `3y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// N days (日).
    Days(u16),
    /// N weeks and D days (週・日), as the rotavirus rules count from the birth date.
    Weeks { weeks: u16, days: u16 },
    /// N months (月), optionally and a half (月半). Years are stored as 12 months each.
    Months { months: u16, half: bool },
}

impl Period {
    /// Parses `27d`, `6w0d`, `14w6d`, `2m`, `2.5m`, `3y`.
    pub fn parse(text: &str) -> Option<Self> {
        let number = |s: &str| -> Option<u16> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        if let Some(rest) = text.strip_suffix('d') {
            if let Some((weeks, days)) = rest.split_once('w') {
                return Some(Self::Weeks {
                    weeks: number(weeks)?,
                    days: number(days)?,
                });
            }
            return number(rest).map(Self::Days);
        }
        if let Some(rest) = text.strip_suffix('m') {
            return match rest.strip_suffix(".5") {
                Some(whole) => Some(Self::Months {
                    months: number(whole)?,
                    half: true,
                }),
                None => Some(Self::Months {
                    months: number(rest)?,
                    half: false,
                }),
            };
        }
        if let Some(rest) = text.strip_suffix('y') {
            let years = number(rest)?;
            return Some(Self::Months {
                months: years.checked_mul(12)?,
                half: false,
            });
        }
        None
    }

    /// Whether this is "N月半", which only makes sense as an interval.
    pub fn has_half(self) -> bool {
        matches!(self, Self::Months { half: true, .. })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Days(n) => write!(f, "{n}d"),
            Self::Weeks { weeks, days } => write!(f, "{weeks}w{days}d"),
            Self::Months { months, half: true } => write!(f, "{months}.5m"),
            Self::Months { months, .. } if months % 12 == 0 && months > 0 => {
                write!(f, "{}y", months / 12)
            }
            Self::Months { months, .. } => write!(f, "{months}m"),
        }
    }
}

fn plus_days(date: Date, days: i64) -> Date {
    date.saturating_add(Duration::days(days))
}

/// The day `months` later with the same day of the month (応当日), or the 1st of the following
/// month when that month is too short.
pub fn anniversary(from: Date, months: u32) -> Date {
    let start = i64::from(from.year()) * 12 + i64::from(u8::from(from.month())) - 1;
    let total = start + i64::from(months);
    let Ok(year) = i32::try_from(total.div_euclid(12)) else {
        return Date::MAX;
    };
    let month_index = total.rem_euclid(12) as u8 + 1;
    let Ok(month) = Month::try_from(month_index) else {
        return Date::MAX;
    };
    match Date::from_calendar_date(year, month, from.day()) {
        Ok(date) => date,
        Err(_) => first_of_next_month(year, month),
    }
}

fn first_of_next_month(year: i32, month: Month) -> Date {
    let (year, month) = match month {
        Month::December => (year + 1, Month::January),
        other => (year, other.next()),
    };
    Date::from_calendar_date(year, month, 1).unwrap_or(Date::MAX)
}

/// The first day on which a person born on `birth` has the age `age` (生後…に至った日), which is
/// also the last day of "…に至るまで". Days and weeks count from the birth date itself.
pub fn reached(birth: Date, age: Period) -> Date {
    match age {
        Period::Days(days) => plus_days(birth, i64::from(days)),
        Period::Weeks { weeks, days } => plus_days(birth, i64::from(weeks) * 7 + i64::from(days)),
        Period::Months { months, half } => {
            let base = plus_days(anniversary(birth, u32::from(months)), -1);
            if half {
                plus_days(base, half_month(base))
            } else {
                base
            }
        }
    }
}

/// The first day on which `interval` has passed since a dose on `previous` (…の間隔をおいた日).
pub fn after_interval(previous: Date, interval: Period) -> Date {
    match interval {
        Period::Days(days) => plus_days(previous, i64::from(days) + 1),
        Period::Weeks { weeks, days } => {
            plus_days(previous, i64::from(weeks) * 7 + i64::from(days))
        }
        Period::Months { months, half } => {
            let base = anniversary(previous, u32::from(months));
            if half {
                plus_days(base, half_month(base))
            } else {
                base
            }
        }
    }
}

/// Half of the month `date` falls in, rounded up: 14, 15, 15 or 16 days.
fn half_month(date: Date) -> i64 {
    (i64::from(date.month().length(date.year())) + 1) / 2
}

/// The fiscal year (年度) a date falls in: 2026-03-31 is in fiscal 2025.
pub fn fiscal_year(date: Date) -> i32 {
    if u8::from(date.month()) >= 4 {
        date.year()
    } else {
        date.year() - 1
    }
}

/// 1 April of fiscal year `year`.
pub fn fiscal_start(year: i32) -> Date {
    Date::from_calendar_date(year, Month::April, 1).unwrap_or(Date::MAX)
}

/// 31 March that ends fiscal year `year`.
pub fn fiscal_end(year: i32) -> Date {
    Date::from_calendar_date(year + 1, Month::March, 31).unwrap_or(Date::MAX)
}

/// A day of the year without the year (`10-01`), for seasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthDay {
    pub month: Month,
    pub day: u8,
}

impl MonthDay {
    /// Parses `MM-DD`; 29 February is refused because it does not exist every year.
    pub fn parse(text: &str) -> Option<Self> {
        let (month, day) = text.split_once('-')?;
        if month.len() != 2 || day.len() != 2 {
            return None;
        }
        let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
        let day: u8 = day.parse().ok()?;
        // 2025 is a common year, so this refuses 02-29 as well as 04-31.
        Date::from_calendar_date(2025, month, day).ok()?;
        Some(Self { month, day })
    }

    /// This day in fiscal year `year` (April–December in `year`, January–March in `year + 1`).
    pub fn in_fiscal_year(self, year: i32) -> Date {
        let calendar_year = if u8::from(self.month) >= 4 {
            year
        } else {
            year + 1
        };
        Date::from_calendar_date(calendar_year, self.month, self.day).unwrap_or(Date::MAX)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::date;

    fn p(text: &str) -> Period {
        Period::parse(text).unwrap()
    }

    #[test]
    fn periods_parse_and_print_back() {
        for text in ["27d", "6w0d", "14w6d", "2m", "2.5m", "3y", "90m"] {
            assert_eq!(p(text).to_string(), text);
        }
        for bad in ["", "d", "2", "2.5y", "-1d", "1x", "2.0m", "w3d"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn months_are_reached_the_day_before_the_corresponding_day() {
        // 2018-04-01 births may have Hib from 2018-05-31 up to 2023-03-31.
        assert_eq!(
            reached(date!(2018 - 04 - 01), p("2m")),
            date!(2018 - 05 - 31)
        );
        assert_eq!(
            reached(date!(2018 - 04 - 01), p("60m")),
            date!(2023 - 03 - 31)
        );
    }

    #[test]
    fn a_missing_corresponding_day_means_the_end_of_that_month() {
        assert_eq!(
            reached(date!(2018 - 12 - 31), p("2m")),
            date!(2019 - 02 - 28)
        );
        assert_eq!(
            reached(date!(2018 - 12 - 29), p("2m")),
            date!(2019 - 02 - 28)
        );
        assert_eq!(
            reached(date!(2018 - 12 - 31), p("60m")),
            date!(2023 - 12 - 30)
        );
        assert_eq!(
            reached(date!(2020 - 02 - 29), p("1y")),
            date!(2021 - 02 - 28)
        );
    }

    #[test]
    fn weeks_count_the_birth_date_as_week_zero() {
        assert_eq!(
            reached(date!(2026 - 01 - 01), p("6w0d")),
            date!(2026 - 02 - 12)
        );
        assert_eq!(
            reached(date!(2026 - 01 - 01), p("14w6d")),
            date!(2026 - 04 - 15)
        );
    }

    #[test]
    fn day_intervals_leave_that_many_whole_days_between() {
        assert_eq!(
            after_interval(date!(2026 - 03 - 25), p("27d")),
            date!(2026 - 04 - 22)
        );
        assert_eq!(
            after_interval(date!(2026 - 04 - 01), p("6d")),
            date!(2026 - 04 - 08)
        );
    }

    #[test]
    fn month_intervals_end_on_the_corresponding_day() {
        assert_eq!(
            after_interval(date!(2026 - 04 - 01), p("3m")),
            date!(2026 - 07 - 01)
        );
        assert_eq!(
            after_interval(date!(2025 - 11 - 30), p("3m")),
            date!(2026 - 03 - 01)
        );
        // 2 months from 1 April is 1 June; June has 30 days, so "2月半" adds 15.
        assert_eq!(
            after_interval(date!(2023 - 04 - 01), p("2.5m")),
            date!(2023 - 06 - 16)
        );
    }

    #[test]
    fn fiscal_years_start_in_april() {
        assert_eq!(fiscal_year(date!(2026 - 03 - 31)), 2025);
        assert_eq!(fiscal_year(date!(2026 - 04 - 01)), 2026);
        assert_eq!(fiscal_end(2025), date!(2026 - 03 - 31));
        let october = MonthDay::parse("10-01").unwrap();
        let january = MonthDay::parse("01-31").unwrap();
        assert_eq!(october.in_fiscal_year(2026), date!(2026 - 10 - 01));
        assert_eq!(january.in_fiscal_year(2026), date!(2027 - 01 - 31));
        assert_eq!(MonthDay::parse("02-29"), None);
    }
}
