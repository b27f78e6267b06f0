//! The payment provider behind an interface. A charge is only asked for
//! here; its outcome arrives later as a signed event (the provider's
//! callback), verified with [`verify`] and applied once per event id.
//!
//! [`Simulated`] behaves like a real provider for development and tests:
//! it decides by test card number, and delivers each outcome a moment later
//! as a signed event: posted over HTTP to the server's own callback route
//! (`POST /hooks/payments`) once it knows where the server listens, else
//! (unit tests) on its channel. [`Hosted`] is the shape of an adapter for a
//! real provider: it asks the provider's HTTP API, and the provider posts
//! to the same callback route.

use crate::domain::money::Money;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::{
    collections::HashMap,
    future::Future,
    net::SocketAddr,
    pin::Pin,
    sync::{Arc, OnceLock},
    time::Duration,
};
use tokio::sync::mpsc;

/// The header a callback's signature travels in.
pub const SIGNATURE_HEADER: &str = "haggle-signature";
/// Where providers post their callbacks.
pub const CALLBACK_PATH: &str = "/hooks/payments";

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
    /// Told once the server listens at `addr`: a provider that calls back
    /// over the network (the simulated one, on loopback) posts there. A
    /// real provider's callback address is set in its dashboard instead.
    fn deliver_to(&self, _addr: SocketAddr) {}
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

/// How the simulated provider answers a card number (digits only), before
/// the test cards configured on top (`HAGGLE_TEST_CARDS`).
pub fn simulated_outcome(card: &str) -> EventKind {
    match card {
        // The usual test numbers.
        "4242424242424242" | "5555555555554444" => EventKind::ChargeSucceeded,
        "4000000000000119" => EventKind::ChargeFailed,
        // 4000 0000 0000 0002, and any number it does not know.
        _ => EventKind::ChargeDeclined,
    }
}

/// Extra test cards: `4000000000009995:declined,4111111111111111:succeeded`
/// (outcomes `succeeded`, `declined` or `failed`; spaces in numbers
/// ignored).
pub fn parse_test_cards(text: &str) -> Result<HashMap<String, EventKind>, String> {
    text.split(',')
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            let (card, outcome) = part
                .split_once(':')
                .ok_or_else(|| format!("{part:?} is not <card number>:<outcome>"))?;
            let card = crate::domain::wallet::card_number(card)
                .ok_or_else(|| format!("{card:?} is not a card number"))?;
            let outcome = match outcome.trim() {
                "succeeded" => EventKind::ChargeSucceeded,
                "declined" => EventKind::ChargeDeclined,
                "failed" => EventKind::ChargeFailed,
                other => {
                    return Err(format!(
                        "{other:?} is not an outcome (succeeded, declined or failed)"
                    ));
                }
            };
            Ok((card, outcome))
        })
        .collect()
}

/// The development provider: decides by test card number and, after
/// `delay`, delivers the signed outcome: posted to the server's callback
/// route once [`PaymentProvider::deliver_to`] named its address, else sent
/// on its channel.
pub struct Simulated {
    key: [u8; 32],
    delay: Duration,
    events: mpsc::UnboundedSender<Signed>,
    cards: Arc<HashMap<String, EventKind>>,
    callback_to: Arc<OnceLock<SocketAddr>>,
}

impl Simulated {
    pub fn new(key: [u8; 32], delay: Duration) -> (Simulated, mpsc::UnboundedReceiver<Signed>) {
        let (events, receiver) = mpsc::unbounded_channel();
        let simulated = Simulated {
            key,
            delay,
            events,
            cards: Arc::default(),
            callback_to: Arc::default(),
        };
        (simulated, receiver)
    }

    /// With `cards` deciding before the built-in test cards.
    pub fn with_cards(mut self, cards: HashMap<String, EventKind>) -> Simulated {
        self.cards = Arc::new(cards);
        self
    }

    fn outcome(&self, card: &str) -> EventKind {
        self.cards
            .get(card)
            .copied()
            .unwrap_or_else(|| simulated_outcome(card))
    }
}

/// Attempts at posting one callback; a real provider retries for longer.
const POST_ATTEMPTS: u32 = 5;

impl PaymentProvider for Simulated {
    fn charge(&self, charge: Charge) -> Pending<'_> {
        let event = Event {
            id: format!("evt_{}", uuid::Uuid::new_v4().simple()),
            kind: self.outcome(&charge.card),
            reference: charge.reference,
            amount: charge.amount.minor,
        };
        let (key, delay, events) = (self.key, self.delay, self.events.clone());
        let callback_to = self.callback_to.get().copied();
        Box::pin(async move {
            let body = serde_json::to_string(&event)
                .map_err(|e| ProviderError::Unreachable(e.to_string()))?;
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let Some(addr) = callback_to else {
                    let signature = sign(&key, &body, crate::backend::platform::clock::now_ms());
                    // Nobody listening (the server stopping): the charge stays
                    // pending, as with a real provider whose callback is lost.
                    let _ = events.send(Signed { body, signature });
                    return;
                };
                for attempt in 1..=POST_ATTEMPTS {
                    // Signed afresh for each attempt, as providers do: the
                    // time in the signature is the delivery's.
                    let signature = sign(&key, &body, crate::backend::platform::clock::now_ms());
                    match post_callback(addr, &body, &signature).await {
                        Ok(200) => return,
                        Ok(status) => {
                            tracing::warn!(status, attempt, "the payment callback was not accepted")
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, attempt, "the payment callback could not be posted")
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(200) * 2u32.pow(attempt)).await;
                }
                tracing::error!(event = %event.id, "a payment callback was given up");
            });
            Ok(())
        })
    }

    /// The simulated bank always takes the money.
    fn payout(&self, _payout: Payout) -> Pending<'_> {
        Box::pin(async { Ok(()) })
    }

    fn deliver_to(&self, addr: SocketAddr) {
        let _ = self.callback_to.set(addr);
    }
}

/// Posts one signed callback to the server at `addr` as a provider would
/// (HTTP/1.1, one request per connection); answers the status code. Plain
/// enough to need no HTTP client library.
async fn post_callback(addr: SocketAddr, body: &str, signature: &str) -> std::io::Result<u16> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let exchange = async {
        let mut tcp = tokio::net::TcpStream::connect(addr).await?;
        let request = format!(
            "POST {CALLBACK_PATH} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             {SIGNATURE_HEADER}: {signature}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        tcp.write_all(request.as_bytes()).await?;
        // The status line is all that matters; the answer is small.
        let mut answer = Vec::new();
        tcp.take(4096).read_to_end(&mut answer).await?;
        let status = std::str::from_utf8(&answer)
            .ok()
            .and_then(|text| text.split(' ').nth(1))
            .and_then(|code| code.parse::<u16>().ok())
            .ok_or_else(|| std::io::Error::other("no HTTP status line"))?;
        Ok(status)
    };
    tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .map_err(|_| std::io::Error::other("timed out"))?
}

/// The shape of a real provider's adapter (`HAGGLE_PAYMENT_PROVIDER=hosted`):
/// a charge is asked of the provider's HTTP API with `api_key`, naming the
/// top-up as its reference; the provider later posts the outcome, signed
/// with the webhook secret, to [`CALLBACK_PATH`]. The HTTP calls are not
/// written yet: until they are, every request is refused as unreachable,
/// which the top-up reports as failed and nothing moves.
pub struct Hosted {
    api_key: String,
}

/// The callback key for a provider's webhook secret. Callbacks are checked
/// with [`verify`]'s scheme (`t=…,v1=<HMAC-SHA256>`), keyed by the secret's
/// SHA-256; an adapter for a provider that signs otherwise brings its own
/// check in front of `top_up::provider_event`.
pub fn webhook_key(secret: &str) -> [u8; 32] {
    use sha2::Digest;
    Sha256::digest(secret.as_bytes()).into()
}

impl Hosted {
    pub fn new(api_key: String) -> Hosted {
        Hosted { api_key }
    }
}

impl PaymentProvider for Hosted {
    fn charge(&self, charge: Charge) -> Pending<'_> {
        // The request would be: POST <provider>/charges with the amount, the
        // card token from the provider's hosted form, `reference` and the
        // top-up's idempotency key, authorised by `api_key`.
        let _ = (&self.api_key, charge);
        Box::pin(async {
            Err(ProviderError::Unreachable(
                "no real payment provider is wired in".into(),
            ))
        })
    }

    fn payout(&self, payout: Payout) -> Pending<'_> {
        let _ = (&self.api_key, payout);
        Box::pin(async {
            Err(ProviderError::Unreachable(
                "no real payment provider is wired in".into(),
            ))
        })
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

    #[test]
    fn configured_test_cards_decide_first() {
        let cards =
            parse_test_cards("4000 0000 0000 9995:declined, 4242424242424242:failed").unwrap();
        let (simulated, _) = Simulated::new([1; 32], Duration::ZERO);
        let simulated = simulated.with_cards(cards);
        assert_eq!(
            simulated.outcome("4000000000009995"),
            EventKind::ChargeDeclined
        );
        assert_eq!(
            simulated.outcome("4242424242424242"),
            EventKind::ChargeFailed
        );
        assert_eq!(
            simulated.outcome("5555555555554444"),
            EventKind::ChargeSucceeded
        );
        assert!(parse_test_cards("4242424242424242").is_err());
        assert!(parse_test_cards("4242424242424242:maybe").is_err());
        assert!(parse_test_cards("1234:declined").is_err());
        assert_eq!(parse_test_cards("").unwrap().len(), 0);
    }
}
