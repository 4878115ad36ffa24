//! Ports to the national systems we cannot reach. Simulators implement them locally
//! (crate `sesshu-simulators`); real adapters replace them in production.

use async_trait::async_trait;
use sesshu_domain::{MunicipalityCode, MyNumber, PmhKey, PmhPseudonym};

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

/// Why Mynaportal did not take a notice. The reason codes are stored with the notice and shown
/// to staff, so they never carry personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    #[error("Mynaportal did not answer in time")]
    Timeout,
    #[error("Mynaportal is unavailable")]
    Unavailable,
    /// Mynaportal refused the notice (e.g. the pseudonym is no longer valid); `code` is its
    /// reason code.
    #[error("Mynaportal refused the notice: {code}")]
    Rejected { code: String },
}

impl NotifyError {
    /// The short code stored with the notice: `timeout`, `unavailable`, `rejected:<code>`.
    pub fn code(&self) -> String {
        match self {
            Self::Timeout => "timeout".to_owned(),
            Self::Unavailable => "unavailable".to_owned(),
            Self::Rejected { code } => format!("rejected:{code}"),
        }
    }
}

/// A notice registered at Mynaportal for a resident (③マイナポータルへの通知): the PMH
/// pseudonym and the notice's texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalNotice {
    /// Our deterministic notice id; Mynaportal must treat it as an idempotency key, so a
    /// delivery repeated after a crash shows the notice once.
    pub notice_id: String,
    pub pseudonym: PmhPseudonym,
    pub municipality: MunicipalityCode,
    pub title_ja: String,
    pub body_ja: String,
    pub title_en: String,
    pub body_en: String,
}

/// Mynaportal's notification interface.
#[async_trait]
pub trait Mynaportal: Send + Sync + 'static {
    /// Registers a notice for the resident behind `notice.pseudonym`.
    async fn notify(&self, notice: &PortalNotice) -> Result<(), NotifyError>;
}
