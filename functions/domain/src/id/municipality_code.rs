use super::{IdError, IdKind, digits, to_text};

const KIND: IdKind = IdKind::MunicipalityCode;
const EXPECTED: &str = "6 digits";

/// 全国地方公共団体コード: 6 digits, the last a check digit
/// (11 − (d₁·6 + d₂·5 + d₃·4 + d₄·3 + d₅·2) mod 11) mod 10; e.g. 131016 (千代田区).
/// The tenant id of this system.
///
/// The check digit catches a single mistyped digit except when the typo moves the weighted sum
/// between remainders 0 and 10 mod 11, which share check digit 1.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MunicipalityCode(String);

impl MunicipalityCode {
    /// Parses 6 half-width digits with a valid check digit.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let d: [u8; 6] = digits(KIND, EXPECTED, s)?;
        let mut body = [0u8; 5];
        body.copy_from_slice(&d[..5]);
        if Self::check_digit(&body) != d[5] {
            return Err(IdError::BadCheckDigit { kind: KIND });
        }
        Ok(Self(s.to_owned()))
    }

    /// Builds a code from its first 5 digits (都道府県 2 + 市区町村 3) by appending the check digit.
    pub fn from_body(first5: &str) -> Result<Self, IdError> {
        let body: [u8; 5] = digits(KIND, "5 digits (without the check digit)", first5)?;
        let mut d = body.to_vec();
        d.push(Self::check_digit(&body));
        Ok(Self(to_text(&d)))
    }

    /// The check digit for the first 5 digits (values 0–9).
    pub fn check_digit(body: &[u8; 5]) -> u8 {
        let sum: u32 = body
            .iter()
            .zip([6u32, 5, 4, 3, 2])
            .map(|(&d, w)| u32::from(d) * w)
            .sum();
        ((11 - sum % 11) % 10) as u8
    }

    /// The 6 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The prefecture number (01–47 for real codes), from the first two digits.
    pub fn prefecture(&self) -> u8 {
        let b = self.0.as_bytes();
        (b[0] - b'0') * 10 + (b[1] - b'0')
    }
}

super::impl_public_id!(MunicipalityCode);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn accepts_chiyoda_and_osaka() {
        assert!(MunicipalityCode::parse("131016").is_ok());
        assert!(MunicipalityCode::parse("271004").is_ok());
    }

    #[test]
    fn from_body_computes_chiyodas_check_digit() {
        assert_eq!(
            MunicipalityCode::from_body("13101").unwrap().as_str(),
            "131016"
        );
        assert_eq!(MunicipalityCode::parse("131016").unwrap().prefecture(), 13);
    }

    #[test]
    fn rejects_chiyoda_with_a_wrong_check_digit() {
        assert_eq!(
            MunicipalityCode::parse("131015"),
            Err(IdError::BadCheckDigit { kind: KIND })
        );
    }
}
