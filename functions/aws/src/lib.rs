//! AWS adapters of the ports: [`DynamoStore`] (the `Store` on DynamoDB, one table per
//! municipality) and [`KmsKeyring`] (the `Keyring` on a KMS key per municipality).
//!
//! Both are tested against moto server (see the `moto` feature and `tests/`).

pub mod backoff;
pub mod dynamo;
pub mod kms;
#[cfg(feature = "moto")]
pub mod moto;

pub use backoff::{Backoff, ErrorClass};
pub use dynamo::{DynamoStore, DynamoTables, PLATFORM_TABLE};
pub use kms::KmsKeyring;
