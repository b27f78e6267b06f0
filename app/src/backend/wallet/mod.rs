//! The wallet: a double-entry ledger in SQLite (`store`), whose schema
//! enforces what `domain::wallet` states (balanced transfers, no member
//! balance below zero, holds settled once, nothing in the ledger
//! rewritten); top-ups through the payment provider (`provider`,
//! `top_up`); withdrawals (`withdraw`); escrow for orders (`escrow`).
//! Every money write commits with whatever other writes wait for the
//! writer (`platform::group`): one transaction for many payments.

pub mod escrow;
pub mod provider;
pub mod statement;
pub mod store;
#[cfg(test)]
mod tests;
pub mod top_up;
pub mod web;
pub mod withdraw;

use crate::{
    backend::AppState,
    domain::{
        id::UserId,
        wallet::{KEY_TTL_MS, check_key},
    },
    error::AppError,
};
use provider::PaymentProvider;
use serde::de::DeserializeOwned;
use sqlx::SqliteConnection;
use std::sync::Arc;
use store::Claim;

/// Claims `user`'s idempotency `key` for `request` (what is asked, with its
/// parameters; sealed, so a card number is never stored) in the caller's
/// transaction. `Some(outcome)`: the same request came before, and this is
/// its answer. Refused (`Conflict`) for a malformed key, or one used for
/// another request within 24 hours.
async fn claim<T: DeserializeOwned>(
    state: &AppState,
    conn: &mut SqliteConnection,
    user: UserId,
    key: &str,
    request: &str,
    now: i64,
) -> Result<Option<T>, AppError> {
    if !check_key(key) {
        // A browser that made no proper key cannot be retried safely.
        return Err(AppError::Conflict);
    }
    let fingerprint = state.secret.hash("money-request", request);
    match store::claim(conn, user, key, &fingerprint, now, now - KEY_TTL_MS).await? {
        Claim::New => Ok(None),
        Claim::Refused => Err(AppError::Conflict),
        Claim::Replay(outcome) => serde_json::from_str(&outcome).map(Some).map_err(|e| {
            tracing::error!(error = %e, "reading a stored money-request outcome");
            AppError::Internal
        }),
    }
}

/// The payment provider and the key its callbacks are signed with.
#[derive(Clone)]
pub struct Payments {
    pub provider: Arc<dyn PaymentProvider>,
    pub key: [u8; 32],
}
