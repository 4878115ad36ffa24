use super::{IdError, IdKind, opaque};

/// PMHキー: the national key linking this system with PMH and the online qualification system.
///
/// Its format is not public, so we accept 1–64 characters of `[A-Za-z0-9_-]` and keep it opaque.
/// It is pseudonymous, so `Display` shows it; but it links a person across systems, so never log
/// it next to personal data (name, address, My Number).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PmhKey(String);

impl PmhKey {
    /// Longest accepted key, in characters.
    pub const MAX_LEN: usize = 64;

    /// Parses 1–64 characters of `[A-Za-z0-9_-]`.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        opaque(IdKind::PmhKey, "1-64 characters", Self::MAX_LEN, s)?;
        Ok(Self(s.to_owned()))
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::impl_public_id!(PmhKey);
