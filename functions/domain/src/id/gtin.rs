use super::{IdError, IdKind, digit_value, to_text};

const KIND: IdKind = IdKind::Gtin;
const EXPECTED: &str = "13 or 14 digits";

/// GTIN-13 (JAN) or GTIN-14, as scanned from a vaccine's GS1 barcode (AI 01), with the GS1
/// mod-10 check digit (weights 3, 1, 3, … from the right, excluding the check digit), which
/// catches every single-digit substitution.
///
/// Kept as given (13 or 14 digits); compare by [`Gtin::as_gtin14`] when the source may differ.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gtin(String);

impl Gtin {
    /// Parses a GTIN-13 or GTIN-14 with a valid check digit.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let d = gtin_digits(EXPECTED, 13, s)?;
        let (body, check) = d.split_at(d.len() - 1);
        if Self::check_digit(body) != check[0] {
            return Err(IdError::BadCheckDigit { kind: KIND });
        }
        Ok(Self(s.to_owned()))
    }

    /// Builds a GTIN from its first 12 (GTIN-13) or 13 (GTIN-14) digits by appending the check
    /// digit.
    pub fn from_body(body: &str) -> Result<Self, IdError> {
        let mut d = gtin_digits("12 or 13 digits (without the check digit)", 12, body)?;
        d.push(Self::check_digit(&d));
        Ok(Self(to_text(&d)))
    }

    /// The GS1 mod-10 check digit for `body` (digit values, most significant first).
    pub fn check_digit(body: &[u8]) -> u8 {
        let sum: u32 = body
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &d)| u32::from(d) * if i % 2 == 0 { 3 } else { 1 })
            .sum();
        ((10 - sum % 10) % 10) as u8
    }

    /// The digits as given (13 or 14).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 14-digit form (a GTIN-13 gets a leading 0; the check digit stays valid).
    pub fn as_gtin14(&self) -> String {
        format!("{:0>14}", self.0)
    }
}

/// `min` or `min + 1` digits.
fn gtin_digits(expected: &'static str, min: usize, s: &str) -> Result<Vec<u8>, IdError> {
    let count = s.chars().count();
    if count == 0 {
        return Err(IdError::Empty {
            kind: KIND,
            expected,
        });
    }
    if count != min && count != min + 1 {
        return Err(IdError::WrongLength {
            kind: KIND,
            expected,
            actual: count,
        });
    }
    s.chars()
        .enumerate()
        .map(|(i, c)| digit_value(KIND, i + 1, c))
        .collect()
}

super::impl_public_id!(Gtin);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_real_jan_and_pads_it_to_gtin14() {
        // 4901234567894 is GS1 Japan's sample JAN.
        let gtin = Gtin::parse("4901234567894").unwrap();
        assert_eq!(gtin.as_gtin14(), "04901234567894");
        assert!(Gtin::parse(&gtin.as_gtin14()).is_ok());
    }

    #[test]
    fn from_body_computes_the_gs1_check_digit() {
        assert_eq!(
            Gtin::from_body("490123456789").unwrap().as_str(),
            "4901234567894"
        );
        assert_eq!(Gtin::from_body("1490123456789").unwrap().as_str().len(), 14);
    }

    #[test]
    fn rejects_a_gtin_8() {
        assert!(matches!(
            Gtin::parse("49012348"),
            Err(IdError::WrongLength { actual: 8, .. })
        ));
    }
}
