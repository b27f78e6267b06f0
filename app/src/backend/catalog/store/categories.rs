//! The category tree.

use sqlx::SqliteExecutor;

/// Inserts the category `slug` or updates its order and parent.
pub(crate) async fn upsert_category(
    db: impl SqliteExecutor<'_>,
    slug: &str,
    position: i64,
    parent: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO categories (slug, position, parent_id)
         VALUES (?1, ?2, (SELECT id FROM categories WHERE slug = ?3))
         ON CONFLICT (slug) DO UPDATE
            SET position = excluded.position, parent_id = excluded.parent_id",
    )
    .bind(slug)
    .bind(position)
    .bind(parent)
    .execute(db)
    .await?;
    Ok(())
}

/// The id of the category `slug`, if there is one.
pub(crate) async fn category_id(
    db: impl SqliteExecutor<'_>,
    slug: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM categories WHERE slug = ?")
        .bind(slug)
        .fetch_optional(db)
        .await
}
