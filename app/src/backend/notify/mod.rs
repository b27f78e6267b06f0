//! Notifications: stored inside the transaction that causes them, pushed to
//! the user's open tabs after it commits, listed on the notifications page.

// The SQL. (A module, not to be confused with the function [`store`] that
// other areas call: Rust keeps modules and functions apart.)
mod store;

use crate::backend::live::hub::Hub;
use crate::{
    domain::{
        id::{ListingId, NoticeId, OfferId, OrderId, UserId},
        money::{Currency, Money},
    },
    model::{NoticeKind, Notification, Notifications},
    protocol::{NoticeEvent, ServerMsg},
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
    store::insert_notice(conn, UserId(user), kind, ListingId(listing), amount, now)
        .await
        .map(NoticeId::get)
}

/// What an order or offer notification links to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealLink {
    /// The order's negotiation room.
    Order(OrderId),
    /// The offer's page.
    Offer(OfferId),
}

impl DealLink {
    /// The notification's `order_id` and `offer_id` columns.
    fn columns(self) -> (Option<OrderId>, Option<OfferId>) {
        match self {
            DealLink::Order(order) => (Some(order), None),
            DealLink::Offer(offer) => (None, Some(offer)),
        }
    }
}

/// Stores a notification about an order or offer for `user`, linking to it;
/// returns its id, to [`push`] after commit.
pub async fn store_deal(
    conn: &mut SqliteConnection,
    user: UserId,
    kind: NoticeKind,
    listing: ListingId,
    amount: Option<i64>,
    link: DealLink,
    now: i64,
) -> Result<NoticeId, sqlx::Error> {
    store::insert_deal_notice(conn, user, kind, listing, amount, link, now).await
}

/// [`store_deal`] unless `user` has an unread notice of the same kind about
/// the same order or offer, which is brought up to date instead: a
/// negotiation's many small changes leave one unread notice (and one toast),
/// not a bell full of them. `None` when nothing new is to be pushed.
pub async fn store_deal_once(
    conn: &mut SqliteConnection,
    user: UserId,
    kind: NoticeKind,
    listing: ListingId,
    amount: Option<i64>,
    link: DealLink,
    now: i64,
) -> Result<Option<NoticeId>, sqlx::Error> {
    if store::refresh_unread_deal_notice(&mut *conn, user, kind, link, amount, now).await? {
        return Ok(None);
    }
    store::insert_deal_notice(conn, user, kind, listing, amount, link, now)
        .await
        .map(Some)
}

/// Stores a notification about `user`'s wallet (`amount` in minor units);
/// returns its id, to [`push`] after commit.
pub async fn store_wallet(
    conn: &mut SqliteConnection,
    user: UserId,
    kind: NoticeKind,
    amount: i64,
    now: i64,
) -> Result<NoticeId, sqlx::Error> {
    store::insert_wallet_notice(conn, user, kind, amount, now).await
}

/// Stores one notification for everyone who favorited `listing`.
pub async fn store_for_favoriters(
    conn: &mut SqliteConnection,
    listing: i64,
    kind: NoticeKind,
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let ids = store::insert_notices_for_favoriters(conn, ListingId(listing), kind, now).await?;
    Ok(ids.into_iter().map(NoticeId::get).collect())
}

fn notification(row: store::Row, currency: Currency) -> Option<Notification> {
    let (id, _, kind, listing, title, amount, at, read_at, order, offer) = row;
    let kind = NoticeKind::parse(&kind)?;
    let link = match (order, offer) {
        (Some(order), _) => Some(format!("/o/{order}")),
        (None, Some(offer)) => Some(format!("/offers/{offer}")),
        (None, None) if kind.is_wallet() => Some("/wallet".to_owned()),
        (None, None) => None,
    };
    Some(Notification {
        id,
        kind,
        listing,
        link,
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
        let Some(row) = store::load_notice(pool, NoticeId(id)).await? else {
            continue;
        };
        let user = row.1;
        let Some(notification) = notification(row, currency) else {
            continue;
        };
        let unread = unread(pool, user).await?;
        hub.send_to_user(
            user,
            ServerMsg::Notify(NoticeEvent::Notice {
                notification,
                unread,
            }),
        );
    }
    Ok(())
}

pub async fn unread(pool: &SqlitePool, user: i64) -> Result<u32, sqlx::Error> {
    let count = store::count_unread(pool, UserId(user)).await?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

/// The newest notifications of `user`.
pub async fn list(
    pool: &SqlitePool,
    user: i64,
    currency: Currency,
) -> Result<Notifications, sqlx::Error> {
    let rows = store::list_notices(pool, UserId(user), PAGE).await?;
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
    store::mark_all_read(pool, UserId(user), now).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{catalog::favorites, testing::*};

    #[tokio::test]
    async fn stored_notices_are_pushed_listed_and_read() {
        let (pool, _dir) = temp_db().await;
        let seller = user(&pool, "seller").await;
        let (ann, bob) = (user(&pool, "ann").await, user(&pool, "bob").await);
        let id = listed(&pool, seller, &auction("Lamp", NOW + HOUR, DAY), NOW).await;
        favorites::set(&pool, ann, id, true, NOW).await.unwrap();
        favorites::set(&pool, bob, id, true, NOW).await.unwrap();
        let hub = Hub::default();
        let mut ann_tab = hub.connect(Some(ann));
        let mut bob_tab = hub.connect(Some(bob));

        let mut conn = pool.acquire().await.unwrap();
        let outbid = store(&mut conn, ann, NoticeKind::Outbid, id, Some(250), NOW)
            .await
            .unwrap();
        let started = store_for_favoriters(&mut conn, id, NoticeKind::AuctionStarted, NOW + 1)
            .await
            .unwrap();
        drop(conn);
        assert_eq!(started.len(), 2);
        // Nothing reaches a tab before `push` (that is, before commit).
        assert!(ann_tab.try_recv().is_none());

        let mut ids = vec![outbid];
        ids.extend(&started);
        ids.push(9_999); // gone meanwhile: skipped
        push(&pool, &hub, Currency::Twd, &ids).await.unwrap();
        let ann_got: Vec<(NoticeKind, Option<Money>, u32)> =
            std::iter::from_fn(|| ann_tab.try_recv())
                .map(|f| match f.msg() {
                    ServerMsg::Notify(NoticeEvent::Notice {
                        notification,
                        unread,
                    }) => (notification.kind, notification.amount, unread),
                    other => panic!("{other:?}"),
                })
                .collect();
        assert_eq!(
            ann_got,
            vec![
                (NoticeKind::Outbid, Some(Money::new(250, Currency::Twd)), 2),
                (NoticeKind::AuctionStarted, None, 2)
            ]
        );
        assert_eq!(std::iter::from_fn(|| bob_tab.try_recv()).count(), 1);

        let list = list(&pool, ann, Currency::Twd).await.unwrap();
        assert_eq!(list.unread, 2);
        let kinds: Vec<NoticeKind> = list.items.iter().map(|n| n.kind).collect();
        assert_eq!(
            kinds,
            vec![NoticeKind::AuctionStarted, NoticeKind::Outbid],
            "newest first"
        );
        assert!(
            list.items
                .iter()
                .all(|n| n.title == "Lamp" && !n.read && n.listing == Some(id))
        );

        mark_read(&pool, ann, NOW + 2).await.unwrap();
        assert_eq!(unread(&pool, ann).await.unwrap(), 0);
        assert!(list_all_read(&pool, ann).await);
        assert_eq!(
            unread(&pool, bob).await.unwrap(),
            1,
            "only the caller's are read"
        );
    }

    async fn list_all_read(pool: &SqlitePool, user: i64) -> bool {
        list(pool, user, Currency::Twd)
            .await
            .unwrap()
            .items
            .iter()
            .all(|n| n.read)
    }

    #[tokio::test]
    async fn the_page_holds_the_newest_fifty() {
        let (pool, _dir) = temp_db().await;
        let seller = user(&pool, "seller").await;
        let ann = user(&pool, "ann").await;
        let id = listed(&pool, seller, &auction("Lamp", NOW + HOUR, DAY), NOW).await;
        let mut conn = pool.acquire().await.unwrap();
        for i in 0..PAGE + 5 {
            store(
                &mut conn,
                ann,
                NoticeKind::Outbid,
                id,
                Some(100 + i),
                NOW + i,
            )
            .await
            .unwrap();
        }
        drop(conn);
        let list = list(&pool, ann, Currency::Twd).await.unwrap();
        assert_eq!(list.items.len(), PAGE as usize);
        assert_eq!(list.unread, (PAGE + 5) as u32);
        assert_eq!(
            list.items[0].amount,
            Some(Money::new(100 + PAGE + 4, Currency::Twd))
        );
    }
}
