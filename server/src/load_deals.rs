//! `haggle demo load-deals`: negotiation rooms for `haggle-load deals`. Each
//! room is a fixed-price listing of its own seller with one negotiating order
//! of its own buyer, both signed in (see [`crate::load_auction`] for how the
//! sessions are made). Written straight into the database; never needed in
//! production.

use crate::load_auction::{PairListing, PairRow, pair_cookies, pairs};
use app::backend::platform::clock::now_ms;
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
}
