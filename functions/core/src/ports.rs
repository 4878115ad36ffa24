//! Ports to the national systems we cannot reach. Simulators implement them locally
//! (crate `sesshu-simulators`); real adapters replace them in production.

use async_trait::async_trait;
use sesshu_domain::{MyNumber, PmhKey};

#[derive(Debug, thiserror::Error)]
pub enum PmhError {
    #[error("PMH did not answer in time")]
    Timeout,
    /// PMH answered with something other than what the interface allows.
    #[error("PMH answered out of contract: {0}")]
    Protocol(String),
    #[error("PMH is unavailable: {0}")]
    Unavailable(String),
}

/// One answer of PMH key assignment: PMH returns the My Number unaltered beside the key,
/// and the caller must check that it matches what was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PmhAssignment {
    pub my_number: MyNumber,
    pub pmh_key: PmhKey,
}

/// Public Medical Hub: assigns (or reuses) a PMH key for a My Number, via the insurers'
/// intermediary server.
#[async_trait]
pub trait Pmh: Send + Sync + 'static {
    /// Assigns keys for a batch of My Numbers; the answer has one entry per input, same order.
    async fn assign_keys(&self, my_numbers: &[MyNumber]) -> Result<Vec<PmhAssignment>, PmhError>;
}
