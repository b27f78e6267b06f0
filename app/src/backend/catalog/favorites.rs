//! Favorites and daily views, with the counters on `listings` kept in step
//! in the same transaction.

use super::store;
use crate::domain::id::{ListingId, UserId};
use crate::error::AppError;
use crate::model::FavoriteState;
use sqlx::SqlitePool;

/// Turns `user`'s favorite on `listing` on or off (repeating is harmless).
/// Only public listings of someone else can be favorited.
pub async fn set(
    pool: &SqlitePool,
    user: i64,
    listing: i64,
    on: bool,
    now: i64,
) -> Result<FavoriteState, AppError> {
    // Immediate: this reads before it writes, and a deferred transaction whose
    // snapshot went stale meanwhile fails at its first write instead of waiting.
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let seller = store::public_listing_seller(&mut *tx, ListingId(listing)).await?;
    match seller {
        None => return Err(AppError::NotFound),
        Some(seller) if seller == UserId(user) => return Err(AppError::Forbidden),
        Some(_) => {}
    }
    let changed = if on {
        store::insert_favorite(&mut *tx, UserId(user), ListingId(listing), now).await?
    } else {
        store::delete_favorite(&mut *tx, UserId(user), ListingId(listing)).await?
    };
    let step: i64 = if on { 1 } else { -1 };
    let count =
        store::add_to_favorites(&mut *tx, ListingId(listing), if changed { step } else { 0 })
            .await?;
    tx.commit().await?;
    Ok(FavoriteState { on, count })
}

const DAY_MS: i64 = 86_400_000;

/// Whom an anonymous view of `listing` counts for: the address network (a
/// rotated User-Agent or a fresh cookie is the same visitor), or nobody when
/// that network, or the listing, has had its share of counted views lately
/// (see `Limits`); the page is shown either way.
pub fn anonymous_viewer(
    state: &crate::backend::AppState,
    listing: i64,
    addr: crate::backend::platform::client::ClientAddr,
) -> Option<String> {
    let network = addr.network();
    if !state.limits.anonymous_views.allow(&network) || !state.limits.listing_views.allow(&listing)
    {
        return None;
    }
    let hash = state.secret.hash("viewer", &network.to_string());
    Some(format!("a:{}", &hash[..16]))
}

/// Counts a view unless this viewer already viewed the listing today (UTC).
/// Returns whether it counted.
pub async fn record_view(
    pool: &SqlitePool,
    listing: i64,
    viewer: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let fresh =
        store::insert_view(&mut *tx, ListingId(listing), viewer, now.div_euclid(DAY_MS)).await?;
    if fresh {
        store::add_view(&mut *tx, ListingId(listing)).await?;
    }
    tx.commit().await?;
    Ok(fresh)
}

/// Drops view rows older than `keep_days`; they only dedupe a day's views
/// and feed recent-interest recommendations.
pub async fn prune_views(pool: &SqlitePool, now: i64, keep_days: i64) -> Result<u64, sqlx::Error> {
    store::delete_views_before(pool, now.div_euclid(DAY_MS) - keep_days).await
}

#[cfg(test)]
mod tests;
