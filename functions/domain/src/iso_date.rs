//! `YYYY-MM-DD` (de)serialization of [`time::Date`] for the wire types, written by hand so the
//! app's bundle does not carry the `time` crate's general parser and formatter.

use serde::{Deserialize, Deserializer, Serializer, de::Error};
use time::{Date, Month};

pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&Iso(*date))
}

/// `YYYY-MM-DD`.
pub fn format(date: Date) -> String {
    Iso(date).to_string()
}

struct Iso(Date);

impl std::fmt::Display for Iso {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            u8::from(self.0.month()),
            self.0.day()
        )
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
    let text = <&str>::deserialize(deserializer)?;
    parse(text).ok_or_else(|| D::Error::custom("expected a date as YYYY-MM-DD"))
}

/// Parses exactly `YYYY-MM-DD`.
pub fn parse(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes[range].iter().try_fold(0u32, |acc, b| {
            b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
        })
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(number(5..7)?).ok()?).ok()?;
    let day = u8::try_from(number(8..10)?).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// The same for `Option<Date>` (`null` when absent).
pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(date: &Option<Date>, serializer: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => super::serialize(date, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Date>, D::Error> {
        match Option::<&str>::deserialize(deserializer)? {
            Some(text) => parse(text)
                .map(Some)
                .ok_or_else(|| D::Error::custom("expected a date as YYYY-MM-DD")),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_valid_dates_and_rejects_impossible_or_malformed_ones() {
        assert_eq!(
            parse("2024-02-29"),
            Date::from_calendar_date(2024, Month::February, 29).ok()
        );
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "20240101",
            "２０２４-01-01",
            "2024-01-01 ",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
