use std::fmt;

use super::{IdError, IdKind, digits};

const KIND: IdKind = IdKind::MyNumber;
const EXPECTED: &str = "12 digits";

/// 個人番号 (My Number): 12 digits, the last a mod-11 check digit.
///
/// Special personal information. Its `Debug` and `Display` print only a fixed mask, never a
/// digit, so it cannot leak through logs or error messages by accident; the digits are reachable
/// only through the deliberately named [`MyNumber::expose_digits`]. **Serializing exposes the
/// digits** (serde goes through `expose_digits`): serialize it only into encrypted storage or to
/// staff with `can_view_my_number`, never into DTOs for residents or clinics.
///
/// The check digit catches a single mistyped digit except when the typo moves the weighted sum
/// between remainders 0 and 1 mod 11, which share check digit 0 (about 1 in 55 of typos in
/// numbers whose remainder is 0 or 1); see the property tests.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyNumber(String);

impl MyNumber {
    /// The fixed text shown instead of the digits.
    pub const MASK: &'static str = "****-****-****";

    /// Parses 12 half-width digits with a valid check digit.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let d: [u8; 12] = digits(KIND, EXPECTED, s)?;
        let mut body = [0u8; 11];
        body.copy_from_slice(&d[..11]);
        if Self::check_digit(&body) != d[11] {
            return Err(IdError::BadCheckDigit { kind: KIND });
        }
        Ok(Self(s.to_owned()))
    }

    /// Builds a My Number from its first 11 digits by appending the check digit (for generators).
    pub fn from_body(first11: &str) -> Result<Self, IdError> {
        let body: [u8; 11] = digits(KIND, "11 digits (without the check digit)", first11)?;
        let mut text = String::with_capacity(12);
        text.push_str(first11);
        text.push(char::from(b'0' + Self::check_digit(&body)));
        Ok(Self(text))
    }

    /// The check digit for the 11 body digits (values 0–9, most significant first):
    /// Σ Pₙ·Qₙ with Pₙ the n-th digit from the right, Qₙ = n+1 (n ≤ 6) or n−5 (n ≥ 7);
    /// r = Σ mod 11; check = 0 if r ≤ 1, else 11 − r.
    pub fn check_digit(body: &[u8; 11]) -> u8 {
        let sum: u32 = body
            .iter()
            .rev()
            .zip(1u32..)
            .map(|(&p, n)| u32::from(p) * if n <= 6 { n + 1 } else { n - 5 })
            .sum();
        let r = sum % 11;
        if r <= 1 { 0 } else { (11 - r) as u8 }
    }

    /// The 12 digits. Named so that every use is visible in review: only encryption, the blind
    /// index and audited views for staff with `can_view_my_number` should call this.
    pub fn expose_digits(&self) -> &str {
        &self.0
    }

    /// A display form that reveals no digit at all: `************`.
    pub fn masked(&self) -> String {
        "*".repeat(12)
    }
}

impl fmt::Debug for MyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MyNumber({})", Self::MASK)
    }
}

impl fmt::Display for MyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MASK)
    }
}

/// Serializing exposes the digits: see the type docs.
impl serde::Serialize for MyNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.expose_digits())
    }
}

super::impl_parse_traits!(MyNumber);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_published_sample_number() {
        assert!(MyNumber::parse("123456789018").is_ok());
    }

    #[test]
    fn rejects_the_sample_number_with_another_check_digit() {
        assert_eq!(
            MyNumber::parse("123456789017"),
            Err(IdError::BadCheckDigit { kind: KIND })
        );
    }

    #[test]
    fn from_body_appends_the_check_digit() {
        assert_eq!(
            MyNumber::from_body("12345678901").unwrap().expose_digits(),
            "123456789018"
        );
    }
}
