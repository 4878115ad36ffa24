//! Simulators of the national systems we cannot reach from here: Mynaportal (login with an
//! ES256 ID token, JWKS) and PMH (PMH key assignment and the pseudonym → key → municipalities
//! directory), plus the synthetic pools the demo-data generator draws from.
//!
//! **Invariant:** this crate is for the local system and tests only. Product code depends on the
//! ports in `sesshu-core`, never on this crate, and the Lambda binaries do not link it.
//! The interfaces each simulator speaks are documented in `docs/interfaces/`.

pub mod demo_pools;
pub mod mynaportal;
pub mod mynaportal_notices;
pub mod pmh;
mod state_file;

use std::path::{Path, PathBuf};

/// Why a simulator could not load or save its state.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The state file or directory could not be read or written.
    #[error("simulator state {path} could not be accessed; check the data directory's permissions")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The state file exists but is not what this simulator wrote. It is left untouched so that
    /// nothing is lost; move it away to start afresh.
    #[error("simulator state {path} is unreadable ({reason}); move it away to start afresh")]
    Corrupt { path: PathBuf, reason: String },
}

impl SimError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_owned(),
            source,
        }
    }

    pub(crate) fn corrupt(path: &Path, reason: String) -> Self {
        Self::Corrupt {
            path: path.to_owned(),
            reason,
        }
    }
}
