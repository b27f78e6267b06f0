//! The payment provider behind an interface. A charge is only asked for
//! here; its outcome arrives later as a signed event (the provider's
//! callback), verified with [`verify`] and applied once per event id.
//!
//! [`Simulated`] behaves like a real provider for development and tests:
//! it decides by test card number, and delivers each outcome a moment later
//! as a signed event on its channel. An adapter for a real provider
//! implements [`PaymentProvider`] with its HTTP API and posts to the same
//! callback.

use crate::domain::money::Money;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::{future::Future, pin::Pin, time::Duration};
use tokio::sync::mpsc;

/// How old a signed event may be when it arrives (a replay after that is
/// refused even with a good signature).
pub const EVENT_TOLERANCE_MS: i64 = 5 * 60 * 1000;

/// A charge to ask for: `reference` names the top-up it pays for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    pub reference: String,
    pub amount: Money,
    pub card: String,
}

/// What the provider said about a charge, later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    ChargeSucceeded,
    ChargeDeclined,
    ChargeFailed,
}

/// One callback's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Unique per event: a callback delivered again carries the same id.
    pub id: String,
    pub kind: EventKind,
    pub reference: String,
    /// Minor units.
    pub amount: i64,
}

/// A callback as it travels: the body and its signature header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub body: String,
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error("the provider could not be reached: {0}")]
    Unreachable(String),
}

pub type Pending<'a> = Pin<Box<dyn Future<Output = Result<(), ProviderError>> + Send + 'a>>;

/// Money to send to a member's bank: `reference` names the withdrawal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    pub reference: String,
    pub amount: Money,
}

pub trait PaymentProvider: Send + Sync {
    /// Asks for `charge`; its outcome comes later as a signed [`Event`].
    fn charge(&self, charge: Charge) -> Pending<'_>;
    /// Sends `payout`, already taken from the member's balance.
    fn payout(&self, payout: Payout) -> Pending<'_>;
}

/// The signature header for `body` at `at_ms`: `t=<ms>,v1=<hex HMAC-SHA256
/// of "<ms>.<body>">`, as common providers sign their callbacks.
pub fn sign(key: &[u8; 32], body: &str, at_ms: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("{at_ms}.").as_bytes());
    mac.update(body.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={at_ms},v1={hex}")
}

/// Whether `signature` signs `body` with `key`, made within
/// [`EVENT_TOLERANCE_MS`] of `now`. The comparison takes constant time.
pub fn verify(key: &[u8; 32], body: &str, signature: &str, now: i64) -> bool {
    let mut at = None;
    let mut given = None;
    for part in signature.split(',') {
        match part.split_once('=') {
            Some(("t", t)) => at = t.parse::<i64>().ok(),
            Some(("v1", v)) => given = hex(v),
            _ => {}
        }
    }
    let (Some(at), Some(given)) = (at, given) else {
        return false;
    };
    if (now - at).abs() > EVENT_TOLERANCE_MS {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("{at}.").as_bytes());
    mac.update(body.as_bytes());
    mac.verify_slice(&given).is_ok()
}

fn hex(s: &str) -> Option<Vec<u8>> {
    if s.len() != 64 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// How the simulated provider answers a card number (digits only).
pub fn simulated_outcome(card: &str) -> EventKind {
    match card {
        // The usual test numbers.
        "4242424242424242" | "5555555555554444" => EventKind::ChargeSucceeded,
        "4000000000000119" => EventKind::ChargeFailed,
        // 4000 0000 0000 0002, and any number it does not know.
        _ => EventKind::ChargeDeclined,
    }
}

/// The development provider: decides by test card number and, after
/// `delay`, sends the signed outcome on its channel (where the server
/// delivers it to its callback).
pub struct Simulated {
    key: [u8; 32],
    delay: Duration,
    events: mpsc::UnboundedSender<Signed>,
}

impl Simulated {
    pub fn new(key: [u8; 32], delay: Duration) -> (Simulated, mpsc::UnboundedReceiver<Signed>) {
        let (events, receiver) = mpsc::unbounded_channel();
        (Simulated { key, delay, events }, receiver)
    }
}

impl PaymentProvider for Simulated {
    fn charge(&self, charge: Charge) -> Pending<'_> {
        let event = Event {
            id: format!("evt_{}", uuid::Uuid::new_v4().simple()),
            kind: simulated_outcome(&charge.card),
            reference: charge.reference,
            amount: charge.amount.minor,
        };
        let (key, delay, events) = (self.key, self.delay, self.events.clone());
        Box::pin(async move {
            let body = serde_json::to_string(&event)
                .map_err(|e| ProviderError::Unreachable(e.to_string()))?;
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let signature = sign(&key, &body, crate::backend::platform::clock::now_ms());
                // Nobody listening (the server stopping): the charge stays
                // pending, as with a real provider whose callback is lost.
                let _ = events.send(Signed { body, signature });
            });
            Ok(())
        })
    }

    /// The simulated bank always takes the money.
    fn payout(&self, _payout: Payout) -> Pending<'_> {
        Box::pin(async { Ok(()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_holds_only_for_its_body_key_and_time() {
        let key = [3u8; 32];
        let body = r#"{"id":"evt_1"}"#;
        let signature = sign(&key, body, 1_000_000);
        assert!(verify(&key, body, &signature, 1_000_000));
        assert!(verify(
            &key,
            body,
            &signature,
            1_000_000 + EVENT_TOLERANCE_MS
        ));
        assert!(!verify(
            &key,
            body,
            &signature,
            1_000_001 + EVENT_TOLERANCE_MS
        ));
        assert!(!verify(&key, r#"{"id":"evt_2"}"#, &signature, 1_000_000));
        assert!(!verify(&[4u8; 32], body, &signature, 1_000_000));
        let moved = signature.replace("t=1000000", "t=1000001");
        assert!(!verify(&key, body, &moved, 1_000_000));
        for junk in ["", "t=1", "v1=00", "t=x,v1=zz"] {
            assert!(!verify(&key, body, junk, 1_000_000));
        }
    }

    #[test]
    fn test_cards_decide_the_outcome() {
        assert_eq!(
            simulated_outcome("4242424242424242"),
            EventKind::ChargeSucceeded
        );
        assert_eq!(
            simulated_outcome("4000000000000002"),
            EventKind::ChargeDeclined
        );
        assert_eq!(
            simulated_outcome("4000000000000119"),
            EventKind::ChargeFailed
        );
        assert_eq!(simulated_outcome("1234"), EventKind::ChargeDeclined);
    }
}
