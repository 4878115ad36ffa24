use super::{IdError, IdKind, opaque};

/// PMH仮名識別子: the resident's identity as Mynaportal presents it (the token subject).
///
/// Its format is not public, so we accept 1–128 characters of `[A-Za-z0-9_-]` and keep it
/// opaque. It is pseudonymous, so `Display` shows it; but never log it next to personal data
/// (name, address, My Number), which would undo the pseudonymisation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PmhPseudonym(String);

impl PmhPseudonym {
    /// Longest accepted pseudonym, in characters.
    pub const MAX_LEN: usize = 128;

    /// Parses 1–128 characters of `[A-Za-z0-9_-]`.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        opaque(IdKind::PmhPseudonym, "1-128 characters", Self::MAX_LEN, s)?;
        Ok(Self(s.to_owned()))
    }

    /// The pseudonym.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::impl_public_id!(PmhPseudonym);
