//! Escrow on a real database: paying moves the price into a hold once per
//! key and order; the handover releases it and a cancellation refunds it,
//! exactly once even when they race; a won auction's order opens in its
//! room when paid; an unpaid winner is struck and the runner-up offered
//! the item.

use super::*;
use crate::{
    backend::{
        AppState, notify, offer,
        order::{self, Viewer},
        testing::{self, *},
    },
    domain::{
        id::ListingId,
        offer::{Answer, OfferState},
        order::{DealRefusal, DealState, Step, Term, TermValue},
    },
    model::OrderRoom,
};
use sqlx::SqlitePool;

const KEY: &str = "0123456789abcdef0123456789abcdef";
const OTHER_KEY: &str = "fedcba9876543210fedcba9876543210";

struct World {
    pool: SqlitePool,
    state: AppState,
    seller: UserId,
    buyer: UserId,
    stranger: UserId,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let (pool, dir) = temp_db().await;
    let state = testing::app_state(&pool, &dir);
    World {
        seller: verified(&pool, "seller").await,
        buyer: verified(&pool, "buyer").await,
        stranger: verified(&pool, "stranger").await,
        pool,
        state,
        _dir: dir,
    }
}

impl World {
    async fn credit(&self, user: UserId, amount: i64) {
        testing::fund(&self.pool, user, amount, NOW).await
    }

    async fn balance(&self, account: Account) -> i64 {
        store::balance(&self.pool, account).await.unwrap()
    }

    async fn room_of(&self, who: UserId, order: &str) -> OrderRoom {
        order::room(
            &self.state,
            Viewer {
                id: who,
                admin: false,
            },
            order,
            NOW,
        )
        .await
        .unwrap()
    }

    /// A fixed-price order the buyer and seller established; its price.
    async fn established(&self) -> (ListingId, String, i64) {
        let form = crate::domain::catalog::ListingInput {
            stock: "3".into(),
            meetup_place: "Taipei Main Station".into(),
            ..input("Chairs")
        };
        let listing = ListingId(listed(&self.pool, self.seller.get(), &form, NOW).await);
        let order = order::place(&self.state, self.buyer, listing, 1, "", NOW)
            .await
            .unwrap();
        let step = |who, step| order::step(&self.state, who, &order, step, None, NOW);
        step(self.seller, Step::Edit(TermValue::Time(NOW + DAY)))
            .await
            .unwrap();
        for term in Term::ALL {
            let rev = self.room_of(self.buyer, &order).await.live.revs[term as usize];
            step(
                self.buyer,
                Step::Tick {
                    term,
                    rev,
                    on: true,
                },
            )
            .await
            .unwrap();
        }
        step(self.buyer, Step::Confirm).await.unwrap();
        step(self.seller, Step::Confirm).await.unwrap();
        let price = self.room_of(self.buyer, &order).await.live.price.minor;
        (listing, order, price)
    }

    async fn pay(&self, who: UserId, order: &str, key: &str) -> Result<Payment, AppError> {
        pay(&self.state, who, order, key, NOW).await
    }

    async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&self.pool).await.unwrap()
    }

    async fn notices(&self, user: UserId) -> Vec<NoticeKind> {
        notify::list(&self.pool, user.get(), Currency::Twd)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|n| n.kind)
            .collect()
    }

    async fn sound(&self) {
        assert_eq!(store::audit(&self.pool).await.unwrap(), (0, 0));
    }

    async fn cancel(&self, who: UserId, order: &str) -> Result<(), AppError> {
        order::step(
            &self.state,
            who,
            order,
            Step::Cancel,
            Some("Changed plans"),
            NOW,
        )
        .await
    }

    async fn complete(&self, order: &str) -> Result<(), AppError> {
        let code = self
            .room_of(self.buyer, order)
            .await
            .handover
            .expect("the buyer sees the code")
            .code;
        order::complete(&self.state, self.seller, order, &code, NOW).await
    }
}

fn held(amount: i64) -> Payment {
    Payment::Escrow {
        amount: Money::new(amount, Currency::Twd),
        state: HoldState::Pending,
    }
}

#[tokio::test]
async fn paying_moves_the_price_into_a_hold_and_tells_the_seller() {
    let w = world().await;
    let (_, order, price) = w.established().await;
    w.credit(w.buyer, price + 500).await;
    assert_eq!(w.room_of(w.buyer, &order).await.payment, Payment::Cash);
    let seq = w.room_of(w.buyer, &order).await.live.seq;

    assert_eq!(w.pay(w.buyer, &order, KEY).await, Ok(held(price)));
    assert_eq!(w.balance(Account::Available(w.buyer)).await, 500);
    let room = w.room_of(w.seller, &order).await;
    assert_eq!(room.payment, held(price));
    assert_eq!(
        (room.live.state, room.live.seq),
        (DealState::Established, seq + 1),
        "both rooms hear of the payment"
    );
    assert!(w.notices(w.seller).await.contains(&NoticeKind::OrderPaid));
    // Its audit line names the transfer that moved the money.
    assert_eq!(
        w.count(
            "SELECT count(*) FROM wallet_audit a JOIN transfers t ON t.id = a.transfer_id
                                                 JOIN holds h ON h.id = t.hold_id
              WHERE a.action = 'escrow' AND t.purpose = 'escrow' AND a.actor_id = h.buyer_id"
        )
        .await,
        1
    );
    w.sound().await;
}

#[tokio::test]
async fn the_same_key_pays_once_and_answers_the_same_and_another_key_is_refused() {
    let w = world().await;
    let (_, order, price) = w.established().await;
    w.credit(w.buyer, price * 3).await;
    let first = w.pay(w.buyer, &order, KEY).await.unwrap();
    for _ in 0..3 {
        assert_eq!(w.pay(w.buyer, &order, KEY).await, Ok(first));
    }
    assert_eq!(
        w.pay(w.buyer, &order, OTHER_KEY).await,
        Err(AppError::Deal(DealRefusal::Closed)),
        "one payment per order"
    );
    assert_eq!(w.balance(Account::Available(w.buyer)).await, price * 2);
    assert_eq!(w.count("SELECT count(*) FROM holds").await, 1);
    // The key is the buyer's for this request: paying another order with
    // it is refused.
    let (_, second, _) = w.established().await;
    assert_eq!(w.pay(w.buyer, &second, KEY).await, Err(AppError::Conflict));
    w.sound().await;
}

#[tokio::test]
async fn too_little_in_the_wallet_moves_nothing_and_the_key_stays_free() {
    let w = world().await;
    let (_, order, price) = w.established().await;
    w.credit(w.buyer, price - 1).await;
    let refused = w.pay(w.buyer, &order, KEY).await.unwrap_err();
    assert_eq!(
        refused.problem_with(Field::Amount),
        Some(Problem::OutOfRange {
            min: 1,
            max: price - 1
        })
    );
    assert_eq!(w.balance(Account::Available(w.buyer)).await, price - 1);
    assert_eq!(w.count("SELECT count(*) FROM holds").await, 0);
    assert_eq!(w.room_of(w.buyer, &order).await.payment, Payment::Cash);
    // Topped up, the same key (the same page) pays.
    w.credit(w.buyer, 1).await;
    assert_eq!(w.pay(w.buyer, &order, KEY).await, Ok(held(price)));
    assert_eq!(w.balance(Account::Available(w.buyer)).await, 0);
    w.sound().await;
}

#[tokio::test]
async fn only_the_buyer_pays_and_only_a_standing_deal() {
    let w = world().await;
    let (_, order, price) = w.established().await;
    for who in [w.seller, w.stranger] {
        w.credit(who, price).await;
    }
    assert_eq!(
        w.pay(w.stranger, &order, KEY).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        w.pay(w.seller, &order, KEY).await,
        Err(AppError::Deal(DealRefusal::NotYourTurn))
    );
    assert_eq!(
        w.pay(w.buyer, "no-such-order", KEY).await,
        Err(AppError::NotFound)
    );
    // Still negotiating: the price may change yet.
    let listing = ListingId(listed(&w.pool, w.seller.get(), &input("Desk"), NOW).await);
    let negotiating = order::place(&w.state, w.buyer, listing, 1, "", NOW)
        .await
        .unwrap();
    w.credit(w.buyer, price).await;
    assert_eq!(
        w.pay(w.buyer, &negotiating, KEY).await,
        Err(AppError::Deal(DealRefusal::NotYourTurn))
    );
    // A frozen wallet pays nothing.
    sqlx::query("UPDATE users SET wallet_frozen_at = 1 WHERE id = ?")
        .bind(w.buyer)
        .execute(&w.pool)
        .await
        .unwrap();
    assert_eq!(w.pay(w.buyer, &order, KEY).await, Err(AppError::Forbidden));
    // A malformed key cannot be retried safely.
    sqlx::query("UPDATE users SET wallet_frozen_at = NULL WHERE id = ?")
        .bind(w.buyer)
        .execute(&w.pool)
        .await
        .unwrap();
    assert_eq!(
        w.pay(w.buyer, &order, "short").await,
        Err(AppError::Conflict)
    );
    assert_eq!(w.count("SELECT count(*) FROM holds").await, 0);
    w.sound().await;
}

#[tokio::test]
async fn the_handover_releases_the_hold_to_the_seller_once() {
    let w = world().await;
    let (_, order, price) = w.established().await;
    w.credit(w.buyer, price).await;
    w.pay(w.buyer, &order, KEY).await.unwrap();
    w.complete(&order).await.unwrap();
    assert_eq!(w.balance(Account::Available(w.seller)).await, price);
    assert_eq!(w.balance(Account::Available(w.buyer)).await, 0);
    let room = w.room_of(w.buyer, &order).await;
    assert_eq!(
        room.payment,
        Payment::Escrow {
            amount: Money::new(price, Currency::Twd),
            state: HoldState::Posted
        }
    );
    // Completing again, or cancelling after, moves nothing.
    assert!(w.complete(&order).await.is_err());
    assert!(w.cancel(w.buyer, &order).await.is_err());
    assert_eq!(w.balance(Account::Available(w.seller)).await, price);
    assert_eq!(
        w.count("SELECT count(*) FROM transfers WHERE purpose = 'release'")
            .await,
        1
    );
    assert_eq!(
        w.count(
            "SELECT count(*) FROM wallet_audit a JOIN transfers t ON t.id = a.transfer_id
              WHERE a.action = 'release' AND t.purpose = 'release'"
        )
        .await,
        1
    );
    w.sound().await;
}

#[tokio::test]
async fn a_cancellation_refunds_the_hold_once_and_the_order_may_not_be_paid_again() {
    let w = world().await;
    let (listing, order, price) = w.established().await;
    w.credit(w.buyer, price).await;
    w.pay(w.buyer, &order, KEY).await.unwrap();
    assert_eq!(w.balance(Account::Available(w.buyer)).await, 0);
    w.cancel(w.seller, &order).await.unwrap();
    assert_eq!(w.balance(Account::Available(w.buyer)).await, price);
    assert_eq!(w.balance(Account::Available(w.seller)).await, 0);
    let room = w.room_of(w.buyer, &order).await;
    assert_eq!(
        room.payment,
        Payment::Escrow {
            amount: Money::new(price, Currency::Twd),
            state: HoldState::Voided
        }
    );
    assert!(w.cancel(w.buyer, &order).await.is_err());
    assert!(
        w.pay(w.buyer, &order, OTHER_KEY).await.is_err(),
        "a cancelled order is closed"
    );
    assert_eq!(w.balance(Account::Available(w.buyer)).await, price);
    assert_eq!(
        w.count("SELECT count(*) FROM transfers WHERE purpose = 'refund'")
            .await,
        1
    );
    // The units came back as for any cancellation.
    let stock: i64 = sqlx::query_scalar("SELECT stock FROM listings WHERE id = ?")
        .bind(listing)
        .fetch_one(&w.pool)
        .await
        .unwrap();
    assert_eq!(stock, 3);
    w.sound().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_handover_racing_a_cancellation_settles_the_hold_exactly_once() {
    for _ in 0..5 {
        let w = world().await;
        let (_, order, price) = w.established().await;
        w.credit(w.buyer, price).await;
        w.pay(w.buyer, &order, KEY).await.unwrap();
        let code = w.room_of(w.buyer, &order).await.handover.unwrap().code;
        let (state, seller, buyer) = (w.state.clone(), w.seller, w.buyer);
        let (o1, o2) = (order.clone(), order.clone());
        let completing = tokio::spawn({
            let state = state.clone();
            async move { order::complete(&state, seller, &o1, &code, NOW).await }
        });
        let cancelling = tokio::spawn(async move {
            order::step(&state, buyer, &o2, Step::Cancel, Some("No"), NOW).await
        });
        let (completed, cancelled) = (completing.await.unwrap(), cancelling.await.unwrap());
        assert!(
            completed.is_ok() != cancelled.is_ok(),
            "{completed:?} {cancelled:?}"
        );
        let (to_seller, to_buyer) = (
            w.balance(Account::Available(w.seller)).await,
            w.balance(Account::Available(w.buyer)).await,
        );
        assert_eq!(to_seller + to_buyer, price);
        assert_eq!(
            (to_seller == price),
            completed.is_ok(),
            "the money follows the order"
        );
        assert_eq!(
            w.count("SELECT count(*) FROM holds WHERE state = 'pending'")
                .await,
            0
        );
        assert_eq!(
            w.count("SELECT count(*) FROM transfers WHERE purpose IN ('release', 'refund')")
                .await,
            1
        );
        w.sound().await;
    }
}

/// An auction of the seller's that `bidders` bid on in turn (each bid
/// after the last), ended: the last bidder won. Returns the listing and the
/// winner's order.
async fn won(w: &World, bids: &[(UserId, i64)]) -> (ListingId, String) {
    const START: i64 = NOW + HOUR;
    let form = crate::domain::catalog::ListingInput {
        meetup_place: "Songshan station".into(),
        ..auction("Lamp", START, DAY)
    };
    let listing = ListingId(listed(&w.pool, w.seller.get(), &form, NOW).await);
    w.state.auctions.start_due(START).await.unwrap();
    for (i, (who, amount)) in bids.iter().enumerate() {
        w.state
            .auctions
            .bid(
                *who,
                listing,
                Money::new(*amount, Currency::Twd),
                START + MINUTE + i as i64,
            )
            .await
            .unwrap();
    }
    w.state.auctions.end_due(START + DAY).await.unwrap();
    let order: String = sqlx::query_scalar("SELECT public_id FROM orders WHERE listing_id = ?")
        .bind(listing)
        .fetch_one(&w.pool)
        .await
        .unwrap();
    (listing, order)
}

#[tokio::test]
async fn paying_a_won_auction_opens_its_order_in_the_room() {
    let w = world().await;
    let (_, order) = won(&w, &[(w.stranger, 200), (w.buyer, 900)]).await;
    let before = w.room_of(w.buyer, &order).await;
    assert_eq!(before.live.state, DealState::AwaitingPayment);
    assert!(before.pay_by.is_some() && before.handover.is_none());
    let price = before.live.price.minor;
    w.credit(w.buyer, price).await;
    assert_eq!(w.pay(w.buyer, &order, KEY).await, Ok(held(price)));
    let room = w.room_of(w.buyer, &order).await;
    assert_eq!(room.live.state, DealState::Established);
    assert!(room.live.ticks.has(Term::Quantity) && room.live.ticks.has(Term::Price));
    assert_eq!(room.live.place, "Songshan station");
    assert!(room.handover.is_some(), "the buyer has a handover code");
    assert_eq!(room.pay_by, None);
    // The seller sets the time, and the handover releases the money.
    order::step(
        &w.state,
        w.seller,
        &order,
        Step::Edit(TermValue::Time(NOW + 3 * DAY)),
        None,
        NOW,
    )
    .await
    .unwrap();
    w.complete(&order).await.unwrap();
    assert_eq!(w.balance(Account::Available(w.seller)).await, price);
    w.sound().await;
}

#[tokio::test]
async fn a_cancelled_paid_auction_refunds_and_returns_no_stock() {
    let w = world().await;
    let (listing, order) = won(&w, &[(w.buyer, 500)]).await;
    let price = w.room_of(w.buyer, &order).await.live.price.minor;
    w.credit(w.buyer, price).await;
    w.pay(w.buyer, &order, KEY).await.unwrap();
    w.cancel(w.buyer, &order).await.unwrap();
    assert_eq!(w.balance(Account::Available(w.buyer)).await, price);
    let (stock, status): (i64, String) =
        sqlx::query_as("SELECT stock, status FROM listings WHERE id = ?")
            .bind(listing)
            .fetch_one(&w.pool)
            .await
            .unwrap();
    assert_eq!(
        (stock, status.as_str()),
        (1, "sold"),
        "an auction's item is not in its stock"
    );
    w.sound().await;
}

#[tokio::test]
async fn an_unpaid_winner_is_struck_and_the_runner_up_offered_the_item_at_their_last_bid() {
    let w = world().await;
    let runner_up = verified(&w.pool, "runner").await;
    let (listing, order) = won(&w, &[(w.stranger, 150), (runner_up, 400), (w.buyer, 900)]).await;
    let pay_by = w.room_of(w.buyer, &order).await.pay_by.unwrap();
    let cancel = |at| order::cancel_unpaid(&w.state, w.seller, &order, at);

    // Before the deadline the winner still has time; only the seller asks.
    assert!(!w.room_of(w.seller, &order).await.unpaid);
    assert_eq!(
        cancel(pay_by - 1).await,
        Err(AppError::Deal(DealRefusal::NotYourTurn))
    );
    assert_eq!(
        order::cancel_unpaid(&w.state, w.buyer, &order, pay_by).await,
        Err(AppError::Deal(DealRefusal::NotYourTurn))
    );
    assert_eq!(
        order::cancel_unpaid(&w.state, w.stranger, &order, pay_by).await,
        Err(AppError::NotFound)
    );
    assert_eq!(order::strikes_of(&w.state, w.buyer).await, Ok(0));

    let seen = order::room(
        &w.state,
        Viewer {
            id: w.seller,
            admin: false,
        },
        &order,
        pay_by,
    )
    .await
    .unwrap();
    assert!(seen.unpaid, "the seller is offered the cancellation");
    let done = cancel(pay_by).await.unwrap();
    let offer_id = done.runner_up_offer.expect("a runner-up");
    assert_eq!(order::strikes_of(&w.state, w.buyer).await, Ok(1));
    let room = w.room_of(w.buyer, &order).await;
    assert_eq!(room.live.state, DealState::Cancelled);
    assert_eq!(
        room.live.cancel_reason.as_deref(),
        Some(order::UNPAID_REASON)
    );
    assert!(w.notices(w.buyer).await.contains(&NoticeKind::UnpaidStrike));
    assert!(
        w.notices(runner_up)
            .await
            .contains(&NoticeKind::SecondChance)
    );
    // Cancelling twice strikes once.
    assert!(cancel(pay_by + 1).await.is_err());
    assert_eq!(order::strikes_of(&w.state, w.buyer).await, Ok(1));

    let offered = offer::view(&w.state, runner_up, &offer_id, pay_by)
        .await
        .unwrap();
    assert_eq!(
        (offered.state, offered.amount.minor, offered.quantity),
        (OfferState::Pending, 400, 1),
        "the runner-up's last bid"
    );
    let answered = offer::answer(&w.state, runner_up, &offer_id, Answer::Accept, pay_by)
        .await
        .unwrap();
    let second = answered.order.expect("accepting opens an order");
    let (stock, status): (i64, String) =
        sqlx::query_as("SELECT stock, status FROM listings WHERE id = ?")
            .bind(listing)
            .fetch_one(&w.pool)
            .await
            .unwrap();
    assert_eq!((stock, status.as_str()), (1, "sold"));
    // The runner-up pays it into escrow.
    w.credit(runner_up, 400).await;
    assert_eq!(
        pay(&w.state, runner_up, &second, KEY, pay_by).await,
        Ok(held(400))
    );
    w.sound().await;
}

#[tokio::test]
async fn an_unpaid_winner_without_a_runner_up_is_struck_and_nobody_offered() {
    let w = world().await;
    let (_, order) = won(&w, &[(w.buyer, 300)]).await;
    let pay_by = w.room_of(w.buyer, &order).await.pay_by.unwrap();
    let done = order::cancel_unpaid(&w.state, w.seller, &order, pay_by)
        .await
        .unwrap();
    assert_eq!(done.runner_up_offer, None);
    assert_eq!(order::strikes_of(&w.state, w.buyer).await, Ok(1));
    assert_eq!(w.count("SELECT count(*) FROM offers").await, 0);
}
