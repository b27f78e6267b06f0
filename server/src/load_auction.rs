//! `haggle demo load-auction`: a live auction with a seller and signed-in,
//! verified bidders, written straight into the database, for `haggle-load`
//! (the load and crash tests). Never needed in production.
//!
//! Bidders get real sessions: a `logins` row and a tower-sessions record
//! holding its id, stored through the same session store the server reads,
//! so the printed cookie works like one a browser got by logging in. Logging
//! in over HTTP instead would run into the per-address log-in limits, which
//! rightly stop hundreds of log-ins from one address.

use app::backend::{account::logins, platform::clock::now_ms};
use serde::Serialize;
use sqlx::SqlitePool;
use std::collections::HashMap;
use tower_sessions::{
    SessionStore,
    cookie::time::{Duration, OffsetDateTime},
    session::{Id, Record},
};
use tower_sessions_sqlx_store::SqliteStore;

/// The session cookie's name (see `router::build`).
pub const SESSION_COOKIE: &str = "haggle_session";
/// What the session holds: the login id (see `app::backend::web::session`).
const LOGIN_ID: &str = "login_id";
/// As long as the router keeps an idle session.
const SESSION_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub bidders: usize,
    /// From now until the auction ends.
    pub duration_ms: i64,
    pub start_price: i64,
}

/// The auction, printed as the first JSON line.
#[derive(Debug, Clone, Serialize)]
pub struct Created {
    pub listing: i64,
    pub seller: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub start_price: i64,
    pub bidders: Vec<Bidder>,
}

/// A bidder, printed as one JSON line each.
#[derive(Debug, Clone, Serialize)]
pub struct Bidder {
    pub bidder: i64,
    pub username: String,
    /// `haggle_session=…`, ready for a `Cookie` header.
    pub cookie: String,
}

/// Creates a seller, `spec.bidders` verified bidders with sessions, and one
/// approved auction that is live from now for `spec.duration_ms`.
pub async fn create(pool: &SqlitePool, spec: Spec) -> Result<Created, Box<dyn std::error::Error>> {
    if spec.duration_ms <= 0 || spec.start_price <= 0 {
        return Err("the auction needs a positive duration and start price".into());
    }
    let now = now_ms();
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    // Names carry the next user id, so several runs on one database never clash.
    let tag: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM users")
        .fetch_one(&mut *tx)
        .await?;
    let mut users = Vec::with_capacity(spec.bidders + 1);
    for i in 0..=spec.bidders {
        let (username, nickname) = if i == 0 {
            (format!("load{tag}-seller"), format!("Load {tag} seller"))
        } else {
            (format!("load{tag}-b{i}"), format!("Load {tag} bidder {i}"))
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, nickname, email, email_verified_at, created_at)
             VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&username)
        .bind(&nickname)
        .bind(format!("{username}@load.haggle.test"))
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        users.push((id, username));
    }
    let seller = users[0].0;
    let category: i64 = sqlx::query_scalar("SELECT id FROM categories ORDER BY id LIMIT 1")
        .fetch_one(&mut *tx)
        .await?;
    let listing: i64 = sqlx::query_scalar(
        "INSERT INTO listings (seller_id, category_id, title, description, price, condition,
                               sale_mode, status, created_at, updated_at)
         VALUES (?, ?, ?, 'Created by haggle demo load-auction.', ?, 'new', 'auction',
                 'approved', ?, ?) RETURNING id",
    )
    .bind(seller)
    .bind(category)
    .bind(format!("Load-test auction {tag}"))
    .bind(spec.start_price)
    .bind(now)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    // Live already (seq 1, as if the scheduler had started it): a running
    // server's scheduler would otherwise only notice it on its next pass.
    let starts_at = now - 1_000;
    let ends_at = now + spec.duration_ms;
    sqlx::query(
        "INSERT INTO auctions (listing_id, starts_at, ends_at, start_price, price, phase, seq)
         VALUES (?, ?, ?, ?, ?, 'live', 1)",
    )
    .bind(listing)
    .bind(starts_at)
    .bind(ends_at)
    .bind(spec.start_price)
    .bind(spec.start_price)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;

    let store = SqliteStore::new(pool.clone());
    let mut bidders = Vec::with_capacity(spec.bidders);
    for (id, username) in users.into_iter().skip(1) {
        bidders.push(Bidder {
            bidder: id,
            username,
            cookie: session_cookie(pool, &store, id, now).await?,
        });
    }
    Ok(Created {
        listing,
        seller,
        starts_at,
        ends_at,
        start_price: spec.start_price,
        bidders,
    })
}

/// Logs `user` in as a browser would be: a `logins` row and a session
/// holding it. Returns the `Cookie` header value.
pub async fn session_cookie(
    pool: &SqlitePool,
    store: &SqliteStore,
    user: i64,
    now: i64,
) -> Result<String, Box<dyn std::error::Error>> {
    let login = logins::start(pool, user, "haggle-load", "127.0.0.1", now).await?;
    let mut record = Record {
        id: Id::default(),
        data: HashMap::from([(LOGIN_ID.to_owned(), serde_json::Value::String(login))]),
        expiry_date: OffsetDateTime::now_utc() + Duration::days(SESSION_DAYS),
    };
    store.create(&mut record).await?;
    Ok(format!("{SESSION_COOKIE}={}", record.id))
}

/// Each pair's seller, buyer and the seller's listing, for the load runs
/// built on pairs of members (`load-deals`, `load-chat`).
pub(crate) struct PairRow {
    pub(crate) listing: i64,
    pub(crate) seller: i64,
    pub(crate) buyer: i64,
}

/// The listing each pair's seller has: its price, stock and status.
pub(crate) struct PairListing {
    pub(crate) price: i64,
    pub(crate) stock: i64,
    pub(crate) status: &'static str,
}

/// Creates `count` sellers and buyers with verified addresses, named
/// `{what}{tag}-s{i}` and `-b{i}` where `tag` is the next user id (so
/// several runs on one database never clash), and one `listing` for each
/// seller.
pub(crate) async fn pairs(
    tx: &mut sqlx::SqliteConnection,
    what: &str,
    count: usize,
    listing: PairListing,
    now: i64,
) -> Result<Vec<PairRow>, sqlx::Error> {
    let tag: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM users")
        .fetch_one(&mut *tx)
        .await?;
    let category: i64 = sqlx::query_scalar("SELECT id FROM categories ORDER BY id LIMIT 1")
        .fetch_one(&mut *tx)
        .await?;
    let mut made = Vec::with_capacity(count);
    for i in 0..count {
        let mut people = [0i64; 2];
        for (slot, role) in people.iter_mut().zip(["s", "b"]) {
            let username = format!("{what}{tag}-{role}{i}");
            *slot = sqlx::query_scalar(
                "INSERT INTO users (username, nickname, email, email_verified_at, created_at)
                 VALUES (?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(&username)
            .bind(&username)
            .bind(format!("{username}@load.haggle.test"))
            .bind(now)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        }
        let [seller, buyer] = people;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO listings (seller_id, category_id, title, description, price, stock,
                                   condition, sale_mode, status, meetup_place, created_at,
                                   updated_at)
             VALUES (?, ?, ?, 'Created by haggle demo for a load test.', ?, ?, 'good', 'fixed',
                     ?, 'Taipei Main Station', ?, ?) RETURNING id",
        )
        .bind(seller)
        .bind(category)
        .bind(format!("Load-test {what} {tag}-{i}"))
        .bind(listing.price)
        .bind(listing.stock)
        .bind(listing.status)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        made.push(PairRow {
            listing: id,
            seller,
            buyer,
        });
    }
    Ok(made)
}

/// Session cookies for a pair's buyer and seller, in that order.
pub(crate) async fn pair_cookies(
    pool: &SqlitePool,
    buyer: i64,
    seller: i64,
    now: i64,
) -> Result<(String, String), Box<dyn std::error::Error>> {
    let store = SqliteStore::new(pool.clone());
    Ok((
        session_cookie(pool, &store, buyer, now).await?,
        session_cookie(pool, &store, seller, now).await?,
    ))
}

/// The JSON lines `haggle demo load-auction` prints: the auction, then one
/// line per bidder.
pub fn json_lines(created: &Created) -> Vec<String> {
    let auction = serde_json::json!({
        "listing": created.listing,
        "seller": created.seller,
        "starts_at": created.starts_at,
        "ends_at": created.ends_at,
        "start_price": created.start_price,
        "bidders": created.bidders.len(),
    });
    std::iter::once(auction.to_string())
        .chain(
            created
                .bidders
                .iter()
                .map(|b| serde_json::to_string(b).unwrap_or_default()),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::backend::platform::db;

    #[tokio::test]
    async fn bidders_get_sessions_the_server_resolves_to_them() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let pool = db::connect(&url).await.unwrap();
        db::migrate(&pool).await.unwrap();
        let spec = Spec {
            bidders: 3,
            duration_ms: 60_000,
            start_price: 100,
        };
        let first = create(&pool, spec).await.unwrap();
        let second = create(&pool, spec).await.unwrap();
        assert_ne!(first.listing, second.listing, "runs never clash");
        assert_eq!(first.bidders.len(), 3);

        let store = SqliteStore::new(pool.clone());
        for bidder in &first.bidders {
            let id: Id = bidder
                .cookie
                .strip_prefix("haggle_session=")
                .unwrap()
                .parse()
                .unwrap();
            let record = store.load(&id).await.unwrap().expect("a stored session");
            let login = record.data[LOGIN_ID].as_str().unwrap();
            assert_eq!(
                logins::resolve(&pool, login, now_ms()).await.unwrap(),
                Some(bidder.bidder)
            );
        }
        let (phase, price, verified): (String, i64, i64) = sqlx::query_as(
            "SELECT a.phase, a.price, (SELECT count(*) FROM users
                WHERE email_verified_at IS NOT NULL AND username LIKE 'load%')
               FROM auctions a WHERE a.listing_id = ?",
        )
        .bind(first.listing)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!((phase.as_str(), price, verified), ("live", 100, 8));

        let lines = json_lines(&first);
        assert_eq!(lines.len(), 4);
        let head: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(head["listing"], first.listing);
        assert!(lines[1].contains("haggle_session="));
        assert!(
            create(
                &pool,
                Spec {
                    bidders: 0,
                    duration_ms: 0,
                    start_price: 1
                }
            )
            .await
            .is_err()
        );
    }
}
