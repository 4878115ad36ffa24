//! Bounded exponential backoff with jitter, on top of the SDK's own retries.
//!
//! The SDK already retries throttling a few times; under a sustained burst (a large import, a
//! hot partition) that is not enough, and giving up early would turn load into user-visible
//! errors. So the adapters wrap each call in [`Backoff::retry`] with a larger, still bounded,
//! budget.

use std::time::Duration;

use rand::Rng;

/// Why a failed call may be worth repeating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The service shed load (throttling, provisioned throughput, request limit).
    Throttled,
    /// A concurrent transaction touched the same item; the next attempt may see a condition fail.
    Conflict,
    /// A condition expression did not hold.
    ConditionFailed,
    /// Anything else: not retried here.
    Other,
}

/// Classifies a DynamoDB error code or a transaction cancellation reason code.
pub fn classify(code: &str) -> ErrorClass {
    match code {
        "ProvisionedThroughputExceededException"
        | "ProvisionedThroughputExceeded"
        | "ThrottlingException"
        | "ThrottlingError"
        | "Throttling"
        | "RequestLimitExceeded"
        | "TooManyRequestsException" => ErrorClass::Throttled,
        "TransactionConflictException"
        | "TransactionConflict"
        | "TransactionInProgressException" => ErrorClass::Conflict,
        "ConditionalCheckFailedException" | "ConditionalCheckFailed" => ErrorClass::ConditionFailed,
        _ => ErrorClass::Other,
    }
}

/// The retry schedule: attempt `n` (0-based) waits a random time in `[cap/2, cap]` where
/// `cap = min(max_delay, base * 2^n)` ("equal jitter": it spreads competing clients apart while
/// still growing, unlike full jitter whose waits may all be near zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max_delay: Duration,
    /// Most retries after a throttled attempt.
    pub max_throttle_retries: u32,
    /// Most retries after a transaction conflict (few: contention rarely resolves by waiting).
    pub max_conflict_retries: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_millis(25),
            max_delay: Duration::from_secs(2),
            max_throttle_retries: 8,
            max_conflict_retries: 3,
        }
    }
}

/// A failed attempt as [`Backoff::retry`] sees it.
#[derive(Debug)]
pub enum Attempt<E> {
    /// May succeed if repeated later.
    Retry(ErrorClass, E),
    /// Repeating cannot help.
    Fail(E),
}

impl Backoff {
    /// The upper bound of the wait before retry `attempt` (0-based).
    pub fn cap(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.max_delay)
    }

    /// A jittered wait before retry `attempt`, within `[cap/2, cap]`.
    pub fn delay(&self, attempt: u32, rng: &mut impl Rng) -> Duration {
        let cap = self.cap(attempt);
        let half = cap / 2;
        let spread = (cap - half).as_micros() as u64;
        half + Duration::from_micros(rng.gen_range(0..=spread))
    }

    /// Runs `op` until it succeeds, fails for good, or the retry budget for its error class is
    /// spent; then returns its last error.
    pub async fn retry<T, E, F, Fut>(&self, mut op: F) -> Result<T, E>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, Attempt<E>>>,
    {
        let mut throttled = 0u32;
        let mut conflicted = 0u32;
        let mut attempt = 0u32;
        loop {
            match op().await {
                Ok(value) => return Ok(value),
                Err(Attempt::Fail(err)) => return Err(err),
                Err(Attempt::Retry(class, err)) => {
                    let budget_left = match class {
                        ErrorClass::Throttled => {
                            throttled += 1;
                            throttled <= self.max_throttle_retries
                        }
                        ErrorClass::Conflict => {
                            conflicted += 1;
                            conflicted <= self.max_conflict_retries
                        }
                        ErrorClass::ConditionFailed | ErrorClass::Other => false,
                    };
                    if !budget_left {
                        return Err(err);
                    }
                    let wait = self.delay(attempt, &mut rand::thread_rng());
                    tracing::debug!(
                        ?class,
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        "retrying"
                    );
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn fast() -> Backoff {
        Backoff {
            base: Duration::from_millis(1),
            max_delay: Duration::from_millis(4),
            max_throttle_retries: 3,
            max_conflict_retries: 1,
        }
    }

    #[test]
    fn cap_doubles_until_the_maximum_and_stays_there() {
        let b = Backoff::default();
        let caps: Vec<_> = (0..10).map(|n| b.cap(n).as_millis()).collect();
        assert_eq!(
            caps,
            vec![25, 50, 100, 200, 400, 800, 1600, 2000, 2000, 2000]
        );
        assert_eq!(b.cap(200), b.max_delay);
    }

    #[test]
    fn delays_stay_within_half_cap_and_cap() {
        let b = Backoff::default();
        let mut rng = StdRng::seed_from_u64(7);
        for attempt in 0..40 {
            for _ in 0..50 {
                let d = b.delay(attempt, &mut rng);
                assert!(
                    d >= b.cap(attempt) / 2 && d <= b.cap(attempt),
                    "{d:?} at {attempt}"
                );
            }
        }
    }

    #[test]
    fn delays_are_jittered_not_constant() {
        let b = Backoff::default();
        let mut rng = StdRng::seed_from_u64(11);
        let distinct: std::collections::BTreeSet<_> =
            (0..20).map(|_| b.delay(3, &mut rng)).collect();
        assert!(
            distinct.len() > 10,
            "only {} distinct delays",
            distinct.len()
        );
    }

    #[test]
    fn total_wait_is_bounded_by_the_budget() {
        let b = Backoff::default();
        let worst: Duration = (0..b.max_throttle_retries).map(|n| b.cap(n)).sum();
        assert!(worst <= Duration::from_secs(10), "{worst:?}");
    }

    #[test]
    fn classifies_throttling_conflicts_and_condition_failures() {
        for code in [
            "ProvisionedThroughputExceededException",
            "ThrottlingException",
            "RequestLimitExceeded",
            "ThrottlingError",
            "ProvisionedThroughputExceeded",
        ] {
            assert_eq!(classify(code), ErrorClass::Throttled, "{code}");
        }
        assert_eq!(classify("TransactionConflict"), ErrorClass::Conflict);
        assert_eq!(
            classify("TransactionConflictException"),
            ErrorClass::Conflict
        );
        assert_eq!(
            classify("ConditionalCheckFailed"),
            ErrorClass::ConditionFailed
        );
        assert_eq!(
            classify("ConditionalCheckFailedException"),
            ErrorClass::ConditionFailed
        );
        assert_eq!(classify("ValidationException"), ErrorClass::Other);
        assert_eq!(classify("ResourceNotFoundException"), ErrorClass::Other);
    }

    #[tokio::test]
    async fn retries_throttling_until_success() {
        let mut calls = 0;
        let result: Result<u32, &str> = fast()
            .retry(|| {
                calls += 1;
                let n = calls;
                async move {
                    if n < 3 {
                        Err(Attempt::Retry(ErrorClass::Throttled, "slow down"))
                    } else {
                        Ok(n)
                    }
                }
            })
            .await;
        assert_eq!(result, Ok(3));
    }

    #[tokio::test]
    async fn gives_up_after_the_throttle_budget() {
        let mut calls = 0;
        let result: Result<(), &str> = fast()
            .retry(|| {
                calls += 1;
                async { Err(Attempt::Retry(ErrorClass::Throttled, "slow down")) }
            })
            .await;
        assert_eq!(result, Err("slow down"));
        assert_eq!(calls, 4, "one attempt plus three retries");
    }

    #[tokio::test]
    async fn retries_conflicts_only_a_few_times() {
        let mut calls = 0;
        let result: Result<(), &str> = fast()
            .retry(|| {
                calls += 1;
                async { Err(Attempt::Retry(ErrorClass::Conflict, "conflict")) }
            })
            .await;
        assert_eq!(result, Err("conflict"));
        assert_eq!(calls, 2);
    }

    #[tokio::test]
    async fn does_not_retry_a_final_failure() {
        let mut calls = 0;
        let result: Result<(), &str> = fast()
            .retry(|| {
                calls += 1;
                async { Err(Attempt::Fail("bad request")) }
            })
            .await;
        assert_eq!(result, Err("bad request"));
        assert_eq!(calls, 1);
    }
}
