//! Growing delays after failed logins, per account (in the municipality's table) and per source
//! address (in the platform table, keyed by an HMAC of the address). Counted for user ids that
//! do not exist exactly as for those that do, so the answer reveals nothing.

use serde::{Deserialize, Serialize};
use sesshu_store::{AttrValue, Condition, Item, Key, Store};

use crate::error::CoreError;

/// Failures before delays start, and how the delay grows.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    pub free_failures: u32,
    pub first_delay_s: u64,
    pub max_delay_s: u64,
    /// Failures are forgotten this long after the last one.
    pub memory_s: u64,
}

impl LockoutPolicy {
    pub const ACCOUNT: Self = Self {
        free_failures: 5,
        first_delay_s: 30,
        max_delay_s: 15 * 60,
        memory_s: 24 * 60 * 60,
    };
    /// A source address may try more (an office behind one NAT address).
    pub const SOURCE: Self = Self {
        free_failures: 20,
        first_delay_s: 30,
        max_delay_s: 15 * 60,
        memory_s: 24 * 60 * 60,
    };

    /// The delay after `failures` failures: none up to the free ones, then doubling.
    pub fn delay_after(&self, failures: u32) -> u64 {
        if failures < self.free_failures {
            return 0;
        }
        let doublings = (failures - self.free_failures).min(20);
        self.first_delay_s
            .saturating_mul(1u64 << doublings)
            .min(self.max_delay_s)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Failures {
    count: u32,
    last_at: u64,
}

/// A failure counter stored in one item.
pub struct Counter<'a> {
    store: &'a dyn Store,
    key: Key,
    policy: LockoutPolicy,
}

impl<'a> Counter<'a> {
    pub fn account(store: &'a dyn Store, municipality: &str, user_id: &str) -> Self {
        // User ids as typed: bounded so a long input cannot make a long key.
        let user_id: String = user_id.chars().take(64).collect::<String>().to_lowercase();
        Self {
            store,
            key: Key::new(format!("LOCK#{municipality}#{user_id}"), "L"),
            policy: LockoutPolicy::ACCOUNT,
        }
    }

    /// `source_mac`: an HMAC of the address, so the table holds no addresses.
    pub fn source(store: &'a dyn Store, source_mac: &str) -> Self {
        Self {
            store,
            key: Key::new(format!("LOCKSRC#{source_mac}"), "L"),
            policy: LockoutPolicy::SOURCE,
        }
    }

    async fn read(&self) -> Result<(Failures, Option<u64>), CoreError> {
        let Some(item) = self.store.get(&self.key).await? else {
            return Ok((Failures::default(), None));
        };
        let failures = item
            .get("failures")
            .and_then(AttrValue::as_s)
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        Ok((failures, Some(item.version)))
    }

    /// Seconds to wait before the next attempt is even checked; 0 when free to try.
    pub async fn wait_s(&self, now: u64) -> Result<u64, CoreError> {
        let (failures, _) = self.read().await?;
        let until = failures.last_at + self.policy.delay_after(failures.count);
        Ok(until.saturating_sub(now))
    }

    /// Counts a failure (atomically against concurrent failures).
    pub async fn fail(&self, now: u64) -> Result<(), CoreError> {
        for _ in 0..5 {
            let (mut failures, version) = self.read().await?;
            failures.count = failures.count.saturating_add(1);
            failures.last_at = now;
            let body = serde_json::to_string(&failures)
                .map_err(|_| CoreError::Corrupt("failure counter".into()))?;
            let mut item = Item::new(self.key.clone())
                .with("failures", AttrValue::S(body))
                .expiring_at(now + self.policy.memory_s);
            let condition = match version {
                Some(version) => {
                    item = item.with_version(version + 1);
                    Condition::VersionIs(version)
                }
                None => Condition::MustNotExist,
            };
            if self.store.put(item, condition).await.is_ok() {
                return Ok(());
            }
        }
        Err(CoreError::Conflict("too many concurrent login attempts"))
    }

    /// Forgets the failures after a successful login.
    pub async fn clear(&self) -> Result<(), CoreError> {
        Ok(self.store.delete(&self.key, Condition::None).await?)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_the_free_failures_and_double_up_to_the_cap() {
        let policy = LockoutPolicy::ACCOUNT;
        assert_eq!(policy.delay_after(4), 0);
        assert_eq!(policy.delay_after(5), 30);
        assert_eq!(policy.delay_after(6), 60);
        assert_eq!(policy.delay_after(7), 120);
        assert_eq!(policy.delay_after(10), 900);
        assert_eq!(policy.delay_after(u32::MAX), 900);
    }
}
