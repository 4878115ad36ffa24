use super::{IdError, IdKind, opaque};

/// 予防接種管理ID: which vaccination (disease and dose, as the municipality's settings define
/// it) a questionnaire or record belongs to. Opaque; 1–64 characters of `[A-Za-z0-9_-]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VaccinationManagementId(String);

impl VaccinationManagementId {
    /// Longest accepted id, in characters.
    pub const MAX_LEN: usize = 64;

    /// Parses 1–64 characters of `[A-Za-z0-9_-]`.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        opaque(
            IdKind::VaccinationManagementId,
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

super::impl_public_id!(VaccinationManagementId);
