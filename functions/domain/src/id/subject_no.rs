use super::{IdError, IdKind, digits, luhn_check_digit, to_text};

const KIND: IdKind = IdKind::SubjectNo;
const EXPECTED: &str = "10 digits";

/// 予防接種対象者番号: this system's id of a target person within one municipality.
/// 10 digits, the last a Luhn check digit over the first 9, so a mistyped number at the counter
/// is caught instead of finding another person.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubjectNo(String);

impl SubjectNo {
    /// Parses 10 half-width digits with a valid Luhn check digit.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let d: [u8; 10] = digits(KIND, EXPECTED, s)?;
        if luhn_check_digit(&d[..9]) != d[9] {
            return Err(IdError::BadCheckDigit { kind: KIND });
        }
        Ok(Self(s.to_owned()))
    }

    /// Builds a subject number from its first 9 digits by appending the check digit.
    pub fn from_body(first9: &str) -> Result<Self, IdError> {
        let body: [u8; 9] = digits(KIND, "9 digits (without the check digit)", first9)?;
        let mut d = body.to_vec();
        d.push(luhn_check_digit(&body));
        Ok(Self(to_text(&d)))
    }

    /// Builds the subject number for a sequence number (0..=999_999_999), for allocation.
    pub fn from_sequence(n: u32) -> Result<Self, IdError> {
        if n > 999_999_999 {
            return Err(IdError::WrongLength {
                kind: KIND,
                expected: "9 digits (without the check digit)",
                actual: 10,
            });
        }
        Self::from_body(&format!("{n:09}"))
    }

    /// The 10 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::impl_public_id!(SubjectNo);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn from_sequence_zero_pads_and_checks() {
        let no = SubjectNo::from_sequence(42).unwrap();
        assert_eq!(&no.as_str()[..9], "000000042");
        assert!(SubjectNo::parse(no.as_str()).is_ok());
    }
}
