//! `haggle demo load-deals`: negotiation rooms for `haggle-load deals`. Each
//! room is a fixed-price listing of its own seller with one negotiating order
//! of its own buyer, both signed in (see [`crate::load_auction`] for how the
//! sessions are made). `haggle demo load-wallet`: established orders, ready
//! to be paid into escrow by buyers with money in their wallets, for
//! `haggle-load crash`. Written straight into the database; never needed in
//! production.

use crate::load_auction::{PairListing, PairRow, pair_cookies, pairs};
use app::{
    backend::{platform::clock::now_ms, wallet::store},
    domain::{id::UserId, wallet::Account, wallet::Purpose},
};
use serde::Serialize;
use sqlx::SqlitePool;

/// One room, printed as one JSON line.
#[derive(Debug, Clone, Serialize)]
pub struct Room {
    /// The order's public id.
    pub order: String,
    pub buyer_cookie: String,
    pub seller_cookie: String,
    /// The order's total price to start with.
    pub price: i64,
}

/// Creates `rooms` sellers, buyers, listings and negotiating orders.
pub async fn create(
    pool: &SqlitePool,
    rooms: usize,
) -> Result<Vec<Room>, Box<dyn std::error::Error>> {
    let now = now_ms();
    let price = 1_000;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    // The order holds the listing's one unit, as placing it would have.
    let listing = PairListing {
        price,
        stock: 0,
        status: "sold",
    };
    let mut made = Vec::with_capacity(rooms);
    for PairRow {
        listing,
        seller,
        buyer,
    } in pairs(&mut tx, "deal", rooms, listing, now).await?
    {
        let order = uuid::Uuid::new_v4().simple().to_string();
        sqlx::query(
            "INSERT INTO orders (public_id, listing_id, buyer_id, seller_id, quantity, amount,
                                 source, state, place, created_at, updated_at)
             VALUES (?, ?, ?, ?, 1, ?, 'order', 'negotiating', 'Taipei Main Station', ?, ?)",
        )
        .bind(&order)
        .bind(listing)
        .bind(buyer)
        .bind(seller)
        .bind(price)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        made.push((order, buyer, seller));
    }
    tx.commit().await?;

    let mut out = Vec::with_capacity(rooms);
    for (order, buyer, seller) in made {
        let (buyer_cookie, seller_cookie) = pair_cookies(pool, buyer, seller, now).await?;
        out.push(Room {
            order,
            buyer_cookie,
            seller_cookie,
            price,
        });
    }
    Ok(out)
}

/// A buyer and a seller with `orders` established orders between them.
#[derive(Debug, Clone, Serialize)]
pub struct Wallets {
    pub buyer_cookie: String,
    pub seller_cookie: String,
    /// Each order's public id and handover code.
    pub orders: Vec<(String, String)>,
    /// Each order's total price.
    pub price: i64,
}

/// Creates `count` sellers and buyers, each buyer with `orders` established
/// orders from their seller and a balance that covers them all (topped up
/// from the provider's clearing account, as a card payment would).
pub async fn create_established(
    pool: &SqlitePool,
    count: usize,
    orders: usize,
) -> Result<Vec<Wallets>, Box<dyn std::error::Error>> {
    let now = now_ms();
    let price = 1_000;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let listing = PairListing {
        price,
        stock: 0,
        status: "sold",
    };
    let mut made = Vec::with_capacity(count);
    for row in pairs(&mut tx, "wallet", count, listing, now).await? {
        let mut codes = Vec::with_capacity(orders);
        for i in 0..orders {
            let order = uuid::Uuid::new_v4().simple().to_string();
            let code = format!("{:06}", (row.buyer * 7919 + i as i64 * 104_729) % 1_000_000);
            sqlx::query(
                "INSERT INTO orders (public_id, listing_id, buyer_id, seller_id, quantity, amount,
                                     source, state, place, meet_at, ticks, handover_code,
                                     established_at, created_at, updated_at)
                 VALUES (?, ?, ?, ?, 1, ?, 'order', 'established', 'Taipei Main Station', ?, 15,
                         ?, ?, ?, ?)",
            )
            .bind(&order)
            .bind(row.listing)
            .bind(row.buyer)
            .bind(row.seller)
            .bind(price)
            .bind(now + 86_400_000)
            .bind(&code)
            .bind(now)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            codes.push((order, code));
        }
        store::post(
            &mut *tx,
            Account::Clearing,
            Account::Available(UserId(row.buyer)),
            price * orders.max(1) as i64,
            Purpose::TopUp,
            None,
            now,
        )
        .await?;
        made.push((row, codes));
    }
    tx.commit().await?;

    let mut out = Vec::with_capacity(count);
    for (row, orders) in made {
        let (buyer_cookie, seller_cookie) = pair_cookies(pool, row.buyer, row.seller, now).await?;
        out.push(Wallets {
            buyer_cookie,
            seller_cookie,
            orders,
            price,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::backend::platform::db;

    #[tokio::test]
    async fn rooms_hold_their_unit_and_both_sides_are_signed_in() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let pool = db::connect(&url).await.unwrap();
        db::migrate(&pool).await.unwrap();
        let rooms = create(&pool, 3).await.unwrap();
        let again = create(&pool, 2).await.unwrap();
        assert_eq!((rooms.len(), again.len()), (3, 2));
        assert_ne!(rooms[0].order, again[0].order);
        assert_ne!(rooms[0].buyer_cookie, rooms[0].seller_cookie);
        let (open, stock): (i64, i64) = sqlx::query_as(
            "SELECT count(*), SUM(l.stock) FROM orders o JOIN listings l ON l.id = o.listing_id
              WHERE o.state = 'negotiating' AND o.buyer_id <> o.seller_id",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!((open, stock), (5, 0));
    }

    #[tokio::test]
    async fn established_orders_come_with_a_balance_that_pays_them() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let pool = db::connect(&url).await.unwrap();
        db::migrate(&pool).await.unwrap();
        let made = create_established(&pool, 2, 3).await.unwrap();
        assert_eq!(made.len(), 2);
        assert_eq!(made[0].orders.len(), 3);
        assert!(made[0].orders.iter().all(|(_, code)| code.len() == 6));
        let (established, balances): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM orders WHERE state = 'established'
                       AND handover_code IS NOT NULL),
                    (SELECT SUM(balance) FROM ledger_accounts WHERE kind = 'available')",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!((established, balances), (6, 6 * made[0].price));
    }
}
