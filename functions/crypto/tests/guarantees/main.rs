//! Every guarantee of the field-encryption scheme, each proven by a test
//! (docs/decisions/0002-field-encryption.md lists which test proves what).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod blind_index;
mod field_codec;
mod key_cache;
mod support;
