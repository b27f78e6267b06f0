//! Favorites, daily views and the counters they keep on `listings`.

use crate::domain::id::{ListingId, UserId};
use sqlx::SqliteExecutor;

/// The seller of `listing` if it is public (approved or sold).
pub(crate) async fn public_listing_seller(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<Option<UserId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT seller_id FROM listings WHERE id = ? AND status IN ('approved', 'sold')",
    )
    .bind(listing)
    .fetch_optional(db)
    .await
}

/// Whether `user` favorited `listing`.
pub(crate) async fn is_favorite(
    db: impl SqliteExecutor<'_>,
    user: UserId,
    listing: ListingId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM favorites WHERE user_id = ? AND listing_id = ?)",
    )
    .bind(user)
    .bind(listing)
    .fetch_one(db)
    .await
}

/// Adds `user`'s favorite on `listing`; returns whether it is new.
pub(crate) async fn insert_favorite(
    db: impl SqliteExecutor<'_>,
    user: UserId,
    listing: ListingId,
    now: i64,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "INSERT INTO favorites (user_id, listing_id, created_at) VALUES (?, ?, ?)
         ON CONFLICT DO NOTHING",
    )
    .bind(user)
    .bind(listing)
    .bind(now)
    .execute(db)
    .await?
    .rows_affected()
        == 1)
}

/// Removes `user`'s favorite on `listing`; returns whether there was one.
pub(crate) async fn delete_favorite(
    db: impl SqliteExecutor<'_>,
    user: UserId,
    listing: ListingId,
) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM favorites WHERE user_id = ? AND listing_id = ?")
            .bind(user)
            .bind(listing)
            .execute(db)
            .await?
            .rows_affected()
            == 1,
    )
}

/// Adds `step` to the favorites counter of `listing`; returns the new count.
pub(crate) async fn add_to_favorites(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
    step: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE listings SET favorites = favorites + ? WHERE id = ? RETURNING favorites",
    )
    .bind(step)
    .bind(listing)
    .fetch_one(db)
    .await
}

/// Notes that `viewer` looked at `listing` on `day`; returns whether that
/// is new for the day.
pub(crate) async fn insert_view(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
    viewer: &str,
    day: i64,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "INSERT INTO listing_views (listing_id, viewer, day) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(listing)
    .bind(viewer)
    .bind(day)
    .execute(db)
    .await?
    .rows_affected()
        == 1)
}

/// Adds one to the views counter of `listing`.
pub(crate) async fn add_view(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE listings SET views = views + 1 WHERE id = ?")
        .bind(listing)
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes the view rows of days before `day`; returns how many.
pub(crate) async fn delete_views_before(
    db: impl SqliteExecutor<'_>,
    day: i64,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM listing_views WHERE day < ?")
        .bind(day)
        .execute(db)
        .await?
        .rows_affected())
}
