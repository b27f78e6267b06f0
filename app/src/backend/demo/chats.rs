//! Demo conversations: a few buyers asking sellers about their listings (and
//! one negotiation room's chat), each member's read mark where a person
//! would have left it, so a newcomer finds an inbox with unread messages on
//! both sides.
//!
//! Every line passes the chat rules (`domain::chat::check_message`) and is
//! stored by the chat area's own statements, which keep the unread counts;
//! a line the rules refuse is left out.

use super::{DAY, MINUTE};
use crate::backend::chat::store;
use crate::domain::{
    chat::check_message,
    id::{ListingId, UserId},
};
use sqlx::SqliteConnection;

/// Who says a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum By {
    Buyer,
    Seller,
}

/// Where each member stopped reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Left {
    /// Both read everything.
    AllRead,
    /// The buyer has not seen the seller's last lines.
    BuyerBehind,
    /// The seller has not seen the buyer's last lines.
    SellerBehind,
}

struct Talk {
    /// The buyer, by place in `USERS`.
    buyer: usize,
    lines: &'static [(By, &'static str)],
    left: Left,
    /// How long ago it started.
    ago: i64,
}

const MEI: usize = 0;
const JUNHO: usize = 1;
const SAM: usize = 3;
const XIAOWEI: usize = 5;

const TALKS: &[Talk] = &[
    Talk {
        buyer: SAM,
        lines: &[
            (By::Buyer, "Hi! Is this still available?"),
            (By::Seller, "Yes, it is."),
            (
                By::Buyer,
                "Great. Could we meet near an MRT station on Saturday afternoon?",
            ),
            (By::Seller, "Sure, 3 pm at Daan station works for me."),
            (By::Seller, "I'll bring the box and the receipt too."),
        ],
        left: Left::BuyerBehind,
        ago: 5 * 60 * MINUTE,
    },
    Talk {
        buyer: MEI,
        lines: &[
            (By::Buyer, "請問還有嗎？"),
            (By::Seller, "有的，歡迎來看。"),
            (By::Buyer, "有沒有刮痕？可以多拍幾張照片嗎？"),
            (By::Buyer, "週末可以面交嗎？"),
        ],
        left: Left::SellerBehind,
        ago: 2 * 60 * MINUTE,
    },
    Talk {
        buyer: JUNHO,
        lines: &[
            (By::Buyer, "안녕하세요, 아직 판매 중인가요?"),
            (By::Seller, "네, 판매 중이에요."),
            (By::Buyer, "좋아요. 내일 저녁에 볼 수 있을까요?"),
            (By::Seller, "네, 7시 괜찮아요."),
        ],
        left: Left::AllRead,
        ago: DAY + 60 * MINUTE,
    },
    Talk {
        buyer: XIAOWEI,
        lines: &[
            (By::Buyer, "你好，价格还能商量吗？"),
            (By::Seller, "可以小刀，你出个价吧。"),
        ],
        left: Left::BuyerBehind,
        ago: 30 * MINUTE,
    },
];

/// Tells every talk on its own public listing (at least two days old, whose
/// seller is not the buyer and which has no conversation with that buyer
/// yet); then a line in each established negotiation room. `users` are the
/// demo users' ids in `USERS` order.
pub(super) async fn seed(
    conn: &mut SqliteConnection,
    users: &[i64],
    now: i64,
) -> Result<(), sqlx::Error> {
    let candidates: Vec<(ListingId, UserId)> = sqlx::query_as(
        "SELECT id, seller_id FROM listings
          WHERE status = 'approved' AND sale_mode IN ('fixed', 'offers') AND created_at <= ?
          ORDER BY created_at DESC, id",
    )
    .bind(now - 2 * DAY)
    .fetch_all(&mut *conn)
    .await?;
    let mut used = vec![false; candidates.len()];
    for (k, talk) in TALKS.iter().enumerate() {
        let buyer = UserId(users[talk.buyer]);
        let count = candidates.len();
        let Some(i) = (0..count)
            .map(|j| (k * 11 + j) % count)
            .find(|&i| !used[i] && candidates[i].1 != buyer)
        else {
            continue;
        };
        used[i] = true;
        let (listing, seller) = candidates[i];
        tell(conn, listing, buyer, seller, talk, now).await?;
    }
    // The established rooms' chat: the seller confirms the meet-up.
    let rooms: Vec<(ListingId, UserId, UserId, i64)> = sqlx::query_as(
        "SELECT listing_id, buyer_id, seller_id, updated_at FROM orders
          WHERE state = 'established' ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (listing, buyer, seller, at) in rooms {
        let talk = Talk {
            buyer: 0,
            lines: &[
                (By::Seller, "Confirmed, see you there!"),
                (By::Buyer, "Thanks, see you!"),
            ],
            left: Left::AllRead,
            ago: now - at.min(now),
        };
        tell(conn, listing, buyer, seller, &talk, now).await?;
    }
    Ok(())
}

async fn tell(
    conn: &mut SqliteConnection,
    listing: ListingId,
    buyer: UserId,
    seller: UserId,
    talk: &Talk,
    now: i64,
) -> Result<(), sqlx::Error> {
    let start = now - talk.ago;
    let public_id = uuid::Uuid::new_v4().simple().to_string();
    store::insert_conversation(&mut *conn, &public_id, listing, buyer, seller, start).await?;
    let Some(row) = store::find_conversation(&mut *conn, listing, buyer).await? else {
        return Ok(());
    };
    if row.last_message_id > 0 {
        return Ok(());
    }
    let step = (talk.ago / (talk.lines.len() as i64 + 1)).clamp(0, 20 * MINUTE);
    let mut last_by = [0, 0];
    for (n, &(by, text)) in talk.lines.iter().enumerate() {
        let Ok(line) = check_message(text, &[]) else {
            continue;
        };
        let (sender, to_buyer) = match by {
            By::Buyer => (buyer, false),
            By::Seller => (seller, true),
        };
        let at = start + (n as i64 + 1) * step;
        let id = store::insert_message(&mut *conn, row.id, sender, &line.text, at).await?;
        store::bump(&mut *conn, row.id, id, to_buyer, at).await?;
        last_by[usize::from(by == By::Seller)] = id.get();
        // Answering means having read what came before.
        let reader_is_buyer = by == By::Buyer;
        store::mark_read(&mut *conn, row.id, sender, reader_is_buyer, id.get()).await?;
    }
    let [buyer_last, seller_last] = last_by;
    let newest = buyer_last.max(seller_last);
    match talk.left {
        Left::AllRead => {
            store::mark_read(&mut *conn, row.id, buyer, true, newest).await?;
            store::mark_read(&mut *conn, row.id, seller, false, newest).await?;
        }
        Left::BuyerBehind => {
            store::mark_read(&mut *conn, row.id, seller, false, newest).await?;
        }
        Left::SellerBehind => {
            store::mark_read(&mut *conn, row.id, buyer, true, newest).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::backend::{
        demo::{SeedOutcome, seed_if_empty},
        platform::media::MediaStore,
        testing::temp_db,
    };
    use crate::domain::money::Currency;

    #[tokio::test]
    async fn demo_conversations_have_consistent_marks_and_counts() {
        let (pool, dir) = temp_db().await;
        let media = MediaStore::open(dir.path().join("media")).unwrap();
        let outcome = seed_if_empty(&pool, &media, Currency::Twd).await.unwrap();
        assert!(matches!(outcome, SeedOutcome::Seeded { .. }));
        /// Read marks and unread counts (buyer's, seller's), the counts as
        /// recounted from the messages, the newest message as stored and as
        /// found.
        type Marks = (i64, i64, i64, i64, i64, i64, i64, i64);
        let rows: Vec<Marks> = sqlx::query_as(
            "SELECT c.buyer_read, c.buyer_unread, c.seller_read, c.seller_unread,
                    (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id
                        AND m.sender_id = c.seller_id AND m.id > c.buyer_read),
                    (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id
                        AND m.sender_id = c.buyer_id AND m.id > c.seller_read),
                    c.last_message_id,
                    (SELECT max(id) FROM messages m WHERE m.conversation_id = c.id)
               FROM conversations c",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        assert!(rows.len() >= 4, "{} conversations", rows.len());
        for (b_read, b_unread, s_read, s_unread, b_count, s_count, last, newest) in &rows {
            assert_eq!((b_unread, s_unread), (b_count, s_count));
            assert_eq!(last, newest);
            assert!(b_read <= last && s_read <= last);
        }
        let unread: i64 =
            sqlx::query_scalar("SELECT sum(buyer_unread) + sum(seller_unread) FROM conversations")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert!(unread >= 3, "{unread}");
    }
}
