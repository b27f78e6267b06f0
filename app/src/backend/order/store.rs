//! The order area's SQL. Each function runs one statement on the executor it
//! is given (the caller's transaction) and decides nothing.

use super::{AgreedDeal, NewOrder};
use crate::domain::{
    id::{ListingId, OrderId},
    order::Ticks,
};
use sqlx::SqliteExecutor;

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
