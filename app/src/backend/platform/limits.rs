//! Rate limits kept in memory: how often one key (an address network, a
//! member, an e-mail target) may do something. `governor` does the counting
//! (GCRA: a burst, then one more each `period / burst`); this module bounds
//! how many keys it remembers, since keys are chosen by whoever sends the
//! requests.

use crate::error::AppError;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::{
    hash::Hash,
    num::NonZeroU32,
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

/// Keys a limit remembers at most (about 100 bytes each).
pub const MAX_KEYS: usize = 100_000;

/// Every in-memory limit the server keeps, shared by all requests (in
/// `AppState`). Each field says what it counts and under which key.
pub struct Limits {
    /// Anonymous listing views that count (and store a row), per address
    /// network: a visitor browsing counts each listing once a day; a script
    /// walking every listing stops counting.
    pub anonymous_views: Limit<std::net::IpAddr>,
    /// Anonymous views that count per listing: many networks together
    /// cannot make one listing "popular" faster than this.
    pub listing_views: Limit<i64>,
    /// CAPTCHA images drawn per address network (each costs CPU).
    pub captcha_images: Limit<std::net::IpAddr>,
    /// Sessions a CAPTCHA image may create (for a browser without one) per
    /// address network: each is a stored row.
    pub captcha_sessions: Limit<std::net::IpAddr>,
}

impl Default for Limits {
    fn default() -> Self {
        const MINUTE: Duration = Duration::from_secs(60);
        Limits {
            anonymous_views: Limit::new(60, 60 * MINUTE),
            listing_views: Limit::new(120, 60 * MINUTE),
            captcha_images: Limit::new(30, 10 * MINUTE),
            captcha_sessions: Limit::new(10, 60 * MINUTE),
        }
    }
}

pub struct Limit<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    max_keys: usize,
    started: Instant,
    /// When the forgotten keys may next be swept, in ms since `started`.
    next_sweep_ms: AtomicU64,
}

impl<K: Hash + Eq + Clone> Limit<K> {
    /// `burst` actions at once per key, and `burst` more every `period`.
    pub fn new(burst: u32, period: Duration) -> Limit<K> {
        Limit::bounded(burst, period, MAX_KEYS)
    }

    pub fn bounded(burst: u32, period: Duration, max_keys: usize) -> Limit<K> {
        let burst = NonZeroU32::new(burst.max(1)).expect("at least one");
        let every = (period / burst.get()).max(Duration::from_nanos(1));
        let quota = Quota::with_period(every)
            .expect("a period above zero")
            .allow_burst(burst);
        Limit {
            limiter: RateLimiter::keyed(quota),
            max_keys,
            started: Instant::now(),
            next_sweep_ms: AtomicU64::new(0),
        }
    }

    /// Counts one action for `key`; false when it is over its limit. When
    /// the table is full of keys still counting, new keys are refused: under
    /// a flood from more networks than it holds, a limit fails closed.
    pub fn allow(&self, key: &K) -> bool {
        if self.limiter.len() >= self.max_keys && !self.sweep() {
            return false;
        }
        self.limiter.check_key(key).is_ok()
    }

    /// [`Limit::allow`] as a result: `RateLimited` (429) when over.
    pub fn check(&self, key: &K) -> Result<(), AppError> {
        if self.allow(key) {
            Ok(())
        } else {
            Err(AppError::RateLimited)
        }
    }

    /// Forgets keys whose limit is fully replenished, at most once a second
    /// (it walks every key); true if there is room afterwards.
    fn sweep(&self) -> bool {
        let now = self.started.elapsed().as_millis() as u64;
        let next = self.next_sweep_ms.load(Ordering::Relaxed);
        if now >= next
            && self
                .next_sweep_ms
                .compare_exchange(next, now + 1_000, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter.len() < self.max_keys
    }

    pub fn keys(&self) -> usize {
        self.limiter.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_refusals_per_key() {
        let limit = Limit::<u32>::new(3, Duration::from_secs(60));
        assert!((0..3).all(|_| limit.allow(&1)));
        assert!(!limit.allow(&1));
        assert_eq!(limit.check(&1), Err(AppError::RateLimited));
        // Another key has its own allowance.
        assert!(limit.allow(&2));
    }

    #[test]
    fn allowance_comes_back_over_the_period() {
        let limit = Limit::<u32>::new(2, Duration::from_millis(40));
        assert!(limit.allow(&1) && limit.allow(&1) && !limit.allow(&1));
        std::thread::sleep(Duration::from_millis(30));
        assert!(limit.allow(&1));
    }

    #[test]
    fn the_key_table_is_bounded() {
        let limit = Limit::<u32>::bounded(1, Duration::from_secs(60), 10);
        assert!((0..10).all(|k| limit.allow(&k)));
        // Full of keys still counting: a new key is refused, not remembered.
        assert!(!limit.allow(&99));
        assert_eq!(limit.keys(), 10);
        // Once their allowance is back they are forgotten and room returns.
        let short = Limit::<u32>::bounded(1, Duration::from_millis(5), 10);
        assert!((0..10).all(|k| short.allow(&k)));
        std::thread::sleep(Duration::from_millis(20));
        assert!(short.allow(&99));
        assert!(short.keys() <= 2, "{}", short.keys());
    }
}
