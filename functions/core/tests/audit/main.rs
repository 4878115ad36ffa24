//! The operation log (hash chain, paging, expiry, group commit) and intrusion detection.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod alerts;
mod chain;
mod support;
mod tampering;
