//! The notification area's SQL. Each function runs one statement on the
//! executor it is given (inside the caller's transaction when storing) and
//! decides nothing.

use super::DealLink;
use crate::domain::id::{ListingId, NoticeId, UserId};
use crate::model::NoticeKind;
use sqlx::SqliteExecutor;

/// A stored notification with its listing's title: id, user, kind, listing,
/// title, amount, created at, read at, and the public id of the order or
/// offer it is about.
pub type Row = (
    i64,
    i64,
    String,
    Option<i64>,
    Option<String>,
    Option<i64>,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
);

/// The seller sees their listing's title as it is; anyone else the title it
/// had when it was last public, never one still waiting for review.
const SELECT: &str = "SELECT n.id, n.user_id, n.kind, n.listing_id,
        CASE WHEN n.user_id = l.seller_id OR l.status IN ('approved', 'sold', 'delisted')
             THEN l.title ELSE l.reviewed_title END,
        n.amount,
        n.created_at, n.read_at, o.public_id, f.public_id
   FROM notifications n LEFT JOIN listings l ON l.id = n.listing_id
                        LEFT JOIN orders o ON o.id = n.order_id
                        LEFT JOIN offers f ON f.id = n.offer_id";

pub async fn insert_notice(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    kind: NoticeKind,
    listing: ListingId,
    amount: Option<i64>,
    now: i64,
) -> Result<NoticeId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO notifications (user_id, kind, listing_id, amount, created_at)
         VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(user)
    .bind(kind.as_str())
    .bind(listing)
    .bind(amount)
    .bind(now)
    .fetch_one(ex)
    .await
}

/// Inserts a notification about the member's wallet (no listing).
pub async fn insert_wallet_notice(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    kind: NoticeKind,
    amount: i64,
    now: i64,
) -> Result<NoticeId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO notifications (user_id, kind, listing_id, amount, created_at)
         VALUES (?, ?, NULL, ?, ?) RETURNING id",
    )
    .bind(user)
    .bind(kind.as_str())
    .bind(amount)
    .bind(now)
    .fetch_one(ex)
    .await
}

/// Inserts a notification about an order or an offer.
pub async fn insert_deal_notice(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    kind: NoticeKind,
    listing: ListingId,
    amount: Option<i64>,
    link: DealLink,
    now: i64,
) -> Result<NoticeId, sqlx::Error> {
    let (order, offer) = link.columns();
    sqlx::query_scalar(
        "INSERT INTO notifications (user_id, kind, listing_id, amount, order_id, offer_id,
                                    created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(user)
    .bind(kind.as_str())
    .bind(listing)
    .bind(amount)
    .bind(order)
    .bind(offer)
    .bind(now)
    .fetch_one(ex)
    .await
}

/// Brings `user`'s unread notice of `kind` about `link` up to date (its
/// amount and time); `false` when there is none.
pub async fn refresh_unread_deal_notice(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    kind: NoticeKind,
    link: DealLink,
    amount: Option<i64>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let (order, offer) = link.columns();
    sqlx::query(
        "UPDATE notifications SET amount = ?, created_at = ?
          WHERE user_id = ? AND kind = ? AND read_at IS NULL
            AND order_id IS ? AND offer_id IS ?",
    )
    .bind(amount)
    .bind(now)
    .bind(user)
    .bind(kind.as_str())
    .bind(order)
    .bind(offer)
    .execute(ex)
    .await
    .map(|r| r.rows_affected() > 0)
}

/// Inserts one notification for each member who favorited `listing`.
pub async fn insert_notices_for_favoriters(
    ex: impl SqliteExecutor<'_>,
    listing: ListingId,
    kind: NoticeKind,
    now: i64,
) -> Result<Vec<NoticeId>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO notifications (user_id, kind, listing_id, amount, created_at)
         SELECT f.user_id, ?, f.listing_id, NULL, ? FROM favorites f WHERE f.listing_id = ?
         RETURNING id",
    )
    .bind(kind.as_str())
    .bind(now)
    .bind(listing)
    .fetch_all(ex)
    .await
}

pub async fn load_notice(
    ex: impl SqliteExecutor<'_>,
    id: NoticeId,
) -> Result<Option<Row>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE n.id = ?"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

pub async fn count_unread(ex: impl SqliteExecutor<'_>, user: UserId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL")
        .bind(user)
        .fetch_one(ex)
        .await
}

/// The member's newest `limit` notifications, newest first.
pub async fn list_notices(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    limit: i64,
) -> Result<Vec<Row>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE n.user_id = ? ORDER BY n.id DESC LIMIT ?"
    ))
    .bind(user)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Marks the member's unread notifications read at `now`.
pub async fn mark_all_read(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL")
        .bind(now)
        .bind(user)
        .execute(ex)
        .await
        .map(|_| ())
}
