//! The one error type of the field codec, key cache and blind index.

use sesshu_store::StoreError;

use crate::key_cache::KeyId;
use crate::keyring::KeyringError;

/// What can go wrong while sealing, opening or indexing. Messages name attributes and key ids
/// (not personal data) but never a value.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// The item was tampered with, pasted, truncated, or opened with the wrong key or tenant.
    /// Deliberately says nothing more: the reason would help an attacker, not an operator.
    #[error("integrity check failed")]
    Integrity,
    /// Fail-closed schema: every attribute must be declared with a protection.
    #[error(
        "attribute {attribute} is not declared in schema {schema}; declare it as \
         EncryptAndSign, SignOnly or Plain before storing it"
    )]
    UndeclaredAttribute {
        schema: &'static str,
        attribute: String,
    },
    /// The schema itself is unusable (duplicate or reserved attribute names).
    #[error("schema {schema} is invalid: {reason}")]
    InvalidSchema {
        schema: &'static str,
        reason: String,
    },
    /// The item was sealed under another version of the schema.
    #[error(
        "item was sealed with schema {schema} version {found}, not {expected}; \
         open it with the schema version it was sealed with"
    )]
    SchemaVersion {
        schema: &'static str,
        expected: u16,
        found: i64,
    },
    /// The tenant's table has no data key with this id.
    #[error("no {purpose} data key {kid} in this municipality's table")]
    MissingKey { purpose: &'static str, kid: KeyId },
    /// A key item in the tenant's table is malformed.
    #[error("malformed key item {0} in this municipality's table")]
    MalformedKeyItem(String),
    /// Blind-index keys never rotate: every stored index would stop matching.
    #[error("{0} keys cannot be rotated in place; rebuild the indexes under a new key instead")]
    RotationUnsupported(&'static str),
    /// A beacon is between 1 and 64 bits long.
    #[error("a beacon must be 1 to 64 bits long, got {0}")]
    BeaconBits(u8),
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    #[error(transparent)]
    Store(#[from] StoreError),
}
