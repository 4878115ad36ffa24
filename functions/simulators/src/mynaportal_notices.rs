//! Mynaportal's notification interface (③マイナポータルへの通知), simulated: it records each
//! notice (PMH pseudonym and texts) once per notice id, as the real interface must treat the
//! id as an idempotency key, and can be told to fail so retries can be tested and watched.
//!
//! Kept in memory: a restarted local server starts with an empty inbox (the system's own
//! delivery states survive, in the store).

use std::collections::HashSet;
use std::sync::Mutex;

use async_trait::async_trait;
use sesshu_core::ports::{Mynaportal, NotifyError, PortalNotice};
use sesshu_domain::PmhPseudonym;

/// What the inbox does with the next deliveries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailMode {
    /// Accept every notice.
    Accept,
    /// Fail every delivery with this error until told otherwise.
    Always(NotifyError),
    /// Fail the next `n` deliveries with this error, then accept.
    Next(u32, NotifyError),
}

#[derive(Debug)]
struct Inner {
    received: Vec<PortalNotice>,
    ids: HashSet<String>,
    mode: FailMode,
    calls: u64,
}

/// The simulated notification inbox of Mynaportal.
#[derive(Debug)]
pub struct MynaportalInbox {
    inner: Mutex<Inner>,
}

impl Default for MynaportalInbox {
    fn default() -> Self {
        Self::new()
    }
}

impl MynaportalInbox {
    pub fn new() -> Self {
        Self {
            inner: Mutex::new(Inner {
                received: Vec::new(),
                ids: HashSet::new(),
                mode: FailMode::Accept,
                calls: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Sets what happens to the next deliveries.
    pub fn set_mode(&self, mode: FailMode) {
        self.lock().mode = mode;
    }

    /// Every notice accepted, in arrival order (each id once).
    pub fn received(&self) -> Vec<PortalNotice> {
        self.lock().received.clone()
    }

    /// The notices accepted for one resident.
    pub fn received_by(&self, pseudonym: &PmhPseudonym) -> Vec<PortalNotice> {
        self.lock()
            .received
            .iter()
            .filter(|n| &n.pseudonym == pseudonym)
            .cloned()
            .collect()
    }

    /// How many deliveries were attempted (failed and repeated ones included).
    pub fn calls(&self) -> u64 {
        self.lock().calls
    }
}

#[async_trait]
impl Mynaportal for MynaportalInbox {
    async fn notify(&self, notice: &PortalNotice) -> Result<(), NotifyError> {
        let mut inner = self.lock();
        inner.calls += 1;
        match inner.mode.clone() {
            FailMode::Accept => {}
            FailMode::Always(error) => return Err(error),
            FailMode::Next(n, error) => {
                inner.mode = if n > 1 {
                    FailMode::Next(n - 1, error.clone())
                } else {
                    FailMode::Accept
                };
                return Err(error);
            }
        }
        if inner.ids.insert(notice.notice_id.clone()) {
            inner.received.push(notice.clone());
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn notice(id: &str) -> PortalNotice {
        PortalNotice {
            notice_id: id.to_owned(),
            pseudonym: PmhPseudonym::parse("psn_test_0001").unwrap(),
            municipality: sesshu_domain::MunicipalityCode::parse("131016").unwrap(),
            title_ja: "t".into(),
            body_ja: "b".into(),
            title_en: "t".into(),
            body_en: "b".into(),
        }
    }

    #[tokio::test]
    async fn a_notice_delivered_twice_is_recorded_once() {
        let inbox = MynaportalInbox::new();
        inbox.notify(&notice("a")).await.unwrap();
        inbox.notify(&notice("a")).await.unwrap();
        assert_eq!(inbox.received().len(), 1);
        assert_eq!(inbox.calls(), 2);
    }

    #[tokio::test]
    async fn told_to_fail_it_fails_that_many_times_then_accepts() {
        let inbox = MynaportalInbox::new();
        inbox.set_mode(FailMode::Next(2, NotifyError::Unavailable));
        assert_eq!(
            inbox.notify(&notice("a")).await,
            Err(NotifyError::Unavailable)
        );
        assert_eq!(
            inbox.notify(&notice("a")).await,
            Err(NotifyError::Unavailable)
        );
        assert_eq!(inbox.notify(&notice("a")).await, Ok(()));
        assert_eq!(inbox.received().len(), 1);
    }
}
