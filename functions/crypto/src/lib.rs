//! Encryption of personal attributes before they reach any store.
//!
//! - [`keyring`]: the `Keyring` port (KMS in AWS, a local master key file otherwise) that hands
//!   out per-municipality data keys wrapped under an encryption context.
//! - [`local_keyring`]: the local adapter (a 0600 master key file).
//! - [`key_cache`]: wrapped data keys persisted in each tenant's table, unwrapped keys cached
//!   per process with single-flight refills.
//! - [`field_codec`]: [`TenantCipher::seal`] / [`TenantCipher::open`] under a fail-closed
//!   [`Schema`]: per-item keys, AES-256-GCM per attribute, key commitment, item MAC.
//! - [`blind_index`]: [`TenantCipher::blind_index`] and [`TenantCipher::beacon`].
//!
//! See docs/decisions/0002-field-encryption.md for the scheme and the test behind each
//! guarantee.

pub mod blind_index;
pub mod error;
pub mod field_codec;
pub mod key_cache;
pub mod keyring;
pub mod local_keyring;

pub use error::CryptoError;
pub use field_codec::{METADATA_ATTRIBUTES, Protection, Schema, TenantCipher};
pub use key_cache::{KEY_PARTITION_PREFIX, KeyCache, KeyCacheConfig, KeyId, TenantKeys};
pub use keyring::{DataKey, GeneratedKey, KeyContext, KeyPurpose, Keyring, KeyringError};
pub use local_keyring::LocalKeyring;
