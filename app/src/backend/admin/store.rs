//! The console's own SQL: counts across areas.

use sqlx::SqliteExecutor;

/// How many members and how many listings there are.
pub async fn count_users_and_listings(
    ex: impl SqliteExecutor<'_>,
) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as("SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM listings)")
        .fetch_one(ex)
        .await
}
