//! The statement reads only the caller's own entries, newest first, with the
//! balance after each; its filters and pages narrow it, never widen it.

use super::{filter_of, statement, summary, top_up_state};
use crate::{
    backend::{
        platform::db::testing::temp_db,
        testing::{app_state, verified},
        wallet::store::{insert_hold, insert_top_up, post},
    },
    domain::{
        id::UserId,
        wallet::{Account, Purpose},
    },
    error::AppError,
    model::StatementFilter,
};
use sqlx::SqlitePool;

const DAY: i64 = 24 * 60 * 60 * 1000;
/// 2026-12-01 00:00 in Taipei (the default zone).
const DEC_1: i64 = 1_796_054_400_000;

async fn move_money(
    pool: &SqlitePool,
    from: Account,
    to: Account,
    amount: i64,
    purpose: Purpose,
    at: i64,
) {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
    post(&mut *tx, from, to, amount, purpose, None, at)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

fn amounts(page: &crate::model::StatementPage) -> Vec<(i64, i64)> {
    page.lines
        .iter()
        .map(|l| (l.amount.minor, l.balance_after.minor))
        .collect()
}

#[tokio::test]
async fn the_statement_is_the_members_own_newest_first_with_the_balance_after() {
    let (pool, dir) = temp_db().await;
    let state = app_state(&pool, &dir);
    let mei = verified(&pool, "mei").await;
    let sam = verified(&pool, "sam").await;
    let (mei_acct, sam_acct) = (Account::Available(mei), Account::Available(sam));
    move_money(
        &pool,
        Account::Clearing,
        mei_acct,
        1_000,
        Purpose::TopUp,
        DEC_1,
    )
    .await;
    move_money(
        &pool,
        Account::Clearing,
        sam_acct,
        5_000,
        Purpose::TopUp,
        DEC_1 + 1,
    )
    .await;
    move_money(
        &pool,
        mei_acct,
        Account::Clearing,
        300,
        Purpose::Withdrawal,
        DEC_1 + DAY,
    )
    .await;
    move_money(
        &pool,
        Account::Clearing,
        mei_acct,
        50,
        Purpose::TopUp,
        DEC_1 + 2 * DAY,
    )
    .await;
    move_money(
        &pool,
        sam_acct,
        Account::Clearing,
        4_000,
        Purpose::Withdrawal,
        DEC_1 + 2 * DAY,
    )
    .await;

    let all = statement(&state, mei, &StatementFilter::default(), 1)
        .await
        .unwrap();
    assert_eq!(amounts(&all), [(50, 750), (-300, 700), (1_000, 1_000)]);
    assert_eq!(all.lines[1].purpose, Purpose::Withdrawal);
    assert!(!all.more);

    // By purpose: the balance after is still the real one.
    let top_ups = filter_of(&state, "top_up", "", "");
    let page = statement(&state, mei, &top_ups, 1).await.unwrap();
    assert_eq!(amounts(&page), [(50, 750), (1_000, 1_000)]);

    // By dates, both days included, read in the deployment's zone.
    let second_day = filter_of(&state, "", "2026-12-02", "2026-12-02");
    assert_eq!(second_day.from, Some(DEC_1 + DAY));
    let page = statement(&state, mei, &second_day, 1).await.unwrap();
    assert_eq!(amounts(&page), [(-300, 700)]);
    let from_second = filter_of(&state, "", "2026-12-02", "");
    let page = statement(&state, mei, &from_second, 1).await.unwrap();
    assert_eq!(amounts(&page), [(50, 750), (-300, 700)]);

    // Unreadable filters narrow nothing.
    let junk = filter_of(&state, "'; DROP TABLE transfers", "yesterday", "2026-13-40");
    assert_eq!(junk, StatementFilter::default());

    // The other member sees only theirs.
    let sams = statement(&state, sam, &StatementFilter::default(), 1)
        .await
        .unwrap();
    assert_eq!(amounts(&sams), [(-4_000, 1_000), (5_000, 5_000)]);
    // A member with no entries has an empty statement.
    let lee = verified(&pool, "lee").await;
    let none = statement(&state, lee, &StatementFilter::default(), 1)
        .await
        .unwrap();
    assert!(none.lines.is_empty());
}

#[tokio::test]
async fn the_statement_comes_in_pages() {
    let (pool, dir) = temp_db().await;
    let state = app_state(&pool, &dir);
    let mei = verified(&pool, "mei").await;
    for i in 1..=30 {
        move_money(
            &pool,
            Account::Clearing,
            Account::Available(mei),
            i,
            Purpose::TopUp,
            DEC_1 + i,
        )
        .await;
    }
    let first = statement(&state, mei, &StatementFilter::default(), 1)
        .await
        .unwrap();
    assert_eq!(first.lines.len(), 25);
    assert!(first.more);
    assert_eq!(first.lines[0].amount.minor, 30);
    let second = statement(&state, mei, &StatementFilter::default(), 2)
        .await
        .unwrap();
    assert_eq!(
        second
            .lines
            .iter()
            .map(|l| l.amount.minor)
            .collect::<Vec<_>>(),
        [5, 4, 3, 2, 1]
    );
    assert!(!second.more);
    assert_eq!(second.lines[4].balance_after.minor, 1);
    let past = statement(&state, mei, &StatementFilter::default(), 9)
        .await
        .unwrap();
    assert!(past.lines.is_empty() && !past.more);
    // Page 0 reads as the first.
    let zero = statement(&state, mei, &StatementFilter::default(), 0)
        .await
        .unwrap();
    assert_eq!(zero.page, 1);
}

#[tokio::test]
async fn the_summary_shows_the_balance_and_holds_on_both_sides() {
    let (pool, dir) = temp_db().await;
    let state = app_state(&pool, &dir);
    let mei = verified(&pool, "mei").await;
    let sam = verified(&pool, "sam").await;
    move_money(
        &pool,
        Account::Clearing,
        Account::Available(mei),
        1_000,
        Purpose::TopUp,
        DEC_1,
    )
    .await;
    let hold = insert_hold(&pool, mei, sam, None, 400, DEC_1)
        .await
        .unwrap();
    move_money(
        &pool,
        Account::Available(mei),
        Account::Held(hold),
        400,
        Purpose::Escrow,
        DEC_1,
    )
    .await;

    let mine = summary(&state, mei).await.unwrap();
    assert_eq!(mine.balance.minor, 600);
    assert_eq!(mine.holds_as_buyer.len(), 1);
    assert_eq!(mine.holds_as_buyer[0].amount.minor, 400);
    assert!(mine.holds_as_seller.is_empty());
    assert!(!mine.frozen);
    let theirs = summary(&state, sam).await.unwrap();
    assert_eq!(theirs.balance.minor, 0);
    assert_eq!(theirs.holds_as_seller.len(), 1);
    assert!(theirs.holds_as_buyer.is_empty());
}

#[tokio::test]
async fn a_top_ups_state_is_for_its_member_only() {
    let (pool, dir) = temp_db().await;
    let state = app_state(&pool, &dir);
    let mei = verified(&pool, "mei").await;
    let sam = verified(&pool, "sam").await;
    insert_top_up(&pool, "t0pup", mei, 500, "4242", DEC_1)
        .await
        .unwrap();
    let mine = top_up_state(&state, mei, "t0pup").await.unwrap();
    assert_eq!(mine.amount.minor, 500);
    assert!(matches!(
        top_up_state(&state, sam, "t0pup").await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        top_up_state(&state, UserId(9_999), "t0pup").await,
        Err(AppError::NotFound)
    ));
}
