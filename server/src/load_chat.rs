//! `haggle demo load-chat`: conversations for `haggle-load chat`. Each is
//! about a listing of its own seller with its own buyer, both signed in (see
//! [`crate::load_auction`] for how the sessions are made); `messages` more
//! are spread over them beforehand, so reading a conversation is measured
//! in a database of that many messages. Written straight into the database;
//! never needed in production.

use crate::load_auction::{PairListing, PairRow, pair_cookies, pairs};
use app::backend::platform::clock::now_ms;
use serde::Serialize;
use sqlx::SqlitePool;

/// One conversation, printed as one JSON line.
#[derive(Debug, Clone, Serialize)]
pub struct ChatLine {
    /// The conversation's public id.
    pub conversation: String,
    pub buyer: i64,
    pub seller: i64,
    pub buyer_cookie: String,
    pub seller_cookie: String,
}

/// Creates `conversations` sellers, buyers, listings and conversations, and
/// `messages` messages over them (alternating sides), with each member's
/// unread count as if nobody had read anything.
pub async fn create(
    pool: &SqlitePool,
    conversations: usize,
    messages: u64,
) -> Result<Vec<ChatLine>, Box<dyn std::error::Error>> {
    let now = now_ms();
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let listing = PairListing {
        price: 1_000,
        stock: 1,
        status: "approved",
    };
    let mut made = Vec::with_capacity(conversations);
    for PairRow {
        listing,
        seller,
        buyer,
    } in pairs(&mut tx, "chat", conversations, listing, now).await?
    {
        let conversation = uuid::Uuid::new_v4().simple().to_string();
        sqlx::query(
            "INSERT INTO conversations (public_id, listing_id, buyer_id, seller_id, created_at,
                                        last_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&conversation)
        .bind(listing)
        .bind(buyer)
        .bind(seller)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        made.push((conversation, buyer, seller));
    }
    if messages > 0 && conversations > 0 {
        let first: i64 = sqlx::query_scalar("SELECT id FROM conversations WHERE public_id = ?")
            .bind(&made[0].0)
            .fetch_one(&mut *tx)
            .await?;
        // Ids of this run's conversations are consecutive (one writer).
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
             INSERT INTO messages (conversation_id, sender_id, body, created_at)
             SELECT c.id, CASE WHEN (n.i / ?2) % 2 = 0 THEN c.buyer_id ELSE c.seller_id END,
                    'Load-test message ' || n.i, ?3 - (?1 - n.i)
               FROM n JOIN conversations c ON c.id = ?4 + n.i % ?2",
        )
        .bind(messages as i64)
        .bind(conversations as i64)
        .bind(now)
        .bind(first)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE conversations
                SET last_message_id = (SELECT max(id) FROM messages m
                                        WHERE m.conversation_id = conversations.id),
                    buyer_unread = (SELECT count(*) FROM messages m
                                     WHERE m.conversation_id = conversations.id
                                       AND m.sender_id = conversations.seller_id),
                    seller_unread = (SELECT count(*) FROM messages m
                                      WHERE m.conversation_id = conversations.id
                                        AND m.sender_id = conversations.buyer_id),
                    last_at = ?2
              WHERE id >= ?1 AND EXISTS (SELECT 1 FROM messages m
                                          WHERE m.conversation_id = conversations.id)",
        )
        .bind(first)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;

    let mut out = Vec::with_capacity(conversations);
    for (conversation, buyer, seller) in made {
        let (buyer_cookie, seller_cookie) = pair_cookies(pool, buyer, seller, now).await?;
        out.push(ChatLine {
            conversation,
            buyer,
            seller,
            buyer_cookie,
            seller_cookie,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::backend::platform::db;

    #[tokio::test]
    async fn conversations_hold_their_messages_and_counts_and_both_sides_are_signed_in() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let pool = db::connect(&url).await.unwrap();
        db::migrate(&pool).await.unwrap();
        let lines = create(&pool, 3, 20).await.unwrap();
        let again = create(&pool, 2, 0).await.unwrap();
        assert_eq!((lines.len(), again.len()), (3, 2));
        assert_ne!(lines[0].conversation, again[0].conversation);
        assert_ne!(lines[0].buyer_cookie, lines[0].seller_cookie);
        let total: i64 = sqlx::query_scalar("SELECT count(*) FROM messages")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(total, 20);
        let (unread, last_ok): (i64, i64) = sqlx::query_as(
            "SELECT SUM(buyer_unread + seller_unread),
                    SUM(last_message_id = (SELECT max(id) FROM messages m
                                            WHERE m.conversation_id = c.id))
               FROM conversations c WHERE last_message_id > 0",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!((unread, last_ok), (20, 3));
    }
}
