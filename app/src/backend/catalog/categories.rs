//! The category tree in the database, kept equal to `domain::category`.

use super::store;
use crate::domain::catalog::category::CATEGORIES;
use sqlx::SqlitePool;

/// Inserts missing categories and updates order and parents; never deletes
/// (listings may still point at a retired slug).
pub async fn sync(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    // Reads parents while writing: take the write lock up front (see `search::index_missing`).
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    for (position, category) in CATEGORIES.iter().enumerate() {
        store::upsert_category(&mut *tx, category.slug, position as i64, category.parent).await?;
    }
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::platform::db::testing::temp_db;

    #[tokio::test]
    async fn the_tree_is_stored_once_with_parents() {
        let (pool, _dir) = temp_db().await;
        sync(&pool).await.unwrap();
        sync(&pool).await.unwrap();
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM categories")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(count, CATEGORIES.len() as i64);
        let parent: String = sqlx::query_scalar(
            "SELECT p.slug FROM categories c JOIN categories p ON p.id = c.parent_id
              WHERE c.slug = 'game_accounts'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(parent, "games");
    }
}
