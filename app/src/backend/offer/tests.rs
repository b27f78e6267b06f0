use super::*;
use crate::backend::{auction::scheduler, live::hub::Connection, testing::*};
use crate::domain::{
    catalog::ListingInput,
    form::{Field, Problem},
    offer::OFFER_LIFETIME_MS,
};
use crate::model::Notification;
use crate::protocol::{NoticeEvent, ServerMsg};

struct Fixture {
    state: AppState,
    _dir: tempfile::TempDir,
    seller: UserId,
    ann: UserId,
    bob: UserId,
    /// Three chairs at 1,000 each, offers welcome.
    chairs: ListingId,
}

fn offers_welcome(title: &str, stock: u32) -> ListingInput {
    ListingInput {
        sale_mode: "offers".into(),
        stock: stock.to_string(),
        ..input(title)
    }
}

async fn fixture() -> Fixture {
    let (pool, dir) = temp_db().await;
    let state = app_state(&pool, &dir);
    let seller = user(&pool, "seller").await;
    let ann = UserId(user(&pool, "ann").await);
    let bob = UserId(user(&pool, "bob").await);
    let chairs = ListingId(listed(&pool, seller, &offers_welcome("Chairs", 3), NOW).await);
    Fixture {
        state,
        _dir: dir,
        seller: UserId(seller),
        ann,
        bob,
        chairs,
    }
}

impl Fixture {
    async fn offer(&self, buyer: UserId, amount: i64, quantity: u32) -> String {
        make(&self.state, buyer, self.chairs, amount, quantity, NOW)
            .await
            .unwrap()
    }

    async fn answer(
        &self,
        who: UserId,
        offer: &str,
        a: Answer,
        at: i64,
    ) -> Result<Answered, AppError> {
        answer(&self.state, who, offer, a, at).await
    }

    async fn view(&self, who: UserId, offer: &str) -> OfferView {
        view(&self.state, who, offer, NOW).await.unwrap()
    }

    async fn notices(&self, who: UserId) -> Vec<Notification> {
        notify::list(&self.state.db, who.get(), Currency::Twd)
            .await
            .unwrap()
            .items
    }

    async fn stock(&self) -> (i64, String) {
        sqlx::query_as("SELECT stock, status FROM listings WHERE id = ?")
            .bind(self.chairs)
            .fetch_one(&self.state.db)
            .await
            .unwrap()
    }

    async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.state.db)
            .await
            .unwrap()
    }

    /// Offers, orders, notifications and the stock: what a refusal must not change.
    async fn everything(&self) -> (i64, i64, i64, String, (i64, String)) {
        (
            self.count("SELECT count(*) FROM offers").await,
            self.count("SELECT count(*) FROM orders").await,
            self.count("SELECT count(*) FROM notifications").await,
            sqlx::query_scalar("SELECT group_concat(state) FROM offers")
                .fetch_one(&self.state.db)
                .await
                .unwrap_or_default(),
            self.stock().await,
        )
    }
}

fn twd(minor: i64) -> Money {
    Money::new(minor, Currency::Twd)
}

/// The offer notifications a tab was pushed: kind and link.
fn pushed(tab: &mut Connection) -> Vec<(NoticeKind, Option<String>)> {
    std::iter::from_fn(|| tab.try_recv())
        .filter_map(|f| match f.msg() {
            ServerMsg::Notify(NoticeEvent::Notice { notification, .. }) => {
                Some((notification.kind, notification.link))
            }
            _ => None,
        })
        .collect()
}

fn link(offer: &str) -> Option<String> {
    Some(format!("/offers/{offer}"))
}

#[tokio::test]
async fn an_offer_countered_then_accepted_is_an_established_order_at_the_countered_price() {
    let f = fixture().await;
    let mut seller_tab = f.state.hub.connect(Some(f.seller.get()));
    let mut ann_tab = f.state.hub.connect(Some(f.ann.get()));

    let offer = f.offer(f.ann, 800, 2).await;
    assert_eq!(
        pushed(&mut seller_tab),
        vec![(NoticeKind::OfferReceived, link(&offer))]
    );
    let v = f.view(f.seller, &offer).await;
    assert_eq!(
        (v.you, v.made_by, v.quantity, v.amount, v.total, v.state),
        (
            Party::Seller,
            Party::Buyer,
            2,
            twd(800),
            twd(1600),
            OfferState::Pending
        )
    );
    assert_eq!(v.expires_at, NOW + OFFER_LIFETIME_MS);
    assert_eq!(v.listing.unit_price, twd(1000));
    assert_eq!(v.listing.title, "Chairs");
    assert_eq!((v.buyer.id, v.seller.id), (f.ann.get(), f.seller.get()));

    let later = NOW + HOUR;
    let countered = f
        .answer(f.seller, &offer, Answer::Counter { amount: 900 }, later)
        .await
        .unwrap();
    let counter = countered.offer.clone();
    assert_ne!(counter, offer);
    assert_eq!(
        pushed(&mut ann_tab),
        vec![(NoticeKind::OfferCountered, link(&counter))]
    );
    let old = f.view(f.ann, &offer).await;
    assert_eq!(old.state, OfferState::Countered);
    assert_eq!(old.countered_by.as_deref(), Some(counter.as_str()));
    let c = f.view(f.ann, &counter).await;
    assert_eq!(
        (c.made_by, c.quantity, c.amount, c.state, c.expires_at),
        (
            Party::Seller,
            2,
            twd(900),
            OfferState::Pending,
            later + OFFER_LIFETIME_MS
        )
    );
    assert_eq!(c.counters.as_deref(), Some(offer.as_str()));
    // Nothing has left the stock yet.
    assert_eq!(f.stock().await, (3, "approved".into()));

    let accepted = f
        .answer(f.ann, &counter, Answer::Accept, later + 1)
        .await
        .unwrap();
    let order = accepted.order.clone().expect("an order");
    assert_eq!(accepted.offer, counter);
    assert_eq!(
        pushed(&mut seller_tab),
        vec![(NoticeKind::OfferAccepted, link(&counter))]
    );
    let (state, quantity, amount, source, buyer, seller): (String, i64, i64, String, i64, i64) =
        sqlx::query_as(
            "SELECT state, quantity, amount, source, buyer_id, seller_id FROM orders
              WHERE public_id = ?",
        )
        .bind(&order)
        .fetch_one(&f.state.db)
        .await
        .unwrap();
    assert_eq!(
        (state.as_str(), quantity, amount, source.as_str()),
        ("established", 2, 1800, "offer")
    );
    assert_eq!((buyer, seller), (f.ann.get(), f.seller.get()));
    assert_eq!(f.stock().await, (1, "approved".into()));
    let done = f.view(f.seller, &counter).await;
    assert_eq!(
        (done.state, done.order.as_deref()),
        (OfferState::Accepted, Some(order.as_str()))
    );
    // An accepted counter's parent stays countered, never accepted.
    assert_eq!(f.view(f.seller, &offer).await.state, OfferState::Countered);

    // Every step is stored for the other side too, linked to the offer.
    let seller_notes: Vec<(NoticeKind, Option<String>)> = f
        .notices(f.seller)
        .await
        .into_iter()
        .map(|n| (n.kind, n.link))
        .collect();
    assert_eq!(
        seller_notes,
        vec![
            (NoticeKind::OfferAccepted, link(&counter)),
            (NoticeKind::OfferReceived, link(&offer)),
        ]
    );
    let ann_notes = f.notices(f.ann).await;
    assert_eq!(ann_notes.len(), 1);
    assert_eq!(ann_notes[0].amount, Some(twd(900)));
    assert_eq!(ann_notes[0].title, "Chairs");

    // Closed offers take no more answers.
    for (who, a) in [
        (f.ann, Answer::Accept),
        (f.seller, Answer::Decline),
        (f.ann, Answer::Withdraw),
    ] {
        assert_eq!(
            f.answer(who, &counter, a, later + 2).await,
            Err(AppError::Deal(DealRefusal::Closed))
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_counter_racing_an_accept_on_one_offer_exactly_one_wins() {
    let f = fixture().await;
    let mut winners = (0, 0);
    for round in 0..12 {
        let buyer = if round % 2 == 0 { f.ann } else { f.bob };
        let offer = f.offer(buyer, 700, 1).await;
        let (s1, s2) = (f.state.clone(), f.state.clone());
        let (o1, o2) = (offer.clone(), offer.clone());
        let seller = f.seller;
        let accept =
            tokio::spawn(async move { answer(&s1, seller, &o1, Answer::Accept, NOW).await });
        let counter = tokio::spawn(async move {
            answer(&s2, seller, &o2, Answer::Counter { amount: 750 }, NOW).await
        });
        let (accept, counter) = (accept.await.unwrap(), counter.await.unwrap());
        let closed = Err(AppError::Deal(DealRefusal::Closed));
        let state = f.view(seller, &offer).await;
        match (&accept, &counter) {
            (Ok(a), c) if c == &closed => {
                winners.0 += 1;
                assert_eq!(state.state, OfferState::Accepted);
                assert_eq!(state.order, a.order);
                assert_eq!(state.countered_by, None);
                // Put the unit back for the next round.
                order::release_stock(&mut f.state.db.acquire().await.unwrap(), f.chairs, 1)
                    .await
                    .unwrap();
            }
            (a, Ok(c)) if a == &closed => {
                winners.1 += 1;
                assert_eq!(state.state, OfferState::Countered);
                assert_eq!(state.order, None);
                assert_eq!(state.countered_by.as_deref(), Some(c.offer.as_str()));
                // The buyer declines the counter, closing the round.
                f.answer(buyer, &c.offer, Answer::Decline, NOW)
                    .await
                    .unwrap();
            }
            other => panic!("exactly one must win: {other:?}"),
        }
    }
    assert_eq!(winners.0 + winners.1, 12);
    assert_eq!(
        f.count("SELECT count(*) FROM orders").await,
        winners.0,
        "one order per won acceptance"
    );
    assert_eq!(
        f.count("SELECT count(*) FROM offers WHERE by_seller = 1")
            .await,
        winners.1,
        "one counter per won counter"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_withdrawal_racing_an_acceptance_exactly_one_wins() {
    let f = fixture().await;
    for _ in 0..8 {
        let offer = f.offer(f.ann, 700, 1).await;
        let (s1, s2) = (f.state.clone(), f.state.clone());
        let (o1, o2) = (offer.clone(), offer.clone());
        let (seller, ann) = (f.seller, f.ann);
        let accept =
            tokio::spawn(async move { answer(&s1, seller, &o1, Answer::Accept, NOW).await });
        let withdraw =
            tokio::spawn(async move { answer(&s2, ann, &o2, Answer::Withdraw, NOW).await });
        let (accept, withdraw) = (accept.await.unwrap(), withdraw.await.unwrap());
        assert!(
            accept.is_ok() != withdraw.is_ok(),
            "{accept:?} {withdraw:?}"
        );
        let closed = Err(AppError::Deal(DealRefusal::Closed));
        assert!(accept == closed || withdraw == closed);
        if accept.is_ok() {
            order::release_stock(&mut f.state.db.acquire().await.unwrap(), f.chairs, 1)
                .await
                .unwrap();
        }
    }
    assert_eq!(f.stock().await.0, 3);
}

#[tokio::test]
async fn accepting_the_last_units_declines_the_offers_they_no_longer_cover() {
    let f = fixture().await;
    let pool = &f.state.db;
    let cat = UserId(user(pool, "cat").await);
    let dan = UserId(user(pool, "dan").await);
    // Three chairs: ann wants 2, bob 2, cat 1; dan's offer for 1 is countered.
    let ann = f.offer(f.ann, 800, 2).await;
    let bob = f.offer(f.bob, 850, 2).await;
    let cats = f.offer(cat, 900, 1).await;
    let dans = f.offer(dan, 600, 1).await;
    let dan_counter = f
        .answer(f.seller, &dans, Answer::Counter { amount: 800 }, NOW)
        .await
        .unwrap()
        .offer;
    let mut bob_tab = f.state.hub.connect(Some(f.bob.get()));
    let mut dan_tab = f.state.hub.connect(Some(dan.get()));

    // Ann's two leave one: bob's two are declined; cat's one and dan's
    // counter for one still stand.
    f.answer(f.seller, &ann, Answer::Accept, NOW + 1)
        .await
        .unwrap();
    assert_eq!(f.stock().await, (1, "approved".into()));
    assert_eq!(f.view(f.bob, &bob).await.state, OfferState::Declined);
    assert_eq!(
        pushed(&mut bob_tab),
        vec![(NoticeKind::OfferDeclined, link(&bob))]
    );
    assert_eq!(f.view(cat, &cats).await.state, OfferState::Pending);
    assert_eq!(f.view(dan, &dan_counter).await.state, OfferState::Pending);

    // Cat's takes the last: dan's counter goes, and the listing is sold.
    f.answer(f.seller, &cats, Answer::Accept, NOW + 2)
        .await
        .unwrap();
    assert_eq!(f.stock().await, (0, "sold".into()));
    assert_eq!(f.view(dan, &dan_counter).await.state, OfferState::Declined);
    assert_eq!(
        pushed(&mut dan_tab),
        vec![(NoticeKind::OfferDeclined, link(&dan_counter))]
    );
    assert!(pushed(&mut bob_tab).is_empty(), "told once");
    assert_eq!(
        f.count("SELECT count(*) FROM offers WHERE state = 'pending'")
            .await,
        0
    );
    // Accepted quantities never exceed the stock.
    assert_eq!(
        f.count("SELECT sum(quantity) FROM offers WHERE state = 'accepted'")
            .await,
        3
    );
    // And a sold-out listing takes no new offer.
    assert_eq!(
        make(&f.state, f.bob, f.chairs, 500, 1, NOW + 3).await,
        Err(AppError::Deal(DealRefusal::NotForSale))
    );
}

#[tokio::test]
async fn accepting_needs_the_units_and_a_public_listing() {
    let f = fixture().await;
    let ann = f.offer(f.ann, 800, 2).await;
    let bob = f.offer(f.bob, 800, 1).await;
    // Two chairs leave the stock another way (an order from the room).
    let mut conn = f.state.db.acquire().await.unwrap();
    assert!(order::reserve_stock(&mut conn, f.chairs, 2).await.unwrap());
    drop(conn);
    let before = f.everything().await;
    assert_eq!(
        f.answer(f.seller, &ann, Answer::Accept, NOW).await,
        Err(AppError::Deal(DealRefusal::NotEnoughStock))
    );
    assert_eq!(f.everything().await, before, "a refusal changes nothing");
    set_status(&f.state.db, f.chairs.get(), "delisted").await;
    assert_eq!(
        f.answer(f.seller, &bob, Answer::Accept, NOW).await,
        Err(AppError::Deal(DealRefusal::NotForSale))
    );
    // Either may still back out.
    f.answer(f.seller, &bob, Answer::Decline, NOW)
        .await
        .unwrap();
    f.answer(f.ann, &ann, Answer::Withdraw, NOW).await.unwrap();
}

#[tokio::test]
async fn offers_expire_after_48_hours_through_the_scheduler() {
    let f = fixture().await;
    let offer = f.offer(f.ann, 800, 1).await;
    let due = NOW + OFFER_LIFETIME_MS;
    assert_eq!(next_due(&f.state.db).await.unwrap(), Some(due));
    assert!(expire_due(&f.state.db, due - 1).await.unwrap().is_empty());
    assert_eq!(f.view(f.ann, &offer).await.state, OfferState::Pending);
    // Not answered in time: refused, even before the scheduler's pass.
    assert_eq!(
        f.answer(f.seller, &offer, Answer::Accept, due).await,
        Err(AppError::Deal(DealRefusal::Expired))
    );
    assert_eq!(f.stock().await.0, 3);

    let mut ann_tab = f.state.hub.connect(Some(f.ann.get()));
    let mut seller_tab = f.state.hub.connect(Some(f.seller.get()));
    scheduler::pass(&f.state.auctions, due).await;
    assert_eq!(f.view(f.ann, &offer).await.state, OfferState::Expired);
    for tab in [&mut ann_tab, &mut seller_tab] {
        assert_eq!(pushed(tab), vec![(NoticeKind::OfferExpired, link(&offer))]);
    }
    assert_eq!(next_due(&f.state.db).await.unwrap(), None);
    // A second pass finds nothing more to do.
    assert!(expire_due(&f.state.db, due + 1).await.unwrap().is_empty());
    // The buyer may make a new offer now.
    make(&f.state, f.ann, f.chairs, 850, 1, due + 2)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_backlog_of_expiries_is_worked_through_in_batches() {
    let f = fixture().await;
    let pool = &f.state.db;
    let mut listings = Vec::new();
    for i in 0..(EXPIRE_BATCH + 5) {
        listings.push(ListingId(
            listed(
                pool,
                f.seller.get(),
                &offers_welcome(&format!("Cup {i}"), 1),
                NOW,
            )
            .await,
        ));
    }
    for listing in &listings {
        make(&f.state, f.ann, *listing, 100, 1, NOW)
            .await
            .or_else(|e| match e {
                // The per-buyer limit: this test is about expiry.
                AppError::RateLimited => Ok(String::new()),
                e => Err(e),
            })
            .unwrap();
    }
    // Past the limit, the rest are stored directly.
    sqlx::query(
        "INSERT INTO offers (public_id, listing_id, buyer_id, seller_id, quantity, amount,
                             expires_at, created_at)
         SELECT hex(randomblob(16)), l.id, ?, l.seller_id, 1, 100, ?, ?
           FROM listings l
          WHERE l.title LIKE 'Cup %' AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.listing_id = l.id)",
    )
    .bind(f.ann)
    .bind(NOW + OFFER_LIFETIME_MS)
    .bind(NOW)
    .execute(pool)
    .await
    .unwrap();
    let notices = expire_due(pool, NOW + OFFER_LIFETIME_MS).await.unwrap();
    assert_eq!(notices.len() as i64, 2 * (EXPIRE_BATCH + 5));
    assert_eq!(
        f.count("SELECT count(*) FROM offers WHERE state = 'pending'")
            .await,
        0
    );
}

/// Who offers how much for how many of which listing, and the answer.
type Attempt = (UserId, ListingId, i64, u32, Result<String, AppError>);

#[tokio::test]
async fn a_refused_offer_says_why_and_changes_nothing() {
    let f = fixture().await;
    let pool = &f.state.db;
    let fixed = ListingId(listed(pool, f.seller.get(), &input("Desk"), NOW).await);
    let waiting = ListingId(submitted(pool, f.seller.get(), &offers_welcome("Lamp", 1), NOW).await);
    let before = f.everything().await;
    let deal = |r| Err(AppError::Deal(r));
    let field = |field, problem| Err(AppError::field(field, problem));
    let cases: Vec<Attempt> = vec![
        (f.seller, f.chairs, 800, 1, deal(DealRefusal::OwnListing)),
        (f.ann, fixed, 800, 1, deal(DealRefusal::NoOffers)),
        (f.ann, waiting, 800, 1, deal(DealRefusal::NotForSale)),
        (f.ann, ListingId(9_999), 800, 1, Err(AppError::NotFound)),
        (
            f.ann,
            f.chairs,
            0,
            1,
            field(Field::Amount, Problem::MustBePositive),
        ),
        (
            f.ann,
            f.chairs,
            800,
            4,
            field(Field::Quantity, Problem::OutOfRange { min: 1, max: 3 }),
        ),
        (
            f.ann,
            f.chairs,
            800,
            0,
            field(Field::Quantity, Problem::OutOfRange { min: 1, max: 3 }),
        ),
    ];
    for (who, listing, amount, quantity, expected) in cases {
        assert_eq!(
            make(&f.state, who, listing, amount, quantity, NOW).await,
            expected,
            "{amount} × {quantity} on {listing}"
        );
    }
    assert_eq!(f.everything().await, before);

    // One open offer per buyer and listing, a counter to it included.
    let first = f.offer(f.ann, 800, 1).await;
    let before = f.everything().await;
    assert_eq!(
        make(&f.state, f.ann, f.chairs, 900, 1, NOW).await,
        deal(DealRefusal::OfferOpen)
    );
    let counter = f
        .answer(f.seller, &first, Answer::Counter { amount: 950 }, NOW)
        .await
        .unwrap()
        .offer;
    assert_eq!(
        make(&f.state, f.ann, f.chairs, 900, 1, NOW).await,
        deal(DealRefusal::OfferOpen)
    );
    f.answer(f.ann, &counter, Answer::Decline, NOW)
        .await
        .unwrap();
    assert_ne!(f.everything().await, before);
    f.offer(f.ann, 900, 1).await;

    // A suspended member makes no offer (and accepts none).
    sqlx::query("UPDATE users SET status = 'suspended', suspended_until = ? WHERE id = ?")
        .bind(NOW + DAY)
        .bind(f.bob)
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(
        make(&f.state, f.bob, f.chairs, 900, 1, NOW).await,
        Err(AppError::Forbidden)
    );
}

#[tokio::test]
async fn only_the_parties_see_an_offer_and_each_answers_in_turn() {
    let f = fixture().await;
    let offer = f.offer(f.ann, 800, 1).await;
    let before = f.everything().await;
    // Anyone else: it does not exist.
    assert_eq!(
        view(&f.state, f.bob, &offer, NOW).await,
        Err(AppError::NotFound)
    );
    for a in [
        Answer::Accept,
        Answer::Decline,
        Answer::Withdraw,
        Answer::Counter { amount: 900 },
    ] {
        assert_eq!(
            f.answer(f.bob, &offer, a, NOW).await,
            Err(AppError::NotFound),
            "{a:?}"
        );
    }
    assert_eq!(
        f.answer(f.ann, "no-such-offer", Answer::Withdraw, NOW)
            .await,
        Err(AppError::NotFound)
    );
    // The parties out of turn.
    let turn = Err(AppError::Deal(DealRefusal::NotYourTurn));
    assert_eq!(f.answer(f.ann, &offer, Answer::Accept, NOW).await, turn);
    assert_eq!(f.answer(f.ann, &offer, Answer::Decline, NOW).await, turn);
    assert_eq!(
        f.answer(f.ann, &offer, Answer::Counter { amount: 900 }, NOW)
            .await,
        turn
    );
    assert_eq!(
        f.answer(f.seller, &offer, Answer::Withdraw, NOW).await,
        turn
    );
    // A counter must change the price.
    assert_eq!(
        f.answer(f.seller, &offer, Answer::Counter { amount: 800 }, NOW)
            .await,
        Err(AppError::field(Field::Amount, Problem::Unchanged))
    );
    assert_eq!(f.everything().await, before);

    // On the seller's counter the turns swap.
    let counter = f
        .answer(f.seller, &offer, Answer::Counter { amount: 900 }, NOW)
        .await
        .unwrap()
        .offer;
    assert_eq!(
        f.answer(f.seller, &counter, Answer::Accept, NOW).await,
        turn
    );
    assert_eq!(f.answer(f.ann, &counter, Answer::Withdraw, NOW).await, turn);
    assert_eq!(
        f.answer(f.ann, &counter, Answer::Counter { amount: 850 }, NOW)
            .await,
        turn
    );
    let mut ann_tab = f.state.hub.connect(Some(f.ann.get()));
    f.answer(f.seller, &counter, Answer::Withdraw, NOW)
        .await
        .unwrap();
    assert_eq!(
        pushed(&mut ann_tab),
        vec![(NoticeKind::OfferWithdrawn, link(&counter))]
    );
}

#[tokio::test]
async fn the_lists_split_what_i_answer_from_what_i_proposed() {
    let f = fixture().await;
    let pool = &f.state.db;
    let lamp = ListingId(listed(pool, f.ann.get(), &offers_welcome("Lamp", 1), NOW).await);
    let old = f.offer(f.ann, 800, 1).await;
    let counter = f
        .answer(f.seller, &old, Answer::Counter { amount: 900 }, NOW)
        .await
        .unwrap()
        .offer;
    let bobs = f.offer(f.bob, 700, 1).await;
    f.answer(f.seller, &bobs, Answer::Decline, NOW + 1)
        .await
        .unwrap();
    // The seller also shops: an offer on ann's lamp.
    let lamp_offer = make(&f.state, f.seller, lamp, 300, 1, NOW + 2)
        .await
        .unwrap();
    let ids = |v: &[OfferView]| v.iter().map(|o| o.offer.clone()).collect::<Vec<_>>();

    let seller = mine(&f.state, f.seller, NOW).await.unwrap();
    // Received: what was offered to the seller (bob's, declined, after ann's
    // countered one; both closed, newest first).
    assert_eq!(ids(&seller.received), vec![bobs.clone(), old.clone()]);
    // Made: the open ones first (the lamp offer is newer than the counter).
    assert_eq!(ids(&seller.made), vec![lamp_offer.clone(), counter.clone()]);
    assert!(seller.made.iter().all(|o| o.state == OfferState::Pending));

    let ann = mine(&f.state, f.ann, NOW).await.unwrap();
    // Ann answers the counter and the seller's offer on her lamp.
    assert_eq!(ids(&ann.received), vec![lamp_offer, counter.clone()]);
    assert_eq!(ids(&ann.made), vec![old]);
    assert!(
        ann.received
            .iter()
            .all(|o| o.you == Party::Buyer || o.listing.id == lamp.get())
    );

    let bob = mine(&f.state, f.bob, NOW).await.unwrap();
    assert_eq!((ids(&bob.received), ids(&bob.made)), (vec![], vec![bobs]));
}

#[tokio::test]
async fn a_buyer_makes_a_bounded_number_of_offers_an_hour() {
    use crate::backend::platform::limits::OFFERS_PER_HOUR;
    let f = fixture().await;
    for _ in 0..OFFERS_PER_HOUR {
        let offer = f.offer(f.ann, 800, 1).await;
        f.answer(f.ann, &offer, Answer::Withdraw, NOW)
            .await
            .unwrap();
    }
    assert_eq!(
        make(&f.state, f.ann, f.chairs, 800, 1, NOW).await,
        Err(AppError::RateLimited)
    );
    // Another buyer has their own allowance.
    f.offer(f.bob, 800, 1).await;
}

#[tokio::test]
async fn the_make_an_offer_page_says_what_is_possible() {
    let f = fixture().await;
    let t = target(&f.state, f.ann, f.chairs).await.unwrap();
    assert_eq!(
        (t.stock, t.refusal, t.open.clone(), t.listing.unit_price),
        (3, None, None, twd(1000))
    );
    let offer = f.offer(f.ann, 800, 1).await;
    let t = target(&f.state, f.ann, f.chairs).await.unwrap();
    assert_eq!(
        (t.refusal, t.open),
        (Some(DealRefusal::OfferOpen), Some(offer))
    );
    let own = target(&f.state, f.seller, f.chairs).await.unwrap();
    assert_eq!(own.refusal, Some(DealRefusal::OwnListing));
    let waiting =
        ListingId(submitted(&f.state.db, f.seller.get(), &offers_welcome("Lamp", 1), NOW).await);
    assert_eq!(
        target(&f.state, f.ann, waiting).await,
        Err(AppError::NotFound)
    );
}
