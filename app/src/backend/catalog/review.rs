//! Admin decisions on listings: approve or reject what waits, delist what is public.

use super::store;
use crate::backend::{
    AppState,
    effects::{self, Effect},
};
use crate::domain::catalog::check_text;
use crate::domain::form::{Field, Problem};
use crate::domain::id::ListingId;
use crate::error::AppError;
use sqlx::{SqliteConnection, SqlitePool};

pub const REASON_MAX: u32 = 500;

/// What an admin decided about a pending listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

fn reason(text: &str) -> Result<String, AppError> {
    let reason = check_text(text, REASON_MAX).map_err(|p| AppError::field(Field::Reason, p))?;
    if reason.is_empty() {
        return Err(AppError::field(Field::Reason, Problem::Required));
    }
    Ok(reason)
}

/// The admin console's review: decides, then applies what that implies.
/// `seen` is the version the console showed (see [`decide_seen`]).
pub async fn review(
    state: &AppState,
    id: ListingId,
    decision: Decision,
    reason_text: &str,
    seen: Option<i64>,
    now: i64,
) -> Result<(), AppError> {
    let effects = decide_seen(&state.db, id, decision, reason_text, seen, now).await?;
    effects::apply(state, &effects, now).await;
    Ok(())
}

/// The admin console's take-down: delists, then applies what that implies
/// (a live auction's room hears that bidding stopped).
pub async fn take_down(
    state: &AppState,
    id: ListingId,
    reason_text: &str,
    now: i64,
) -> Result<(), AppError> {
    let effects = delist(&state.db, id, reason_text, now).await?;
    effects::apply(state, &effects, now).await;
    Ok(())
}

/// Decides a pending listing; a rejection needs a reason for the seller.
/// Conflict when it is no longer pending (decided meanwhile, or edited away).
/// Returns what the change implies.
pub async fn decide(
    pool: &SqlitePool,
    id: ListingId,
    decision: Decision,
    reason_text: &str,
    now: i64,
) -> Result<Vec<Effect>, AppError> {
    decide_seen(pool, id, decision, reason_text, None, now).await
}

/// [`decide`], tied to the version (`updated_at`) the admin saw when `seen`
/// is given: a seller's edit while the admin looks makes it a conflict, so
/// what gets approved is what was reviewed.
pub async fn decide_seen(
    pool: &SqlitePool,
    id: ListingId,
    decision: Decision,
    reason_text: &str,
    seen: Option<i64>,
    now: i64,
) -> Result<Vec<Effect>, AppError> {
    let (status, reason) = match decision {
        Decision::Approve => ("approved", None),
        Decision::Reject => ("rejected", Some(reason(reason_text)?)),
    };
    // Nobody watches a listing under review: its auction's room has nothing
    // to hear, but an approved auction may be due to start already.
    let auction = move_status(pool, id, status, reason, ("pending", seen), false, now).await?;
    let mut effects = vec![Effect::CatalogChanged];
    if auction && decision == Decision::Approve {
        effects.push(Effect::ScheduleChanged);
    }
    Ok(effects)
}

/// Takes an approved listing down, with a reason for the seller. Returns
/// what the change implies.
pub async fn delist(
    pool: &SqlitePool,
    id: ListingId,
    reason_text: &str,
    now: i64,
) -> Result<Vec<Effect>, AppError> {
    let reason = reason(reason_text)?;
    let auction = move_status(
        pool,
        id,
        "delisted",
        Some(reason),
        ("approved", None),
        true,
        now,
    )
    .await?;
    let mut effects = vec![Effect::CatalogChanged];
    if auction {
        effects.push(Effect::AuctionChanged(id));
    }
    Ok(effects)
}

/// Moves listing `id` from status `from` (at version `seen`, if given) to
/// `to`; returns whether it has an auction. With `numbered`, that auction's number moves in the same
/// transaction: its room sees the listing leaving the public as a change of
/// the auction.
async fn move_status(
    pool: &SqlitePool,
    id: ListingId,
    to: &str,
    reason: Option<String>,
    (from, seen): (&str, Option<i64>),
    numbered: bool,
    now: i64,
) -> Result<bool, AppError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let done =
        store::move_listing_status(&mut *tx, id, from, to, reason.as_deref(), seen, now).await?;
    settled(&mut tx, id, done).await?;
    let auction = store::add_to_auction_seq(&mut *tx, id, i64::from(numbered)).await?;
    tx.commit().await?;
    Ok(auction)
}

/// Not found when there is no such listing; a conflict when it was in
/// another state.
async fn settled(
    conn: &mut SqliteConnection,
    id: ListingId,
    changed: bool,
) -> Result<(), AppError> {
    if changed {
        return Ok(());
    }
    let exists = store::listing_exists(conn, id).await?;
    Err(if exists {
        AppError::Conflict
    } else {
        AppError::NotFound
    })
}

#[cfg(test)]
mod tests;
