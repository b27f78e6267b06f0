use super::*;
use crate::backend::{
    auction::scheduler,
    catalog::{
        favorites,
        review::{self, Decision},
    },
    live::hub::Connection,
    testing::*,
};
use crate::domain::{auction::price_for, catalog::ListingInput};
use crate::protocol::{AuctionEvent, NoticeEvent};
use std::collections::HashMap;

const START: i64 = NOW + HOUR;
const END: i64 = START + DAY;
/// While the auction runs, long before the soft-close window.
const DURING: i64 = START + MINUTE;
const WINDOW: i64 = 120_000;

fn rules() -> Rules {
    Rules {
        currency: Currency::Twd,
        increments: IncrementTable::default_for(Currency::Twd),
        soft_close_ms: WINDOW,
    }
}

fn house_on(pool: &SqlitePool) -> AuctionHouse {
    AuctionHouse::new(
        pool.clone(),
        Hub::default(),
        SearchCache::default(),
        rules(),
    )
}

fn twd(minor: i64) -> Money {
    Money::new(minor, Currency::Twd)
}

/// A member with a verified email address: they may bid.
async fn member(pool: &SqlitePool, name: &str) -> i64 {
    verified(pool, name).await.get()
}

async fn exec(pool: &SqlitePool, sql: &str, id: i64) {
    sqlx::query(sql).bind(id).execute(pool).await.unwrap();
}

/// An auction from START to END starting at 100.
fn lamp() -> ListingInput {
    auction("Lamp", START, DAY)
}

fn with_reserve(reserve: &str, buy_now: &str) -> ListingInput {
    ListingInput {
        reserve: reserve.into(),
        buy_now: buy_now.into(),
        ..lamp()
    }
}

struct Fixture {
    pool: SqlitePool,
    _dir: tempfile::TempDir,
    house: AuctionHouse,
    seller: i64,
    a: i64,
    b: i64,
    c: i64,
    id: i64,
}

/// An approved auction of `input`, not started yet, and three verified bidders.
async fn scheduled(input: ListingInput) -> Fixture {
    let (pool, dir) = temp_db().await;
    let seller = member(&pool, "seller").await;
    let a = member(&pool, "ann").await;
    let b = member(&pool, "bob").await;
    let c = member(&pool, "cat").await;
    let id = listed(&pool, seller, &input, NOW).await;
    Fixture {
        house: house_on(&pool),
        pool,
        _dir: dir,
        seller,
        a,
        b,
        c,
        id,
    }
}

/// The same, started at START.
async fn live(input: ListingInput) -> Fixture {
    let f = scheduled(input).await;
    assert_eq!(f.house.start_due(START).await.unwrap(), 1);
    f
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
struct Stored {
    phase: String,
    outcome: Option<String>,
    price: i64,
    leader_id: Option<i64>,
    leader_max: Option<i64>,
    second_max: Option<i64>,
    bids: i64,
    ends_at: i64,
    seq: i64,
}

async fn stored(pool: &SqlitePool, id: i64) -> Stored {
    sqlx::query_as(
        "SELECT phase, outcome, price, leader_id, leader_max, second_max, bids, ends_at, seq
           FROM auctions WHERE listing_id = ?",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// (id, bidder, amount, price, buy_now) of every stored bid, oldest first.
async fn bid_rows(pool: &SqlitePool, id: i64) -> Vec<(i64, i64, i64, i64, bool)> {
    sqlx::query_as(
        "SELECT id, bidder_id, amount, price, buy_now FROM bids WHERE listing_id = ? ORDER BY id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// (kind, listing, amount) of `user`'s notifications, oldest first.
async fn notices(pool: &SqlitePool, user: i64) -> Vec<(String, Option<i64>, Option<i64>)> {
    sqlx::query_as(
        "SELECT kind, listing_id, amount FROM notifications WHERE user_id = ? ORDER BY id",
    )
    .bind(user)
    .fetch_all(pool)
    .await
    .unwrap()
}

fn notice(kind: NoticeKind, id: i64, amount: Option<i64>) -> (String, Option<i64>, Option<i64>) {
    (kind.as_str().to_owned(), Some(id), amount)
}

async fn count(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// What a sale to `buyer` at `price` at `at` leaves: one order awaiting
/// payment for 48 h, the listing sold, the buyer told they won, the
/// seller that it sold, and the leader it was taken from (`outbid`)
/// told so.
async fn sold_to(f: &Fixture, buyer: i64, price: i64, source: &str, at: i64, outbid: i64) {
    assert_eq!(
        orders_of(&f.pool, f.id).await,
        vec![(
            buyer,
            f.seller,
            price,
            source.into(),
            "awaiting_payment".into(),
            Some(at + 48 * HOUR),
            at
        )]
    );
    assert_eq!(status_of(&f.pool, f.id).await, "sold");
    assert_eq!(
        notices(&f.pool, buyer).await,
        vec![notice(NoticeKind::AuctionWon, f.id, Some(price))]
    );
    assert_eq!(
        notices(&f.pool, f.seller).await,
        vec![notice(NoticeKind::AuctionSold, f.id, Some(price))]
    );
    assert_eq!(
        notices(&f.pool, outbid).await,
        vec![notice(NoticeKind::Outbid, f.id, Some(price))]
    );
}

/// (buyer, seller, amount, source, state, pay_by, created_at) of the listing's orders.
async fn orders_of(
    pool: &SqlitePool,
    id: i64,
) -> Vec<(i64, i64, i64, String, String, Option<i64>, i64)> {
    sqlx::query_as(
        "SELECT buyer_id, seller_id, amount, source, state, pay_by, created_at
           FROM orders WHERE listing_id = ?",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// Everything queued for a connection right now.
fn drain(conn: &mut Connection) -> Vec<ServerMsg> {
    std::iter::from_fn(|| conn.try_recv())
        .map(|frame| frame.msg())
        .collect()
}

fn kinds_pushed(msgs: &[ServerMsg]) -> Vec<(NoticeKind, u32)> {
    msgs.iter()
        .filter_map(|m| match m {
            ServerMsg::Notify(NoticeEvent::Notice {
                notification,
                unread,
            }) => Some((notification.kind, *unread)),
            _ => None,
        })
        .collect()
}

// ------------------------------------------------------------ lifecycle

#[tokio::test]
async fn starts_at_its_second_and_tells_those_who_favorited_it() {
    let f = scheduled(lamp()).await;
    let (fan, other) = (f.a, f.b);
    favorites::set(&f.pool, fan, f.id, true, NOW).await.unwrap();
    // Waiting for review: not due, whatever the time.
    let pending = submitted(&f.pool, f.seller, &auction("Clock", START, DAY), NOW).await;
    let mut tab = f.house.hub.connect(Some(fan));

    assert_eq!(f.house.next_due().await.unwrap(), Some(START));
    assert_eq!(f.house.start_due(START - 1).await.unwrap(), 0);
    assert_eq!(stored(&f.pool, f.id).await.phase, "scheduled");
    assert!(notices(&f.pool, fan).await.is_empty());
    assert_eq!(
        f.house
            .bid(UserId(f.b), ListingId(f.id), twd(500), START - 1)
            .await,
        Err(AppError::Bid(BidRefusal::NotLive))
    );

    assert_eq!(f.house.start_due(START).await.unwrap(), 1);
    let s = stored(&f.pool, f.id).await;
    assert_eq!((s.phase.as_str(), s.price, s.seq), ("live", 100, 1));
    assert_eq!(stored(&f.pool, pending).await.phase, "scheduled");
    assert_eq!(
        notices(&f.pool, fan).await,
        vec![notice(NoticeKind::AuctionStarted, f.id, None)]
    );
    assert!(notices(&f.pool, other).await.is_empty());
    assert!(notices(&f.pool, f.seller).await.is_empty());
    // Pushed to the fan's open tab with the unread count.
    assert_eq!(
        kinds_pushed(&drain(&mut tab)),
        vec![(NoticeKind::AuctionStarted, 1)]
    );
    // Next due: the end.
    assert_eq!(f.house.next_due().await.unwrap(), Some(END));

    // Starting again changes nothing and tells nobody twice.
    assert_eq!(f.house.start_due(START + 1).await.unwrap(), 0);
    assert_eq!(stored(&f.pool, f.id).await.seq, 1);
    assert_eq!(notices(&f.pool, fan).await.len(), 1);

    // Approved late, the pending one is due at once.
    review::decide(
        &f.pool,
        ListingId(pending),
        Decision::Approve,
        "",
        START + 5,
    )
    .await
    .unwrap();
    assert_eq!(f.house.next_due().await.unwrap(), Some(START));
    assert_eq!(f.house.start_due(START + 5).await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_starts_start_once() {
    let f = scheduled(lamp()).await;
    favorites::set(&f.pool, f.a, f.id, true, NOW).await.unwrap();
    // Another instance (or a restarted one) with turns of its own: only
    // the conditional update keeps them apart.
    let other = house_on(&f.pool);
    let (x, y, z) = tokio::join!(
        f.house.start_due(START),
        other.start_due(START),
        f.house.start_due(START + 1)
    );
    assert_eq!(x.unwrap() + y.unwrap() + z.unwrap(), 1);
    assert_eq!(stored(&f.pool, f.id).await.seq, 1);
    assert_eq!(notices(&f.pool, f.a).await.len(), 1);
}

#[tokio::test]
async fn ends_at_its_second_sold_to_the_leader_with_an_order() {
    let f = live(lamp()).await;
    f.house
        .bid(UserId(f.a), ListingId(f.id), twd(150), DURING)
        .await
        .unwrap();
    f.house
        .bid(UserId(f.b), ListingId(f.id), twd(300), DURING + 1)
        .await
        .unwrap();
    let mut winner_tab = f.house.hub.connect(Some(f.b));
    let mut seller_tab = f.house.hub.connect(Some(f.seller));

    assert_eq!(f.house.end_due(END - 1).await.unwrap(), 0);
    assert_eq!(stored(&f.pool, f.id).await.phase, "live");
    assert_eq!(f.house.end_due(END).await.unwrap(), 1);

    let s = stored(&f.pool, f.id).await;
    assert_eq!(
        (s.phase.as_str(), s.outcome.as_deref(), s.price, s.leader_id),
        ("ended", Some("sold"), 160, Some(f.b))
    );
    assert_eq!(s.ends_at, END);
    sold_to(&f, f.b, 160, "auction", END, f.a).await;
    assert_eq!(
        kinds_pushed(&drain(&mut winner_tab)),
        vec![(NoticeKind::AuctionWon, 1)]
    );
    assert_eq!(
        kinds_pushed(&drain(&mut seller_tab)),
        vec![(NoticeKind::AuctionSold, 1)]
    );
    // The winner's room shows their order; nothing is due any more.
    let room = f.house.room(f.id, Some(f.b), END).await.unwrap();
    assert!(room.my_order.is_some());
    assert_eq!(room.my_max, Some(twd(300)));
    assert_eq!(room.live.outcome, Some(Outcome::Sold));
    assert_eq!(room.live.buy_now, None);
    assert_eq!(f.house.next_due().await.unwrap(), None);

    // Ending again does nothing.
    assert_eq!(f.house.end_due(END + 1).await.unwrap(), 0);
    assert_eq!(f.house.end(ListingId(f.id), None, END + 2).await, Ok(false));
    assert_eq!(stored(&f.pool, f.id).await, s);
    assert_eq!(orders_of(&f.pool, f.id).await.len(), 1);
    assert_eq!(
        count(&f.pool, "SELECT count(*) FROM notifications").await,
        3
    );
    // No bid is taken after the end.
    assert_eq!(
        f.house
            .bid(UserId(f.c), ListingId(f.id), twd(5_000), END + 3)
            .await,
        Err(AppError::Bid(BidRefusal::NotLive))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_ends_sell_once() {
    let f = live(lamp()).await;
    f.house
        .bid(UserId(f.a), ListingId(f.id), twd(150), DURING)
        .await
        .unwrap();
    let other = house_on(&f.pool);
    let (x, y, z) = tokio::join!(
        f.house.end_due(END),
        other.end_due(END),
        f.house.end_due(END + 1)
    );
    assert_eq!(x.unwrap() + y.unwrap() + z.unwrap(), 1);
    let s = stored(&f.pool, f.id).await;
    assert_eq!((s.outcome.as_deref(), s.seq), (Some("sold"), 3));
    assert_eq!(orders_of(&f.pool, f.id).await.len(), 1);
    assert_eq!(notices(&f.pool, f.a).await.len(), 1);
    assert_eq!(notices(&f.pool, f.seller).await.len(), 1);
}

#[tokio::test]
async fn without_bids_it_ends_unsold_and_the_seller_is_told() {
    let f = live(lamp()).await;
    // Another auction's failure to sell disturbs nothing else.
    let other = listed(&f.pool, f.seller, &auction("Desk", START, 2 * DAY), NOW).await;
    assert_eq!(f.house.start_due(START).await.unwrap(), 1);
    f.house
        .bid(UserId(f.a), ListingId(other), twd(100), DURING)
        .await
        .unwrap();

    assert_eq!(f.house.end_due(END).await.unwrap(), 1);
    let s = stored(&f.pool, f.id).await;
    assert_eq!(
        (s.phase.as_str(), s.outcome.as_deref(), s.leader_id),
        ("ended", Some("unsold"), None)
    );
    assert!(orders_of(&f.pool, f.id).await.is_empty());
    assert_eq!(status_of(&f.pool, f.id).await, "approved");
    assert_eq!(
        notices(&f.pool, f.seller).await,
        vec![notice(NoticeKind::AuctionUnsold, f.id, None)]
    );
    assert_eq!(stored(&f.pool, other).await.phase, "live");
    assert_eq!(f.house.next_due().await.unwrap(), Some(END + DAY));
    assert_eq!(f.house.end_due(END + DAY).await.unwrap(), 1);
    assert_eq!(orders_of(&f.pool, other).await.len(), 1);
}

#[tokio::test]
async fn below_the_reserve_it_ends_unsold() {
    let f = live(with_reserve("500", "")).await;
    let ack = f
        .house
        .bid(UserId(f.a), ListingId(f.id), twd(400), DURING)
        .await
        .unwrap();
    assert!(ack.leading);
    let room = f.house.room(f.id, None, DURING).await.unwrap();
    assert!(room.live.has_reserve && !room.live.reserve_met);
    assert_eq!(f.house.end_due(END).await.unwrap(), 1);
    let s = stored(&f.pool, f.id).await;
    assert_eq!(s.outcome.as_deref(), Some("unsold"));
    assert!(orders_of(&f.pool, f.id).await.is_empty());
    assert_eq!(status_of(&f.pool, f.id).await, "approved");
    assert_eq!(
        notices(&f.pool, f.seller).await,
        vec![notice(NoticeKind::AuctionUnsold, f.id, None)]
    );
    assert_eq!(
        notices(&f.pool, f.a).await,
        vec![notice(NoticeKind::ReserveNotMet, f.id, Some(100))]
    );
}

#[tokio::test]
async fn at_the_reserve_it_sells_at_the_reserve() {
    let f = live(with_reserve("500", "")).await;
    f.house
        .bid(UserId(f.a), ListingId(f.id), twd(300), DURING)
        .await
        .unwrap();
    let ack = f
        .house
        .bid(UserId(f.b), ListingId(f.id), twd(800), DURING + 1)
        .await
        .unwrap();
    // The met reserve lifts the price to it.
    assert_eq!(ack.price, twd(500));
    assert_eq!(f.house.end_due(END).await.unwrap(), 1);
    assert_eq!(orders_of(&f.pool, f.id).await[0].2, 500);
}

#[tokio::test]
async fn a_listing_taken_down_while_live_is_not_sold() {
    let f = live(lamp()).await;
    f.house
        .bid(UserId(f.a), ListingId(f.id), twd(300), DURING)
        .await
        .unwrap();
    review::delist(&f.pool, ListingId(f.id), "Counterfeit goods.", DURING + 1)
        .await
        .unwrap();
    // Its seller cannot sell it off early either.
    assert_eq!(
        f.house
            .end(ListingId(f.id), Some(UserId(f.seller)), DURING + 2)
            .await,
        Err(AppError::Bid(BidRefusal::NotLive))
    );
    assert_eq!(f.house.end_due(END).await.unwrap(), 1);
    let s = stored(&f.pool, f.id).await;
    assert_eq!(
        (s.phase.as_str(), s.outcome.as_deref()),
        ("ended", Some("unsold"))
    );
    assert!(orders_of(&f.pool, f.id).await.is_empty());
    assert_eq!(status_of(&f.pool, f.id).await, "delisted");
    assert!(notices(&f.pool, f.a).await.is_empty());
    assert_eq!(
        notices(&f.pool, f.seller).await,
        vec![notice(NoticeKind::AuctionUnsold, f.id, None)]
    );
    assert_eq!(f.house.next_due().await.unwrap(), None);
}

#[tokio::test]
async fn a_take_down_while_live_is_numbered_and_reaches_the_room() {
    use crate::backend::effects::Effect;
    let f = live(lamp()).await;
    let h = &f.house;
    h.bid(UserId(f.a), ListingId(f.id), twd(300), DURING)
        .await
        .unwrap();
    let mut conn = h.hub.connect(None);
    h.join(conn.id, None, f.id, DURING).await.unwrap();
    let before = match drain(&mut conn).as_slice() {
        [ServerMsg::Auction(AuctionEvent::Snapshot { room })] => room.live.clone(),
        other => panic!("expected a snapshot, got {other:?}"),
    };
    assert_eq!(before.phase, Phase::Live);
    let effects = review::delist(&f.pool, ListingId(f.id), "Counterfeit.", DURING + 1)
        .await
        .unwrap();
    assert_eq!(
        effects,
        vec![
            Effect::CatalogChanged,
            Effect::AuctionChanged(ListingId(f.id))
        ],
        "an auction's room is among what a take-down implies"
    );
    // What `effects::apply` does with it.
    h.changed(ListingId(f.id), DURING + 1).await.unwrap();
    match drain(&mut conn).as_slice() {
        [ServerMsg::Auction(AuctionEvent::Update { live, bid: None })] => {
            assert_eq!(live.seq, before.seq + 1, "numbered, so no tab skips it");
            assert_eq!(live.phase, Phase::Cancelled, "bidding is shown as stopped");
        }
        other => panic!("expected an update, got {other:?}"),
    }
    // A listing without an auction implies no room.
    let plain = listed(&f.pool, f.seller, &input("Desk"), DURING).await;
    assert_eq!(
        review::delist(&f.pool, ListingId(plain), "Counterfeit.", DURING + 2)
            .await
            .unwrap(),
        vec![Effect::CatalogChanged]
    );
}

#[tokio::test]
async fn one_auction_failing_to_start_or_end_holds_up_no_other() {
    let f = live(lamp()).await;
    // Due earlier than the others, and every change to it fails.
    let broken = listed(
        &f.pool,
        f.seller,
        &auction("Desk", START - MINUTE, DAY - 2 * MINUTE),
        NOW,
    )
    .await;
    let later = listed(
        &f.pool,
        f.seller,
        &auction("Clock", START + MINUTE, DAY),
        NOW,
    )
    .await;
    // The fault is switched by data, not by dropping and re-creating the
    // trigger: other pooled connections may still hold the old schema.
    let fire = |on: bool| {
        let pool = f.pool.clone();
        async move {
            sqlx::query("UPDATE fire SET on_fire = ?")
                .bind(on)
                .execute(&pool)
                .await
                .unwrap();
        }
    };
    sqlx::query("CREATE TABLE fire (on_fire INTEGER NOT NULL)")
        .execute(&f.pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO fire VALUES (1)")
        .execute(&f.pool)
        .await
        .unwrap();
    sqlx::query(&format!(
        "CREATE TRIGGER broken BEFORE UPDATE ON auctions
          WHEN OLD.listing_id = {broken} AND (SELECT on_fire FROM fire)
         BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
    ))
    .execute(&f.pool)
    .await
    .unwrap();
    assert_eq!(scheduler::pass(&f.house, START + MINUTE).await, (1, 0));
    assert_eq!(stored(&f.pool, later).await.phase, "live");
    assert_eq!(stored(&f.pool, broken).await.phase, "scheduled");

    fire(false).await;
    assert_eq!(f.house.start_due(START + MINUTE).await.unwrap(), 1);
    fire(true).await;
    // `broken` ends first by the clock, and fails; the others still end.
    assert_eq!(scheduler::pass(&f.house, END + DAY).await, (0, 2));
    assert_eq!(stored(&f.pool, f.id).await.phase, "ended");
    assert_eq!(stored(&f.pool, later).await.phase, "ended");
    assert_eq!(stored(&f.pool, broken).await.phase, "live");
}

#[tokio::test]
async fn after_a_restart_what_fell_due_is_processed_by_the_first_pass() {
    let f = live(lamp()).await;
    f.house
        .bid(UserId(f.a), ListingId(f.id), twd(250), DURING)
        .await
        .unwrap();
    // Scheduled to start while the server is down, ending later.
    let late = listed(&f.pool, f.seller, &auction("Desk", START + HOUR, DAY), NOW).await;
    let Fixture { pool, house, .. } = f;
    drop(house);

    let restarted = house_on(&pool);
    assert_eq!(scheduler::pass(&restarted, END + 10 * MINUTE).await, (1, 1));
    let s = stored(&pool, f.id).await;
    assert_eq!(
        (s.phase.as_str(), s.outcome.as_deref(), s.leader_id),
        ("ended", Some("sold"), Some(f.a))
    );
    assert_eq!(orders_of(&pool, f.id).await.len(), 1);
    assert_eq!(stored(&pool, late).await.phase, "live");
    // A second pass (or a second instance) finds nothing left to do.
    assert_eq!(
        scheduler::pass(&house_on(&pool), END + 11 * MINUTE).await,
        (0, 0)
    );
    assert_eq!(orders_of(&pool, f.id).await.len(), 1);
}

#[tokio::test]
async fn the_scheduler_loop_ends_an_overdue_auction() {
    let f = live(lamp()).await;
    f.house
        .bid(UserId(f.a), ListingId(f.id), twd(250), DURING)
        .await
        .unwrap();
    // Its end is long past by the wall clock: the loop's first pass ends it.
    exec(
        &f.pool,
        "UPDATE auctions SET starts_at = 1, ends_at = 2 WHERE listing_id = ?",
        f.id,
    )
    .await;
    let task = tokio::spawn(scheduler::run(f.house.clone()));
    let mut ended = false;
    for _ in 0..500 {
        if stored(&f.pool, f.id).await.phase == "ended" {
            ended = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    task.abort();
    assert!(ended);
    assert_eq!(orders_of(&f.pool, f.id).await.len(), 1);
}

// ------------------------------------------------------------ bids

/// Asserts `attempt` was refused with `why` and changed nothing at all.
async fn refused<F>(f: &Fixture, why: AppError, attempt: F)
where
    F: std::future::Future<Output = Result<BidAck, AppError>>,
{
    let before = (
        stored(&f.pool, f.id).await,
        bid_rows(&f.pool, f.id).await,
        count(&f.pool, "SELECT count(*) FROM notifications").await,
    );
    let mut watcher = f.house.hub.connect(None);
    f.house.hub.subscribe(
        watcher.id,
        Topic::Auction { listing: f.id },
        Some(ServerMsg::Pong),
    );
    drain(&mut watcher);
    assert_eq!(attempt.await, Err(why));
    let after = (
        stored(&f.pool, f.id).await,
        bid_rows(&f.pool, f.id).await,
        count(&f.pool, "SELECT count(*) FROM notifications").await,
    );
    assert_eq!(after, before, "a refused bid changes nothing");
    assert_eq!(drain(&mut watcher), vec![], "and is not broadcast");
}

#[tokio::test]
async fn refused_bids_change_nothing() {
    let f = live(lamp()).await;
    let h = &f.house;
    let bid = |who: BidRefusal| AppError::Bid(who);
    refused(
        &f,
        bid(BidRefusal::OwnAuction),
        h.bid(UserId(f.seller), ListingId(f.id), twd(500), DURING),
    )
    .await;
    refused(
        &f,
        bid(BidRefusal::TooLow { minimum: 100 }),
        h.bid(UserId(f.a), ListingId(f.id), twd(99), DURING),
    )
    .await;

    let unverified = user(&f.pool, "newbie").await;
    refused(
        &f,
        bid(BidRefusal::VerifyEmail),
        h.bid(UserId(unverified), ListingId(f.id), twd(500), DURING),
    )
    .await;

    let suspended = member(&f.pool, "suspended").await;
    sqlx::query("UPDATE users SET status = 'suspended', suspended_until = ? WHERE id = ?")
        .bind(DURING + DAY)
        .bind(suspended)
        .execute(&f.pool)
        .await
        .unwrap();
    refused(
        &f,
        bid(BidRefusal::Restricted),
        h.bid(UserId(suspended), ListingId(f.id), twd(500), DURING),
    )
    .await;
    let banned = member(&f.pool, "banned").await;
    exec(
        &f.pool,
        "UPDATE users SET status = 'blacklisted' WHERE id = ?",
        banned,
    )
    .await;
    refused(
        &f,
        bid(BidRefusal::Restricted),
        h.bid(UserId(banned), ListingId(f.id), twd(500), DURING),
    )
    .await;
    refused(
        &f,
        bid(BidRefusal::Restricted),
        h.buy_now_ack(banned, f.id, DURING),
    )
    .await;
    refused(
        &f,
        AppError::Unauthenticated,
        h.bid(UserId(9_999), ListingId(f.id), twd(500), DURING),
    )
    .await;

    h.bid(UserId(f.a), ListingId(f.id), twd(300), DURING)
        .await
        .unwrap();
    // 100 with a bid in: the next is 100 + 10.
    refused(
        &f,
        bid(BidRefusal::TooLow { minimum: 110 }),
        h.bid(UserId(f.b), ListingId(f.id), twd(105), DURING),
    )
    .await;
    refused(
        &f,
        bid(BidRefusal::NotAboveYourMax { max: 300 }),
        h.bid(UserId(f.a), ListingId(f.id), twd(300), DURING),
    )
    .await;
    // Below the published minimum the answer is "too low" for anyone
    // but the seller and the leader, whose reasons differ; those who may
    // not bid hear why at the minimum.
    for (who, why) in [
        (f.seller, bid(BidRefusal::OwnAuction)),
        (f.a, bid(BidRefusal::NotAboveYourMax { max: 300 })),
        (unverified, bid(BidRefusal::TooLow { minimum: 110 })),
        (banned, bid(BidRefusal::TooLow { minimum: 110 })),
    ] {
        refused(
            &f,
            why,
            h.bid(UserId(who), ListingId(f.id), twd(105), DURING),
        )
        .await;
    }
    refused(
        &f,
        bid(BidRefusal::VerifyEmail),
        h.bid(UserId(unverified), ListingId(f.id), twd(110), DURING),
    )
    .await;
    refused(
        &f,
        bid(BidRefusal::Restricted),
        h.bid(UserId(banned), ListingId(f.id), twd(110), DURING),
    )
    .await;
    // The clock ran out though the scheduler has not ended it yet.
    refused(
        &f,
        bid(BidRefusal::NotLive),
        h.bid(UserId(f.b), ListingId(f.id), twd(5_000), END),
    )
    .await;
    refused(
        &f,
        bid(BidRefusal::NotLive),
        h.bid(UserId(f.b), ListingId(f.id), twd(105), END),
    )
    .await;
    refused(
        &f,
        AppError::NotFound,
        h.bid(UserId(f.b), ListingId(f.id + 100), twd(5_000), DURING),
    )
    .await;
    // No maximum above what a form accepts, whoever sends it.
    let too_high = AppError::field(Field::Amount, Problem::AmountTooHigh);
    refused(
        &f,
        too_high.clone(),
        h.bid(UserId(f.b), ListingId(f.id), twd(i64::MAX), DURING),
    )
    .await;
    refused(
        &f,
        too_high,
        h.bid(UserId(f.b), ListingId(f.id), twd(1_000_000_001), DURING),
    )
    .await;
    // An amount in another currency than the house's is no amount.
    let foreign = Money::new(500, Currency::Usd);
    refused(
        &f,
        AppError::field(Field::Amount, Problem::NotAnAmount),
        h.bid(UserId(f.b), ListingId(f.id), foreign, DURING),
    )
    .await;

    // A suspension that is over no longer stops anyone.
    sqlx::query("UPDATE users SET suspended_until = ? WHERE id = ?")
        .bind(DURING - 1)
        .bind(suspended)
        .execute(&f.pool)
        .await
        .unwrap();
    assert!(
        h.bid(UserId(suspended), ListingId(f.id), twd(400), DURING)
            .await
            .unwrap()
            .leading
    );

    // A listing taken down while live takes no more bids.
    review::delist(&f.pool, ListingId(f.id), "Counterfeit.", DURING)
        .await
        .unwrap();
    refused(
        &f,
        bid(BidRefusal::NotLive),
        h.bid(UserId(f.b), ListingId(f.id), twd(5_000), DURING),
    )
    .await;
}

#[tokio::test]
async fn a_bid_below_the_published_minimum_does_not_wait_for_the_turn() {
    let f = live(lamp()).await;
    let h = &f.house;
    h.bid(UserId(f.a), ListingId(f.id), twd(300), DURING)
        .await
        .unwrap();
    let busy = h.turn(f.id).await;
    let wait = std::time::Duration::from_secs(5);
    let quick =
        tokio::time::timeout(wait, h.bid(UserId(f.b), ListingId(f.id), twd(105), DURING)).await;
    assert_eq!(
        quick.expect("answered while the turn is taken"),
        Err(AppError::Bid(BidRefusal::TooLow { minimum: 110 }))
    );
    // At the minimum a bid needs the turn, and gets it once it is free.
    let full = h.bid(UserId(f.b), ListingId(f.id), twd(110), DURING);
    tokio::pin!(full);
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(50), &mut full)
            .await
            .is_err()
    );
    drop(busy);
    assert!(!full.await.unwrap().leading);
    // The floor follows what was published: 110 now falls short.
    refused(
        &f,
        AppError::Bid(BidRefusal::TooLow { minimum: 130 }),
        h.bid(UserId(f.b), ListingId(f.id), twd(110), DURING),
    )
    .await;
}

impl AuctionHouse {
    /// A buy-it-now, shaped like a bid for [`refused`].
    async fn buy_now_ack(&self, buyer: i64, listing: i64, now: i64) -> Result<BidAck, AppError> {
        self.buy_now(UserId(buyer), ListingId(listing), now)
            .await
            .map(|_| BidAck {
                leading: true,
                price: twd(0),
                max: twd(0),
            })
    }
}

#[tokio::test]
async fn a_maximum_bids_for_its_bidder_and_the_outbid_are_told() {
    let f = live(lamp()).await;
    let h = &f.house;
    let mut a_tab = h.hub.connect(Some(f.a));

    let ack = h
        .bid(UserId(f.a), ListingId(f.id), twd(500), DURING)
        .await
        .unwrap();
    assert_eq!((ack.leading, ack.price), (true, twd(100)));
    // Bob's 200 is beaten at once by Ann's maximum; the price moves to 210.
    let ack = h
        .bid(UserId(f.b), ListingId(f.id), twd(200), DURING + 1)
        .await
        .unwrap();
    assert_eq!((ack.leading, ack.price), (false, twd(210)));
    assert!(notices(&f.pool, f.a).await.is_empty(), "Ann still leads");
    assert!(notices(&f.pool, f.b).await.is_empty());
    // Bob's 600 beats Ann's 500 by one step: 500 + 20.
    let ack = h
        .bid(UserId(f.b), ListingId(f.id), twd(600), DURING + 2)
        .await
        .unwrap();
    assert_eq!((ack.leading, ack.price), (true, twd(520)));
    assert_eq!(
        notices(&f.pool, f.a).await,
        vec![notice(NoticeKind::Outbid, f.id, Some(520))]
    );
    assert_eq!(
        kinds_pushed(&drain(&mut a_tab)),
        vec![(NoticeKind::Outbid, 1)]
    );
    // Ann matching Bob's maximum loses the tie to the earlier bid.
    let ack = h
        .bid(UserId(f.a), ListingId(f.id), twd(600), DURING + 3)
        .await
        .unwrap();
    assert_eq!((ack.leading, ack.price), (false, twd(600)));
    // Bob raises his own maximum: nobody is told. The price was capped at
    // his old maximum; now it is Ann's 600 plus a step.
    let ack = h
        .bid(UserId(f.b), ListingId(f.id), twd(1_000), DURING + 4)
        .await
        .unwrap();
    assert_eq!((ack.leading, ack.price), (true, twd(620)));
    assert_eq!(notices(&f.pool, f.a).await.len(), 1);
    // Cat takes it over and both earlier leaders' notices are right.
    let ack = h
        .bid(UserId(f.c), ListingId(f.id), twd(2_000), DURING + 5)
        .await
        .unwrap();
    assert_eq!((ack.leading, ack.price), (true, twd(1_050)));
    assert_eq!(
        notices(&f.pool, f.b).await,
        vec![notice(NoticeKind::Outbid, f.id, Some(1_050))]
    );

    let s = stored(&f.pool, f.id).await;
    assert_eq!(
        (
            s.leader_id,
            s.leader_max,
            s.second_max,
            s.price,
            s.bids,
            s.seq
        ),
        (Some(f.c), Some(2_000), Some(1_000), 1_050, 6, 7)
    );
    let rows = bid_rows(&f.pool, f.id).await;
    let seen: Vec<(i64, i64, i64)> = rows.iter().map(|r| (r.1, r.2, r.3)).collect();
    assert_eq!(
        seen,
        vec![
            (f.a, 500, 100),
            (f.b, 200, 210),
            (f.b, 600, 520),
            (f.a, 600, 600),
            (f.b, 1_000, 620),
            (f.c, 2_000, 1_050)
        ]
    );
    // Each viewer sees their own maximum only.
    assert_eq!(
        h.room(f.id, Some(f.b), DURING).await.unwrap().my_max,
        Some(twd(1_000))
    );
    assert_eq!(h.room(f.id, None, DURING).await.unwrap().my_max, None);
}

#[tokio::test]
async fn a_late_bid_extends_the_end() {
    let f = live(lamp()).await;
    let h = &f.house;
    // Three minutes before the end: outside the window.
    h.bid(UserId(f.a), ListingId(f.id), twd(200), END - 3 * MINUTE)
        .await
        .unwrap();
    assert_eq!(stored(&f.pool, f.id).await.ends_at, END);
    // One minute before: the end moves to two minutes after the bid.
    h.bid(UserId(f.b), ListingId(f.id), twd(300), END - MINUTE)
        .await
        .unwrap();
    let extended = END - MINUTE + WINDOW;
    assert_eq!(stored(&f.pool, f.id).await.ends_at, extended);
    assert_eq!(h.next_due().await.unwrap(), Some(extended));
    assert_eq!(
        h.room(f.id, None, END).await.unwrap().live.ends_at,
        extended
    );

    // The old end no longer ends it, and bids are still taken.
    assert_eq!(h.end_due(END).await.unwrap(), 0);
    h.bid(UserId(f.a), ListingId(f.id), twd(400), END + 1)
        .await
        .unwrap();
    let again = END + 1 + WINDOW;
    assert_eq!(stored(&f.pool, f.id).await.ends_at, again);
    assert_eq!(h.end_due(extended).await.unwrap(), 0);
    assert_eq!(h.end_due(again).await.unwrap(), 1);
    let s = stored(&f.pool, f.id).await;
    assert_eq!((s.leader_id, s.ends_at), (Some(f.a), again));
}

#[tokio::test]
async fn buy_it_now_ends_it_sold_until_the_reserve_is_met() {
    let f = live(with_reserve("500", "1000")).await;
    let h = &f.house;
    assert_eq!(
        h.room(f.id, None, DURING).await.unwrap().live.buy_now,
        Some(twd(1_000))
    );
    // Below the reserve the offer stands.
    h.bid(UserId(f.a), ListingId(f.id), twd(300), DURING)
        .await
        .unwrap();
    assert_eq!(
        h.room(f.id, None, DURING).await.unwrap().live.buy_now,
        Some(twd(1_000))
    );
    refused(
        &f,
        AppError::Bid(BidRefusal::OwnAuction),
        h.buy_now_ack(f.seller, f.id, DURING),
    )
    .await;
    let mut watcher = h.hub.connect(None);
    h.join(watcher.id, None, f.id, DURING).await.unwrap();
    drain(&mut watcher);

    let order = h
        .buy_now(UserId(f.b), ListingId(f.id), DURING + 1)
        .await
        .unwrap();
    let s = stored(&f.pool, f.id).await;
    assert_eq!(
        (
            s.phase.as_str(),
            s.outcome.as_deref(),
            s.price,
            s.leader_id,
            s.ends_at
        ),
        ("ended", Some("sold"), 1_000, Some(f.b), DURING + 1)
    );
    let public_id: String = sqlx::query_scalar("SELECT public_id FROM orders WHERE listing_id = ?")
        .bind(f.id)
        .fetch_one(&f.pool)
        .await
        .unwrap();
    assert_eq!(public_id, order);
    let last = bid_rows(&f.pool, f.id).await.pop().unwrap();
    assert_eq!((last.1, last.2, last.3, last.4), (f.b, 1_000, 1_000, true));
    // Ann led below the reserve: she lost it to the buyer and is told.
    sold_to(&f, f.b, 1_000, "buy_now", DURING + 1, f.a).await;
    match drain(&mut watcher).as_slice() {
        [
            ServerMsg::Auction(AuctionEvent::Update {
                live,
                bid: Some(bid),
            }),
        ] => {
            assert_eq!(
                (live.phase, live.outcome),
                (Phase::Ended, Some(Outcome::Sold))
            );
            assert!(bid.buy_now);
            assert_eq!(bid.price, twd(1_000));
        }
        other => panic!("expected one update, got {other:?}"),
    }
    // Over: neither a second buyer nor the scheduler sells it again.
    refused(
        &f,
        AppError::Bid(BidRefusal::NotLive),
        h.buy_now_ack(f.c, f.id, DURING + 2),
    )
    .await;
    assert_eq!(h.end_due(END).await.unwrap(), 0);
    assert_eq!(orders_of(&f.pool, f.id).await.len(), 1);
}

#[tokio::test]
async fn buy_it_now_goes_once_the_reserve_is_met() {
    let f = live(with_reserve("500", "1000")).await;
    f.house
        .bid(UserId(f.a), ListingId(f.id), twd(500), DURING)
        .await
        .unwrap();
    assert_eq!(
        f.house.room(f.id, None, DURING).await.unwrap().live.buy_now,
        None
    );
    refused(
        &f,
        AppError::Bid(BidRefusal::BuyNowGone),
        f.house.buy_now_ack(f.b, f.id, DURING),
    )
    .await;

    // Without a reserve it goes with the first bid.
    let g = live(with_reserve("", "1000")).await;
    g.house
        .bid(UserId(g.a), ListingId(g.id), twd(100), DURING)
        .await
        .unwrap();
    refused(
        &g,
        AppError::Bid(BidRefusal::BuyNowGone),
        g.house.buy_now_ack(g.b, g.id, DURING),
    )
    .await;
    // And before the start there is nothing to buy.
    let s = scheduled(with_reserve("", "1000")).await;
    refused(
        &s,
        AppError::Bid(BidRefusal::NotLive),
        s.house.buy_now_ack(s.a, s.id, NOW),
    )
    .await;
}

#[tokio::test]
async fn the_seller_may_end_early_and_sell_to_the_leader() {
    let f = live(with_reserve("500", "")).await;
    let h = &f.house;
    // Nothing to sell without a bid; only the seller may end it.
    assert_eq!(
        h.end(ListingId(f.id), Some(UserId(f.seller)), DURING).await,
        Err(AppError::Conflict)
    );
    h.bid(UserId(f.a), ListingId(f.id), twd(200), DURING)
        .await
        .unwrap();
    assert_eq!(
        h.end(ListingId(f.id), Some(UserId(f.a)), DURING).await,
        Err(AppError::Forbidden)
    );
    assert_eq!(stored(&f.pool, f.id).await.phase, "live");

    // Reserve not met: ending early waives it and sells at the price.
    assert_eq!(
        h.end(ListingId(f.id), Some(UserId(f.seller)), DURING + 1)
            .await,
        Ok(true)
    );
    let s = stored(&f.pool, f.id).await;
    assert_eq!(
        (s.phase.as_str(), s.outcome.as_deref(), s.price, s.ends_at),
        ("ended", Some("sold"), 100, DURING + 1)
    );
    assert_eq!(orders_of(&f.pool, f.id).await[0].0, f.a);
    assert_eq!(orders_of(&f.pool, f.id).await[0].2, 100);
    assert_eq!(
        notices(&f.pool, f.a).await,
        vec![notice(NoticeKind::AuctionWon, f.id, Some(100))]
    );
    assert_eq!(
        h.end(ListingId(f.id), Some(UserId(f.seller)), DURING + 2)
            .await,
        Err(AppError::Bid(BidRefusal::NotLive))
    );
    assert_eq!(h.end_due(END).await.unwrap(), 0);
    assert_eq!(orders_of(&f.pool, f.id).await.len(), 1);
}

#[tokio::test]
async fn an_auction_with_bids_cannot_be_cancelled() {
    let f = live(lamp()).await;
    let h = &f.house;
    h.bid(UserId(f.a), ListingId(f.id), twd(200), DURING)
        .await
        .unwrap();
    let before = stored(&f.pool, f.id).await;
    assert_eq!(
        h.cancel(UserId(f.seller), ListingId(f.id), DURING).await,
        Err(AppError::Conflict)
    );
    assert_eq!(
        h.cancel(UserId(f.a), ListingId(f.id), DURING).await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        h.cancel(UserId(f.seller), ListingId(f.id + 100), DURING)
            .await,
        Err(AppError::NotFound)
    );
    assert_eq!(stored(&f.pool, f.id).await, before);

    // Without bids it can, live or scheduled, and then it never runs.
    let g = live(lamp()).await;
    g.house
        .cancel(UserId(g.seller), ListingId(g.id), DURING)
        .await
        .unwrap();
    assert_eq!(stored(&g.pool, g.id).await.phase, "cancelled");
    refused(
        &g,
        AppError::Bid(BidRefusal::NotLive),
        g.house.bid(UserId(g.a), ListingId(g.id), twd(500), DURING),
    )
    .await;
    assert_eq!(g.house.end_due(END).await.unwrap(), 0);
    assert_eq!(g.house.next_due().await.unwrap(), None);
    assert_eq!(
        g.house
            .cancel(UserId(g.seller), ListingId(g.id), DURING)
            .await,
        Err(AppError::Conflict)
    );

    let s = scheduled(lamp()).await;
    s.house
        .cancel(UserId(s.seller), ListingId(s.id), NOW)
        .await
        .unwrap();
    assert_eq!(s.house.start_due(START).await.unwrap(), 0);
    assert_eq!(stored(&s.pool, s.id).await.phase, "cancelled");
    assert!(notices(&s.pool, s.seller).await.is_empty());
}

// ------------------------------------------------------------ concurrency

/// What the bids table says the book must be: each bidder's maximum is
/// their highest amount, the leader has the highest (ties to the earliest),
/// and the price follows from the top two.
fn brute_force(
    terms: &Terms,
    table: &IncrementTable,
    rows: &[(i64, i64, i64, i64, bool)],
) -> (Option<(i64, i64)>, Option<i64>, i64) {
    let mut maxima: HashMap<i64, (i64, i64)> = HashMap::new(); // bidder → (max, bid id)
    for &(id, bidder, amount, ..) in rows {
        let entry = maxima.entry(bidder).or_insert((amount, id));
        if amount > entry.0 {
            *entry = (amount, id);
        }
    }
    let Some((&leader, &(top, _))) = maxima
        .iter()
        .max_by(|x, y| x.1.0.cmp(&y.1.0).then(y.1.1.cmp(&x.1.1)))
    else {
        return (None, None, terms.start_price);
    };
    let second = maxima
        .iter()
        .filter(|(b, _)| **b != leader)
        .map(|(_, m)| m.0)
        .max();
    (
        Some((leader, top)),
        second,
        price_for(terms, table, top, second),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_concurrent_bidders_leave_a_correct_book() {
    let f = live(with_reserve("2000", "")).await;
    let terms = Terms {
        start_price: 100,
        reserve: Some(2_000),
        buy_now: None,
    };
    let table = rules().increments;
    let mut bidders = vec![f.a, f.b, f.c];
    for i in 0..9 {
        bidders.push(member(&f.pool, &format!("bidder{i}")).await);
    }
    let mut watcher = f.house.hub.connect(None);
    f.house.join(watcher.id, None, f.id, DURING).await.unwrap();
    let first_seq = match drain(&mut watcher).as_slice() {
        [ServerMsg::Auction(AuctionEvent::Snapshot { room })] => room.live.seq,
        other => panic!("expected a snapshot, got {other:?}"),
    };

    // Random-ish maxima (a fixed xorshift), many close together.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let barrier = Arc::new(tokio::sync::Barrier::new(100));
    let mut tasks = Vec::new();
    for i in 0..100 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let bidder = bidders[i % bidders.len()];
        let amount = 100 + (x % 4_000) as i64;
        let house = f.house.clone();
        let barrier = barrier.clone();
        let id = f.id;
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let result = house
                .bid(
                    UserId(bidder),
                    ListingId(id),
                    twd(amount),
                    DURING + i as i64,
                )
                .await;
            (bidder, amount, result)
        }));
    }
    let mut accepted = Vec::new();
    for task in tasks {
        let (bidder, amount, result) = task.await.unwrap();
        match result {
            Ok(ack) => accepted.push((bidder, amount, ack.price.minor)),
            Err(AppError::Bid(BidRefusal::TooLow { .. } | BidRefusal::NotAboveYourMax { .. })) => {}
            Err(other) => panic!("unexpected refusal {other:?}"),
        }
    }

    let rows = bid_rows(&f.pool, f.id).await;
    assert!(accepted.len() >= 2, "{accepted:?}");
    // No lost accepted bid, and nothing stored that was not acknowledged.
    assert_eq!(accepted.len(), rows.len());
    let mut stored_bids: Vec<(i64, i64, i64)> = rows.iter().map(|r| (r.1, r.2, r.3)).collect();
    accepted.sort_unstable();
    stored_bids.sort_unstable();
    assert_eq!(accepted, stored_bids);
    // Prices never fall, and each one is what a replay of the bids before it gives.
    for k in 0..rows.len() {
        if k > 0 {
            assert!(rows[k].3 >= rows[k - 1].3, "price fell at {k}: {rows:?}");
        }
        assert_eq!(
            brute_force(&terms, &table, &rows[..=k]).2,
            rows[k].3,
            "bid {k}"
        );
    }
    // Exactly one leader, the right one, at the right price.
    let s = stored(&f.pool, f.id).await;
    let (leader, second, price) = brute_force(&terms, &table, &rows);
    let (leader, top) = leader.unwrap();
    assert_eq!(s.leader_id, Some(leader));
    assert_eq!(s.leader_max, Some(top));
    assert_eq!(s.second_max, second);
    assert_eq!(s.price, price);
    assert_eq!(s.bids, rows.len() as i64);
    assert_eq!(rows.last().unwrap().3, price);

    // The watcher saw every accepted bid, numbered without gaps, in order,
    // ending on the stored price.
    let lives: Vec<(AuctionLive, i64)> = drain(&mut watcher)
        .into_iter()
        .filter_map(|m| match m {
            ServerMsg::Auction(AuctionEvent::Update { live, bid }) => {
                Some((live, bid.map_or(0, |b| b.id)))
            }
            _ => None,
        })
        .collect();
    assert_eq!(lives.len(), rows.len());
    for (k, (live, bid)) in lives.iter().enumerate() {
        assert_eq!(live.seq, first_seq + 1 + k as i64);
        assert_eq!((live.price.minor, *bid), (rows[k].3, rows[k].0));
    }
    // The last update (built from the bid, not read back) is the stored
    // state exactly, as a newcomer's snapshot shows it.
    let (last, _) = lives.last().unwrap();
    assert_eq!(last.seq, s.seq);
    let snapshot = f.house.room(f.id, None, DURING).await.unwrap().live;
    assert_eq!(last, &snapshot);
}

// ------------------------------------------------------------ the room

#[tokio::test]
async fn a_room_sends_its_snapshot_then_numbered_updates() {
    let f = live(lamp()).await;
    let h = &f.house;
    h.bid(UserId(f.a), ListingId(f.id), twd(200), DURING)
        .await
        .unwrap();
    let mut conn = h.hub.connect(None);
    h.join(conn.id, None, f.id, DURING).await.unwrap();
    let snapshot = match drain(&mut conn).as_slice() {
        [ServerMsg::Auction(AuctionEvent::Snapshot { room })] => room.clone(),
        other => panic!("expected a snapshot first, got {other:?}"),
    };
    assert_eq!(snapshot.live.seq, 2);
    assert_eq!(snapshot.live.price, twd(100));
    assert_eq!(snapshot.live.min_bid, twd(110));
    assert_eq!(snapshot.watching, 1);
    assert_eq!(snapshot.history.len(), 1);
    assert_eq!(snapshot.history[0].bidder.name, "ann nick");
    assert_eq!(snapshot.seller.name, "seller nick");
    assert_eq!(snapshot.server_time_ms, DURING);

    h.bid(UserId(f.b), ListingId(f.id), twd(300), DURING + 1)
        .await
        .unwrap();
    let _ = h
        .bid(UserId(f.c), ListingId(f.id), twd(50), DURING + 2)
        .await
        .unwrap_err();
    h.bid(UserId(f.c), ListingId(f.id), twd(400), DURING + 3)
        .await
        .unwrap();
    let msgs = drain(&mut conn);
    let seqs: Vec<i64> = msgs
        .iter()
        .map(|m| match m {
            ServerMsg::Auction(AuctionEvent::Update { live, bid: Some(_) }) => live.seq,
            other => panic!("expected a bid update, got {other:?}"),
        })
        .collect();
    assert_eq!(seqs, vec![3, 4], "the refused bid is not sent");
    match &msgs[1] {
        ServerMsg::Auction(AuctionEvent::Update {
            live,
            bid: Some(bid),
        }) => {
            assert_eq!(live.price, twd(310));
            assert_eq!(live.leader.as_ref().map(|l| l.id), Some(f.c));
            assert_eq!(bid.bidder.id, f.c);
            assert_eq!(bid.price, twd(310));
        }
        other => panic!("{other:?}"),
    }

    // A signed-in newcomer is announced; the end is the last update.
    let mut named = h.hub.connect(Some(f.b));
    h.join(named.id, Some((f.b, "bob nick".into())), f.id, DURING + 4)
        .await
        .unwrap();
    match drain(&mut named).as_slice() {
        [
            ServerMsg::Auction(AuctionEvent::Snapshot { room }),
            ServerMsg::Auction(AuctionEvent::Presence {
                joined, watching, ..
            }),
        ] => {
            assert_eq!(room.live.seq, 4);
            assert_eq!(room.my_max, Some(twd(300)));
            assert_eq!(joined.as_deref(), Some("bob nick"));
            assert_eq!(*watching, 2);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        drain(&mut conn).as_slice(),
        [ServerMsg::Auction(AuctionEvent::Presence {
            watching: 2,
            ..
        })]
    ));
    h.end_due(END).await.unwrap();
    match drain(&mut conn).as_slice() {
        [ServerMsg::Auction(AuctionEvent::Update { live, bid: None })] => {
            assert_eq!((live.seq, live.phase), (5, Phase::Ended));
        }
        other => panic!("{other:?}"),
    }
    h.left(f.id, Some("bob nick".into()));
    assert!(matches!(
        drain(&mut conn).as_slice(),
        [ServerMsg::Auction(AuctionEvent::Presence {
            left: Some(_),
            ..
        })]
    ));
}

#[tokio::test]
async fn a_sellers_edit_of_a_scheduled_auction_reaches_its_room() {
    let f = scheduled(lamp()).await;
    let h = &f.house;
    let mut conn = h.hub.connect(None);
    h.join(conn.id, None, f.id, NOW).await.unwrap();
    let before = match drain(&mut conn).as_slice() {
        [ServerMsg::Auction(AuctionEvent::Snapshot { room })] => room.live.clone(),
        other => panic!("expected a snapshot, got {other:?}"),
    };
    let moved = ListingInput {
        start_price: "150".into(),
        ..auction("Lamp", START - MINUTE, DAY)
    };
    crate::backend::catalog::edit::update(
        &f.pool,
        &vault(),
        &media(&f._dir),
        f.seller,
        f.id,
        &draft(&moved, NOW),
        NOW + 1,
    )
    .await
    .unwrap();
    h.changed(ListingId(f.id), NOW + 1).await.unwrap();
    match drain(&mut conn).as_slice() {
        [ServerMsg::Auction(AuctionEvent::Update { live, bid: None })] => {
            assert_eq!(live.seq, before.seq + 1, "numbered like any change");
            assert_eq!(live.phase, Phase::Scheduled);
            assert_eq!(
                (live.starts_at, live.ends_at),
                (START - MINUTE, END - MINUTE)
            );
            assert_eq!(live.min_bid, twd(150));
        }
        other => panic!("expected the new terms, got {other:?}"),
    }
}

#[tokio::test]
async fn a_listing_not_public_has_a_room_for_its_seller_only() {
    let f = scheduled(lamp()).await;
    let pending = submitted(&f.pool, f.seller, &auction("Clock", START, DAY), NOW).await;
    assert_eq!(
        f.house.room(pending, None, NOW).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        f.house.room(pending, Some(f.a), NOW).await,
        Err(AppError::NotFound)
    );
    assert!(f.house.room(pending, Some(f.seller), NOW).await.is_ok());
    let mut conn = f.house.hub.connect(None);
    assert_eq!(
        f.house.join(conn.id, None, pending, NOW).await,
        Err(AppError::NotFound)
    );
    assert!(drain(&mut conn).is_empty());
    assert_eq!(
        f.house.room(f.id + 100, None, NOW).await,
        Err(AppError::NotFound)
    );
    // A scheduled public auction shows its start.
    let room = f.house.room(f.id, None, NOW).await.unwrap();
    assert_eq!(
        (room.live.phase, room.live.starts_at),
        (Phase::Scheduled, START)
    );
}

#[test]
fn restricted_names_are_masked() {
    assert_eq!(shown_name("mei", "active", None, NOW), "mei");
    assert_eq!(shown_name("mei", "blacklisted", None, NOW), "m***i");
    assert_eq!(shown_name("m", "suspended", Some(NOW + 1), NOW), "m***");
    assert_eq!(shown_name("mei", "suspended", Some(NOW - 1), NOW), "mei");
    assert_eq!(shown_name("", "blacklisted", None, NOW), "***");
}

#[tokio::test]
async fn joining_a_room_does_not_wait_for_the_bid_turn() {
    let f = live(lamp()).await;
    let h = &f.house;
    let mut conn = h.hub().connect(None);
    let busy = h.turn(f.id).await;
    let wait = std::time::Duration::from_secs(10);
    let joined = tokio::time::timeout(wait, h.join(conn.id, None, f.id, DURING)).await;
    assert!(
        matches!(joined, Ok(Ok(()))),
        "the snapshot waited for the turn"
    );
    drop(busy);
    match drain(&mut conn).as_slice() {
        [ServerMsg::Auction(AuctionEvent::Snapshot { room })] => assert_eq!(room.watching, 1),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn newcomers_joining_while_bids_land_see_every_update_once_in_order() {
    let f = live(lamp()).await;
    let h = f.house.clone();
    let bidding = {
        let (h, a, b, id) = (h.clone(), f.a, f.b, f.id);
        tokio::spawn(async move {
            for i in 0..30 {
                let who = if i % 2 == 0 { a } else { b };
                let _ = h
                    .bid(UserId(who), ListingId(id), twd(200 + i * 100), DURING)
                    .await;
            }
        })
    };
    let mut watchers = Vec::new();
    while !bidding.is_finished() {
        let conn = h.hub().connect(None);
        h.join(conn.id, None, f.id, DURING).await.unwrap();
        watchers.push(conn);
        tokio::task::yield_now().await;
    }
    bidding.await.unwrap();
    let last = stored(&f.pool, f.id).await.seq;
    for mut conn in watchers {
        let mut seen = None;
        for msg in drain(&mut conn) {
            let seq = match msg {
                ServerMsg::Auction(AuctionEvent::Snapshot { room }) => room.live.seq,
                ServerMsg::Auction(AuctionEvent::Update { live, .. }) => live.seq,
                _ => continue,
            };
            if let Some(before) = seen {
                assert_eq!(seq, before + 1, "a gap or a repeat");
            }
            seen = Some(seq);
        }
        assert_eq!(seen, Some(last), "every watcher ends on the stored state");
    }
}

#[tokio::test]
async fn snapshots_take_turns() {
    let f = live(lamp()).await;
    let h = &f.house;
    let mut conn = h.hub().connect(None);
    // Another join's snapshot is being read: this one waits its turn…
    let held = h.snapshots.acquire().await.unwrap();
    let waiting = tokio::time::timeout(
        std::time::Duration::from_millis(200),
        h.join(conn.id, None, f.id, DURING),
    )
    .await;
    assert!(waiting.is_err(), "two snapshots were read at once");
    assert!(drain(&mut conn).is_empty());
    // …and gets it once the other is done.
    drop(held);
    h.join(conn.id, None, f.id, DURING).await.unwrap();
    assert!(matches!(
        drain(&mut conn).as_slice(),
        [ServerMsg::Auction(AuctionEvent::Snapshot { .. })]
    ));
}
