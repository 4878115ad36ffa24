//! Identifiers as parse-don't-validate newtypes: once you hold one, its format and check digit
//! are known to be right, so no later layer re-validates.
//!
//! Every type parses from `&str` (`parse`, `FromStr`, `TryFrom`), exposes its canonical text
//! (`as_str`, except [`MyNumber`], whose digits are behind [`MyNumber::expose_digits`]) and
//! (de)serializes as that text, validating on the way in.
//!
//! **Invariant:** an [`IdError`] never contains the rejected input, not even partly, because it
//! may be a My Number; it names only the kind, a position or a length.

mod gtin;
mod institution_code;
mod municipal_business_id;
mod municipality_code;
mod my_number;
mod pmh_key;
mod pmh_pseudonym;
mod record_id;
mod subject_no;
mod vaccination_management_id;

pub use gtin::Gtin;
pub use institution_code::{InstitutionCode, ScoreTable};
pub use municipal_business_id::MunicipalBusinessId;
pub use municipality_code::MunicipalityCode;
pub use my_number::MyNumber;
pub use pmh_key::PmhKey;
pub use pmh_pseudonym::PmhPseudonym;
pub use record_id::RecordId;
pub use subject_no::SubjectNo;
pub use vaccination_management_id::VaccinationManagementId;

use std::fmt;

/// Which identifier an [`IdError`] is about, so the message can say it without the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    MyNumber,
    MunicipalityCode,
    InstitutionCode,
    Gtin,
    PmhKey,
    PmhPseudonym,
    SubjectNo,
    MunicipalBusinessId,
    VaccinationManagementId,
    RecordId,
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MyNumber => "my number (個人番号)",
            Self::MunicipalityCode => "municipality code (自治体コード)",
            Self::InstitutionCode => "institution code (医療機関コード)",
            Self::Gtin => "GTIN",
            Self::PmhKey => "PMH key",
            Self::PmhPseudonym => "PMH pseudonym",
            Self::SubjectNo => "subject number (予防接種対象者番号)",
            Self::MunicipalBusinessId => "municipal business id (自治体業務ID)",
            Self::VaccinationManagementId => "vaccination management id (予防接種管理ID)",
            Self::RecordId => "record id (予防接種記録ID)",
        })
    }
}

/// Why a text is not a valid identifier. Positions are 1-based, counted in characters.
///
/// Never carries the input itself (see the module docs), so it is safe to log and to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Nothing was given.
    #[error("{kind} is empty; enter the {expected}")]
    Empty {
        kind: IdKind,
        expected: &'static str,
    },
    /// The number of characters is wrong.
    #[error(
        "{kind} must be {expected}, but {actual} characters were given; check for missing or extra digits"
    )]
    WrongLength {
        kind: IdKind,
        expected: &'static str,
        actual: usize,
    },
    /// A full-width digit (０–９) where a half-width one belongs.
    #[error("{kind} has a full-width digit at position {position}; use half-width digits 0-9")]
    FullWidthDigit { kind: IdKind, position: usize },
    /// Any other character where a digit belongs.
    #[error("{kind} has a non-digit character at position {position}; use digits 0-9 only")]
    NotADigit { kind: IdKind, position: usize },
    /// A character outside the allowed alphabet of an opaque identifier.
    #[error(
        "{kind} has a character that is not allowed at position {position}; use A-Z, a-z, 0-9, '_' or '-'"
    )]
    InvalidCharacter { kind: IdKind, position: usize },
    /// A character other than `0-9a-f` in a hex identifier.
    #[error(
        "{kind} has a character that is not allowed at position {position}; use lowercase hex 0-9, a-f"
    )]
    NotLowercaseHex { kind: IdKind, position: usize },
    /// The check digit does not match the other digits: most likely a typo.
    #[error(
        "{kind} has a check digit that does not match; the number was probably mistyped, check each digit"
    )]
    BadCheckDigit { kind: IdKind },
    /// The prefecture part of an institution code is not 01–47 (prefecture numbers are public, not personal).
    #[error("{kind} has prefecture number {prefecture:02}, which is not in 01-47")]
    PrefectureOutOfRange { kind: IdKind, prefecture: u8 },
    /// The score-table digit of an institution code is not one we accept (1, 3 or 4).
    #[error("{kind} has score-table digit {digit}, expected 1 (医科), 3 (歯科) or 4 (調剤)")]
    UnknownScoreTable { kind: IdKind, digit: u8 },
}

/// Parses exactly `N` ASCII digits into their values, or says what is wrong without echoing them.
pub(crate) fn digits<const N: usize>(
    kind: IdKind,
    expected: &'static str,
    s: &str,
) -> Result<[u8; N], IdError> {
    let count = s.chars().count();
    if count == 0 {
        return Err(IdError::Empty { kind, expected });
    }
    if count != N {
        return Err(IdError::WrongLength {
            kind,
            expected,
            actual: count,
        });
    }
    let mut out = [0u8; N];
    for (i, (slot, c)) in out.iter_mut().zip(s.chars()).enumerate() {
        *slot = digit_value(kind, i + 1, c)?;
    }
    Ok(out)
}

/// The value of one ASCII digit, or the precise reason it is not one.
pub(crate) fn digit_value(kind: IdKind, position: usize, c: char) -> Result<u8, IdError> {
    match c {
        '0'..='9' => Ok(c as u8 - b'0'),
        '０'..='９' => Err(IdError::FullWidthDigit { kind, position }),
        _ => Err(IdError::NotADigit { kind, position }),
    }
}

/// The Luhn check digit for `body` (the digits before the check digit, most significant first).
/// Luhn catches every single-digit substitution because doubling mod 9 permutes 0–9.
pub(crate) fn luhn_check_digit(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            // The digit next to the check digit is doubled, then every second one.
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// Renders digit values as ASCII text.
pub(crate) fn to_text(digits: &[u8]) -> String {
    digits.iter().map(|&d| char::from(b'0' + d)).collect()
}

/// Validates an opaque identifier: 1..=max characters of `[A-Za-z0-9_-]`.
pub(crate) fn opaque(
    kind: IdKind,
    expected: &'static str,
    max: usize,
    s: &str,
) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::Empty { kind, expected });
    }
    let count = s.chars().count();
    if count > max {
        return Err(IdError::WrongLength {
            kind,
            expected,
            actual: count,
        });
    }
    match s
        .chars()
        .position(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    {
        Some(i) => Err(IdError::InvalidCharacter {
            kind,
            position: i + 1,
        }),
        None => Ok(()),
    }
}

/// `FromStr`, `TryFrom<&str>`, `TryFrom<String>` and `Deserialize` (validating) for an
/// identifier with a `parse(&str)` constructor.
macro_rules! impl_parse_traits {
    ($ty:ty) => {
        impl ::core::str::FromStr for $ty {
            type Err = $crate::id::IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<&str> for $ty {
            type Error = $crate::id::IdError;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $crate::id::IdError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s =
                    <::std::borrow::Cow<'de, str> as ::serde::Deserialize<'de>>::deserialize(d)?;
                Self::parse(&s).map_err(::serde::de::Error::custom)
            }
        }
    };
}

/// Everything of [`impl_parse_traits`] plus `Display`, `AsRef<str>`, `Into<String>` and
/// `Serialize` through `as_str()`: for identifiers that are not secret.
macro_rules! impl_public_id {
    ($ty:ty) => {
        $crate::id::impl_parse_traits!($ty);

        impl ::core::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl From<$ty> for String {
            fn from(id: $ty) -> String {
                id.0
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

pub(crate) use impl_parse_traits;
pub(crate) use impl_public_id;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn luhn_gives_the_textbook_check_digit() {
        // 7992739871 → 3 is the classic Luhn example.
        assert_eq!(luhn_check_digit(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1]), 3);
    }

    #[test]
    fn digits_reports_the_position_of_the_first_bad_character() {
        let err = digits::<3>(IdKind::SubjectNo, "3 digits", "1a2").unwrap_err();
        assert_eq!(
            err,
            IdError::NotADigit {
                kind: IdKind::SubjectNo,
                position: 2
            }
        );
    }
}
