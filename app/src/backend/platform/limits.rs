//! Rate limits kept in memory: how often one key (an address network, a
//! member, an e-mail target) may do something. `governor` does the counting
//! (GCRA: a burst, then one more each `period / burst`); this module bounds
//! how many keys it remembers, since keys are chosen by whoever sends the
//! requests.

use crate::{domain::id::UserId, error::AppError};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::{
    hash::Hash,
    net::IpAddr,
    num::NonZeroU32,
    sync::atomic::{AtomicU64, AtomicUsize, Ordering},
    time::{Duration, Instant},
};
use tokio::sync::{Semaphore, SemaphorePermit};

/// Keys a limit remembers at most (about 100 bytes each).
pub const MAX_KEYS: usize = 100_000;

/// Every in-memory limit the server keeps, shared by all requests (in
/// `AppState`). Each field says what it counts and under which key.
pub struct Limits {
    /// Password hashes (Argon2, 19 MiB each) running at once, over the
    /// whole server: sign-ups, log-ins and password changes. Two, one per
    /// core of the machines Haggle is measured on: more would not hash
    /// faster, only starve every other request of CPU.
    pub password_hashes: Slots,
    /// Sign-ups per address network before a CAPTCHA is asked for
    /// (`HAGGLE_SIGN_UPS_PER_HOUR`, default 10 an hour).
    pub sign_ups_per_network: Limit<IpAddr>,
    /// Sign-ups per address network at all, CAPTCHA or not: five times the
    /// hourly allowance a day.
    pub sign_ups_per_network_daily: Limit<IpAddr>,
    /// Sign-ups over the whole site before everyone is asked for a CAPTCHA
    /// (a burst from many networks at once).
    pub sign_ups_site: Limit<()>,
    /// Verification codes sent to one e-mail address or phone number,
    /// whoever asks: 3 an hour, so nobody can mail-bomb an address.
    pub code_sends_per_target: Limit<String>,
    /// Anonymous listing views that count (and store a row), per address
    /// network: a visitor browsing counts each listing once a day; a script
    /// walking every listing stops counting.
    pub anonymous_views: Limit<IpAddr>,
    /// Anonymous views that count per listing: many networks together
    /// cannot make one listing "popular" faster than this.
    pub listing_views: Limit<i64>,
    /// CAPTCHA images drawn per address network (each costs CPU).
    pub captcha_images: Limit<IpAddr>,
    /// Sessions a CAPTCHA image may create (for a browser without one) per
    /// address network: each is a stored row.
    pub captcha_sessions: Limit<IpAddr>,
    /// Orders one member may place: each takes stock from a listing and
    /// notifies its seller, so a script must not sweep the catalog.
    pub orders_per_buyer: Limit<UserId>,
    /// Offers one member makes (each notifies a seller): 20 an hour, plenty
    /// for bargain hunting, too few to flood sellers.
    pub offers_per_buyer: Limit<UserId>,
    /// Chat messages one member sends, over all their conversations: a
    /// message a second on average, with a minute's worth banked for a
    /// quick exchange; a script cannot flood anyone.
    pub messages_per_member: Limit<UserId>,
    /// "Typing" signals one member sends (a page sends one every few
    /// seconds while a key is pressed); more are dropped unseen.
    pub typing_per_member: Limit<UserId>,
    /// Conversations one member opens (each is a stored row and reaches a
    /// seller's inbox once it has a message).
    pub conversations_per_member: Limit<UserId>,
    /// Video calls one member starts (each rings somebody's every tab).
    pub calls_per_member: Limit<UserId>,
    /// WebRTC signals one member sends in one call, whatever their tabs.
    pub call_signals: Limit<(crate::domain::id::CallId, UserId)>,
    /// Top-ups and withdrawals one member asks for (each may reach the
    /// payment provider): plenty for a person, too few for a card-testing
    /// script.
    pub money_requests_per_member: Limit<UserId>,
}

/// Sign-ups per network an hour before the CAPTCHA, unless configured.
pub const SIGN_UPS_PER_HOUR: u32 = 10;
/// Sign-ups over the whole site an hour before everyone gets the CAPTCHA.
pub const SITE_SIGN_UPS_PER_HOUR: u32 = 200;
/// Orders one member may place an hour.
pub const ORDERS_PER_HOUR: u32 = 30;
/// Offers one member may make an hour.
pub const OFFERS_PER_HOUR: u32 = 20;
/// Chat messages one member may send a minute.
pub const MESSAGES_PER_MINUTE: u32 = 60;
/// Typing signals one member may send a minute.
pub const TYPING_PER_MINUTE: u32 = 30;
/// Top-ups and withdrawals one member may ask for an hour.
pub const MONEY_REQUESTS_PER_HOUR: u32 = 30;
/// Conversations one member may open an hour.
pub const CONVERSATIONS_PER_HOUR: u32 = 60;
const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

impl Limits {
    /// The limits, with `sign_ups_per_hour` sign-ups per network an hour
    /// before a CAPTCHA.
    pub fn new(sign_ups_per_hour: u32) -> Limits {
        Limits {
            password_hashes: Slots::new(2, 32, Duration::from_secs(3)),
            sign_ups_per_network: Limit::new(sign_ups_per_hour, HOUR),
            sign_ups_per_network_daily: Limit::new(sign_ups_per_hour.saturating_mul(5), 24 * HOUR),
            sign_ups_site: Limit::new(SITE_SIGN_UPS_PER_HOUR, HOUR),
            code_sends_per_target: Limit::new(3, HOUR),
            anonymous_views: Limit::new(60, HOUR),
            listing_views: Limit::new(120, HOUR),
            captcha_images: Limit::new(30, HOUR / 6),
            captcha_sessions: Limit::new(10, HOUR),
            orders_per_buyer: Limit::new(ORDERS_PER_HOUR, HOUR),
            offers_per_buyer: Limit::new(OFFERS_PER_HOUR, HOUR),
            messages_per_member: Limit::new(MESSAGES_PER_MINUTE, MINUTE),
            typing_per_member: Limit::new(TYPING_PER_MINUTE, MINUTE),
            conversations_per_member: Limit::new(CONVERSATIONS_PER_HOUR, HOUR),
            calls_per_member: Limit::new(crate::domain::call::CALLS_PER_HOUR, HOUR),
            call_signals: Limit::new(
                crate::domain::call::SIGNAL_BURST,
                Duration::from_secs(1) * crate::domain::call::SIGNAL_BURST
                    / crate::domain::call::SIGNALS_PER_SECOND,
            ),
            money_requests_per_member: Limit::new(MONEY_REQUESTS_PER_HOUR, HOUR),
        }
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::new(SIGN_UPS_PER_HOUR)
    }
}

/// At most a few of one costly task at once, with a short queue: when no
/// slot frees within `wait`, or the queue is full, the caller is told the
/// server is busy (429) instead of piling up memory.
pub struct Slots {
    permits: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
    wait: Duration,
}

impl Slots {
    pub fn new(at_once: usize, max_waiting: usize, wait: Duration) -> Slots {
        Slots {
            permits: Semaphore::new(at_once),
            waiting: AtomicUsize::new(0),
            max_waiting,
            wait,
        }
    }

    /// A slot, held until the permit is dropped; `Busy` when none comes.
    pub async fn acquire(&self) -> Result<SemaphorePermit<'_>, AppError> {
        if let Ok(permit) = self.permits.try_acquire() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(AppError::Busy);
        }
        let permit = tokio::time::timeout(self.wait, self.permits.acquire()).await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        match permit {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AppError::Busy),
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

    #[tokio::test]
    async fn slots_answer_busy_when_none_frees_in_time() {
        let slots = Slots::new(1, 1, Duration::from_millis(20));
        let held = slots.acquire().await.unwrap();
        // One may wait; it gives up when the slot stays taken…
        assert_eq!(slots.acquire().await.err(), Some(AppError::Busy));
        // …and with the queue full, the next is refused at once.
        let queued = slots.acquire();
        let (queued, refused) = tokio::join!(queued, async {
            tokio::task::yield_now().await;
            slots.acquire().await.err()
        });
        assert_eq!(refused, Some(AppError::Busy));
        assert_eq!(queued.err(), Some(AppError::Busy));
        drop(held);
        assert!(slots.acquire().await.is_ok());
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
