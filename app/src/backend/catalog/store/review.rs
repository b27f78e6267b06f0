//! Moving a listing between review states.

use crate::domain::id::ListingId;
use sqlx::SqliteExecutor;

/// Sets `listing`'s status to `to` with `reason` if it is `from` and, when
/// `seen` is given, still the version (`updated_at`) the admin looked at; its
/// `updated_at` moves forward even when the clock went back. Returns
/// whether it changed.
pub(crate) async fn move_listing_status(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
    from: &str,
    to: &str,
    reason: Option<&str>,
    seen: Option<i64>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE listings SET status = ?1, reject_reason = ?2, updated_at = max(updated_at + 1, ?3)
          WHERE id = ?4 AND status = ?5 AND (?6 IS NULL OR updated_at = ?6)",
    )
    .bind(to)
    .bind(reason)
    .bind(now)
    .bind(listing)
    .bind(from)
    .bind(seen)
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
