//! The chat of an auction room: stored, then sent to everyone in the room.

use super::{
    auctions::{AuctionHouse, HISTORY, shown_name},
    clock::now_ms,
};
use crate::{
    domain::{account::Standing, listing::check_text},
    error::AppError,
    model::{ChatLine, Participant},
    protocol::{ServerMsg, Topic},
};
use sqlx::SqlitePool;

pub const LINE_MAX: u32 = 500;

/// The latest lines of `listing`'s room, oldest first.
pub async fn history(
    pool: &SqlitePool,
    listing: i64,
    now: i64,
) -> Result<Vec<ChatLine>, sqlx::Error> {
    let rows: Vec<(i64, i64, String, String, Option<i64>, String, i64)> = sqlx::query_as(
        "SELECT * FROM (
            SELECT m.id, m.author_id, u.nickname, u.status, u.suspended_until, m.body,
                   m.created_at
              FROM auction_messages m JOIN users u ON u.id = m.author_id
             WHERE m.listing_id = ? ORDER BY m.id DESC LIMIT ?)
         ORDER BY id",
    )
    .bind(listing)
    .bind(HISTORY)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, author, nickname, status, until, body, at)| ChatLine {
            id,
            author: Participant {
                id: author,
                name: shown_name(&nickname, &status, until, now),
            },
            body,
            at,
        })
        .collect())
}

/// Stores `author`'s line in `listing`'s room and sends it to the room.
/// Restricted accounts are read-only; the text is plain text, never markup.
pub async fn say(
    house: &AuctionHouse,
    author: i64,
    listing: i64,
    text: &str,
) -> Result<ChatLine, AppError> {
    let now = now_ms();
    let body = check_text(text, LINE_MAX)
        .map_err(|problem| AppError::field(crate::domain::account::Field::Message, problem))?;
    if body.is_empty() {
        return Err(AppError::field(
            crate::domain::account::Field::Message,
            crate::domain::account::Problem::Required,
        ));
    }
    let db = house.db();
    let (nickname, status, until): (String, String, Option<i64>) =
        sqlx::query_as("SELECT nickname, status, suspended_until FROM users WHERE id = ?")
            .bind(author)
            .fetch_optional(db)
            .await?
            .ok_or(AppError::Unauthenticated)?;
    if !Standing::from_status(&status, until, now).may_trade() {
        return Err(AppError::Forbidden);
    }
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO auction_messages (listing_id, author_id, body, created_at)
         SELECT a.listing_id, ?, ?, ? FROM auctions a JOIN listings l ON l.id = a.listing_id
          WHERE a.listing_id = ? AND l.status IN ('approved', 'sold')
         RETURNING id",
    )
    .bind(author)
    .bind(&body)
    .bind(now)
    .bind(listing)
    .fetch_optional(db)
    .await?;
    let line = ChatLine {
        id: id.ok_or(AppError::NotFound)?,
        author: Participant {
            id: author,
            name: nickname,
        },
        body,
        at: now,
    };
    house.hub().publish(
        &Topic::Auction { listing },
        ServerMsg::RoomChat {
            listing,
            line: line.clone(),
        },
    );
    Ok(line)
}
