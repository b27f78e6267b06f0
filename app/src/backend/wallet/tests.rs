//! The ledger on a real database: the schema itself refuses an overdraft, an
//! unbalanced or rewritten ledger and a second settlement, whatever SQL a
//! bug might send; transfers racing for one balance take exactly what it
//! covers.

use super::store::{self, audit, balance, post};
use crate::{
    backend::{
        platform::db::testing::temp_db,
        testing::{fund, verified},
    },
    domain::{
        id::UserId,
        wallet::{Account, HoldState, Purpose},
    },
};
use sqlx::SqlitePool;

const NOW: i64 = 1_000;

async fn top_up(pool: &SqlitePool, user: UserId, amount: i64) {
    fund(pool, user, amount, NOW).await
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
        &mut *conn,
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
    let clearing = store::account_id(&pool, Account::Clearing).await.unwrap();
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
        &mut *tx,
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
        &mut *tx,
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
                    &mut *tx,
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

mod top_ups {
    use super::*;
    use crate::{
        backend::{
            AppState,
            platform::clock::now_ms,
            testing::app_state,
            wallet::{
                Payments,
                provider::{Signed, Simulated, sign},
                top_up::{provider_event, top_up},
            },
        },
        domain::money::{Currency, Money},
        error::AppError,
        model::TopUpState,
    };
    use std::{sync::Arc, time::Duration};
    use tokio::sync::mpsc::UnboundedReceiver;

    const KEY: &str = "5f0c7a1e-9b3d-4c2a-8e61-0d2f4b7a9c13";
    const GOOD_CARD: &str = "4242 4242 4242 4242";
    const DECLINED_CARD: &str = "4000 0000 0000 0002";

    struct World {
        state: AppState,
        callbacks: UnboundedReceiver<Signed>,
        user: UserId,
        _dir: tempfile::TempDir,
    }

    async fn world() -> World {
        let (pool, dir) = temp_db().await;
        let mut state = app_state(&pool, &dir);
        let key = state.secret.derive_key("payment-callbacks");
        let (provider, callbacks) = Simulated::new(key, Duration::ZERO);
        state.payments = Payments {
            provider: Arc::new(provider),
            key,
        };
        World {
            user: verified(&pool, "mei").await,
            state,
            callbacks,
            _dir: dir,
        }
    }

    fn twd(minor: i64) -> Money {
        Money::new(minor, Currency::Twd)
    }

    impl World {
        async fn available(&self) -> i64 {
            balance(&self.state.db, Account::Available(self.user))
                .await
                .unwrap()
        }

        async fn callback(&mut self) -> Signed {
            tokio::time::timeout(Duration::from_secs(5), self.callbacks.recv())
                .await
                .expect("a callback within 5 s")
                .expect("the provider is alive")
        }

        async fn count(&self, table: &str) -> i64 {
            sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
                .fetch_one(&self.state.db)
                .await
                .unwrap()
        }
    }

    #[tokio::test]
    async fn the_test_card_tops_up_once_its_signed_callback_arrives() {
        let mut w = world().await;
        let pending = top_up(&w.state, w.user, twd(1_500), GOOD_CARD, KEY, NOW)
            .await
            .unwrap();
        assert_eq!(pending.state, TopUpState::Pending);
        assert_eq!(pending.card_last4, "4242");
        assert_eq!(w.available().await, 0, "nothing before the callback");
        let signed = w.callback().await;
        provider_event(&w.state, &signed.body, &signed.signature, now_ms())
            .await
            .unwrap();
        assert_eq!(w.available().await, 1_500);
        // Asked again with the same key, it answers with the top-up as it
        // stands now.
        let again = top_up(&w.state, w.user, twd(1_500), GOOD_CARD, KEY, NOW)
            .await
            .unwrap();
        assert_eq!((again.id, again.state), (pending.id, TopUpState::Succeeded));
        let state: String = sqlx::query_scalar("SELECT state FROM top_ups")
            .fetch_one(&w.state.db)
            .await
            .unwrap();
        assert_eq!(state, "succeeded");
        assert_eq!(w.count("wallet_audit").await, 2);
        assert_eq!(audit(&w.state.db).await.unwrap(), (0, 0));
    }

    #[tokio::test]
    async fn a_declined_card_moves_nothing() {
        let mut w = world().await;
        top_up(&w.state, w.user, twd(900), DECLINED_CARD, KEY, NOW)
            .await
            .unwrap();
        let signed = w.callback().await;
        provider_event(&w.state, &signed.body, &signed.signature, now_ms())
            .await
            .unwrap();
        assert_eq!(w.available().await, 0);
        assert_eq!(w.count("transfers").await, 0);
        let state: String = sqlx::query_scalar("SELECT state FROM top_ups")
            .fetch_one(&w.state.db)
            .await
            .unwrap();
        assert_eq!(state, "declined");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_same_key_sent_ten_times_at_once_charges_and_credits_once() {
        let mut w = world().await;
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (state, user) = (w.state.clone(), w.user);
                tokio::spawn(
                    async move { top_up(&state, user, twd(700), GOOD_CARD, KEY, NOW).await },
                )
            })
            .collect();
        let mut ids = Vec::new();
        for task in tasks {
            ids.push(task.await.unwrap().unwrap().id);
        }
        ids.dedup();
        assert_eq!(ids.len(), 1, "every attempt answers with the first top-up");
        assert_eq!(w.count("top_ups").await, 1);
        let signed = w.callback().await;
        provider_event(&w.state, &signed.body, &signed.signature, now_ms())
            .await
            .unwrap();
        // One charge only: no second callback comes.
        assert!(
            tokio::time::timeout(Duration::from_millis(200), w.callbacks.recv())
                .await
                .is_err()
        );
        assert_eq!(w.available().await, 700);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_callback_delivered_five_times_credits_once() {
        let mut w = world().await;
        top_up(&w.state, w.user, twd(400), GOOD_CARD, KEY, NOW)
            .await
            .unwrap();
        let signed = w.callback().await;
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let (state, signed) = (w.state.clone(), signed.clone());
                tokio::spawn(async move {
                    provider_event(&state, &signed.body, &signed.signature, now_ms()).await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(w.available().await, 400);
        assert_eq!(w.count("transfers").await, 1);
        assert_eq!(w.count("provider_events").await, 1);
    }

    #[tokio::test]
    async fn a_forged_altered_or_stale_callback_is_refused() {
        let mut w = world().await;
        top_up(&w.state, w.user, twd(400), GOOD_CARD, KEY, NOW)
            .await
            .unwrap();
        let signed = w.callback().await;
        let richer = signed.body.replace("400", "40000");
        let now = now_ms();
        let forged = sign(&[9; 32], &signed.body, now);
        for (body, signature, at) in [
            (richer.as_str(), signed.signature.as_str(), now),
            (signed.body.as_str(), forged.as_str(), now),
            (
                signed.body.as_str(),
                signed.signature.as_str(),
                now + 3_600_000,
            ),
        ] {
            assert_eq!(
                provider_event(&w.state, body, signature, at).await,
                Err(AppError::Forbidden)
            );
        }
        assert_eq!(w.available().await, 0);
        assert_eq!(w.count("provider_events").await, 0);
    }

    #[tokio::test]
    async fn a_key_used_for_another_request_is_refused_and_bad_input_is_named() {
        let w = world().await;
        top_up(&w.state, w.user, twd(400), GOOD_CARD, KEY, NOW)
            .await
            .unwrap();
        assert_eq!(
            top_up(&w.state, w.user, twd(500), GOOD_CARD, KEY, NOW).await,
            Err(AppError::Conflict)
        );
        // After 24 hours the key is forgotten and may be used again.
        let later = NOW + crate::domain::wallet::KEY_TTL_MS + 1;
        assert!(
            top_up(&w.state, w.user, twd(500), GOOD_CARD, KEY, later)
                .await
                .is_ok()
        );
        let other = "0123456789abcdef0123";
        assert!(matches!(
            top_up(&w.state, w.user, twd(0), GOOD_CARD, other, NOW).await,
            Err(AppError::Validation(_))
        ));
        assert!(matches!(
            top_up(
                &w.state,
                w.user,
                twd(100),
                "4242 4242 4242 4241",
                other,
                NOW
            )
            .await,
            Err(AppError::Validation(_))
        ));
        assert_eq!(
            top_up(&w.state, w.user, twd(100), GOOD_CARD, "short", NOW).await,
            Err(AppError::Conflict)
        );
        assert_eq!(w.count("top_ups").await, 2);
    }
}

mod withdrawals {
    use super::*;
    use crate::{
        backend::{testing::app_state, wallet::withdraw::withdraw},
        domain::{
            form::{Field, Problem},
            money::{Currency, Money},
        },
        error::AppError,
    };

    fn twd(minor: i64) -> Money {
        Money::new(minor, Currency::Twd)
    }

    async fn identified(pool: &SqlitePool, name: &str) -> UserId {
        let user = verified(pool, name).await;
        sqlx::query("UPDATE users SET id_verified_at = 0 WHERE id = ?")
            .bind(user)
            .execute(pool)
            .await
            .unwrap();
        user
    }

    #[tokio::test]
    async fn withdrawing_needs_a_verified_identity_and_never_more_than_the_balance() {
        let (pool, dir) = temp_db().await;
        let state = app_state(&pool, &dir);
        let plain = verified(&pool, "plain").await;
        top_up(&pool, plain, 500).await;
        assert_eq!(
            withdraw(&state, plain, twd(100), "key-0000000000000001", NOW).await,
            Err(AppError::field(Field::Amount, Problem::VerifyIdentityFirst))
        );
        let user = identified(&pool, "mei").await;
        top_up(&pool, user, 500).await;
        assert_eq!(
            withdraw(&state, user, twd(501), "key-0000000000000002", NOW).await,
            Err(AppError::field(
                Field::Amount,
                Problem::OutOfRange { min: 1, max: 500 }
            ))
        );
        // The refused attempt left its key free for the corrected amount, and
        // a retry of that answers with the same withdrawal.
        let first = withdraw(&state, user, twd(200), "key-0000000000000002", NOW)
            .await
            .unwrap();
        let again = withdraw(&state, user, twd(200), "key-0000000000000002", NOW)
            .await
            .unwrap();
        assert_eq!(first, again);
        assert_eq!(balance(&pool, Account::Available(user)).await.unwrap(), 300);
        assert_eq!(audit(&pool).await.unwrap(), (0, 0));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_hundred_racing_withdrawals_get_exactly_what_the_balance_covers() {
        let (pool, dir) = temp_db().await;
        let state = app_state(&pool, &dir);
        let user = identified(&pool, "mei").await;
        top_up(&pool, user, 1_000).await;
        let tasks: Vec<_> = (0..100)
            .map(|i| {
                let state = state.clone();
                tokio::spawn(async move {
                    let key = format!("race-key-{i:012}");
                    withdraw(&state, user, twd(30), &key, NOW).await
                })
            })
            .collect();
        let mut done = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => done += 1,
                Err(AppError::Validation(_)) => {}
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(done, 33);
        assert_eq!(balance(&pool, Account::Available(user)).await.unwrap(), 10);
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM withdrawals")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(rows, 33);
        assert_eq!(audit(&pool).await.unwrap(), (0, 0));
    }
}
