use serde::{Deserialize, Serialize};

use super::{IdError, IdKind, digits, luhn_check_digit, to_text};

const KIND: IdKind = IdKind::InstitutionCode;
const EXPECTED: &str = "10 digits";

/// 点数表番号: the third digit of an institution code, saying which fee schedule the institution
/// claims under.
///
/// The national scheme also has 6 (訪問看護ステーション) and digits for care and therapy
/// providers; none of them give vaccinations, so we reject them rather than accept a code that
/// cannot be a vaccinating institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScoreTable {
    /// 1: 医科 (medical clinics and hospitals), the usual vaccinating institution.
    Medical,
    /// 3: 歯科 (dental).
    Dental,
    /// 4: 調剤 (pharmacies).
    Pharmacy,
}

impl ScoreTable {
    /// The digit in the code.
    pub fn digit(self) -> u8 {
        match self {
            Self::Medical => 1,
            Self::Dental => 3,
            Self::Pharmacy => 4,
        }
    }

    /// The score table for a digit, if we accept it.
    pub fn from_digit(digit: u8) -> Option<Self> {
        match digit {
            1 => Some(Self::Medical),
            3 => Some(Self::Dental),
            4 => Some(Self::Pharmacy),
            _ => None,
        }
    }
}

/// 医療機関コード as printed on prescriptions and claims: 10 digits = prefecture (01–47) +
/// score-table digit ([`ScoreTable`]) + 7-digit institution code (郡市区番号 2 + 医療機関番号 4 +
/// 検証番号 1), e.g. `0110113719`.
///
/// The 検証番号 is a Luhn check digit over the first 9 digits of the whole 10-digit code,
/// prefecture and score table included (the national rule computes it together with them; a
/// Luhn over only the 7-digit part would reject the example `0110113719`). Luhn catches every
/// single-digit substitution.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstitutionCode(String);

impl InstitutionCode {
    /// Parses 10 half-width digits: prefecture in range, known score table, valid check digit.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let d: [u8; 10] = digits(KIND, EXPECTED, s)?;
        Self::check_parts(&d[..9])?;
        if luhn_check_digit(&d[..9]) != d[9] {
            return Err(IdError::BadCheckDigit { kind: KIND });
        }
        Ok(Self(s.to_owned()))
    }

    /// Builds a code from its first 9 digits by appending the Luhn check digit (for generators).
    pub fn from_body(first9: &str) -> Result<Self, IdError> {
        let body: [u8; 9] = digits(KIND, "9 digits (without the check digit)", first9)?;
        Self::check_parts(&body)?;
        let mut d = body.to_vec();
        d.push(luhn_check_digit(&body));
        Ok(Self(to_text(&d)))
    }

    fn check_parts(d: &[u8]) -> Result<(), IdError> {
        let prefecture = d[0] * 10 + d[1];
        if !(1..=47).contains(&prefecture) {
            return Err(IdError::PrefectureOutOfRange {
                kind: KIND,
                prefecture,
            });
        }
        if ScoreTable::from_digit(d[2]).is_none() {
            return Err(IdError::UnknownScoreTable {
                kind: KIND,
                digit: d[2],
            });
        }
        Ok(())
    }

    /// The 10 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The prefecture number, 1–47 (JIS X 0401).
    pub fn prefecture(&self) -> u8 {
        let b = self.0.as_bytes();
        (b[0] - b'0') * 10 + (b[1] - b'0')
    }

    /// The fee schedule the institution claims under.
    pub fn score_table(&self) -> ScoreTable {
        match self.0.as_bytes()[2] {
            b'3' => ScoreTable::Dental,
            b'4' => ScoreTable::Pharmacy,
            // parse() admits only 1, 3 and 4.
            _ => ScoreTable::Medical,
        }
    }

    /// The 7-digit code the regional health bureau assigns (check digit included).
    pub fn local_code(&self) -> &str {
        &self.0[3..]
    }
}

super::impl_public_id!(InstitutionCode);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_design_example_and_reads_its_parts() {
        let code = InstitutionCode::parse("0110113719").unwrap();
        assert_eq!(code.prefecture(), 1);
        assert_eq!(code.score_table(), ScoreTable::Medical);
        assert_eq!(code.local_code(), "0113719");
    }

    #[test]
    fn from_body_reproduces_the_design_example() {
        assert_eq!(
            InstitutionCode::from_body("011011371").unwrap().as_str(),
            "0110113719"
        );
    }

    #[test]
    fn rejects_prefecture_zero_and_48() {
        assert_eq!(
            InstitutionCode::from_body("001011371"),
            Err(IdError::PrefectureOutOfRange {
                kind: KIND,
                prefecture: 0
            })
        );
        assert!(matches!(
            InstitutionCode::from_body("481011371"),
            Err(IdError::PrefectureOutOfRange { prefecture: 48, .. })
        ));
    }

    #[test]
    fn rejects_visiting_nursing_score_table() {
        assert_eq!(
            InstitutionCode::from_body("136011371"),
            Err(IdError::UnknownScoreTable {
                kind: KIND,
                digit: 6
            })
        );
    }
}
