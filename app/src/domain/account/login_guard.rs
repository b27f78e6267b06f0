//! How many failed log-ins are tolerated before a CAPTCHA, then a pause.
//! Failures count per account (by whichever name it was typed, or by the
//! name typed when no account has it) and per address network. An address
//! is never paused: behind a proxy or on a campus network it is many people,
//! so a stranger's guesses there only bring the CAPTCHA.

/// Failures older than this no longer count.
pub const WINDOW_MS: i64 = 15 * 60_000;
/// From this many recent failures for an account name on, a CAPTCHA must be
/// solved with the password.
pub const CAPTCHA_AFTER: i64 = 3;
/// The same for an address; higher, because many people can share one (a
/// campus network) and one person's typos must not burden the rest.
pub const ADDRESS_CAPTCHA_AFTER: i64 = 10;
/// An account that fails this often is paused for the rest of the window,
/// whatever the CAPTCHA says: it stops slow password guessing.
pub const ACCOUNT_PAUSE_AFTER: i64 = 10;
/// "Change password" (no CAPTCHA there) is refused for the rest of the
/// window once the account has this many recent failures, log-ins and
/// wrong old passwords alike.
pub const OLD_PASSWORD_TRIES: i64 = 5;
/// Failed code checks (e-mail and phone verification) from one address
/// network within the window, over every account, before checks from there
/// are refused: a 6-digit code must not be guessable across many accounts.
pub const CODE_FAILURES_PER_NETWORK: i64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Open,
    NeedsCaptcha,
    Paused,
}

pub fn gate(account_failures: i64, address_failures: i64) -> Gate {
    if account_failures >= ACCOUNT_PAUSE_AFTER {
        Gate::Paused
    } else if account_failures >= CAPTCHA_AFTER || address_failures >= ADDRESS_CAPTCHA_AFTER {
        Gate::NeedsCaptcha
    } else {
        Gate::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn thresholds() {
        assert_eq!(gate(0, 0), Gate::Open);
        assert_eq!(gate(2, 2), Gate::Open);
        assert_eq!(gate(3, 0), Gate::NeedsCaptcha);
        assert_eq!(gate(0, 9), Gate::Open);
        assert_eq!(gate(0, 10), Gate::NeedsCaptcha);
        assert_eq!(gate(10, 0), Gate::Paused);
        assert_eq!(gate(9, 49), Gate::NeedsCaptcha);
    }

    #[test]
    fn an_address_is_never_paused() {
        // Behind a proxy or on a campus network one address is many people.
        assert_eq!(gate(0, 50), Gate::NeedsCaptcha);
        assert_eq!(gate(0, 100_000), Gate::NeedsCaptcha);
    }

    proptest! {
        /// More failures never make the gate easier.
        #[test]
        fn monotonic(a in 0i64..100, b in 0i64..100, da in 0i64..5, db in 0i64..5) {
            let rank = |g: Gate| match g { Gate::Open => 0, Gate::NeedsCaptcha => 1, Gate::Paused => 2 };
            prop_assert!(rank(gate(a + da, b + db)) >= rank(gate(a, b)));
        }
    }
}
