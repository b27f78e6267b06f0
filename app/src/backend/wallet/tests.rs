//! The ledger on a real database: the schema itself refuses an overdraft, an
//! unbalanced or rewritten ledger and a second settlement, whatever SQL a
//! bug might send; transfers racing for one balance take exactly what it
//! covers.

use super::store::{self, audit, balance, post};
use crate::{
    backend::{platform::db::testing::temp_db, testing::verified},
    domain::{
        id::UserId,
        wallet::{Account, HoldState, Purpose},
    },
};
use sqlx::SqlitePool;

const NOW: i64 = 1_000;

async fn top_up(pool: &SqlitePool, user: UserId, amount: i64) {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
    post(
        &mut tx,
        Account::Clearing,
        Account::Available(user),
        amount,
        Purpose::TopUp,
        None,
        NOW,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn entries(pool: &SqlitePool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM ledger_entries")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_transfer_writes_two_entries_and_moves_both_balances() {
    let (pool, _dir) = temp_db().await;
    let user = verified(&pool, "mei").await;
    top_up(&pool, user, 1_200).await;
    assert_eq!(
        balance(&pool, Account::Available(user)).await.unwrap(),
        1_200
    );
    assert_eq!(balance(&pool, Account::Clearing).await.unwrap(), -1_200);
    assert_eq!(entries(&pool).await, 2);
    let amounts: Vec<i64> = sqlx::query_scalar("SELECT amount FROM ledger_entries ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(amounts, [-1_200, 1_200]);
    assert_eq!(audit(&pool).await.unwrap(), (0, 0));
}

#[tokio::test]
async fn the_database_refuses_an_overdraft_and_keeps_nothing_of_it() {
    let (pool, _dir) = temp_db().await;
    let user = verified(&pool, "mei").await;
    top_up(&pool, user, 100).await;
    let mut conn = pool.acquire().await.unwrap();
    let refused = post(
        &mut conn,
        Account::Available(user),
        Account::Clearing,
        101,
        Purpose::Withdrawal,
        None,
        NOW,
    )
    .await
    .unwrap_err();
    assert!(store::is_overdraft(&refused), "{refused}");
    // In raw SQL too: the member's account cannot be set below zero.
    let raw = sqlx::query("UPDATE ledger_accounts SET balance = -1 WHERE kind = 'available'")
        .execute(&pool)
        .await;
    assert!(raw.is_err());
    assert_eq!(balance(&pool, Account::Available(user)).await.unwrap(), 100);
    assert_eq!(entries(&pool).await, 2);
    let transfers: i64 = sqlx::query_scalar("SELECT count(*) FROM transfers")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(transfers, 1);
    assert_eq!(audit(&pool).await.unwrap(), (0, 0));
}

#[tokio::test]
async fn the_database_refuses_to_update_or_delete_the_ledger() {
    let (pool, _dir) = temp_db().await;
    let user = verified(&pool, "mei").await;
    top_up(&pool, user, 500).await;
    for sql in [
        "UPDATE ledger_entries SET amount = amount * 2",
        "DELETE FROM ledger_entries",
        "UPDATE transfers SET amount = 1",
        "DELETE FROM transfers",
        "DELETE FROM ledger_accounts",
    ] {
        let refused = sqlx::query(sql).execute(&pool).await;
        assert!(refused.is_err(), "{sql} was allowed");
    }
    // A transfer that would leave the ledger unbalanced cannot be written
    // either: amounts are positive and the two accounts differ.
    let clearing = {
        let mut conn = pool.acquire().await.unwrap();
        store::account_id(&mut conn, Account::Clearing)
            .await
            .unwrap()
    };
    for (from, amount) in [(clearing, -5), (clearing, 0)] {
        let refused = sqlx::query(
            "INSERT INTO transfers (from_account, to_account, amount, purpose, created_at)
             VALUES (?, (SELECT id FROM ledger_accounts WHERE kind = 'fees'), ?, 'fee', 0)",
        )
        .bind(from)
        .bind(amount)
        .execute(&pool)
        .await;
        assert!(refused.is_err(), "amount {amount} was allowed");
    }
    let same = sqlx::query(
        "INSERT INTO transfers (from_account, to_account, amount, purpose, created_at)
         VALUES (?1, ?1, 5, 'fee', 0)",
    )
    .bind(clearing)
    .execute(&pool)
    .await;
    assert!(same.is_err());
    assert_eq!(balance(&pool, Account::Available(user)).await.unwrap(), 500);
    assert_eq!(entries(&pool).await, 2);
    assert_eq!(audit(&pool).await.unwrap(), (0, 0));
}

#[tokio::test]
async fn a_hold_settles_once_even_in_raw_sql() {
    let (pool, _dir) = temp_db().await;
    let (buyer, seller) = (
        verified(&pool, "buyer").await,
        verified(&pool, "seller").await,
    );
    top_up(&pool, buyer, 800).await;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
    let hold = store::insert_hold(&mut *tx, buyer, seller, None, 800, NOW)
        .await
        .unwrap();
    post(
        &mut tx,
        Account::Available(buyer),
        Account::Held(hold),
        800,
        Purpose::Escrow,
        Some(hold),
        NOW,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(balance(&pool, Account::Held(hold)).await.unwrap(), 800);

    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
    assert!(
        store::settle_hold(&mut *tx, hold, HoldState::Posted, NOW)
            .await
            .unwrap()
    );
    post(
        &mut tx,
        Account::Held(hold),
        Account::Available(seller),
        800,
        Purpose::Release,
        Some(hold),
        NOW,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // A second settlement changes nothing; raw SQL cannot reopen it.
    assert!(
        !store::settle_hold(&pool, hold, HoldState::Voided, NOW)
            .await
            .unwrap()
    );
    for sql in [
        "UPDATE holds SET state = 'pending', settled_at = NULL",
        "UPDATE holds SET state = 'voided'",
        "DELETE FROM holds",
    ] {
        assert!(sqlx::query(sql).execute(&pool).await.is_err(), "{sql}");
    }
    let row = store::load_hold(&pool, hold).await.unwrap().unwrap();
    assert_eq!(row.state, "posted");
    assert_eq!(balance(&pool, Account::Held(hold)).await.unwrap(), 0);
    assert_eq!(
        balance(&pool, Account::Available(seller)).await.unwrap(),
        800
    );
    assert_eq!(audit(&pool).await.unwrap(), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_racing_withdrawals_take_exactly_what_the_balance_covers() {
    let (pool, _dir) = temp_db().await;
    let user = verified(&pool, "mei").await;
    top_up(&pool, user, 1_000).await;
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                post(
                    &mut tx,
                    Account::Available(user),
                    Account::Clearing,
                    30,
                    Purpose::Withdrawal,
                    None,
                    NOW,
                )
                .await?;
                tx.commit().await
            })
        })
        .collect();
    let (mut done, mut refused) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => done += 1,
            Err(e) if store::is_overdraft(&e) => refused += 1,
            Err(e) => panic!("{e}"),
        }
    }
    // 1,000 covers 33 withdrawals of 30.
    assert_eq!((done, refused), (33, 67));
    assert_eq!(balance(&pool, Account::Available(user)).await.unwrap(), 10);
    assert_eq!(audit(&pool).await.unwrap(), (0, 0));
}
