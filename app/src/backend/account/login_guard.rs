//! Counting failed log-ins per account and per address network (rules in
//! `domain::login_guard`), and failed code checks per address network.
//!
//! Every guess is recorded as a failure before its password is hashed, in
//! the same `BEGIN IMMEDIATE` transaction that reads the counts: guesses
//! sent together are counted one after another, so no more of them get
//! through than the rules allow. A guess that turns out right is forgiven.

use super::store;
use crate::backend::platform::{captcha::Challenge, client::ClientAddr};
use crate::domain::{
    account::login_guard::{CODE_FAILURES_PER_NETWORK, Gate, OLD_PASSWORD_TRIES, WINDOW_MS, gate},
    form::Problem,
    id::UserId,
};
use sqlx::SqlitePool;

/// Failures of one account, whichever of its names was typed.
fn account_key(id: UserId) -> String {
    format!("user:{}", id.get())
}

/// Failures for a name no account has, so unknown names are treated like
/// known ones.
fn name_key(login: &str) -> String {
    format!("name:{}", login.trim().to_lowercase())
}

fn network_key(addr: Option<ClientAddr>) -> Option<String> {
    addr.map(|a| format!("net:{}", a.network()))
}

fn code_key(addr: ClientAddr) -> String {
    format!("code:{}", addr.network())
}

/// A guess already counted as a failure; forgive it if it was right.
#[derive(Debug)]
pub struct Attempt {
    account_key: Option<String>,
    address_key: Option<String>,
    rows: Vec<i64>,
}

/// Why a log-in attempt was not let through to the password check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The account failed too often; it waits out the window.
    Paused,
    /// A CAPTCHA is needed, and this is what is wrong with the answer.
    Captcha(Problem),
}

/// A log-in attempt let through: counted, with the password hash of the
/// account `login` names (`None`: no such account).
#[derive(Debug)]
pub struct Entry {
    pub attempt: Attempt,
    pub account: Option<(UserId, String)>,
}

/// Lets one log-in attempt for `login` from `addr` through to the password
/// check, or refuses it. The gate is decided, the CAPTCHA (if one is needed)
/// checked and used up, and the attempt recorded, in one transaction.
/// `challenge` is the session's CAPTCHA with the answer given, if any.
pub async fn enter(
    pool: &SqlitePool,
    login: &str,
    addr: Option<ClientAddr>,
    challenge: Option<(Challenge, &str)>,
    now: i64,
) -> Result<Result<Entry, Refusal>, sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let account = store::load_password_by_login(&mut *tx, login.trim()).await?;
    let account_key = match &account {
        Some((id, _)) => account_key(*id),
        None => name_key(login),
    };
    let address_key = network_key(addr);
    let (by_account, by_address) = store::count_failures(
        &mut *tx,
        &account_key,
        address_key.as_deref().unwrap_or_default(),
        now - WINDOW_MS,
    )
    .await?;
    match gate(by_account, by_address) {
        Gate::Paused => return Ok(Err(Refusal::Paused)),
        Gate::NeedsCaptcha => match challenge {
            None => return Ok(Err(Refusal::Captcha(Problem::Required))),
            Some((challenge, answer)) => {
                if !challenge.solved_by(answer) {
                    return Ok(Err(Refusal::Captcha(Problem::Wrong)));
                }
            }
        },
        Gate::Open => {}
    }
    // Old failures no longer count; dropping them here keeps the table small.
    store::delete_failures_until(&mut *tx, now - WINDOW_MS).await?;
    let mut rows = vec![store::insert_failure(&mut *tx, &account_key, now).await?];
    if let Some(key) = &address_key {
        rows.push(store::insert_failure(&mut *tx, key, now).await?);
    }
    tx.commit().await?;
    Ok(Ok(Entry {
        attempt: Attempt {
            account_key: Some(account_key),
            address_key,
            rows,
        },
        account,
    }))
}

/// How strict the next attempt like `attempt` will be.
pub async fn next_gate(
    pool: &SqlitePool,
    attempt: &Attempt,
    now: i64,
) -> Result<Gate, sqlx::Error> {
    let (by_account, by_address) = store::count_failures(
        pool,
        attempt.account_key.as_deref().unwrap_or_default(),
        attempt.address_key.as_deref().unwrap_or_default(),
        now - WINDOW_MS,
    )
    .await?;
    Ok(gate(by_account, by_address))
}

/// A right password forgives the account's failures and this attempt's
/// count against the address (not the address's other failures).
pub async fn forgive(pool: &SqlitePool, attempt: Attempt) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    if let Some(key) = &attempt.account_key {
        store::delete_failures(&mut *tx, key).await?;
    }
    for row in attempt.rows {
        store::delete_failure(&mut *tx, row).await?;
    }
    tx.commit().await
}

/// Takes back an attempt whose password was never checked (the server was
/// busy): it must not count against anyone.
pub async fn withdraw(pool: &SqlitePool, attempt: Attempt) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    for row in attempt.rows {
        store::delete_failure(&mut *tx, row).await?;
    }
    tx.commit().await
}

/// Counts a check of the old password in "change password" for account `id`
/// from `addr`, before it is hashed; `None` (refuse) when the account has
/// failed too often lately. Wrong old passwords count as failed log-ins.
pub async fn enter_password_check(
    pool: &SqlitePool,
    id: UserId,
    addr: Option<ClientAddr>,
    now: i64,
) -> Result<Option<Attempt>, sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let key = account_key(id);
    let address_key = network_key(addr);
    let (by_account, _) = store::count_failures(&mut *tx, &key, "", now - WINDOW_MS).await?;
    if by_account >= OLD_PASSWORD_TRIES {
        return Ok(None);
    }
    store::delete_failures_until(&mut *tx, now - WINDOW_MS).await?;
    let mut rows = vec![store::insert_failure(&mut *tx, &key, now).await?];
    if let Some(k) = &address_key {
        rows.push(store::insert_failure(&mut *tx, k, now).await?);
    }
    tx.commit().await?;
    Ok(Some(Attempt {
        account_key: Some(key),
        address_key,
        rows,
    }))
}

/// Counts a verification code check from `addr` before it is made; `None`
/// (refuse) when checks from that network failed too often lately. Without
/// an address (outside a request) nothing is counted.
pub async fn enter_code_check(
    pool: &SqlitePool,
    addr: Option<ClientAddr>,
    now: i64,
) -> Result<Option<Attempt>, sqlx::Error> {
    let Some(addr) = addr else {
        return Ok(Some(Attempt {
            account_key: None,
            address_key: None,
            rows: Vec::new(),
        }));
    };
    let key = code_key(addr);
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let (failures, _) = store::count_failures(&mut *tx, &key, "", now - WINDOW_MS).await?;
    if failures >= CODE_FAILURES_PER_NETWORK {
        return Ok(None);
    }
    store::delete_failures_until(&mut *tx, now - WINDOW_MS).await?;
    let row = store::insert_failure(&mut *tx, &key, now).await?;
    tx.commit().await?;
    Ok(Some(Attempt {
        account_key: None,
        address_key: Some(key),
        rows: vec![row],
    }))
}

#[cfg(test)]
mod tests;
