use super::{IdError, IdKind};

const KIND: IdKind = IdKind::RecordId;
const EXPECTED: &str = "16 lowercase hex characters";

/// 予防接種記録ID: a record's id within its person's partition, 16 lowercase hex characters
/// (64 random bits, so ids never reveal order or count).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordId(String);

impl RecordId {
    /// Length in characters.
    pub const LEN: usize = 16;

    /// Parses exactly 16 characters of `[0-9a-f]`.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let count = s.chars().count();
        if count == 0 {
            return Err(IdError::Empty {
                kind: KIND,
                expected: EXPECTED,
            });
        }
        if count != Self::LEN {
            return Err(IdError::WrongLength {
                kind: KIND,
                expected: EXPECTED,
                actual: count,
            });
        }
        if let Some(i) = s.chars().position(|c| !matches!(c, '0'..='9' | 'a'..='f')) {
            return Err(IdError::NotLowercaseHex {
                kind: KIND,
                position: i + 1,
            });
        }
        Ok(Self(s.to_owned()))
    }

    /// The id for 64 bits (from a random source the caller owns: the domain does no I/O).
    pub fn from_u64(bits: u64) -> Self {
        Self(format!("{bits:016x}"))
    }

    /// The 16 hex characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::impl_public_id!(RecordId);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn from_u64_round_trips_through_parse() {
        let id = RecordId::from_u64(0xdead_beef);
        assert_eq!(id.as_str(), "00000000deadbeef");
        assert_eq!(RecordId::parse(id.as_str()).unwrap(), id);
    }

    #[test]
    fn rejects_uppercase_hex() {
        assert_eq!(
            RecordId::parse("00000000DEADBEEF"),
            Err(IdError::NotLowercaseHex {
                kind: KIND,
                position: 9
            })
        );
    }
}
