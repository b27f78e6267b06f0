//! Orders: what a buyer bought. A buyer orders from a fixed-price or
//! offers-welcome listing (or an accepted offer opens one); both sides settle
//! the four terms in the order's negotiation room; the seller completes it
//! with the buyer's handover code. Auctions create orders for the winner, who
//! then has 48 hours to pay into escrow (`wallet::escrow`); after that the
//! seller may cancel as unpaid and offer the item to the runner-up
//! (`unpaid`).

mod handover;
mod negotiate;
mod room;
pub mod socket;
mod store;
#[cfg(test)]
mod tests;
mod unpaid;

pub use handover::{CODE_PAUSE_MS, CODE_TRIES, complete};
pub use negotiate::{MAX_NEGOTIATING, place, step};
pub use room::{LIST_LIMIT, mine, room};
pub use unpaid::{UNPAID_REASON, UnpaidCancelled, cancel_unpaid, strikes_of};

use crate::{
    domain::{
        id::{ListingId, OrderId, UserId},
        order::{Deal, DealRefusal, DealState, Party, Term, Terms, Ticks},
    },
    error::AppError,
    model::OrderLive,
};

use crate::{
    domain::money::{Currency, Money},
    model::{OrderState, OrderSummary},
};
use sqlx::SqliteConnection;

/// How long a winner has to pay.
pub const PAY_WITHIN_MS: i64 = 48 * 60 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Auction,
    BuyNow,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Auction => "auction",
            Source::BuyNow => "buy_now",
        }
    }
}

pub struct NewOrder {
    pub listing: i64,
    pub buyer: i64,
    pub seller: i64,
    pub amount: i64,
    pub source: Source,
}

/// Creates the order inside the caller's transaction; returns its public id.
/// A listing's auction can have one order only (a unique index), so ending
/// an auction twice fails rather than selling twice.
pub async fn create(
    conn: &mut SqliteConnection,
    order: NewOrder,
    now: i64,
) -> Result<String, sqlx::Error> {
    let public_id = uuid::Uuid::new_v4().simple().to_string();
    store::insert_order(conn, &public_id, &order, now + PAY_WITHIN_MS, now).await?;
    Ok(public_id)
}

pub(crate) fn summary(
    public_id: String,
    amount: i64,
    state: &str,
    pay_by: Option<i64>,
    currency: Currency,
) -> OrderSummary {
    // An auction's order leaves `awaiting_payment` only by being paid into
    // escrow (then it is in its room, whatever happens there) or cancelled.
    let state = match state {
        "cancelled" => OrderState::Cancelled,
        "awaiting_payment" => OrderState::AwaitingPayment,
        _ => OrderState::Paid,
    };
    OrderSummary {
        public_id,
        amount: Money::new(amount, currency),
        pay_by: pay_by.filter(|_| state == OrderState::AwaitingPayment),
        state,
    }
}

/// A handover code: six digits, shown to the buyer, typed by the seller.
fn new_handover_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// Takes `quantity` units of the public `listing` inside the caller's
/// transaction (the listing reads as sold when none are left); `false` when
/// it has fewer left, or is no longer public. Never below zero: the update
/// is conditional on the stock it takes.
pub async fn reserve_stock(
    conn: &mut SqliteConnection,
    listing: ListingId,
    quantity: u32,
) -> Result<bool, sqlx::Error> {
    store::take_stock(conn, listing, quantity).await
}

/// Gives `quantity` units back to `listing` (a cancelled order), making a
/// listing that sold out public again.
pub async fn release_stock(
    conn: &mut SqliteConnection,
    listing: ListingId,
    quantity: u32,
) -> Result<(), sqlx::Error> {
    store::return_stock(conn, listing, quantity).await
}

/// A deal agreed outside the room (an accepted offer): what, for how much,
/// between whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgreedDeal {
    pub listing: ListingId,
    pub buyer: UserId,
    pub seller: UserId,
    pub quantity: u32,
    /// Total price, minor units.
    pub total: i64,
}

/// Opens an established order for an agreed deal inside the caller's
/// transaction: its units are taken from the stock (`NotEnoughStock` if they
/// are gone), quantity and price stand accepted, and the room is left to
/// settle the meet-up place (the listing's, to start) and time. Returns the
/// order's id and public id.
pub async fn open_agreed(
    conn: &mut SqliteConnection,
    deal: AgreedDeal,
    now: i64,
) -> Result<(OrderId, String), AppError> {
    if !reserve_stock(conn, deal.listing, deal.quantity).await? {
        return Err(AppError::Deal(DealRefusal::NotEnoughStock));
    }
    let public_id = uuid::Uuid::new_v4().simple().to_string();
    let ticks = Ticks::default()
        .with(Term::Quantity, true)
        .with(Term::Price, true);
    let id =
        store::insert_agreed(conn, &public_id, &deal, ticks, &new_handover_code(), now).await?;
    Ok((id, public_id))
}

/// Opens an established order for an auction's item offered to its
/// runner-up (an accepted second-chance offer), inside the caller's
/// transaction: like [`open_agreed`], except that an auction's item is not
/// counted in the listing's stock (the listing stays sold), so none is
/// taken.
pub async fn open_won(
    conn: &mut SqliteConnection,
    deal: AgreedDeal,
    now: i64,
) -> Result<(OrderId, String), AppError> {
    let public_id = uuid::Uuid::new_v4().simple().to_string();
    let ticks = Ticks::default()
        .with(Term::Quantity, true)
        .with(Term::Price, true);
    let id =
        store::insert_agreed(conn, &public_id, &deal, ticks, &new_handover_code(), now).await?;
    Ok((id, public_id))
}

/// An order just paid for: what its hold needs, and what both rooms hear.
#[derive(Debug, Clone)]
pub(crate) struct Paid {
    pub id: OrderId,
    pub listing: ListingId,
    pub seller: UserId,
    /// The total price, minor units.
    pub amount: i64,
    pub live: OrderLive,
}

/// Records inside the caller's transaction that `buyer` pays for `order`,
/// as the rules decide (`domain::order::pay`): an established order takes
/// an update number, a won auction's order opens in its room, established,
/// with the listing's meet-up place to start from and a handover code.
/// Anyone but its two parties is told the order does not exist. Whether it
/// is paid already is the wallet's to check.
pub(crate) async fn pay_in(
    conn: &mut SqliteConnection,
    buyer: UserId,
    order: &str,
    currency: Currency,
    now: i64,
) -> Result<Paid, AppError> {
    let row = store::load_order(&mut *conn, order)
        .await?
        .ok_or(AppError::NotFound)?;
    let who = party_of(&row, buyer).ok_or(AppError::NotFound)?;
    let deal = deal_of(&row)?;
    let mut next = crate::domain::order::pay(&deal, who)?;
    let opens = deal.state != DealState::Established;
    if opens && next.terms.place.trim().is_empty() {
        next.terms.place = store::meetup_place_of(&mut *conn, row.listing_id)
            .await?
            .trim()
            .to_owned();
    }
    let code = match (&row.handover_code, opens) {
        (None, true) => Some(new_handover_code()),
        _ => None,
    };
    let stored = store::update_deal(
        &mut *conn,
        row.id,
        &row.state,
        row.seq,
        &store::Change {
            handover_code: code.as_deref(),
            established_at: opens.then_some(now),
            ..store::Change::of(&next)
        },
        now,
    )
    .await?;
    if !stored {
        return Err(AppError::Conflict);
    }
    Ok(Paid {
        id: row.id,
        listing: row.listing_id,
        seller: row.seller_id,
        amount: next.terms.price,
        live: live_of(&row, &next, None, currency),
    })
}

/// Whether an order's units come out of its listing's stock: an auction's
/// item is not counted there (its listing is marked sold instead).
fn holds_stock(row: &store::OrderRow) -> bool {
    row.sale_mode != "auction"
}

/// Who looks at or acts on an order: a member, who may be an admin (admins
/// may look at any order's room, not act in it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub id: UserId,
    pub admin: bool,
}

/// Each change reads before it writes: taking the write lock up front makes
/// a concurrent writer wait (busy timeout) rather than fail the stale
/// snapshot's first write with SQLITE_BUSY.
const IMMEDIATE: &str = "BEGIN IMMEDIATE";

/// Which side of `row`'s deal `user` is on, if any.
fn party_of(row: &store::OrderRow, user: UserId) -> Option<Party> {
    if user == row.buyer_id {
        Some(Party::Buyer)
    } else if user == row.seller_id {
        Some(Party::Seller)
    } else {
        None
    }
}

fn party_str(party: Party) -> &'static str {
    match party {
        Party::Buyer => "buyer",
        Party::Seller => "seller",
    }
}

fn parse_party(text: &str) -> Option<Party> {
    [Party::Buyer, Party::Seller]
        .into_iter()
        .find(|p| party_str(*p) == text)
}

fn decode_state(text: &str) -> Result<DealState, AppError> {
    DealState::parse(text).ok_or_else(|| {
        tracing::error!(state = text, "unknown order state");
        AppError::Internal
    })
}

/// A count as the `u32` the rules take (never negative in the database).
fn units(count: i64) -> u32 {
    u32::try_from(count.max(0)).unwrap_or(u32::MAX)
}

/// The negotiable part of a stored order.
fn deal_of(row: &store::OrderRow) -> Result<Deal, AppError> {
    Ok(Deal {
        state: decode_state(&row.state)?,
        terms: Terms {
            quantity: units(row.quantity),
            price: row.amount,
            place: row.place.clone(),
            time: row.meet_at,
        },
        ticks: Ticks(u8::try_from(row.ticks).unwrap_or(0) & Ticks::ALL.0),
        revs: [row.rev_quantity, row.rev_price, row.rev_place, row.rev_time],
        seq: row.seq,
    })
}

/// What both sides' rooms show of `deal`, the order `row` (as it stands
/// after a step, with its cancellation if there is one).
fn live_of(
    row: &store::OrderRow,
    deal: &Deal,
    cancelled: Option<(Party, &str)>,
    currency: Currency,
) -> OrderLive {
    OrderLive {
        order: row.public_id.clone(),
        seq: deal.seq,
        state: deal.state,
        quantity: deal.terms.quantity,
        price: Money::new(deal.terms.price, currency),
        place: deal.terms.place.clone(),
        time: deal.terms.time,
        ticks: deal.ticks,
        revs: deal.revs,
        cancelled_by: cancelled.map(|c| c.0),
        cancel_reason: cancelled.map(|c| c.1.to_owned()),
    }
}

/// A stored order's cancellation, if it was cancelled.
fn cancellation(row: &store::OrderRow) -> Option<(Party, &str)> {
    let by = parse_party(row.cancelled_by.as_deref()?)?;
    Some((by, row.cancel_reason.as_deref().unwrap_or_default()))
}

/// One order's changes at a time, in-process: stored and published in the
/// same order, so a room never hears update n+1 before update n. (The
/// database serialises the writes anyway; this only orders the publishing
/// that follows each commit.)
pub(crate) async fn turn(order: &str) -> tokio::sync::MutexGuard<'static, ()> {
    use std::hash::{Hash, Hasher};
    static TURNS: std::sync::LazyLock<Vec<tokio::sync::Mutex<()>>> =
        std::sync::LazyLock::new(|| (0..64).map(|_| tokio::sync::Mutex::new(())).collect());
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    order.hash(&mut hasher);
    let slot = (hasher.finish() % TURNS.len() as u64) as usize;
    TURNS[slot].lock().await
}

#[cfg(test)]
mod auction_tests {
    use super::*;
    use crate::backend::testing::*;

    #[tokio::test]
    async fn one_order_per_auction_and_never_to_the_seller() {
        let (pool, _dir) = temp_db().await;
        let seller = user(&pool, "seller").await;
        let ann = user(&pool, "ann").await;
        let id = listed(&pool, seller, &auction("Lamp", NOW + HOUR, DAY), NOW).await;
        let order = |buyer, source| NewOrder {
            listing: id,
            buyer,
            seller,
            amount: 500,
            source,
        };
        let mut conn = pool.acquire().await.unwrap();
        assert!(
            create(&mut conn, order(seller, Source::Auction), NOW)
                .await
                .is_err()
        );
        let first = create(&mut conn, order(ann, Source::Auction), NOW)
            .await
            .unwrap();
        assert_eq!(first.len(), 32);
        assert!(
            create(&mut conn, order(ann, Source::BuyNow), NOW)
                .await
                .is_err()
        );
        let (state, pay_by): (String, i64) =
            sqlx::query_as("SELECT state, pay_by FROM orders WHERE public_id = ?")
                .bind(&first)
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        assert_eq!(
            (state.as_str(), pay_by),
            ("awaiting_payment", NOW + PAY_WITHIN_MS)
        );
    }

    #[tokio::test]
    async fn an_agreed_deal_takes_its_units_and_the_last_one_sells_the_listing() {
        let (pool, _dir) = temp_db().await;
        let seller = user(&pool, "seller").await;
        let ann = user(&pool, "ann").await;
        let two = crate::domain::catalog::ListingInput {
            stock: "2".into(),
            ..input("Chairs")
        };
        let listing = ListingId(listed(&pool, seller, &two, NOW).await);
        let deal = AgreedDeal {
            listing,
            buyer: UserId(ann),
            seller: UserId(seller),
            quantity: 2,
            total: 1500,
        };
        let mut conn = pool.acquire().await.unwrap();
        let stock_and_status = || {
            sqlx::query_as::<_, (i64, String)>("SELECT stock, status FROM listings WHERE id = ?")
                .bind(listing)
                .fetch_one(&pool)
        };
        let (_, public_id) = open_agreed(&mut conn, deal, NOW).await.unwrap();
        assert_eq!(stock_and_status().await.unwrap(), (0, "sold".into()));
        let again = open_agreed(
            &mut conn,
            AgreedDeal {
                quantity: 1,
                ..deal
            },
            NOW,
        )
        .await;
        assert_eq!(
            again.unwrap_err(),
            AppError::Deal(DealRefusal::NotEnoughStock)
        );
        let (state, ticks, code): (String, i64, String) =
            sqlx::query_as("SELECT state, ticks, handover_code FROM orders WHERE public_id = ?")
                .bind(&public_id)
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        assert_eq!((state.as_str(), ticks), ("established", 0b0011));
        assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
        release_stock(&mut conn, listing, 2).await.unwrap();
        assert_eq!(stock_and_status().await.unwrap(), (2, "approved".into()));
    }

    #[test]
    fn a_cancelled_order_has_no_deadline() {
        let open = summary("x".into(), 500, "awaiting_payment", Some(9), Currency::Twd);
        assert_eq!(
            (open.state, open.pay_by),
            (OrderState::AwaitingPayment, Some(9))
        );
        let cancelled = summary("x".into(), 500, "cancelled", Some(9), Currency::Twd);
        assert_eq!(
            (cancelled.state, cancelled.pay_by),
            (OrderState::Cancelled, None)
        );
        assert_eq!(cancelled.amount, Money::new(500, Currency::Twd));
        // Paid, the order is in its room whatever its state there.
        for state in ["established", "completed"] {
            let paid = summary("x".into(), 500, state, Some(9), Currency::Twd);
            assert_eq!((paid.state, paid.pay_by), (OrderState::Paid, None));
        }
    }
}
