//! The order area's SQL. Each function runs one statement on the executor it
//! is given (the caller's transaction) and decides nothing.

use super::NewOrder;
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
