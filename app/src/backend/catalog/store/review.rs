//! Moving a listing between review states.

use crate::domain::id::ListingId;
use sqlx::SqliteExecutor;

/// Sets `listing`'s status to `to` with `reason` if it is `from`; its
/// `updated_at` moves forward even when the clock went back. Returns
/// whether it changed.
pub(crate) async fn move_listing_status(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
    from: &str,
    to: &str,
    reason: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE listings SET status = ?, reject_reason = ?, updated_at = max(updated_at + 1, ?)
          WHERE id = ? AND status = ?",
    )
    .bind(to)
    .bind(reason)
    .bind(now)
    .bind(listing)
    .bind(from)
    .execute(db)
    .await?
    .rows_affected()
        == 1)
}

/// Adds `step` to the number of `listing`'s auction; returns whether it has
/// one.
pub(crate) async fn add_to_auction_seq(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
    step: i64,
) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query("UPDATE auctions SET seq = seq + ? WHERE listing_id = ?")
            .bind(step)
            .bind(listing)
            .execute(db)
            .await?
            .rows_affected()
            == 1,
    )
}

pub(crate) async fn listing_exists(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM listings WHERE id = ?)")
        .bind(listing)
        .fetch_one(db)
        .await
}
