//! The one clock of the system: every timestamp (records, sessions, logs) comes from here, so
//! tests can fix time and production uses one source (UTC).

use std::sync::atomic::{AtomicI64, Ordering};

use time::OffsetDateTime;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;

    fn now_epoch_s(&self) -> u64 {
        u64::try_from(self.now().unix_timestamp()).unwrap_or(0)
    }

    fn today(&self) -> time::Date {
        self.now().date()
    }
}

/// Wall-clock time in UTC.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until moved; for tests and reproducible demo data.
#[derive(Debug)]
pub struct FixedClock {
    epoch_s: AtomicI64,
}

impl FixedClock {
    pub fn at(time: OffsetDateTime) -> Self {
        Self {
            epoch_s: AtomicI64::new(time.unix_timestamp()),
        }
    }

    pub fn advance(&self, seconds: i64) {
        self.epoch_s.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.epoch_s.load(Ordering::SeqCst))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}
