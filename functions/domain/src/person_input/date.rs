//! Dates as health-management systems and spreadsheets write them.
//!
//! Accepted (after code normalization, so full-width digits work too):
//! - `YYYYMMDD`, e.g. `20230401`
//! - `YYYY-M-D`, `YYYY/M/D`, `YYYY.M.D` with one- or two-digit month and day (Excel writes
//!   `2023/4/1`), and `YYYY年M月D日`
//! - Japanese eras: `令和5年4月1日` (also 平成, 昭和, 大正, 明治; `元年` for year 1) and the
//!   initials `R5.4.1`, `H31/4/30`, `S64-1-7` (R, H, S, T, M in either case; separators `.`,
//!   `/`, `-` or 年 月 日). The date must fall inside the era: `H31.5.1` is rejected because
//!   Reiwa began on 2019-05-01.

use time::{Date, Month};

struct Era {
    kanji: &'static str,
    initial: char,
    start: (i32, u8, u8),
}

const ERAS: [Era; 5] = [
    Era {
        kanji: "明治",
        initial: 'M',
        start: (1868, 1, 1),
    },
    Era {
        kanji: "大正",
        initial: 'T',
        start: (1912, 7, 30),
    },
    Era {
        kanji: "昭和",
        initial: 'S',
        start: (1926, 12, 25),
    },
    Era {
        kanji: "平成",
        initial: 'H',
        start: (1989, 1, 8),
    },
    Era {
        kanji: "令和",
        initial: 'R',
        start: (2019, 5, 1),
    },
];

/// Why a text is not a date; the caller turns it into a message naming its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    /// Not one of the accepted forms.
    Format,
    /// The form is right but the day does not exist (e.g. 2023-02-29).
    NoSuchDay,
    /// The era's year, month and day do not fall inside that era (e.g. 平成31年5月1日).
    OutsideEra,
}

/// Parses a date in one of the forms of the module docs. `text` must already be normalized
/// with [`super::normalize::code`].
pub fn parse(text: &str) -> Result<Date, DateError> {
    if let Some((era_index, rest)) = strip_era(text) {
        return parse_era(era_index, rest);
    }
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        let year = number(&text[..4])
            .and_then(|y| i32::try_from(y).ok())
            .ok_or(DateError::Format)?;
        let month = number(&text[4..6]).ok_or(DateError::Format)?;
        let day = number(&text[6..]).ok_or(DateError::Format)?;
        return calendar(year, month, day);
    }
    let (year, month, day) = split_ymd(text, 4).ok_or(DateError::Format)?;
    calendar(year, month, day)
}

fn strip_era(text: &str) -> Option<(usize, &str)> {
    ERAS.iter().enumerate().find_map(|(i, era)| {
        if let Some(rest) = text.strip_prefix(era.kanji) {
            return Some((i, rest));
        }
        let mut chars = text.chars();
        let first = chars.next()?;
        (first.to_ascii_uppercase() == era.initial).then_some((i, chars.as_str()))
    })
}

fn parse_era(index: usize, rest: &str) -> Result<Date, DateError> {
    let era = &ERAS[index];
    let rest = rest
        .strip_prefix('元')
        .map_or_else(|| rest.to_owned(), |r| format!("1{r}"));
    let (year, month, day) = split_ymd(&rest, 2).ok_or(DateError::Format)?;
    if year == 0 {
        return Err(DateError::OutsideEra);
    }
    let date = calendar(era.start.0 + year - 1, month, day)?;
    let start = calendar(era.start.0, u32::from(era.start.1), u32::from(era.start.2))?;
    let end = match ERAS.get(index + 1) {
        Some(next) => Some(calendar(
            next.start.0,
            u32::from(next.start.1),
            u32::from(next.start.2),
        )?),
        None => None,
    };
    if date < start || end.is_some_and(|end| date >= end) {
        return Err(DateError::OutsideEra);
    }
    Ok(date)
}

/// Splits `Y<sep>M<sep>D[日]` with a year of 1..=`max_year_digits` digits (exactly 4 for
/// Gregorian years) and one- or two-digit month and day.
fn split_ymd(text: &str, max_year_digits: usize) -> Option<(i32, u32, u32)> {
    let gregorian = max_year_digits == 4;
    let text = text.strip_suffix('日').unwrap_or(text);
    let mut parts = text.split(['-', '/', '.', '年', '月']);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let year_ok = if gregorian {
        y.len() == 4
    } else {
        (1..=max_year_digits).contains(&y.len())
    };
    if !year_ok || !(1..=2).contains(&m.len()) || !(1..=2).contains(&d.len()) {
        return None;
    }
    Some((i32::try_from(number(y)?).ok()?, number(m)?, number(d)?))
}

fn number(digits: &str) -> Option<u32> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn calendar(year: i32, month: u32, day: u32) -> Result<Date, DateError> {
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or(DateError::NoSuchDay)?;
    let day = u8::try_from(day).map_err(|_| DateError::NoSuchDay)?;
    Date::from_calendar_date(year, month, day).map_err(|_| DateError::NoSuchDay)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn gregorian_forms_parse_to_the_same_day() {
        for text in [
            "20230401",
            "2023-04-01",
            "2023/04/01",
            "2023/4/1",
            "2023.4.1",
            "2023年4月1日",
        ] {
            assert_eq!(parse(text), Ok(date!(2023 - 04 - 01)), "{text}");
        }
    }

    #[test]
    fn era_forms_parse_inside_their_era() {
        for (text, expected) in [
            ("令和5年4月1日", date!(2023 - 04 - 01)),
            ("R5.4.1", date!(2023 - 04 - 01)),
            ("r5/4/1", date!(2023 - 04 - 01)),
            ("令和元年5月1日", date!(2019 - 05 - 01)),
            ("H31.4.30", date!(2019 - 04 - 30)),
            ("平成元年1月8日", date!(1989 - 01 - 08)),
            ("S64.1.7", date!(1989 - 01 - 07)),
            ("昭和50年12月3日", date!(1975 - 12 - 03)),
            ("T15.12.24", date!(1926 - 12 - 24)),
            ("M45.7.29", date!(1912 - 07 - 29)),
        ] {
            assert_eq!(parse(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn dates_outside_their_era_are_rejected() {
        for text in ["H31.5.1", "令和元年4月30日", "S64.1.8", "R0.1.1", "H1.1.7"] {
            assert_eq!(parse(text), Err(DateError::OutsideEra), "{text}");
        }
    }

    #[test]
    fn malformed_and_impossible_dates_are_rejected() {
        for text in [
            "",
            "2023-4",
            "202341",
            "23/4/1",
            "2023-04-01T00",
            "X5.4.1",
            "2023/4/1/2",
            "R123.4.1",
        ] {
            assert_eq!(parse(text), Err(DateError::Format), "{text}");
        }
        for text in ["20230229", "2023-13-01", "2023/4/31", "R5.2.30"] {
            assert_eq!(parse(text), Err(DateError::NoSuchDay), "{text}");
        }
    }
}
