use super::{IdError, IdKind, opaque};

/// 自治体業務ID: the id the municipality's health-management system (健康管理システム) uses for
/// a person, carried through CSV import and export so rows can be matched back.
///
/// Each vendor has its own format (often a 宛名番号 of 10–15 digits), so we accept 1–64
/// characters of `[A-Za-z0-9_-]`. It identifies a person within the municipality: treat it as
/// personal data and do not log it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MunicipalBusinessId(String);

impl MunicipalBusinessId {
    /// Longest accepted id, in characters.
    pub const MAX_LEN: usize = 64;

    /// Parses 1–64 characters of `[A-Za-z0-9_-]`.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        opaque(
            IdKind::MunicipalBusinessId,
            "1-64 characters",
            Self::MAX_LEN,
            s,
        )?;
        Ok(Self(s.to_owned()))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for MunicipalBusinessId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MunicipalBusinessId(<redacted>)")
    }
}

impl From<MunicipalBusinessId> for String {
    fn from(id: MunicipalBusinessId) -> String {
        id.0
    }
}

impl serde::Serialize for MunicipalBusinessId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

super::impl_parse_traits!(MunicipalBusinessId);
