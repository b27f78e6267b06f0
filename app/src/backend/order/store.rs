//! The order area's SQL. Each function runs one statement on the executor it
//! is given (the caller's transaction) and decides nothing.

use super::{AgreedDeal, NewOrder};
use crate::domain::{
    id::{ListingId, OrderId, UserId},
    order::Ticks,
};
use sqlx::SqliteExecutor;

/// The title a member sees of a listing: the seller (or an admin,
/// `?1`) sees it as it is, anyone else the one it had when last public.
const SHOWN_TITLE: &str = "CASE WHEN ?1 OR l.status IN ('approved', 'sold', 'delisted')
                               THEN l.title ELSE COALESCE(l.reviewed_title, '') END";

/// What placing an order reads of a listing.
#[derive(Debug, sqlx::FromRow)]
pub struct ForSale {
    pub seller_id: UserId,
    pub status: String,
    pub sale_mode: String,
    /// One unit's price.
    pub price: i64,
    pub stock: i64,
    pub meetup_place: String,
}

pub async fn load_for_sale(
    ex: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<Option<ForSale>, sqlx::Error> {
    sqlx::query_as(
        "SELECT seller_id, status, sale_mode, price, stock, meetup_place
           FROM listings WHERE id = ?",
    )
    .bind(listing)
    .fetch_optional(ex)
    .await
}

/// A buyer's standing: status, suspended until, e-mail verified at.
pub async fn load_buyer(
    ex: impl SqliteExecutor<'_>,
    buyer: UserId,
) -> Result<Option<(String, Option<i64>, Option<i64>)>, sqlx::Error> {
    sqlx::query_as("SELECT status, suspended_until, email_verified_at FROM users WHERE id = ?")
        .bind(buyer)
        .fetch_optional(ex)
        .await
}

/// The buyer's orders still being negotiated.
pub async fn count_negotiating(
    ex: impl SqliteExecutor<'_>,
    buyer: UserId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT count(*) FROM orders
          WHERE buyer_id = ? AND state IN ('negotiating', 'buyer_confirmed')",
    )
    .bind(buyer)
    .fetch_one(ex)
    .await
}

/// A placed order: what the buyer asked for, at the listing's price and
/// meet-up place, nothing ticked yet.
pub struct Placed<'a> {
    pub public_id: &'a str,
    pub listing: ListingId,
    pub buyer: UserId,
    pub seller: UserId,
    pub quantity: u32,
    pub amount: i64,
    pub remark: &'a str,
    pub place: &'a str,
}

pub async fn insert_placed(
    ex: impl SqliteExecutor<'_>,
    order: &Placed<'_>,
    now: i64,
) -> Result<OrderId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO orders (public_id, listing_id, buyer_id, seller_id, quantity, amount, source,
                             state, remark, place, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'order', 'negotiating', ?, ?, ?, ?)
         RETURNING id",
    )
    .bind(order.public_id)
    .bind(order.listing)
    .bind(order.buyer)
    .bind(order.seller)
    .bind(order.quantity)
    .bind(order.amount)
    .bind(order.remark)
    .bind(order.place)
    .bind(now)
    .bind(now)
    .fetch_one(ex)
    .await
}

/// An order as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderRow {
    pub id: OrderId,
    pub public_id: String,
    pub listing_id: ListingId,
    pub buyer_id: UserId,
    pub seller_id: UserId,
    pub quantity: i64,
    pub amount: i64,
    pub state: String,
    pub remark: String,
    pub place: String,
    pub meet_at: Option<i64>,
    pub ticks: i64,
    pub rev_quantity: i64,
    pub rev_price: i64,
    pub rev_place: i64,
    pub rev_time: i64,
    pub seq: i64,
    pub handover_code: Option<String>,
    pub code_failures: i64,
    pub code_paused_until: Option<i64>,
    pub cancelled_by: Option<String>,
    pub cancel_reason: Option<String>,
    pub created_at: i64,
    /// A won auction's order: pay by then.
    pub pay_by: Option<i64>,
    /// The listing's sale mode: an auction's item is not counted in its
    /// stock, so its orders take and return none.
    pub sale_mode: String,
}

pub async fn load_order(
    ex: impl SqliteExecutor<'_>,
    public_id: &str,
) -> Result<Option<OrderRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, public_id, listing_id, buyer_id, seller_id, quantity, amount, state, remark,
                place, meet_at, ticks, rev_quantity, rev_price, rev_place, rev_time, seq,
                handover_code, code_failures, code_paused_until, cancelled_by, cancel_reason,
                created_at, pay_by,
                (SELECT l.sale_mode FROM listings l WHERE l.id = orders.listing_id) AS sale_mode
           FROM orders WHERE public_id = ?",
    )
    .bind(public_id)
    .fetch_optional(ex)
    .await
}

/// Units a listing has left.
pub async fn stock_of(ex: impl SqliteExecutor<'_>, listing: ListingId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT stock FROM listings WHERE id = ?")
        .bind(listing)
        .fetch_one(ex)
        .await
}

/// An order's new state as a step left it.
pub struct Change<'a> {
    pub state: &'a str,
    pub quantity: u32,
    pub amount: i64,
    pub place: &'a str,
    pub meet_at: Option<i64>,
    pub ticks: Ticks,
    pub revs: [i64; 4],
    pub seq: i64,
    /// Set once (kept if the order has one).
    pub handover_code: Option<&'a str>,
    pub cancelled_by: Option<&'a str>,
    pub cancel_reason: Option<&'a str>,
    /// Set once each (kept if already set).
    pub established_at: Option<i64>,
    pub completed_at: Option<i64>,
}

impl<'a> Change<'a> {
    /// The deal's terms, ticks and state, nothing set once.
    pub fn of(deal: &'a crate::domain::order::Deal) -> Change<'a> {
        Change {
            state: deal.state.as_str(),
            quantity: deal.terms.quantity,
            amount: deal.terms.price,
            place: &deal.terms.place,
            meet_at: deal.terms.time,
            ticks: deal.ticks,
            revs: deal.revs,
            seq: deal.seq,
            handover_code: None,
            cancelled_by: None,
            cancel_reason: None,
            established_at: None,
            completed_at: None,
        }
    }
}

/// Stores `change` if the order is still in `state` at update `seq` (the
/// state the step was decided on); false when it moved meanwhile.
pub async fn update_deal(
    ex: impl SqliteExecutor<'_>,
    order: OrderId,
    state: &str,
    seq: i64,
    change: &Change<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "UPDATE orders
            SET state = ?, quantity = ?, amount = ?, place = ?, meet_at = ?, ticks = ?,
                rev_quantity = ?, rev_price = ?, rev_place = ?, rev_time = ?, seq = ?,
                handover_code = COALESCE(handover_code, ?),
                cancelled_by = ?, cancel_reason = ?,
                established_at = COALESCE(established_at, ?),
                completed_at = COALESCE(completed_at, ?),
                updated_at = ?
          WHERE id = ? AND state = ? AND seq = ?",
    )
    .bind(change.state)
    .bind(change.quantity)
    .bind(change.amount)
    .bind(change.place)
    .bind(change.meet_at)
    .bind(change.ticks.0)
    .bind(change.revs[0])
    .bind(change.revs[1])
    .bind(change.revs[2])
    .bind(change.revs[3])
    .bind(change.seq)
    .bind(change.handover_code)
    .bind(change.cancelled_by)
    .bind(change.cancel_reason)
    .bind(change.established_at)
    .bind(change.completed_at)
    .bind(now)
    .bind(order)
    .bind(state)
    .bind(seq)
    .execute(ex)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Records wrong handover codes: how many in a row, and until when entry
/// is paused. Not a change either side's room shows, so `seq` stays.
pub async fn set_code_failures(
    ex: impl SqliteExecutor<'_>,
    order: OrderId,
    failures: i64,
    paused_until: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET code_failures = ?, code_paused_until = ? WHERE id = ?")
        .bind(failures)
        .bind(paused_until)
        .bind(order)
        .execute(ex)
        .await
        .map(|_| ())
}

/// What a room shows around its order: the listing and both parties.
#[derive(Debug, sqlx::FromRow)]
pub struct RoomRow {
    pub title: String,
    pub unit_price: i64,
    pub stock: i64,
    pub thumb: Option<String>,
    pub buyer_name: String,
    pub buyer_status: String,
    pub buyer_until: Option<i64>,
    pub seller_name: String,
    pub seller_status: String,
    pub seller_until: Option<i64>,
}

/// The room around `order`; `sees_drafts`: the viewer sees the listing's
/// title as it is (its seller, an admin).
pub async fn load_room(
    ex: impl SqliteExecutor<'_>,
    order: OrderId,
    sees_drafts: bool,
) -> Result<RoomRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {SHOWN_TITLE} AS title, l.price AS unit_price, l.stock,
                (SELECT i.thumb_name FROM images i WHERE i.listing_id = l.id
                  ORDER BY i.position LIMIT 1) AS thumb,
                b.nickname AS buyer_name, b.status AS buyer_status,
                b.suspended_until AS buyer_until,
                s.nickname AS seller_name, s.status AS seller_status,
                s.suspended_until AS seller_until
           FROM orders o JOIN listings l ON l.id = o.listing_id
                JOIN users b ON b.id = o.buyer_id
                JOIN users s ON s.id = o.seller_id
          WHERE o.id = ?2"
    ))
    .bind(sees_drafts)
    .bind(order)
    .fetch_one(ex)
    .await
}

/// One of a member's orders as a list shows it.
#[derive(Debug, sqlx::FromRow)]
pub struct LineRow {
    pub public_id: String,
    pub buyer_id: UserId,
    pub state: String,
    pub quantity: i64,
    pub amount: i64,
    pub place: String,
    pub meet_at: Option<i64>,
    pub created_at: i64,
    pub listing_id: ListingId,
    pub title: String,
    pub unit_price: i64,
    pub thumb: Option<String>,
    pub other_id: UserId,
    pub other_name: String,
    pub other_status: String,
    pub other_until: Option<i64>,
}

/// `user`'s orders, bought and sold: the established ones (`to_trade`),
/// soonest meet-up first and unset ones last, or all others newest first.
pub async fn list_orders(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    to_trade: bool,
    limit: i64,
) -> Result<Vec<LineRow>, sqlx::Error> {
    let (which, order) = if to_trade {
        (
            "o.state = 'established'",
            "o.meet_at IS NULL, o.meet_at, o.id",
        )
    } else {
        ("o.state <> 'established'", "o.created_at DESC, o.id DESC")
    };
    sqlx::query_as(&format!(
        "SELECT o.public_id, o.buyer_id, o.state, o.quantity, o.amount, o.place, o.meet_at,
                o.created_at, l.id AS listing_id,
                CASE WHEN o.seller_id = ?2 OR l.status IN ('approved', 'sold', 'delisted')
                     THEN l.title ELSE COALESCE(l.reviewed_title, '') END AS title,
                l.price AS unit_price,
                (SELECT i.thumb_name FROM images i WHERE i.listing_id = l.id
                  ORDER BY i.position LIMIT 1) AS thumb,
                u.id AS other_id, u.nickname AS other_name, u.status AS other_status,
                u.suspended_until AS other_until
           FROM orders o JOIN listings l ON l.id = o.listing_id
                JOIN users u ON u.id = CASE WHEN o.buyer_id = ?2 THEN o.seller_id
                                            ELSE o.buyer_id END
          WHERE (o.buyer_id = ?2 OR o.seller_id = ?2) AND {which}
          ORDER BY {order}
          LIMIT ?1"
    ))
    .bind(limit)
    .bind(user)
    .fetch_all(ex)
    .await
}

/// Inserts `order` under `public_id`, payable until `pay_by`. A second order
/// for a listing's auction fails on a unique index.
pub async fn insert_order(
    ex: impl SqliteExecutor<'_>,
    public_id: &str,
    order: &NewOrder,
    pay_by: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO orders (public_id, listing_id, buyer_id, seller_id, amount, source, pay_by,
                             created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(public_id)
    .bind(order.listing)
    .bind(order.buyer)
    .bind(order.seller)
    .bind(order.amount)
    .bind(order.source.as_str())
    .bind(pay_by)
    .bind(now)
    .execute(ex)
    .await
    .map(|_| ())
}

/// Takes `quantity` units of a public listing; the last unit marks it sold.
/// (`updated_at` stays: it is the version the seller's edit and a review
/// check, and a sale is neither.)
/// `false` when fewer are left or the listing is not public.
pub async fn take_stock(
    ex: impl SqliteExecutor<'_>,
    listing: ListingId,
    quantity: u32,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "UPDATE listings
            SET stock = stock - ?1,
                status = CASE WHEN stock = ?1 THEN 'sold' ELSE status END
          WHERE id = ?2 AND status = 'approved' AND stock >= ?1",
    )
    .bind(quantity)
    .bind(listing)
    .execute(ex)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Returns `quantity` units to a listing; one that had sold out is public
/// again (a delisted or rejected one stays as it is).
pub async fn return_stock(
    ex: impl SqliteExecutor<'_>,
    listing: ListingId,
    quantity: u32,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE listings
            SET stock = stock + ?1,
                status = CASE WHEN status = 'sold' THEN 'approved' ELSE status END
          WHERE id = ?2",
    )
    .bind(quantity)
    .bind(listing)
    .execute(ex)
    .await
    .map(|_| ())
}

/// Inserts an established order for an agreed deal, the meet-up place taken
/// from the listing.
pub async fn insert_agreed(
    ex: impl SqliteExecutor<'_>,
    public_id: &str,
    deal: &AgreedDeal,
    ticks: Ticks,
    handover_code: &str,
    now: i64,
) -> Result<OrderId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO orders (public_id, listing_id, buyer_id, seller_id, quantity, amount, source,
                             state, place, ticks, handover_code, established_at, created_at,
                             updated_at)
         SELECT ?, l.id, ?, ?, ?, ?, 'offer', 'established', l.meetup_place, ?, ?, ?, ?, ?
           FROM listings l WHERE l.id = ?
         RETURNING id",
    )
    .bind(public_id)
    .bind(deal.buyer)
    .bind(deal.seller)
    .bind(deal.quantity)
    .bind(deal.total)
    .bind(ticks.0)
    .bind(handover_code)
    .bind(now)
    .bind(now)
    .bind(now)
    .bind(deal.listing)
    .fetch_one(ex)
    .await
}

/// The listing's meet-up place, where a paid auction's meet-up starts.
pub async fn meetup_place_of(
    ex: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT meetup_place FROM listings WHERE id = ?")
        .bind(listing)
        .fetch_one(ex)
        .await
}

/// Records an unpaid strike on `user` for `order`; false when that order
/// already struck (a unique index).
pub async fn insert_strike(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    order: OrderId,
    now: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "INSERT INTO unpaid_strikes (user_id, order_id, created_at) VALUES (?, ?, ?)
         ON CONFLICT DO NOTHING",
    )
    .bind(user)
    .bind(order)
    .bind(now)
    .execute(ex)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// A member's unpaid strikes.
pub async fn strikes_of(ex: impl SqliteExecutor<'_>, user: UserId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM unpaid_strikes WHERE user_id = ?")
        .bind(user)
        .fetch_one(ex)
        .await
}
