//! The `Keyring` port: data keys per municipality and purpose, wrapped by a master key that
//! never leaves the keyring (a KMS customer-managed key in AWS; a 0600 file locally).

use async_trait::async_trait;
use zeroize::Zeroizing;

/// What a data key is for. Part of the encryption context, so a key generated for one purpose
/// cannot be unwrapped as another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyPurpose {
    /// Encrypts personal attributes (per-item keys are derived from it).
    FieldEncryption,
    /// Keys the HMAC blind indexes (My Number lookup, beacons).
    BlindIndex,
    /// Signs the backend's own session tokens.
    Session,
    /// Keys the HMAC chain of the operation log (操作ログ), so an edit, insertion or deletion of
    /// an entry shows without the key; rotation is fine because each entry names its key id.
    AuditChain,
}

impl KeyPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyPurpose::FieldEncryption => "field-encryption",
            KeyPurpose::BlindIndex => "blind-index",
            KeyPurpose::Session => "session",
            KeyPurpose::AuditChain => "audit-chain",
        }
    }
}

/// The encryption context a data key is bound to: `{ municipality, purpose }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyContext {
    /// The tenant: a 6-digit municipality code, or `platform` for the platform directory.
    pub municipality: String,
    pub purpose: KeyPurpose,
}

impl KeyContext {
    pub fn new(municipality: impl Into<String>, purpose: KeyPurpose) -> Self {
        Self {
            municipality: municipality.into(),
            purpose,
        }
    }

    /// The context as the name/value pairs KMS binds (and logs in CloudTrail: no personal data).
    pub fn pairs(&self) -> [(&'static str, &str); 2] {
        [
            ("municipality", self.municipality.as_str()),
            ("purpose", self.purpose.as_str()),
        ]
    }
}

/// A plaintext 256-bit data key; zeroed on drop and never printed.
#[derive(Clone)]
pub struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    pub fn try_from_slice(bytes: &[u8]) -> Result<Self, KeyringError> {
        let array: [u8; 32] = bytes
            .try_into()
            .map_err(|_| KeyringError::Malformed("a data key must be 32 bytes".into()))?;
        Ok(Self::from_bytes(array))
    }

    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

/// A freshly generated data key: the plaintext for use now, the wrapped form to store.
#[derive(Debug, Clone)]
pub struct GeneratedKey {
    pub plaintext: DataKey,
    pub wrapped: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// The wrapped key does not open under this context (wrong municipality/purpose, tampered).
    #[error("data key does not decrypt under this context")]
    WrongContext,
    #[error("malformed key material: {0}")]
    Malformed(String),
    #[error("keyring backend failed: {0}")]
    Backend(String),
}

/// The keyring port.
#[async_trait]
pub trait Keyring: Send + Sync + 'static {
    /// A new random data key for `context` (KMS GenerateDataKey).
    async fn generate_data_key(&self, context: &KeyContext) -> Result<GeneratedKey, KeyringError>;

    /// Unwraps a key produced by [`Keyring::generate_data_key`] for the same context (KMS Decrypt).
    async fn decrypt_data_key(
        &self,
        context: &KeyContext,
        wrapped: &[u8],
    ) -> Result<DataKey, KeyringError>;
}
