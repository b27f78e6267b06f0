//! How long a browser waits before reconnecting its live socket.

/// First retry waits about this long.
pub const BASE_MS: u32 = 500;
/// No wait is ever longer than this, so a tab recovers quickly once the server is back.
pub const CAP_MS: u32 = 15_000;

/// Delay before reconnect attempt number `attempt` (0-based). The delay doubles per
/// attempt up to [`CAP_MS`]; `jitter` in `[0, 1)` spreads it over the upper half so
/// that thousands of tabs dropped by one restart don't all come back in the same
/// millisecond.
pub fn reconnect_delay_ms(attempt: u32, jitter: f64) -> u32 {
    let ceiling = BASE_MS.saturating_mul(1u32 << attempt.min(16)).min(CAP_MS);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let half = ceiling / 2;
    half + (f64::from(ceiling - half) * jitter) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn doubles_then_caps() {
        assert_eq!(reconnect_delay_ms(0, 1.0), 500);
        assert_eq!(reconnect_delay_ms(1, 1.0), 1_000);
        assert_eq!(reconnect_delay_ms(2, 1.0), 2_000);
        assert_eq!(reconnect_delay_ms(10, 1.0), CAP_MS);
        assert_eq!(reconnect_delay_ms(u32::MAX, 1.0), CAP_MS);
        assert_eq!(reconnect_delay_ms(0, 0.0), 250);
    }

    #[test]
    fn bad_jitter_is_tamed() {
        assert_eq!(reconnect_delay_ms(1, f64::NAN), 500);
        assert_eq!(reconnect_delay_ms(1, 7.0), 1_000);
        assert_eq!(reconnect_delay_ms(1, -3.0), 500);
    }

    proptest! {
        #[test]
        fn stays_within_half_and_full_ceiling(attempt in 0u32..64, jitter in 0.0f64..1.0) {
            let d = reconnect_delay_ms(attempt, jitter);
            prop_assert!(d >= BASE_MS / 2);
            prop_assert!(d <= CAP_MS);
        }

        #[test]
        fn never_shrinks_as_attempts_grow(attempt in 0u32..63, jitter in 0.0f64..1.0) {
            prop_assert!(reconnect_delay_ms(attempt + 1, jitter) >= reconnect_delay_ms(attempt, jitter));
        }
    }
}
