//! The offer area's SQL. Each function runs one statement on the executor it
//! is given (the caller's transaction) and decides nothing.

use crate::domain::id::{ListingId, OfferId, OrderId, UserId};
use sqlx::SqliteExecutor;

/// A listing as an offer on it needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct ListingRow {
    pub(super) seller_id: UserId,
    pub(super) status: String,
    pub(super) sale_mode: String,
    pub(super) stock: i64,
}

pub(super) async fn load_listing(
    ex: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<Option<ListingRow>, sqlx::Error> {
    sqlx::query_as("SELECT seller_id, status, sale_mode, stock FROM listings WHERE id = ?")
        .bind(listing)
        .fetch_optional(ex)
        .await
}

/// The public id of `buyer`'s open offer (or the seller's open counter to
/// one) on `listing`.
pub(super) async fn open_offer(
    ex: impl SqliteExecutor<'_>,
    listing: ListingId,
    buyer: UserId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT public_id FROM offers WHERE listing_id = ? AND buyer_id = ? AND state = 'pending'",
    )
    .bind(listing)
    .bind(buyer)
    .fetch_optional(ex)
    .await
}

/// An offer to store.
pub(super) struct NewOffer<'a> {
    pub(super) public_id: &'a str,
    pub(super) listing: ListingId,
    pub(super) buyer: UserId,
    pub(super) seller: UserId,
    pub(super) quantity: u32,
    pub(super) amount: i64,
    pub(super) by_seller: bool,
    pub(super) parent: Option<OfferId>,
    pub(super) expires_at: i64,
}

/// Inserts a pending offer. A second open one for the same buyer and
/// listing fails on a unique index.
pub(super) async fn insert_offer(
    ex: impl SqliteExecutor<'_>,
    offer: &NewOffer<'_>,
    now: i64,
) -> Result<OfferId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO offers (public_id, listing_id, buyer_id, seller_id, quantity, amount,
                             by_seller, parent_id, expires_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(offer.public_id)
    .bind(offer.listing)
    .bind(offer.buyer)
    .bind(offer.seller)
    .bind(offer.quantity)
    .bind(offer.amount)
    .bind(offer.by_seller)
    .bind(offer.parent)
    .bind(offer.expires_at)
    .bind(now)
    .fetch_one(ex)
    .await
}

/// An offer as its rules need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct OfferRow {
    pub(super) id: OfferId,
    pub(super) public_id: String,
    pub(super) listing_id: ListingId,
    pub(super) buyer_id: UserId,
    pub(super) seller_id: UserId,
    pub(super) quantity: i64,
    pub(super) amount: i64,
    pub(super) by_seller: bool,
    pub(super) state: String,
    pub(super) expires_at: i64,
}

pub(super) async fn load_offer(
    ex: impl SqliteExecutor<'_>,
    public_id: &str,
) -> Result<Option<OfferRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, public_id, listing_id, buyer_id, seller_id, quantity, amount, by_seller,
                state, expires_at
           FROM offers WHERE public_id = ?",
    )
    .bind(public_id)
    .fetch_optional(ex)
    .await
}

/// Closes a pending offer as `state` (declined, countered, withdrawn);
/// false when it was no longer pending.
pub(super) async fn close_offer(
    ex: impl SqliteExecutor<'_>,
    offer: OfferId,
    state: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query("UPDATE offers SET state = ?, decided_at = ? WHERE id = ? AND state = 'pending'")
        .bind(state)
        .bind(now)
        .bind(offer)
        .execute(ex)
        .await
        .map(|r| r.rows_affected() == 1)
}

/// Marks a pending offer accepted as `order`; false when it was no longer
/// pending.
pub(super) async fn accept_offer(
    ex: impl SqliteExecutor<'_>,
    offer: OfferId,
    order: OrderId,
    now: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "UPDATE offers SET state = 'accepted', order_id = ?, decided_at = ?
          WHERE id = ? AND state = 'pending'",
    )
    .bind(order)
    .bind(now)
    .bind(offer)
    .execute(ex)
    .await
    .map(|r| r.rows_affected() == 1)
}

pub(super) async fn stock_of(
    ex: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT stock FROM listings WHERE id = ?")
        .bind(listing)
        .fetch_one(ex)
        .await
}

/// An offer closed for its parties to hear of: id, listing, buyer, seller,
/// unit amount.
pub(super) type Closed = (OfferId, ListingId, UserId, UserId, i64);

/// Declines the pending offers on `listing` that need more than `left`
/// units.
pub(super) async fn decline_uncovered(
    ex: impl SqliteExecutor<'_>,
    listing: ListingId,
    left: i64,
    now: i64,
) -> Result<Vec<Closed>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE offers SET state = 'declined', decided_at = ?
          WHERE listing_id = ? AND state = 'pending' AND quantity > ?
         RETURNING id, listing_id, buyer_id, seller_id, amount",
    )
    .bind(now)
    .bind(listing)
    .bind(left)
    .fetch_all(ex)
    .await
}

/// Expires up to `limit` pending offers whose time ran out by `now`,
/// earliest first.
pub(super) async fn expire_due(
    ex: impl SqliteExecutor<'_>,
    now: i64,
    limit: i64,
) -> Result<Vec<Closed>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE offers SET state = 'expired', decided_at = ?1
          WHERE id IN (SELECT id FROM offers WHERE state = 'pending' AND expires_at <= ?1
                        ORDER BY expires_at LIMIT ?2)
         RETURNING id, listing_id, buyer_id, seller_id, amount",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// The earliest time a pending offer expires.
pub(super) async fn next_due(ex: impl SqliteExecutor<'_>) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT min(expires_at) FROM offers WHERE state = 'pending'")
        .fetch_one(ex)
        .await
}

/// An offer as its page shows it, with its listing and parties.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct ViewRow {
    pub(super) public_id: String,
    pub(super) listing_id: i64,
    pub(super) buyer_id: i64,
    pub(super) seller_id: i64,
    pub(super) quantity: i64,
    pub(super) amount: i64,
    pub(super) by_seller: bool,
    pub(super) state: String,
    pub(super) expires_at: i64,
    pub(super) created_at: i64,
    pub(super) counters: Option<String>,
    pub(super) countered_by: Option<String>,
    pub(super) order_public_id: Option<String>,
    pub(super) title: String,
    pub(super) unit_price: i64,
    pub(super) thumb: Option<String>,
    pub(super) buyer_name: String,
    pub(super) buyer_status: String,
    pub(super) buyer_until: Option<i64>,
    pub(super) seller_name: String,
    pub(super) seller_status: String,
    pub(super) seller_until: Option<i64>,
}

/// `?1` is the viewer: the seller sees their listing's title as it is,
/// anyone else the title it had when it was last public.
const VIEW: &str = "SELECT o.public_id, o.listing_id, o.buyer_id, o.seller_id, o.quantity,
        o.amount, o.by_seller, o.state, o.expires_at, o.created_at,
        p.public_id AS counters,
        (SELECT c.public_id FROM offers c WHERE c.parent_id = o.id) AS countered_by,
        r.public_id AS order_public_id,
        CASE WHEN ?1 = l.seller_id OR l.status IN ('approved', 'sold', 'delisted')
             THEN l.title ELSE coalesce(l.reviewed_title, '') END AS title,
        l.price AS unit_price,
        (SELECT i.thumb_name FROM images i WHERE i.listing_id = l.id
          ORDER BY i.position LIMIT 1) AS thumb,
        b.nickname AS buyer_name, b.status AS buyer_status, b.suspended_until AS buyer_until,
        s.nickname AS seller_name, s.status AS seller_status, s.suspended_until AS seller_until
   FROM offers o JOIN listings l ON l.id = o.listing_id
                 JOIN users b ON b.id = o.buyer_id
                 JOIN users s ON s.id = o.seller_id
                 LEFT JOIN offers p ON p.id = o.parent_id
                 LEFT JOIN orders r ON r.id = o.order_id";

/// The offer `public_id` if `viewer` is one of its parties.
pub(super) async fn load_view(
    ex: impl SqliteExecutor<'_>,
    viewer: UserId,
    public_id: &str,
) -> Result<Option<ViewRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{VIEW} WHERE o.public_id = ?2 AND (o.buyer_id = ?1 OR o.seller_id = ?1)"
    ))
    .bind(viewer)
    .bind(public_id)
    .fetch_optional(ex)
    .await
}

/// The offers `viewer` answers (offers to them as seller, counters to them
/// as buyer), open ones first, then the newest; at most `limit`.
pub(super) async fn list_received(
    ex: impl SqliteExecutor<'_>,
    viewer: UserId,
    limit: i64,
) -> Result<Vec<ViewRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{VIEW} WHERE (o.seller_id = ?1 AND o.by_seller = 0) OR (o.buyer_id = ?1 AND o.by_seller = 1)
         ORDER BY o.state = 'pending' DESC, o.created_at DESC, o.id DESC LIMIT ?2"
    ))
    .bind(viewer)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// The offers `viewer` proposed (as buyer, and counters as seller), open
/// ones first, then the newest; at most `limit`.
pub(super) async fn list_made(
    ex: impl SqliteExecutor<'_>,
    viewer: UserId,
    limit: i64,
) -> Result<Vec<ViewRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{VIEW} WHERE (o.buyer_id = ?1 AND o.by_seller = 0) OR (o.seller_id = ?1 AND o.by_seller = 1)
         ORDER BY o.state = 'pending' DESC, o.created_at DESC, o.id DESC LIMIT ?2"
    ))
    .bind(viewer)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// A listing as the make-an-offer page shows it: title, unit price, stock,
/// thumbnail, with what decides whether an offer is possible.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct TargetRow {
    pub(super) title: String,
    pub(super) price: i64,
    pub(super) thumb: Option<String>,
    #[sqlx(flatten)]
    pub(super) listing: ListingRow,
}

/// A public (or sold-out) listing, or the viewer's own.
pub(super) async fn load_target(
    ex: impl SqliteExecutor<'_>,
    viewer: UserId,
    listing: ListingId,
) -> Result<Option<TargetRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.title, l.price, l.seller_id, l.status, l.sale_mode, l.stock,
                (SELECT i.thumb_name FROM images i WHERE i.listing_id = l.id
                  ORDER BY i.position LIMIT 1) AS thumb
           FROM listings l
          WHERE l.id = ? AND (l.status IN ('approved', 'sold') OR l.seller_id = ?)",
    )
    .bind(listing)
    .bind(viewer)
    .fetch_optional(ex)
    .await
}

/// Whether `user` may trade now: their status and suspension end.
pub(super) async fn standing_of(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
) -> Result<Option<(String, Option<i64>)>, sqlx::Error> {
    sqlx::query_as("SELECT status, suspended_until FROM users WHERE id = ?")
        .bind(user)
        .fetch_optional(ex)
        .await
}
