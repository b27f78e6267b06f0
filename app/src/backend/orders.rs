//! Orders: what a buyer bought. Auctions create them for the winner, who then
//! has 48 hours to pay (the payment flow arrives with the wallet).

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
    sqlx::query(
        "INSERT INTO orders (public_id, listing_id, buyer_id, seller_id, amount, source, pay_by,
                             created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&public_id)
    .bind(order.listing)
    .bind(order.buyer)
    .bind(order.seller)
    .bind(order.amount)
    .bind(order.source.as_str())
    .bind(now + PAY_WITHIN_MS)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(public_id)
}

pub(crate) fn summary(
    public_id: String,
    amount: i64,
    state: &str,
    pay_by: Option<i64>,
    currency: Currency,
) -> OrderSummary {
    let state = match state {
        "cancelled" => OrderState::Cancelled,
        _ => OrderState::AwaitingPayment,
    };
    OrderSummary {
        public_id,
        amount: Money::new(amount, currency),
        pay_by: pay_by.filter(|_| state == OrderState::AwaitingPayment),
        state,
    }
}
