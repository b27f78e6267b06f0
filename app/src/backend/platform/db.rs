//! The SQLite connection pool and embedded migrations.

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::{str::FromStr, time::Duration};

pub use sqlx::{Error, migrate::MigrateError};

/// Opens (creating if needed) the database with WAL, foreign keys and a busy
/// timeout, so concurrent writers wait instead of failing.
pub async fn connect(url: &str) -> Result<SqlitePool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    SqlitePoolOptions::new()
        .max_connections(8)
        .min_connections(1)
        // A connection to a local file does not go stale; pinging it before
        // each use would add a round trip to its thread to every query.
        .test_before_acquire(false)
        .connect_with(options)
        .await
}

/// A turn at writing, taken before `BEGIN IMMEDIATE` by use cases that write
/// often (a negotiation room's steps): writers of this process then queue
/// here, first come first served, instead of polling SQLite's lock in its
/// busy handler, whose sleeps grow from 1 to 100 ms and made the slowest
/// steps of a busy second tens of milliseconds late.
pub async fn write_turn() -> tokio::sync::MutexGuard<'static, ()> {
    static WRITER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    WRITER.lock().await
}

/// Applies the migrations, then brings the category table in line with the
/// tree defined in code.
pub async fn migrate(pool: &SqlitePool) -> Result<(), sqlx::migrate::MigrateError> {
    sqlx::migrate!("../migrations").run(pool).await?;
    crate::backend::catalog::categories::sync(pool).await?;
    Ok(())
}

/// True when the database answers a trivial query.
pub async fn is_healthy(pool: &SqlitePool) -> bool {
    sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(pool)
        .await
        .is_ok()
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// A migrated database in a fresh temporary directory (dropped with the guard).
    pub async fn temp_db() -> (SqlitePool, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let pool = connect(&url).await.expect("connect");
        migrate(&pool).await.expect("migrate");
        (pool, dir)
    }
}

#[cfg(test)]
mod tests {
    use super::testing::temp_db;
    use super::*;

    #[tokio::test]
    async fn file_database_runs_in_wal_with_foreign_keys() {
        let (pool, dir) = temp_db().await;
        assert!(dir.path().join("test.db").exists());
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(fk, 1);
        assert!(is_healthy(&pool).await);
        // A listing pointing at a missing seller is refused by the foreign key.
        let orphan = sqlx::query(
            "INSERT INTO listings (seller_id, category_id, title, price, condition, sale_mode, created_at, updated_at)
             VALUES (999, 999, 'x', 1, 'new', 'fixed', 0, 0)",
        )
        .execute(&pool)
        .await;
        assert!(orphan.is_err());
    }

    #[tokio::test]
    async fn migrations_are_idempotent_and_health_fails_when_closed() {
        let (pool, _dir) = temp_db().await;
        migrate(&pool).await.expect("second run is a no-op");
        pool.close().await;
        assert!(!is_healthy(&pool).await);
    }
}
