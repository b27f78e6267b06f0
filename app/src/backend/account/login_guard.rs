//! Counting failed log-ins per account name and per address (rules in
//! `domain::login_guard`).

use super::store;
use crate::domain::account::login_guard::{Gate, WINDOW_MS, gate};
use sqlx::SqlitePool;

fn account_key(login: &str) -> String {
    format!("account:{}", login.trim().to_lowercase())
}

fn address_key(ip: &str) -> String {
    format!("ip:{ip}")
}

/// How strict the next attempt for `login` from `ip` must be. Counted by the
/// name typed, not the account, so unknown names are treated like known ones.
pub async fn check(
    pool: &SqlitePool,
    login: &str,
    ip: &str,
    now: i64,
) -> Result<Gate, sqlx::Error> {
    let (account, address) =
        store::count_failures(pool, &account_key(login), &address_key(ip), now - WINDOW_MS).await?;
    Ok(gate(account, address))
}

pub async fn record_failure(
    pool: &SqlitePool,
    login: &str,
    ip: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    // Old failures no longer count; dropping them here keeps the table small.
    store::delete_failures_until(&mut *tx, now - WINDOW_MS).await?;
    store::insert_failures(&mut *tx, &account_key(login), &address_key(ip), now).await?;
    tx.commit().await
}

/// A successful log-in forgives the account's failures (not the address's).
pub async fn forgive(pool: &SqlitePool, login: &str) -> Result<(), sqlx::Error> {
    store::delete_failures(pool, &account_key(login)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::platform::db::testing::temp_db;

    #[tokio::test]
    async fn failures_count_per_name_and_address_within_the_window() {
        let (pool, _dir) = temp_db().await;
        let gate_at = |login: &'static str, ip: &'static str, now: i64| {
            let pool = pool.clone();
            async move { check(&pool, login, ip, now).await.unwrap() }
        };
        for i in 0..3 {
            assert_eq!(gate_at("Mei", "10.0.0.1", i).await, Gate::Open);
            record_failure(&pool, "mei ", "10.0.0.1", i).await.unwrap();
        }
        assert_eq!(gate_at("MEI", "10.0.0.9", 10).await, Gate::NeedsCaptcha);
        // Three failures from an address do not burden others there…
        assert_eq!(gate_at("jun", "10.0.0.1", 10).await, Gate::Open);
        // …and outside the window they no longer count at all.
        assert_eq!(gate_at("mei", "10.0.0.9", WINDOW_MS + 3).await, Gate::Open);

        for i in 3..10 {
            record_failure(&pool, "mei", "10.0.0.1", i).await.unwrap();
        }
        assert_eq!(gate_at("mei", "10.0.0.9", 20).await, Gate::Paused);
        // Ten from one address do burden the others.
        assert_eq!(gate_at("jun", "10.0.0.1", 20).await, Gate::NeedsCaptcha);
        forgive(&pool, "Mei").await.unwrap();
        assert_eq!(gate_at("mei", "10.0.0.9", 20).await, Gate::Open);
        assert_eq!(gate_at("mei", "10.0.0.1", 20).await, Gate::NeedsCaptcha);
    }
}
