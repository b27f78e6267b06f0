//! The order area's use cases on a real database: placing with stock,
//! the room's steps, the handover, the lists, the live room.

use super::*;
use crate::{
    backend::{
        AppState,
        live::hub::Connection,
        notify,
        testing::{self, *},
    },
    domain::{
        catalog::ListingInput,
        form::{Field, Problem},
        money::Currency,
        order::{Party, Step, Term, TermValue},
    },
    model::{MyOrders, NoticeKind, OrderRoom},
    protocol::{OrderCommand, OrderEvent, ServerMsg, Topic},
};
use sqlx::SqlitePool;

struct World {
    pool: SqlitePool,
    state: AppState,
    seller: UserId,
    buyer: UserId,
    /// Neither party.
    stranger: UserId,
    admin: Viewer,
    _dir: tempfile::TempDir,
}

use testing::verified as member;

async fn world() -> World {
    let (pool, dir) = temp_db().await;
    let state = testing::app_state(&pool, &dir);
    let admin = member(&pool, "admin").await;
    World {
        seller: member(&pool, "seller").await,
        buyer: member(&pool, "buyer").await,
        stranger: member(&pool, "stranger").await,
        admin: Viewer {
            id: admin,
            admin: true,
        },
        pool,
        state,
        _dir: dir,
    }
}

fn viewer(id: UserId) -> Viewer {
    Viewer { id, admin: false }
}

impl World {
    /// A public fixed-price listing of the seller's with `stock` units.
    async fn listing(&self, stock: u32) -> ListingId {
        let form = ListingInput {
            stock: stock.to_string(),
            meetup_place: "Taipei Main Station".into(),
            ..input("Chairs")
        };
        ListingId(listed(&self.pool, self.seller.get(), &form, NOW).await)
    }

    /// The buyer's order of `quantity` of a new listing with `stock` units.
    async fn order(&self, stock: u32, quantity: u32) -> (ListingId, String) {
        let listing = self.listing(stock).await;
        let order = place(
            &self.state,
            self.buyer,
            listing,
            quantity,
            "After six?",
            NOW,
        )
        .await
        .unwrap();
        (listing, order)
    }

    async fn stock(&self, listing: ListingId) -> (i64, String) {
        sqlx::query_as("SELECT stock, status FROM listings WHERE id = ?")
            .bind(listing)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    async fn room_of(&self, who: UserId, order: &str) -> OrderRoom {
        room(&self.state, viewer(who), order, NOW).await.unwrap()
    }

    async fn step(&self, who: UserId, order: &str, step: Step) -> Result<(), AppError> {
        let reason = matches!(step, Step::Cancel).then_some("Found another one");
        super::step(&self.state, who, order, step, reason, NOW).await
    }

    /// The buyer ticks `term` as of the room they see now.
    async fn tick(&self, order: &str, term: Term) -> Result<(), AppError> {
        let rev = self.room_of(self.buyer, order).await.live.revs[term as usize];
        self.step(
            self.buyer,
            order,
            Step::Tick {
                term,
                rev,
                on: true,
            },
        )
        .await
    }

    /// An order the seller set a time for, the buyer accepted and both
    /// confirmed.
    async fn established(&self) -> (ListingId, String) {
        let (listing, order) = self.order(3, 1).await;
        self.step(self.seller, &order, Step::Edit(TermValue::Time(NOW + DAY)))
            .await
            .unwrap();
        for term in Term::ALL {
            self.tick(&order, term).await.unwrap();
        }
        self.step(self.buyer, &order, Step::Confirm).await.unwrap();
        self.step(self.seller, &order, Step::Confirm).await.unwrap();
        (listing, order)
    }

    /// `user`'s notifications: kind, link, read.
    async fn notices(&self, user: UserId) -> Vec<(NoticeKind, Option<String>, bool)> {
        notify::list(&self.pool, user.get(), Currency::Twd)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|n| (n.kind, n.link, n.read))
            .collect()
    }

    async fn code_of(&self, order: &str) -> String {
        self.room_of(self.buyer, order)
            .await
            .handover
            .expect("the buyer sees the code")
            .code
    }
}

fn deal(refusal: DealRefusal) -> Result<(), AppError> {
    Err(AppError::Deal(refusal))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_buyers_race_for_the_last_unit_and_one_gets_it() {
    let w = world().await;
    let listing = w.listing(1).await;
    let mut buyers = Vec::new();
    for i in 0..50 {
        buyers.push(member(&w.pool, &format!("racer{i}")).await);
    }
    let tasks: Vec<_> = buyers
        .into_iter()
        .map(|buyer| {
            let state = w.state.clone();
            tokio::spawn(async move { place(&state, buyer, listing, 1, "", NOW).await })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => won += 1,
            Err(e) => assert_eq!(e, AppError::Deal(DealRefusal::NotEnoughStock)),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(w.stock(listing).await, (0, "sold".into()));
    let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders WHERE listing_id = ?")
        .bind(listing)
        .fetch_one(&w.pool)
        .await
        .unwrap();
    assert_eq!(orders, 1);
}

#[tokio::test]
async fn an_order_starts_from_the_listing_and_tells_the_seller() {
    let w = world().await;
    let (listing, order) = w.order(5, 2).await;
    assert_eq!(order.len(), 32);
    assert_eq!(w.stock(listing).await, (3, "approved".into()));
    let r = w.room_of(w.buyer, &order).await;
    let unit: i64 = sqlx::query_scalar("SELECT price FROM listings WHERE id = ?")
        .bind(listing)
        .fetch_one(&w.pool)
        .await
        .unwrap();
    assert_eq!(r.live.state, DealState::Negotiating);
    assert_eq!(r.live.quantity, 2);
    assert_eq!(r.live.price.minor, unit * 2);
    assert_eq!(r.live.place, "Taipei Main Station");
    assert_eq!((r.live.time, r.live.ticks, r.live.seq), (None, Ticks(0), 0));
    assert_eq!(r.remark, "After six?");
    assert_eq!((r.you, r.spare), (Some(Party::Buyer), 3));
    assert_eq!(r.listing.unit_price.minor, unit);
    assert_eq!(r.seller.name, "seller nick");
    assert_eq!(r.handover, None);
    assert_eq!(
        w.notices(w.seller).await,
        vec![(NoticeKind::OrderPlaced, Some(format!("/o/{order}")), false)]
    );
}

#[tokio::test]
async fn placing_is_refused_with_a_reason() {
    let w = world().await;
    let listing = w.listing(2).await;
    let place_as = |buyer, listing, quantity, remark: &'static str| {
        let state = w.state.clone();
        async move { place(&state, buyer, listing, quantity, remark, NOW).await }
    };
    assert_eq!(
        place_as(w.seller, listing, 1, "").await,
        Err(AppError::Deal(DealRefusal::OwnListing))
    );
    assert_eq!(
        place_as(w.buyer, listing, 3, "").await,
        Err(AppError::Deal(DealRefusal::NotEnoughStock))
    );
    assert_eq!(
        place_as(w.buyer, listing, 0, "")
            .await
            .unwrap_err()
            .problem_with(Field::Quantity),
        Some(Problem::OutOfRange { min: 1, max: 999 })
    );
    let long: &'static str = "x".repeat(501).leak();
    assert!(matches!(
        place_as(w.buyer, listing, 1, long)
            .await
            .unwrap_err()
            .problem_with(Field::Remark),
        Some(Problem::TooLong { .. })
    ));
    assert_eq!(
        place_as(w.buyer, ListingId(9_999), 1, "").await,
        Err(AppError::NotFound)
    );
    let hidden = w.listing(1).await;
    set_status(&w.pool, hidden.get(), "pending").await;
    assert_eq!(
        place_as(w.buyer, hidden, 1, "").await,
        Err(AppError::Deal(DealRefusal::NotForSale))
    );
    let lamp = auction("Lamp", NOW + HOUR, DAY);
    let auctioned = ListingId(listed(&w.pool, w.seller.get(), &lamp, NOW).await);
    assert_eq!(
        place_as(w.buyer, auctioned, 1, "").await,
        Err(AppError::Deal(DealRefusal::NotForSale))
    );
    // Buying takes a verified address and good standing.
    let unverified = UserId(user(&w.pool, "newcomer").await);
    assert_eq!(
        place_as(unverified, listing, 1, "").await,
        Err(AppError::Forbidden)
    );
    sqlx::query("UPDATE users SET status = 'suspended', suspended_until = ? WHERE id = ?")
        .bind(NOW + DAY)
        .bind(w.stranger)
        .execute(&w.pool)
        .await
        .unwrap();
    assert_eq!(
        place_as(w.stranger, listing, 1, "").await,
        Err(AppError::Forbidden)
    );
    // Nothing was taken by the refusals.
    assert_eq!(w.stock(listing).await, (2, "approved".into()));
}

#[tokio::test]
async fn a_buyer_has_only_so_many_orders_open_and_places_only_so_many_an_hour() {
    let w = world().await;
    let listing = w.listing(40).await;
    let mut open = Vec::new();
    for _ in 0..MAX_NEGOTIATING {
        open.push(place(&w.state, w.buyer, listing, 1, "", NOW).await.unwrap());
    }
    let over = place(&w.state, w.buyer, listing, 1, "", NOW)
        .await
        .unwrap_err();
    assert_eq!(
        over.problem_with(Field::Quantity),
        Some(Problem::TooMany {
            max: MAX_NEGOTIATING as u32
        })
    );
    for order in &open {
        w.step(w.buyer, order, Step::Cancel).await.unwrap();
    }
    // 21 counted so far; the hour's allowance is 30.
    let allowance = crate::backend::platform::limits::ORDERS_PER_HOUR as usize;
    for _ in 0..allowance - open.len() - 1 {
        place(&w.state, w.buyer, listing, 1, "", NOW).await.unwrap();
    }
    assert_eq!(
        place(&w.state, w.buyer, listing, 1, "", NOW).await,
        Err(AppError::RateLimited)
    );
    // Another buyer has their own allowance.
    assert!(
        place(&w.state, w.stranger, listing, 1, "", NOW)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_cancellation_needs_a_reason_and_returns_the_units() {
    let w = world().await;
    let (listing, order) = w.order(2, 2).await;
    assert_eq!(w.stock(listing).await, (0, "sold".into()));
    for reason in [None, Some("   ")] {
        let err = step(&w.state, w.buyer, &order, Step::Cancel, reason, NOW)
            .await
            .unwrap_err();
        assert_eq!(err.problem_with(Field::Reason), Some(Problem::Required));
    }
    step(
        &w.state,
        w.seller,
        &order,
        Step::Cancel,
        Some(" Sold it at the shop "),
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(w.stock(listing).await, (2, "approved".into()));
    let r = w.room_of(w.buyer, &order).await;
    assert_eq!(r.live.state, DealState::Cancelled);
    assert_eq!(r.live.cancelled_by, Some(Party::Seller));
    assert_eq!(r.live.cancel_reason.as_deref(), Some("Sold it at the shop"));
    // Once is enough: the units are not returned twice.
    assert_eq!(
        w.step(w.buyer, &order, Step::Cancel).await,
        deal(DealRefusal::Closed)
    );
    assert_eq!(w.stock(listing).await, (2, "approved".into()));
    assert_eq!(
        w.notices(w.buyer).await,
        vec![(
            NoticeKind::OrderCancelled,
            Some(format!("/o/{order}")),
            false
        )]
    );
}

#[tokio::test]
async fn the_seller_moves_the_quantity_within_the_stock() {
    let w = world().await;
    let (listing, order) = w.order(3, 1).await;
    w.step(w.seller, &order, Step::Edit(TermValue::Quantity(3)))
        .await
        .unwrap();
    assert_eq!(w.stock(listing).await, (0, "sold".into()));
    assert_eq!(w.room_of(w.seller, &order).await.spare, 0);
    assert_eq!(
        w.step(w.seller, &order, Step::Edit(TermValue::Quantity(4)))
            .await,
        deal(DealRefusal::NotEnoughStock)
    );
    w.step(w.seller, &order, Step::Edit(TermValue::Quantity(2)))
        .await
        .unwrap();
    assert_eq!(w.stock(listing).await, (1, "approved".into()));
}

#[tokio::test]
async fn a_seller_edit_clears_the_tick_and_an_old_tick_is_refused() {
    let w = world().await;
    let (_, order) = w.order(1, 1).await;
    w.tick(&order, Term::Price).await.unwrap();
    let seen = w.room_of(w.buyer, &order).await.live;
    assert!(seen.ticks.has(Term::Price));
    w.step(w.seller, &order, Step::Edit(TermValue::Price(1)))
        .await
        .unwrap();
    let now = w.room_of(w.buyer, &order).await.live;
    assert!(!now.ticks.has(Term::Price));
    assert_eq!(now.price.minor, 1);
    // The buyer's tab had not heard of the edit yet.
    let stale = Step::Tick {
        term: Term::Price,
        rev: seen.revs[Term::Price as usize],
        on: true,
    };
    assert_eq!(
        w.step(w.buyer, &order, stale).await,
        deal(DealRefusal::TermChanged)
    );
    assert!(!w.room_of(w.buyer, &order).await.live.ticks.has(Term::Price));
    // Each side keeps to its own moves.
    assert_eq!(
        w.step(w.buyer, &order, Step::Edit(TermValue::Price(2)))
            .await,
        deal(DealRefusal::NotYourTurn)
    );
    let seller_tick = Step::Tick {
        term: Term::Quantity,
        rev: 0,
        on: true,
    };
    assert_eq!(
        w.step(w.seller, &order, seller_tick).await,
        deal(DealRefusal::NotYourTurn)
    );
}

#[tokio::test]
async fn a_negotiation_leaves_one_unread_update_notice() {
    let w = world().await;
    let (_, order) = w.order(1, 1).await;
    for price in [10, 20, 30] {
        w.step(w.seller, &order, Step::Edit(TermValue::Price(price)))
            .await
            .unwrap();
    }
    let link = Some(format!("/o/{order}"));
    assert_eq!(
        w.notices(w.buyer).await,
        vec![(NoticeKind::OrderUpdated, link.clone(), false)]
    );
    // The one unread notice carries the latest price.
    let amount: Option<i64> =
        sqlx::query_scalar("SELECT amount FROM notifications WHERE user_id = ? AND kind = ?")
            .bind(w.buyer)
            .bind(NoticeKind::OrderUpdated.as_str())
            .fetch_one(&w.pool)
            .await
            .unwrap();
    assert_eq!(amount, Some(30));
    // Once read, the next change is news again.
    notify::mark_read(&w.pool, w.buyer.get(), NOW)
        .await
        .unwrap();
    w.step(w.seller, &order, Step::Edit(TermValue::Price(40)))
        .await
        .unwrap();
    assert_eq!(
        w.notices(w.buyer).await,
        vec![
            (NoticeKind::OrderUpdated, link.clone(), false),
            (NoticeKind::OrderUpdated, link.clone(), true),
        ]
    );
    // The buyer's ticks reach the seller the same way.
    w.tick(&order, Term::Price).await.unwrap();
    w.tick(&order, Term::Quantity).await.unwrap();
    let seller_sees = w.notices(w.seller).await;
    assert_eq!(
        seller_sees,
        vec![
            (NoticeKind::OrderUpdated, link.clone(), false),
            (NoticeKind::OrderPlaced, link.clone(), false),
        ]
    );
}

#[tokio::test]
async fn both_confirm_and_the_buyer_alone_gets_the_handover_code() {
    let w = world().await;
    let (_, order) = w.order(3, 1).await;
    w.step(w.seller, &order, Step::Edit(TermValue::Time(NOW + DAY)))
        .await
        .unwrap();
    for term in [Term::Quantity, Term::Price, Term::Place] {
        w.tick(&order, term).await.unwrap();
    }
    assert_eq!(
        w.step(w.buyer, &order, Step::Confirm).await,
        deal(DealRefusal::TermsNotAccepted)
    );
    w.tick(&order, Term::Time).await.unwrap();
    assert_eq!(
        w.step(w.seller, &order, Step::Confirm).await,
        deal(DealRefusal::NotYourTurn)
    );
    w.step(w.buyer, &order, Step::Confirm).await.unwrap();
    assert_eq!(
        w.room_of(w.seller, &order).await.live.state,
        DealState::BuyerConfirmed
    );
    w.step(w.seller, &order, Step::Confirm).await.unwrap();
    let buyer = w.room_of(w.buyer, &order).await;
    assert_eq!(buyer.live.state, DealState::Established);
    let handover = buyer.handover.expect("the buyer's code");
    assert!(handover.code.len() == 6 && handover.code.bytes().all(|b| b.is_ascii_digit()));
    assert!(handover.qr_svg.starts_with("<svg"));
    let seller = w.room_of(w.seller, &order).await;
    assert_eq!((seller.handover, seller.code_paused_until), (None, None));
    let admin = room(&w.state, w.admin, &order, NOW).await.unwrap();
    assert_eq!((admin.you, admin.handover), (None, None));
    // The code never travels in the room's live state.
    assert!(
        !serde_json::to_string(&seller.live)
            .unwrap()
            .contains(&handover.code)
    );
    let link = Some(format!("/o/{order}"));
    assert_eq!(
        w.notices(w.seller).await[0],
        (NoticeKind::OrderBuyerConfirmed, link.clone(), false)
    );
    assert_eq!(
        w.notices(w.buyer).await[0],
        (NoticeKind::OrderEstablished, link, false)
    );
    // The meet-up may still move; the deal itself is settled.
    w.step(
        w.seller,
        &order,
        Step::Edit(TermValue::Place("Songshan".into())),
    )
    .await
    .unwrap();
    assert_eq!(
        w.step(w.seller, &order, Step::Edit(TermValue::Price(1)))
            .await,
        deal(DealRefusal::TermLocked)
    );
    assert_eq!(w.code_of(&order).await, handover.code, "the code stays");
}

#[tokio::test]
async fn wrong_codes_pause_entry_and_the_right_one_completes() {
    let w = world().await;
    let (listing, order) = w.established().await;
    let code = w.code_of(&order).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let problem = |r: Result<(), AppError>| r.unwrap_err().problem_with(Field::Code);
    // Only the seller completes, and only with a code.
    assert_eq!(
        complete(&w.state, w.buyer, &order, &code, NOW).await,
        deal(DealRefusal::NotYourTurn)
    );
    assert_eq!(
        problem(complete(&w.state, w.seller, &order, "12ab", NOW).await),
        Some(Problem::NotACode)
    );
    for _ in 1..CODE_TRIES {
        assert_eq!(
            problem(complete(&w.state, w.seller, &order, wrong, NOW).await),
            Some(Problem::Wrong)
        );
    }
    assert_eq!(
        problem(complete(&w.state, w.seller, &order, wrong, NOW).await),
        Some(Problem::TooManyTries)
    );
    // Paused: even the right code waits.
    assert_eq!(
        problem(complete(&w.state, w.seller, &order, &code, NOW + MINUTE).await),
        Some(Problem::TooManyTries)
    );
    let seller = room(&w.state, viewer(w.seller), &order, NOW).await.unwrap();
    assert_eq!(seller.code_paused_until, Some(NOW + CODE_PAUSE_MS));
    assert_eq!(w.room_of(w.buyer, &order).await.code_paused_until, None);
    let later = NOW + CODE_PAUSE_MS + 1;
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    complete(&w.state, w.seller, &order, &spaced, later)
        .await
        .unwrap();
    let r = w.room_of(w.buyer, &order).await;
    assert_eq!(r.live.state, DealState::Completed);
    assert!(r.handover.is_some(), "the buyer still sees the code used");
    assert_eq!(
        w.notices(w.buyer).await[0],
        (
            NoticeKind::OrderCompleted,
            Some(format!("/o/{order}")),
            false
        )
    );
    // Sold units stay sold; nothing more can happen.
    assert_eq!(w.stock(listing).await, (2, "approved".into()));
    assert_eq!(
        complete(&w.state, w.seller, &order, &code, later).await,
        deal(DealRefusal::Closed)
    );
    assert_eq!(
        w.step(w.buyer, &order, Step::Cancel).await,
        deal(DealRefusal::Closed)
    );
}

#[tokio::test]
async fn nobody_else_sees_or_acts_and_an_admin_only_looks() {
    let w = world().await;
    let (_, order) = w.established().await;
    let code = w.code_of(&order).await;
    assert_eq!(
        room(&w.state, viewer(w.stranger), &order, NOW).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        room(&w.state, viewer(w.buyer), "no-such-order", NOW).await,
        Err(AppError::NotFound)
    );
    for actor in [w.stranger, w.admin.id] {
        for step in [
            Step::Edit(TermValue::Place("Mine now".into())),
            Step::Cancel,
            Step::Confirm,
        ] {
            assert_eq!(w.step(actor, &order, step).await, Err(AppError::NotFound));
        }
        assert_eq!(
            complete(&w.state, actor, &order, &code, NOW).await,
            Err(AppError::NotFound)
        );
    }
    let looked = room(&w.state, w.admin, &order, NOW).await.unwrap();
    assert_eq!(looked.live.state, DealState::Established);
    assert_eq!((looked.you, looked.handover), (None, None));
    assert!(w.notices(w.stranger).await.is_empty());
    assert_eq!(
        mine(&w.state, w.stranger, NOW).await.unwrap(),
        MyOrders {
            to_trade: vec![],
            history: vec![]
        }
    );
}

#[tokio::test]
async fn both_sides_list_what_is_to_trade_and_the_history() {
    let w = world().await;
    let (_, late) = w.established().await;
    let (_, soon) = w.established().await;
    w.step(w.seller, &soon, Step::Edit(TermValue::Time(NOW + HOUR)))
        .await
        .unwrap();
    let (_, cancelled) = w.order(1, 1).await;
    w.step(w.buyer, &cancelled, Step::Cancel).await.unwrap();
    let (_, open) = w.order(1, 1).await;
    for (user, you) in [(w.buyer, Party::Buyer), (w.seller, Party::Seller)] {
        let lists = mine(&w.state, user, NOW).await.unwrap();
        let ids = |lines: &[crate::model::OrderLine]| {
            lines.iter().map(|l| l.order.clone()).collect::<Vec<_>>()
        };
        assert_eq!(ids(&lists.to_trade), vec![soon.clone(), late.clone()]);
        assert_eq!(ids(&lists.history), vec![open.clone(), cancelled.clone()]);
        let line = &lists.to_trade[0];
        assert_eq!(line.you, you);
        assert_eq!(
            (line.time, line.state),
            (Some(NOW + HOUR), DealState::Established)
        );
        assert_eq!(line.listing.title, "Chairs");
        let other = if you == Party::Buyer {
            w.seller
        } else {
            w.buyer
        };
        assert_eq!(line.other.id, other.get());
    }
}

#[tokio::test]
async fn an_auction_winners_order_opens_read_only() {
    let w = world().await;
    let lamp = auction("Lamp", NOW + HOUR, DAY);
    let listing = listed(&w.pool, w.seller.get(), &lamp, NOW).await;
    let mut conn = w.pool.acquire().await.unwrap();
    let order = create(
        &mut conn,
        NewOrder {
            listing,
            buyer: w.buyer.get(),
            seller: w.seller.get(),
            amount: 700,
            source: Source::Auction,
        },
        NOW,
    )
    .await
    .unwrap();
    drop(conn);
    let r = w.room_of(w.buyer, &order).await;
    assert_eq!(r.live.state, DealState::AwaitingPayment);
    assert_eq!(r.handover, None);
    assert_eq!(
        w.step(w.buyer, &order, Step::Cancel).await,
        deal(DealRefusal::Closed)
    );
    assert_eq!(
        w.step(w.seller, &order, Step::Edit(TermValue::Price(1)))
            .await,
        deal(DealRefusal::Closed)
    );
    assert_eq!(
        mine(&w.state, w.buyer, NOW).await.unwrap().history[0].order,
        order
    );
}

/// The next room message queued for `conn`, if one is waiting (pushed
/// notifications left aside).
fn next(conn: &mut Connection) -> Option<ServerMsg> {
    std::iter::from_fn(|| conn.try_recv().map(|frame| frame.msg()))
        .find(|msg| !matches!(msg, ServerMsg::Notify(_)))
}

#[tokio::test]
async fn the_room_hears_every_stored_change_once_and_only_its_parties_join() {
    let w = world().await;
    let (_, order) = w.order(2, 1).await;
    let topic = Topic::Order {
        order: order.clone(),
    };
    let mut buyer = w.state.hub.connect(Some(w.buyer.get()));
    socket::join(&w.state, buyer.id, Some(viewer(w.buyer)), &order)
        .await
        .unwrap();
    let Some(ServerMsg::Order(OrderEvent::Snapshot { live })) = next(&mut buyer) else {
        panic!("a snapshot first")
    };
    assert_eq!((live.seq, live.state), (0, DealState::Negotiating));
    // Others are refused and never subscribed, whatever they send.
    let stranger = w.state.hub.connect(Some(w.stranger.get()));
    for who in [Some(viewer(w.stranger)), None] {
        assert!(
            socket::join(&w.state, stranger.id, who, &order)
                .await
                .is_err()
        );
    }
    assert!(
        socket::join(&w.state, stranger.id, Some(viewer(w.buyer)), "nope")
            .await
            .is_err()
    );
    assert_eq!(w.state.hub.subscribers(&topic), 1);
    let mut admin = w.state.hub.connect(Some(w.admin.id.get()));
    socket::join(&w.state, admin.id, Some(w.admin), &order)
        .await
        .unwrap();
    assert!(matches!(
        next(&mut admin),
        Some(ServerMsg::Order(OrderEvent::Snapshot { .. }))
    ));

    let edit = OrderCommand::Edit {
        order: order.clone(),
        value: TermValue::Price(321),
        req: 7,
    };
    let ack = socket::command(&w.state, Some(viewer(w.seller)), edit.clone()).await;
    assert_eq!(
        ack,
        ServerMsg::Ack {
            req: 7,
            result: Ok(None)
        }
    );
    let stored = w.room_of(w.buyer, &order).await.live;
    for conn in [&mut buyer, &mut admin] {
        assert_eq!(
            next(conn),
            Some(ServerMsg::Order(OrderEvent::Update {
                live: stored.clone()
            }))
        );
        assert_eq!(next(conn), None, "once");
    }
    // Refused commands change nothing and publish nothing.
    for (who, req) in [(Some(viewer(w.buyer)), 8), (Some(w.admin), 9)] {
        let edit = OrderCommand::Edit {
            order: order.clone(),
            value: TermValue::Price(5),
            req,
        };
        let ServerMsg::Ack { req: r, result } = socket::command(&w.state, who, edit).await else {
            panic!("an ack")
        };
        assert_eq!(r, req);
        assert!(result.is_err());
    }
    assert_eq!(
        socket::command(&w.state, None, edit).await,
        ServerMsg::Ack {
            req: 7,
            result: Err(AppError::Unauthenticated)
        }
    );
    let cancel = OrderCommand::Cancel {
        order: order.clone(),
        reason: "Changed my mind".into(),
        req: 10,
    };
    assert_eq!(
        socket::command(&w.state, Some(viewer(w.buyer)), cancel).await,
        ServerMsg::Ack {
            req: 10,
            result: Ok(None)
        }
    );
    let Some(ServerMsg::Order(OrderEvent::Update { live })) = next(&mut buyer) else {
        panic!("the cancellation")
    };
    assert_eq!((live.seq, live.state), (2, DealState::Cancelled));
    assert_eq!(live.cancelled_by, Some(Party::Buyer));
    assert_eq!(next(&mut buyer), None);
}
