//! Encryption of personal attributes before they reach any store.
//!
//! - [`keyring`]: the `Keyring` port (KMS in AWS, a local master key file otherwise) that hands
//!   out per-municipality data keys wrapped under an encryption context.
//! - The field codec and blind index live beside it (see ARCHITECTURE.md).

pub mod keyring;

pub use keyring::{DataKey, GeneratedKey, KeyContext, KeyPurpose, Keyring, KeyringError};
