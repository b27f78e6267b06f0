//! Demo deals: orders and offers in every state on a few of the seeded
//! listings, so a newcomer finds rooms mid-negotiation, a deal waiting for
//! the seller's confirmation, meet-ups ahead (with their handover codes),
//! a completed and a cancelled order, and offers pending, countered,
//! accepted, declined, withdrawn and expired.
//!
//! Every story is played by the real rules (`domain::order::apply`,
//! `domain::offer::answer`) at times in the past, like the demo auctions'
//! bids, and the units an order holds are taken from the listing's stock by
//! the order area's own conditional updates (the last unit marks a listing
//! sold). A story the rules refuse is left out rather than stored wrong.
//!
//! Sam and Mei pay by wallet: each tops up with the test card, pays into
//! escrow once the order is established, and Mei's completed order releases
//! the money to its seller, through the wallet's own ledger steps. So their
//! wallets, statements and rooms show escrow; the others pay cash.

use super::{DAY, MINUTE};
use crate::backend::{
    order::{release_stock, reserve_stock},
    wallet::{escrow, store as wallet},
};
use crate::domain::{
    id::{ListingId, OfferId, OrderId, UserId},
    money::Currency,
    offer::{self, Answer, OFFER_LIFETIME_MS, OfferState},
    order::{self, Deal, DealState, Party, Step, Term, TermValue, Terms, Ticks},
    wallet::{Account, Purpose, Settlement},
};
use sqlx::SqliteConnection;

const HOUR: i64 = 60 * MINUTE;

/// How an order placed on a listing has gone so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OrderStory {
    /// The buyer ticked the quantity, price and place; the time awaits a tick.
    Ticking,
    /// The seller changed the price after the buyer had ticked it.
    PriceChanged,
    /// The buyer accepted everything and confirmed; the seller's turn.
    BuyerConfirmed,
    /// Both confirmed; the meet-up is within a day and a half.
    Established,
    /// Met, and the seller took the handover code.
    Completed,
    /// The buyer called it off, with a reason.
    Cancelled,
}

/// How an offer on a listing has gone so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OfferStory {
    Pending,
    /// The seller countered; the counter waits for the buyer.
    Countered,
    /// The seller accepted: an established order settles place and time.
    Accepted,
    Declined,
    Withdrawn,
    Expired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    Order(OrderStory, u32),
    Offer(OfferStory),
}

/// Demo users by their place in `USERS`.
const MEI: usize = 0;
const JUNHO: usize = 1;
const LINDA: usize = 2;
const SAM: usize = 3;
const YUNA: usize = 4;
const CHLOE: usize = 7;
const JIAYI: usize = 9;
const TOM: usize = 10;

/// The buyers whose established orders are paid into escrow from their
/// wallets.
const PAY_BY_WALLET: &[usize] = &[SAM, MEI];

/// The stories and their buyers (the seller is the listing's). Sam and Mei
/// buy the most, so their accounts show both sides of a deal. The story for
/// two units comes first: few listings have more than one.
const STORIES: &[(Story, usize)] = &[
    (Story::Order(OrderStory::BuyerConfirmed, 2), SAM),
    (Story::Order(OrderStory::Ticking, 1), MEI),
    (Story::Order(OrderStory::PriceChanged, 1), CHLOE),
    (Story::Order(OrderStory::Established, 1), SAM),
    (Story::Order(OrderStory::Established, 1), YUNA),
    (Story::Order(OrderStory::Completed, 1), TOM),
    (Story::Order(OrderStory::Completed, 1), MEI),
    (Story::Order(OrderStory::Cancelled, 1), JUNHO),
    (Story::Offer(OfferStory::Pending), SAM),
    (Story::Offer(OfferStory::Countered), MEI),
    (Story::Offer(OfferStory::Accepted), LINDA),
    (Story::Offer(OfferStory::Declined), JIAYI),
    (Story::Offer(OfferStory::Withdrawn), TOM),
    (Story::Offer(OfferStory::Expired), CHLOE),
];

/// A listing a story may be told on.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Candidate {
    id: ListingId,
    seller_id: UserId,
    /// Per unit, minor units.
    price: i64,
    stock: i64,
    sale_mode: String,
    meetup_place: String,
    area: String,
}

/// Plays every story on its own listing. Listings are public, met in person,
/// not free, and at least a week old (so every story fits after it was
/// listed); each story takes the first unused one of the right kind whose
/// seller is not its buyer, starting at a different place in the list so the
/// sellers vary. `users` are the demo users' ids in `USERS` order.
pub(super) async fn seed(
    conn: &mut SqliteConnection,
    users: &[i64],
    currency: Currency,
    now: i64,
) -> Result<(), sqlx::Error> {
    let candidates: Vec<Candidate> = sqlx::query_as(
        "SELECT id, seller_id, price, stock, sale_mode, meetup_place, area
           FROM listings
          WHERE status = 'approved' AND sale_mode IN ('fixed', 'offers') AND meetup = 1
            AND price > 0 AND created_at <= ?
          ORDER BY created_at, id",
    )
    .bind(now - 7 * DAY)
    .fetch_all(&mut *conn)
    .await?;
    let mut used = vec![false; candidates.len()];
    for (k, &(story, who)) in STORIES.iter().enumerate() {
        let buyer = UserId(users[who]);
        let wallet = PAY_BY_WALLET.contains(&who).then_some(currency);
        let (mode, quantity) = match story {
            Story::Order(_, quantity) => ("fixed", quantity),
            Story::Offer(_) => ("offers", 1),
        };
        let count = candidates.len();
        let Some(i) = (0..count).map(|j| (k * 7 + j) % count).find(|&i| {
            let c = &candidates[i];
            !used[i]
                && c.sale_mode == mode
                && c.seller_id != buyer
                && c.stock >= i64::from(quantity)
        }) else {
            continue;
        };
        used[i] = true;
        let listing = &candidates[i];
        match story {
            Story::Order(plot, quantity) => {
                order_story(conn, listing, buyer, plot, quantity, wallet, now).await?
            }
            Story::Offer(plot) => offer_story(conn, listing, buyer, plot, now).await?,
        }
    }
    Ok(())
}

/// A deal being played: the domain's state, the listing's spare units, and
/// the time of the last step.
struct Play {
    deal: Deal,
    spare: i64,
    at: i64,
}

impl Play {
    /// Applies `step` by `who` at `at`; `None` if the rules refuse it.
    fn step(&mut self, who: Party, step: Step, at: i64) -> Option<()> {
        let spare = u32::try_from(self.spare).unwrap_or(0);
        let applied = order::apply(&self.deal, who, &step, spare, at).ok()?;
        self.spare -= applied.stock_delta;
        self.deal = applied.deal;
        self.at = at;
        Some(())
    }

    fn edit(&mut self, value: TermValue, at: i64) -> Option<()> {
        self.step(Party::Seller, Step::Edit(value), at)
    }

    fn tick(&mut self, term: Term, at: i64) -> Option<()> {
        let rev = self.deal.rev(term);
        self.step(
            Party::Buyer,
            Step::Tick {
                term,
                rev,
                on: true,
            },
            at,
        )
    }

    /// The seller settles the meet-up: the listing's place (or the seller's
    /// area when the listing names none) and `meet_at`.
    fn settle_meetup(&mut self, listing: &Candidate, meet_at: i64, at: i64) -> Option<()> {
        if self.deal.terms.place.is_empty() {
            self.edit(TermValue::Place(listing.area.clone()), at)?;
        }
        self.edit(TermValue::Time(meet_at), at + MINUTE)
    }

    fn tick_all(&mut self, at: i64) -> Option<()> {
        for (i, term) in Term::ALL.into_iter().enumerate() {
            if !self.deal.ticks.has(term) {
                self.tick(term, at + i as i64 * MINUTE)?;
            }
        }
        Some(())
    }
}

/// The first 11:00 UTC after `ms`: a meet-up at 19:00 in Taipei, Shanghai
/// or Shenzhen and 20:00 in Seoul or Busan, where the demo members live.
fn evening_after(ms: i64) -> i64 {
    let evening = ms - ms.rem_euclid(DAY) + 11 * HOUR;
    if evening > ms { evening } else { evening + DAY }
}

/// A price a person would say: two significant digits.
fn say(minor: i64) -> i64 {
    let mut step = 1;
    while minor / step >= 100 {
        step *= 10;
    }
    ((minor + step / 2) / step * step).max(1)
}

/// A six-digit handover code, as the order area draws them.
fn handover_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

fn public_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Places an order for `quantity` units of `listing` (taking them from the
/// stock) and plays `plot` on it; left out if the units or a step are refused
/// (the demo tests count the stories).
/// One order's story; `wallet` (the deployment's currency) when its buyer
/// pays by wallet.
async fn order_story(
    conn: &mut SqliteConnection,
    listing: &Candidate,
    buyer: UserId,
    plot: OrderStory,
    quantity: u32,
    wallet: Option<Currency>,
    now: i64,
) -> Result<(), sqlx::Error> {
    use OrderStory as S;
    let placed = now
        - match plot {
            S::Ticking => 3 * HOUR,
            S::PriceChanged => 26 * HOUR,
            S::BuyerConfirmed => 20 * HOUR,
            S::Established => 2 * DAY,
            S::Completed => 6 * DAY,
            S::Cancelled => 3 * DAY,
        };
    let Some(played) = play_order(listing, plot, quantity, placed, now) else {
        return Ok(());
    };
    if !reserve_stock(conn, listing.id, quantity).await? {
        return Ok(());
    }
    if played.play.deal.state == DealState::Cancelled {
        release_stock(conn, listing.id, quantity).await?;
    }
    let code = matches!(plot, S::Established | S::Completed).then(handover_code);
    let remark = match plot {
        S::Ticking | S::BuyerConfirmed => "Could we meet after 6 pm?",
        _ => "",
    };
    let order = insert_order(
        &mut *conn,
        listing,
        buyer,
        &played.play,
        OrderExtras {
            source: "order",
            remark,
            created_at: placed,
            handover_code: code.as_deref(),
            cancel: played.cancel,
            established_at: played.established_at,
            completed_at: played.completed_at,
        },
    )
    .await?;
    if let (Some(currency), Some(established_at)) = (wallet, played.established_at) {
        let payment = Payment {
            buyer,
            seller: listing.seller_id,
            order,
            amount: played.play.deal.terms.price,
            at: established_at + 20 * MINUTE,
            released_at: played.completed_at,
        };
        pay_by_wallet(conn, &payment, currency).await?;
    }
    Ok(())
}

/// An order paid by wallet: who, how much, when, and when it was released
/// (if it was).
struct Payment {
    buyer: UserId,
    seller: UserId,
    order: OrderId,
    amount: i64,
    at: i64,
    released_at: Option<i64>,
}

/// The buyer tops up the price with the test card an hour before paying,
/// pays it into escrow, and (the order completed) the handover releases it
/// to the seller: the wallet's own steps, each with its audit line.
async fn pay_by_wallet(
    conn: &mut SqliteConnection,
    payment: &Payment,
    currency: Currency,
) -> Result<(), sqlx::Error> {
    let topped_up = payment.at - HOUR;
    let top_up = public_id();
    wallet::insert_top_up(
        &mut *conn,
        &top_up,
        payment.buyer,
        payment.amount,
        "4242",
        topped_up,
    )
    .await?;
    let detail = format!("top-up {top_up} (demo)");
    let posting = wallet::Posting {
        from: Account::Clearing,
        to: Account::Available(payment.buyer),
        amount: payment.amount,
        purpose: Purpose::TopUp,
        hold: None,
        actor: None,
        action: "top_up_succeeded",
        detail: &detail,
    };
    let transfer = wallet::post_audited(&mut *conn, posting, topped_up).await?;
    let row = wallet::load_top_up(&mut *conn, &top_up)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    wallet::decide_top_up(&mut *conn, row.id, "succeeded", Some(transfer), topped_up).await?;
    let what = format!("order {} (demo)", payment.order);
    let hold = escrow::hold_payment(
        &mut *conn,
        payment.buyer,
        payment.seller,
        Some(payment.order),
        payment.amount,
        &what,
        payment.at,
    )
    .await?;
    if let Some(released_at) = payment.released_at {
        let row = wallet::load_hold(&mut *conn, hold)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        let how = Settlement::Release;
        escrow::settle_hold(
            conn,
            &row,
            how,
            Some(payment.seller),
            &what,
            currency,
            released_at,
        )
        .await
        .map_err(|e| sqlx::Error::Protocol(format!("demo release: {e}")))?;
    }
    Ok(())
}

/// An order's story played out, before anything is stored.
struct Played {
    play: Play,
    established_at: Option<i64>,
    completed_at: Option<i64>,
    /// Who cancelled and why.
    cancel: Option<(&'static str, &'static str)>,
}

/// Plays `plot` on an order for `quantity` units of `listing` placed at
/// `placed`; `None` if the rules refuse a step.
fn play_order(
    listing: &Candidate,
    plot: OrderStory,
    quantity: u32,
    placed: i64,
    now: i64,
) -> Option<Played> {
    use OrderStory as S;
    let total = listing.price * i64::from(quantity);
    let mut play = Play {
        deal: Deal {
            state: DealState::Negotiating,
            terms: Terms {
                quantity,
                price: total,
                place: listing.meetup_place.clone(),
                time: None,
            },
            ticks: Ticks::default(),
            revs: [0; 4],
            seq: 0,
        },
        spare: listing.stock - i64::from(quantity),
        at: placed,
    };
    let (mut established_at, mut completed_at, mut cancel) = (None, None, None);
    match plot {
        S::Ticking => {
            play.tick(Term::Quantity, placed + 5 * MINUTE)?;
            play.tick(Term::Price, placed + 6 * MINUTE)?;
            play.settle_meetup(listing, evening_after(now + DAY), placed + 40 * MINUTE)?;
            play.tick(Term::Place, placed + 70 * MINUTE)?;
        }
        S::PriceChanged => {
            play.tick(Term::Quantity, placed + 10 * MINUTE)?;
            play.tick(Term::Price, placed + 11 * MINUTE)?;
            play.settle_meetup(listing, evening_after(now + 12 * HOUR), placed + HOUR)?;
            // A little off for a quick sale: the buyer's tick on the price
            // clears and waits for a second look.
            play.edit(TermValue::Price(say(total * 95 / 100)), placed + 2 * HOUR)?;
        }
        S::BuyerConfirmed => {
            play.settle_meetup(listing, evening_after(now + DAY), placed + 30 * MINUTE)?;
            play.tick_all(placed + 2 * HOUR)?;
            play.step(Party::Buyer, Step::Confirm, placed + 2 * HOUR + 5 * MINUTE)?;
        }
        S::Established | S::Completed => {
            let meet_at = match plot {
                S::Established => evening_after(now + 12 * HOUR),
                _ => evening_after(now - 5 * DAY),
            };
            play.settle_meetup(listing, meet_at, placed + HOUR)?;
            play.tick_all(placed + 3 * HOUR)?;
            play.step(Party::Buyer, Step::Confirm, placed + 3 * HOUR + 5 * MINUTE)?;
            play.step(Party::Seller, Step::Confirm, placed + 5 * HOUR)?;
            established_at = Some(play.at);
            if plot == S::Completed {
                play.step(Party::Seller, Step::Complete, meet_at + 12 * MINUTE)?;
                completed_at = Some(play.at);
            }
        }
        S::Cancelled => {
            play.tick(Term::Quantity, placed + 10 * MINUTE)?;
            play.settle_meetup(listing, evening_after(placed + DAY), placed + HOUR)?;
            play.step(Party::Buyer, Step::Cancel, placed + 5 * HOUR)?;
            cancel = Some(("buyer", "Found one closer to home, sorry!"));
        }
    }
    Some(Played {
        play,
        established_at,
        completed_at,
        cancel,
    })
}

/// The order an offer accepted at `at` opens, as the order area opens it
/// (quantity and price stand accepted, the place is the listing's), after
/// the room settled the meet-up; `None` if the rules refuse a step.
fn play_accepted(listing: &Candidate, amount: i64, at: i64, now: i64) -> Option<Play> {
    let mut play = Play {
        deal: Deal {
            state: DealState::Established,
            terms: Terms {
                quantity: 1,
                price: amount,
                place: listing.meetup_place.clone(),
                time: None,
            },
            ticks: Ticks::default()
                .with(Term::Quantity, true)
                .with(Term::Price, true),
            revs: [0; 4],
            seq: 0,
        },
        spare: listing.stock - 1,
        at,
    };
    play.settle_meetup(listing, evening_after(now + DAY), at + HOUR)?;
    play.tick(Term::Place, at + 2 * HOUR)?;
    play.tick(Term::Time, at + 2 * HOUR + MINUTE)?;
    Some(play)
}

/// What an order row holds beyond the deal itself.
struct OrderExtras<'a> {
    source: &'static str,
    remark: &'a str,
    created_at: i64,
    handover_code: Option<&'a str>,
    /// Who cancelled and why.
    cancel: Option<(&'static str, &'static str)>,
    established_at: Option<i64>,
    completed_at: Option<i64>,
}

async fn insert_order(
    conn: &mut SqliteConnection,
    listing: &Candidate,
    buyer: UserId,
    play: &Play,
    extras: OrderExtras<'_>,
) -> Result<OrderId, sqlx::Error> {
    let deal = &play.deal;
    sqlx::query_scalar(
        "INSERT INTO orders (public_id, listing_id, buyer_id, seller_id, quantity, amount, source,
                             state, created_at, remark, place, meet_at, ticks, rev_quantity,
                             rev_price, rev_place, rev_time, seq, handover_code, cancelled_by,
                             cancel_reason, established_at, completed_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         RETURNING id",
    )
    .bind(public_id())
    .bind(listing.id)
    .bind(buyer)
    .bind(listing.seller_id)
    .bind(deal.terms.quantity)
    .bind(deal.terms.price)
    .bind(extras.source)
    .bind(deal.state.as_str())
    .bind(extras.created_at)
    .bind(extras.remark)
    .bind(&deal.terms.place)
    .bind(deal.terms.time)
    .bind(deal.ticks.0)
    .bind(deal.rev(Term::Quantity))
    .bind(deal.rev(Term::Price))
    .bind(deal.rev(Term::Place))
    .bind(deal.rev(Term::Time))
    .bind(deal.seq)
    .bind(extras.handover_code)
    .bind(extras.cancel.map(|(who, _)| who))
    .bind(extras.cancel.map(|(_, why)| why))
    .bind(extras.established_at)
    .bind(extras.completed_at)
    .bind(play.at)
    .fetch_one(conn)
    .await
}

/// One row of `offers`.
struct NewOffer {
    amount: i64,
    by_seller: bool,
    parent: Option<OfferId>,
    state: OfferState,
    created_at: i64,
    decided_at: Option<i64>,
    order: Option<OrderId>,
}

async fn insert_offer(
    conn: &mut SqliteConnection,
    listing: &Candidate,
    buyer: UserId,
    offer: NewOffer,
) -> Result<OfferId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO offers (public_id, listing_id, buyer_id, seller_id, quantity, amount,
                             by_seller, parent_id, state, expires_at, order_id, created_at,
                             decided_at)
         VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)
         RETURNING id",
    )
    .bind(public_id())
    .bind(listing.id)
    .bind(buyer)
    .bind(listing.seller_id)
    .bind(offer.amount)
    .bind(offer.by_seller)
    .bind(offer.parent)
    .bind(offer.state.as_str())
    .bind(offer.created_at + OFFER_LIFETIME_MS)
    .bind(offer.order)
    .bind(offer.created_at)
    .bind(offer.decided_at)
    .fetch_one(conn)
    .await
}

/// Makes a one-unit offer on `listing` and plays `plot` on it; left out if
/// the rules refuse a step or the unit is gone.
async fn offer_story(
    conn: &mut SqliteConnection,
    listing: &Candidate,
    buyer: UserId,
    plot: OfferStory,
    now: i64,
) -> Result<(), sqlx::Error> {
    use OfferStory as S;
    let made = now
        - match plot {
            S::Pending => 5 * HOUR,
            S::Countered => 30 * HOUR,
            S::Accepted => 4 * DAY,
            S::Declined => 2 * DAY,
            S::Withdrawn => 26 * HOUR,
            S::Expired => 5 * DAY,
        };
    let amount = say(listing.price * 85 / 100);
    let expires_at = made + OFFER_LIFETIME_MS;
    // The answer and when it came: none yet for a pending offer, none ever
    // for an expired one.
    let answered = match plot {
        S::Pending => None,
        S::Countered => Some((
            Party::Seller,
            Answer::Counter {
                amount: say(listing.price * 93 / 100),
            },
            made + 2 * HOUR,
        )),
        S::Accepted => Some((Party::Seller, Answer::Accept, made + 3 * HOUR)),
        S::Declined => Some((Party::Seller, Answer::Decline, made + 6 * HOUR)),
        S::Withdrawn => Some((Party::Buyer, Answer::Withdraw, made + HOUR)),
        S::Expired => None,
    };
    let (state, decided_at) = match answered {
        Some((who, answer, at)) => {
            match offer::answer(
                OfferState::Pending,
                Party::Buyer,
                expires_at,
                who,
                answer,
                at,
            ) {
                Ok(state) => (state, Some(at)),
                Err(_) => return Ok(()),
            }
        }
        None if plot == S::Expired => (OfferState::Expired, Some(expires_at)),
        None => (OfferState::Pending, None),
    };
    let mut order = None;
    if let (OfferState::Accepted, Some(at)) = (state, decided_at) {
        // As the order area opens an accepted offer's order: quantity and
        // price stand accepted, then the room settles the meet-up.
        let Some(play) = play_accepted(listing, amount, at, now) else {
            return Ok(());
        };
        if !reserve_stock(conn, listing.id, 1).await? {
            return Ok(());
        }
        let code = handover_code();
        let id = insert_order(
            conn,
            listing,
            buyer,
            &play,
            OrderExtras {
                source: "offer",
                remark: "",
                created_at: at,
                handover_code: Some(&code),
                cancel: None,
                established_at: Some(at),
                completed_at: None,
            },
        )
        .await?;
        order = Some(id);
    }

    let first = insert_offer(
        conn,
        listing,
        buyer,
        NewOffer {
            amount,
            by_seller: false,
            parent: None,
            state,
            created_at: made,
            decided_at,
            order,
        },
    )
    .await?;
    if let (Some((_, Answer::Counter { amount }, at)), OfferState::Countered) = (answered, state) {
        insert_offer(
            conn,
            listing,
            buyer,
            NewOffer {
                amount,
                by_seller: true,
                parent: Some(first),
                state: OfferState::Pending,
                created_at: at,
                decided_at: None,
                order: None,
            },
        )
        .await?;
    }
    Ok(())
}
