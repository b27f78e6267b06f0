//! Notifications: stored inside the transaction that causes them, pushed to
//! the user's open tabs after it commits, listed on the notifications page.

use super::hub::Hub;
use crate::{
    domain::money::{Currency, Money},
    model::{NoticeKind, Notification, Notifications},
    protocol::ServerMsg,
};
use sqlx::{SqliteConnection, SqlitePool};

/// The notifications page shows this many, newest first.
pub const PAGE: i64 = 50;

/// Stores a notification for `user`; returns its id, to [`push`] after commit.
pub async fn store(
    conn: &mut SqliteConnection,
    user: i64,
    kind: NoticeKind,
    listing: i64,
    amount: Option<i64>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO notifications (user_id, kind, listing_id, amount, created_at)
         VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(user)
    .bind(kind.as_str())
    .bind(listing)
    .bind(amount)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Stores one notification for everyone who favorited `listing`.
pub async fn store_for_favoriters(
    conn: &mut SqliteConnection,
    listing: i64,
    kind: NoticeKind,
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO notifications (user_id, kind, listing_id, amount, created_at)
         SELECT f.user_id, ?, f.listing_id, NULL, ? FROM favorites f WHERE f.listing_id = ?
         RETURNING id",
    )
    .bind(kind.as_str())
    .bind(now)
    .bind(listing)
    .fetch_all(conn)
    .await
}

type Row = (
    i64,
    i64,
    String,
    Option<i64>,
    Option<String>,
    Option<i64>,
    i64,
    Option<i64>,
);

const SELECT: &str = "SELECT n.id, n.user_id, n.kind, n.listing_id, l.title, n.amount,
        n.created_at, n.read_at
   FROM notifications n LEFT JOIN listings l ON l.id = n.listing_id";

fn notification(row: Row, currency: Currency) -> Option<Notification> {
    let (id, _, kind, listing, title, amount, at, read_at) = row;
    Some(Notification {
        id,
        kind: NoticeKind::parse(&kind)?,
        listing,
        title: title.unwrap_or_default(),
        amount: amount.map(|a| Money::new(a, currency)),
        at,
        read: read_at.is_some(),
    })
}

/// Sends stored notifications `ids` to their users' open tabs, each with the
/// user's unread count. Someone offline finds them on their next visit.
pub async fn push(
    pool: &SqlitePool,
    hub: &Hub,
    currency: Currency,
    ids: &[i64],
) -> Result<(), sqlx::Error> {
    for &id in ids {
        let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE n.id = ?"))
            .bind(id)
            .fetch_optional(pool)
            .await?;
        let Some(row) = row else { continue };
        let user = row.1;
        let Some(notification) = notification(row, currency) else {
            continue;
        };
        let unread = unread(pool, user).await?;
        hub.send_to_user(
            user,
            ServerMsg::Notice {
                notification,
                unread,
            },
        );
    }
    Ok(())
}

pub async fn unread(pool: &SqlitePool, user: i64) -> Result<u32, sqlx::Error> {
    let count: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL",
    )
    .bind(user)
    .fetch_one(pool)
    .await?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

/// The newest notifications of `user`.
pub async fn list(
    pool: &SqlitePool,
    user: i64,
    currency: Currency,
) -> Result<Notifications, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE n.user_id = ? ORDER BY n.id DESC LIMIT ?"
    ))
    .bind(user)
    .bind(PAGE)
    .fetch_all(pool)
    .await?;
    Ok(Notifications {
        items: rows
            .into_iter()
            .filter_map(|row| notification(row, currency))
            .collect(),
        unread: unread(pool, user).await?,
    })
}

/// Marks every notification of `user` read.
pub async fn mark_read(pool: &SqlitePool, user: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL")
        .bind(now)
        .bind(user)
        .execute(pool)
        .await?;
    Ok(())
}
