//! The wallet: a double-entry ledger in SQLite (`store`), whose schema
//! enforces what `domain::wallet` states (balanced transfers, no member
//! balance below zero, holds settled once, nothing in the ledger
//! rewritten); top-ups through the payment provider (`provider`,
//! `top_up`).

pub mod provider;
pub mod store;
#[cfg(test)]
mod tests;
pub mod top_up;

use provider::PaymentProvider;
use std::sync::Arc;

/// The payment provider and the key its callbacks are signed with.
#[derive(Clone)]
pub struct Payments {
    pub provider: Arc<dyn PaymentProvider>,
    pub key: [u8; 32],
}
