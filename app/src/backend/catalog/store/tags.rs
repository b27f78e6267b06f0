//! Tags and which listings carry them.

use crate::domain::id::ListingId;
use sqlx::SqliteExecutor;

/// A listing's tags in the seller's order.
pub(crate) async fn listing_tags(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT t.name FROM listing_tags lt JOIN tags t ON t.id = lt.tag_id
          WHERE lt.listing_id = ? ORDER BY lt.position",
    )
    .bind(listing)
    .fetch_all(db)
    .await
}

/// Takes every tag off a listing (the tags themselves stay).
pub(crate) async fn clear_listing_tags(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM listing_tags WHERE listing_id = ?")
        .bind(listing)
        .execute(db)
        .await?;
    Ok(())
}

/// The id of the tag `name`, created if new.
pub(crate) async fn upsert_tag(
    db: impl SqliteExecutor<'_>,
    name: &str,
) -> Result<i64, sqlx::Error> {
    // `DO UPDATE` (a no-op) rather than `DO NOTHING`, so `RETURNING`
    // yields the id of an existing tag too.
    sqlx::query_scalar(
        "INSERT INTO tags (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET name = name
         RETURNING id",
    )
    .bind(name)
    .fetch_one(db)
    .await
}

/// Puts tag `tag` on `listing` at `position`.
pub(crate) async fn insert_listing_tag(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
    tag: i64,
    position: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO listing_tags (listing_id, tag_id, position) VALUES (?, ?, ?)")
        .bind(listing)
        .bind(tag)
        .bind(position)
        .execute(db)
        .await?;
    Ok(())
}

/// Up to eight tags in use on public listings whose name is `LIKE` `pattern`
/// (escaped with `\`), most used first. A tag only a listing under review
/// carries is nobody else's business yet.
pub(crate) async fn popular_tags_like(
    db: impl SqliteExecutor<'_>,
    pattern: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT t.name FROM tags t JOIN listing_tags lt ON lt.tag_id = t.id
           JOIN listings l ON l.id = lt.listing_id
          WHERE t.name LIKE ? ESCAPE '\\' AND l.status IN ('approved', 'sold')
          GROUP BY t.id ORDER BY count(*) DESC, t.name LIMIT 8",
    )
    .bind(pattern)
    .fetch_all(db)
    .await
}
