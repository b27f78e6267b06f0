//! The auction area's SQL: auctions, their bids, room chat and the centers'
//! auction lists. Each function is one statement; the use cases decide what
//! to run, and open and commit the transactions these run in.

use crate::backend::catalog::{CARD_COLUMNS, CardRow};
use crate::domain::{
    auction::{Book, Outcome},
    id::{ListingId, UserId},
};
use sqlx::SqliteExecutor;

/// One auction with its listing, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct AuctionRow {
    pub(super) listing_id: i64,
    pub(super) seller_id: i64,
    pub(super) title: String,
    pub(super) status: String,
    pub(super) phase: String,
    pub(super) outcome: Option<String>,
    pub(super) starts_at: i64,
    pub(super) ends_at: i64,
    pub(super) start_price: i64,
    pub(super) reserve: Option<i64>,
    pub(super) buy_now: Option<i64>,
    pub(super) price: i64,
    pub(super) leader_id: Option<i64>,
    pub(super) leader_max: Option<i64>,
    pub(super) second_max: Option<i64>,
    pub(super) bids: i64,
    pub(super) seq: i64,
    pub(super) leader_name: Option<String>,
    pub(super) leader_status: Option<String>,
    pub(super) leader_suspended_until: Option<i64>,
}

const AUCTION_ROW: &str = "SELECT a.listing_id, l.seller_id, l.title, l.status, a.phase, a.outcome,
        a.starts_at, a.ends_at, a.start_price, a.reserve, a.buy_now, a.price,
        a.leader_id, a.leader_max, a.second_max, a.bids, a.seq,
        u.nickname AS leader_name, u.status AS leader_status,
        u.suspended_until AS leader_suspended_until
   FROM auctions a JOIN listings l ON l.id = a.listing_id
   LEFT JOIN users u ON u.id = a.leader_id
  WHERE a.listing_id = ?";

pub(super) async fn load_auction(
    conn: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<Option<AuctionRow>, sqlx::Error> {
    sqlx::query_as(AUCTION_ROW)
        .bind(listing)
        .fetch_optional(conn)
        .await
}

/// A member as a bid needs them.
#[derive(sqlx::FromRow)]
pub(super) struct BidderRow {
    pub(super) status: String,
    pub(super) suspended_until: Option<i64>,
    pub(super) email_verified_at: Option<i64>,
    pub(super) nickname: String,
}

pub(super) async fn load_bidder(
    conn: impl SqliteExecutor<'_>,
    user: UserId,
) -> Result<Option<BidderRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT status, suspended_until, email_verified_at, nickname FROM users WHERE id = ?",
    )
    .bind(user)
    .fetch_optional(conn)
    .await
}

/// Stores the book after an accepted bid, if the auction is still live at
/// `seq`. Returns whether it was.
pub(super) async fn advance_book(
    conn: impl SqliteExecutor<'_>,
    listing: ListingId,
    seq: i64,
    book: &Book,
    ends_at: i64,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE auctions SET price = ?, leader_id = ?, leader_max = ?, second_max = ?,
                    bids = ?, ends_at = ?, seq = seq + 1
              WHERE listing_id = ? AND seq = ? AND phase = 'live'",
    )
    .bind(book.price)
    .bind(book.leader.map(|lead| lead.bidder))
    .bind(book.leader.map(|lead| lead.max))
    .bind(book.second_max)
    .bind(i64::from(book.bids))
    .bind(ends_at)
    .bind(listing)
    .bind(seq)
    .execute(conn)
    .await?;
    Ok(changed.rows_affected() > 0)
}

/// Returns the new bid's id.
pub(super) async fn insert_bid(
    conn: impl SqliteExecutor<'_>,
    listing: ListingId,
    bidder: UserId,
    amount: i64,
    price: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO bids (listing_id, bidder_id, amount, price, created_at)
             VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(listing)
    .bind(bidder)
    .bind(amount)
    .bind(price)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Ends the auction sold to `buyer` at `price`, if it is still live at
/// `seq`. Returns whether it was.
pub(super) async fn end_bought(
    conn: impl SqliteExecutor<'_>,
    listing: ListingId,
    seq: i64,
    buyer: UserId,
    price: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE auctions SET phase = 'ended', outcome = 'sold', price = ?, leader_id = ?,
                    leader_max = ?, bids = bids + 1, ends_at = ?, seq = seq + 1
              WHERE listing_id = ? AND seq = ? AND phase = 'live'",
    )
    .bind(price)
    .bind(buyer)
    .bind(price)
    .bind(now)
    .bind(listing)
    .bind(seq)
    .execute(conn)
    .await?;
    Ok(changed.rows_affected() > 0)
}

/// Returns the new bid's id.
pub(super) async fn insert_buy_now_bid(
    conn: impl SqliteExecutor<'_>,
    listing: ListingId,
    buyer: UserId,
    price: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO bids (listing_id, bidder_id, amount, price, buy_now, created_at)
             VALUES (?, ?, ?, ?, 1, ?) RETURNING id",
    )
    .bind(listing)
    .bind(buyer)
    .bind(price)
    .bind(price)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Ends the auction with `outcome`, if it is still live at `seq`; `early`
/// moves its end to `now`. Returns whether it was.
pub(super) async fn end_auction(
    conn: impl SqliteExecutor<'_>,
    listing: ListingId,
    seq: i64,
    outcome: Outcome,
    early: bool,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE auctions SET phase = 'ended', outcome = ?, seq = seq + 1,
                    ends_at = CASE WHEN ? THEN ? ELSE ends_at END
              WHERE listing_id = ? AND seq = ? AND phase = 'live'",
    )
    .bind(outcome.as_str())
    .bind(early)
    .bind(now)
    .bind(listing)
    .bind(seq)
    .execute(conn)
    .await?;
    Ok(changed.rows_affected() > 0)
}

/// Cancels the auction if nobody has bid and it is not over. Returns whether
/// it did.
pub(super) async fn cancel_unbid(
    conn: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE auctions SET phase = 'cancelled', seq = seq + 1
              WHERE listing_id = ? AND bids = 0 AND phase IN ('scheduled', 'live')",
    )
    .bind(listing)
    .execute(conn)
    .await?;
    Ok(changed.rows_affected() > 0)
}

/// Approved scheduled auctions whose start has come, earliest first.
pub(super) async fn due_to_start(
    conn: impl SqliteExecutor<'_>,
    now: i64,
) -> Result<Vec<ListingId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT a.listing_id FROM auctions a JOIN listings l ON l.id = a.listing_id
              WHERE a.phase = 'scheduled' AND a.starts_at <= ? AND l.status = 'approved'
              ORDER BY a.starts_at",
    )
    .bind(now)
    .fetch_all(conn)
    .await
}

/// Makes the auction live if it is scheduled and its start has come. Returns
/// whether it did.
pub(super) async fn start_auction(
    conn: impl SqliteExecutor<'_>,
    listing: ListingId,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE auctions SET phase = 'live', seq = seq + 1
              WHERE listing_id = ? AND phase = 'scheduled' AND starts_at <= ?",
    )
    .bind(listing)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(changed.rows_affected() > 0)
}

/// Live auctions whose end has passed, earliest first.
pub(super) async fn due_to_end(
    conn: impl SqliteExecutor<'_>,
    now: i64,
) -> Result<Vec<ListingId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT listing_id FROM auctions WHERE phase = 'live' AND ends_at <= ? ORDER BY ends_at",
    )
    .bind(now)
    .fetch_all(conn)
    .await
}

/// The earliest start of an approved scheduled auction or end of a live one.
pub(super) async fn next_due(conn: impl SqliteExecutor<'_>) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT min(t) FROM (
                SELECT min(a.starts_at) AS t FROM auctions a JOIN listings l ON l.id = a.listing_id
                 WHERE a.phase = 'scheduled' AND l.status = 'approved'
                UNION ALL
                SELECT min(ends_at) FROM auctions WHERE phase = 'live')",
    )
    .fetch_one(conn)
    .await
}

/// A stored bid with its bidder: id, bidder, nickname, status,
/// suspended until, price, time, bought outright.
pub(super) type BidRow = (i64, i64, String, String, Option<i64>, i64, i64, bool);

/// The latest `limit` bids of `listing`, oldest first.
pub(super) async fn latest_bids(
    conn: impl SqliteExecutor<'_>,
    listing: ListingId,
    limit: i64,
) -> Result<Vec<BidRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT * FROM (
                SELECT b.id, b.bidder_id, u.nickname, u.status, u.suspended_until, b.price,
                       b.created_at, b.buy_now
                  FROM bids b JOIN users u ON u.id = b.bidder_id
                 WHERE b.listing_id = ? ORDER BY b.id DESC LIMIT ?)
             ORDER BY id",
    )
    .bind(listing)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// A seller as a room shows them: nickname, status, suspended until, and
/// the thumbnail of the listing's first image.
pub(super) type SellerRow = (String, String, Option<i64>, Option<String>);

pub(super) async fn load_seller(
    conn: impl SqliteExecutor<'_>,
    listing: ListingId,
    seller: UserId,
) -> Result<SellerRow, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.nickname, u.status, u.suspended_until,
                    (SELECT i.thumb_name FROM images i WHERE i.listing_id = ?
                      ORDER BY i.position LIMIT 1)
               FROM users u WHERE u.id = ?",
    )
    .bind(listing)
    .bind(seller)
    .fetch_one(conn)
    .await
}

/// The highest maximum `bidder` bid on `listing`, if any.
pub(super) async fn max_bid_of(
    conn: impl SqliteExecutor<'_>,
    listing: ListingId,
    bidder: UserId,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT max(amount) FROM bids WHERE listing_id = ? AND bidder_id = ?")
        .bind(listing)
        .bind(bidder)
        .fetch_one(conn)
        .await
}

/// The public id of `buyer`'s order of `listing`, if any.
pub(super) async fn order_of(
    conn: impl SqliteExecutor<'_>,
    listing: ListingId,
    buyer: UserId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT public_id FROM orders WHERE listing_id = ? AND buyer_id = ?")
        .bind(listing)
        .bind(buyer)
        .fetch_optional(conn)
        .await
}

pub(super) async fn mark_listing_sold(
    conn: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE listings SET status = 'sold' WHERE id = ?")
        .bind(listing)
        .execute(conn)
        .await?;
    Ok(())
}

/// A stored chat line with its author: id, author, nickname, status,
/// suspended until, text, time.
pub(super) type LineRow = (i64, i64, String, String, Option<i64>, String, i64);

/// The latest `limit` chat lines of `listing`'s room, oldest first.
pub(super) async fn latest_lines(
    conn: impl SqliteExecutor<'_>,
    listing: ListingId,
    limit: i64,
) -> Result<Vec<LineRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT * FROM (
            SELECT m.id, m.author_id, u.nickname, u.status, u.suspended_until, m.body,
                   m.created_at
              FROM auction_messages m JOIN users u ON u.id = m.author_id
             WHERE m.listing_id = ? ORDER BY m.id DESC LIMIT ?)
         ORDER BY id",
    )
    .bind(listing)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// A chat author: nickname, status, suspended until, e-mail verified at.
pub(super) type AuthorRow = (String, String, Option<i64>, Option<i64>);

pub(super) async fn load_author(
    conn: impl SqliteExecutor<'_>,
    author: UserId,
) -> Result<Option<AuthorRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT nickname, status, suspended_until, email_verified_at FROM users WHERE id = ?",
    )
    .bind(author)
    .fetch_optional(conn)
    .await
}

/// `author`'s room lines since `since` (every room), newest first, at most
/// `limit`: (listing, body, said at).
pub(super) async fn lines_since(
    conn: impl SqliteExecutor<'_>,
    author: UserId,
    since: i64,
    limit: i64,
) -> Result<Vec<(i64, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT listing_id, body, created_at FROM auction_messages
          WHERE author_id = ? AND created_at >= ?
          ORDER BY created_at DESC, id DESC LIMIT ?",
    )
    .bind(author)
    .bind(since)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Stores a chat line if `listing` is an auction of a public listing.
/// Returns the line's id, or `None` if it is not.
pub(super) async fn insert_line(
    conn: impl SqliteExecutor<'_>,
    listing: ListingId,
    author: UserId,
    body: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO auction_messages (listing_id, author_id, body, created_at)
         SELECT a.listing_id, ?, ?, ? FROM auctions a JOIN listings l ON l.id = a.listing_id
          WHERE a.listing_id = ? AND l.status IN ('approved', 'sold')
         RETURNING id",
    )
    .bind(author)
    .bind(body)
    .bind(now)
    .bind(listing)
    .fetch_optional(conn)
    .await
}

/// An auction in a center's list, with `user`'s max bid and the order.
#[derive(sqlx::FromRow)]
pub(super) struct MyAuctionRow {
    #[sqlx(flatten)]
    pub(super) card: CardRow,
    pub(super) phase: String,
    pub(super) outcome: Option<String>,
    pub(super) bids: i64,
    pub(super) leader_id: Option<i64>,
    pub(super) my_max: Option<i64>,
    pub(super) order_id: Option<String>,
    pub(super) order_amount: Option<i64>,
    pub(super) order_state: Option<String>,
    pub(super) pay_by: Option<i64>,
}

/// Auctions and orders, for `user`: the max they bid and their order.
fn my_auctions_sql(condition: &str) -> String {
    format!(
        "{CARD_COLUMNS}, a.phase, a.outcome, a.bids, a.leader_id,
            (SELECT max(b.amount) FROM bids b WHERE b.listing_id = l.id AND b.bidder_id = ?1)
                AS my_max,
            o.public_id AS order_id, o.amount AS order_amount, o.state AS order_state, o.pay_by
           FROM listings l JOIN auctions a ON a.listing_id = l.id
           LEFT JOIN orders o ON o.listing_id = l.id
          WHERE {condition}
          ORDER BY a.phase = 'ended', a.ends_at DESC, l.id DESC
          LIMIT 200"
    )
}

/// Every auction `bidder` bid in, running ones first.
pub(super) async fn auctions_bid_in(
    conn: impl SqliteExecutor<'_>,
    bidder: UserId,
) -> Result<Vec<MyAuctionRow>, sqlx::Error> {
    sqlx::query_as(&my_auctions_sql(
        "l.id IN (SELECT DISTINCT listing_id FROM bids WHERE bidder_id = ?1)",
    ))
    .bind(bidder)
    .fetch_all(conn)
    .await
}

/// Every auction `seller` runs or ran, running ones first.
pub(super) async fn auctions_of_seller(
    conn: impl SqliteExecutor<'_>,
    seller: UserId,
) -> Result<Vec<MyAuctionRow>, sqlx::Error> {
    sqlx::query_as(&my_auctions_sql("l.seller_id = ?1"))
        .bind(seller)
        .fetch_all(conn)
        .await
}

/// Whether anyone has bid on the auction of `listing` (false for no auction).
pub(super) async fn has_bids(
    ex: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM auctions WHERE listing_id = ? AND bids > 0)")
        .bind(listing)
        .fetch_one(ex)
        .await
}

/// The highest bidder on `listing` other than `winner`, with their highest
/// bid (not counting buy-it-now); the earlier bid first on a tie.
pub(super) async fn runner_up(
    conn: impl SqliteExecutor<'_>,
    listing: ListingId,
    winner: UserId,
) -> Result<Option<(UserId, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT bidder_id, MAX(amount) AS top FROM bids
          WHERE listing_id = ? AND bidder_id <> ? AND buy_now = 0
          GROUP BY bidder_id ORDER BY top DESC, MIN(id) LIMIT 1",
    )
    .bind(listing)
    .bind(winner)
    .fetch_optional(conn)
    .await
}
