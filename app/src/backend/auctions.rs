//! Live auctions: bids, buy-it-now, the seller ending early or cancelling,
//! starting and ending on schedule, and each room's state.
//!
//! Every change is one `BEGIN IMMEDIATE` transaction with a conditional
//! update, and what watchers are sent is published only after it commits.
//! Changes to one auction take turns (a mutex per auction, striped), so the
//! updates leave in the order they were committed and carry consecutive
//! sequence numbers.

use super::{
    hub::{ConnId, Hub},
    media, notifications, orders,
    search_cache::SearchCache,
};
use crate::{
    domain::{
        account::Standing,
        auction::{
            self, Auction, BidRefusal, Bidder, Book, Lead, Outcome, Phase, Terms, buy_now_price,
            minimum_bid, reserve_met,
        },
        increment::IncrementTable,
        money::{Currency, Money},
    },
    error::AppError,
    model::{AuctionLive, AuctionRoom, BidAck, BidLine, NoticeKind, Participant},
    protocol::{ServerMsg, Topic},
};
use sqlx::{SqliteConnection, SqlitePool};
use std::sync::Arc;
use tokio::sync::{Mutex, MutexGuard, Notify};

const IMMEDIATE: &str = "BEGIN IMMEDIATE";
/// Turns are striped over this many mutexes: two auctions rarely share one,
/// and memory stays fixed however many auctions there are.
const TURNS: usize = 64;
/// Bids and chat lines a room shows on entry.
pub const HISTORY: i64 = 50;

/// The bidding rules a deployment runs with.
#[derive(Debug, Clone)]
pub struct Rules {
    pub currency: Currency,
    pub increments: IncrementTable,
    pub soft_close_ms: i64,
}

#[derive(Clone)]
pub struct AuctionHouse {
    db: SqlitePool,
    hub: Hub,
    search: SearchCache,
    rules: Arc<Rules>,
    turns: Arc<Vec<Mutex<()>>>,
    /// Wakes the scheduler when an auction's next due time may have moved.
    wake: Arc<Notify>,
}

/// One auction with its listing, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    listing_id: i64,
    seller_id: i64,
    title: String,
    status: String,
    phase: String,
    outcome: Option<String>,
    starts_at: i64,
    ends_at: i64,
    start_price: i64,
    reserve: Option<i64>,
    buy_now: Option<i64>,
    price: i64,
    leader_id: Option<i64>,
    leader_max: Option<i64>,
    second_max: Option<i64>,
    bids: i64,
    seq: i64,
    leader_name: Option<String>,
    leader_status: Option<String>,
    leader_suspended_until: Option<i64>,
}

const ROW: &str = "SELECT a.listing_id, l.seller_id, l.title, l.status, a.phase, a.outcome,
        a.starts_at, a.ends_at, a.start_price, a.reserve, a.buy_now, a.price,
        a.leader_id, a.leader_max, a.second_max, a.bids, a.seq,
        u.nickname AS leader_name, u.status AS leader_status,
        u.suspended_until AS leader_suspended_until
   FROM auctions a JOIN listings l ON l.id = a.listing_id
   LEFT JOIN users u ON u.id = a.leader_id
  WHERE a.listing_id = ?";

impl Row {
    fn phase(&self) -> Phase {
        // The column's CHECK constraint admits only known phases.
        Phase::parse(&self.phase).unwrap_or(Phase::Cancelled)
    }

    fn terms(&self) -> Terms {
        Terms {
            start_price: self.start_price,
            reserve: self.reserve,
            buy_now: self.buy_now,
        }
    }

    fn book(&self) -> Book {
        Book {
            leader: self
                .leader_id
                .zip(self.leader_max)
                .map(|(bidder, max)| Lead { bidder, max }),
            second_max: self.second_max,
            price: self.price,
            bids: u32::try_from(self.bids).unwrap_or(u32::MAX),
        }
    }

    /// The rules' view. A listing taken down while live takes bids no more.
    fn auction(&self) -> Auction {
        let phase = match self.phase() {
            Phase::Live if self.status != "approved" => Phase::Cancelled,
            phase => phase,
        };
        Auction {
            seller: self.seller_id,
            phase,
            ends_at: self.ends_at,
            terms: self.terms(),
            book: self.book(),
        }
    }
}

/// A nickname as a room shows it: masked while the account is restricted.
pub fn shown_name(nickname: &str, status: &str, suspended_until: Option<i64>, now: i64) -> String {
    if Standing::from_status(status, suspended_until, now).may_trade() {
        return nickname.to_owned();
    }
    let mut chars = nickname.chars();
    match (chars.next(), chars.next_back()) {
        (Some(first), Some(last)) => format!("{first}***{last}"),
        (Some(first), None) => format!("{first}***"),
        _ => "***".to_owned(),
    }
}

async fn load(conn: &mut SqliteConnection, listing: i64) -> Result<Option<Row>, sqlx::Error> {
    sqlx::query_as(ROW).bind(listing).fetch_optional(conn).await
}

/// The bidder's standing for the rules; unverified addresses may not bid.
async fn bidder(conn: &mut SqliteConnection, id: i64, now: i64) -> Result<Bidder, AppError> {
    let row: Option<(String, Option<i64>, Option<i64>)> =
        sqlx::query_as("SELECT status, suspended_until, email_verified_at FROM users WHERE id = ?")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    let (status, suspended_until, verified) = row.ok_or(AppError::Unauthenticated)?;
    let restricted = !Standing::from_status(&status, suspended_until, now).may_trade();
    if !restricted && verified.is_none() {
        return Err(AppError::Bid(BidRefusal::VerifyEmail));
    }
    Ok(Bidder { id, restricted })
}

impl AuctionHouse {
    pub fn new(db: SqlitePool, hub: Hub, search: SearchCache, rules: Rules) -> AuctionHouse {
        AuctionHouse {
            db,
            hub,
            search,
            rules: Arc::new(rules),
            turns: Arc::new((0..TURNS).map(|_| Mutex::new(())).collect()),
            wake: Arc::new(Notify::new()),
        }
    }

    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    async fn turn(&self, listing: i64) -> MutexGuard<'_, ()> {
        self.turns[listing.rem_euclid(TURNS as i64) as usize]
            .lock()
            .await
    }

    /// Resolves when something may have moved the next due time.
    pub async fn woken(&self) {
        self.wake.notified().await;
    }

    pub fn wake_scheduler(&self) {
        self.wake.notify_one();
    }

    fn money(&self, minor: i64) -> Money {
        Money::new(minor, self.rules.currency)
    }

    fn live_of(&self, row: &Row, now: i64) -> AuctionLive {
        let auction = row.auction();
        AuctionLive {
            listing: row.listing_id,
            seq: row.seq,
            phase: row.phase(),
            outcome: row.outcome.as_deref().and_then(Outcome::parse),
            price: self.money(row.price),
            bids: auction.book.bids,
            leader: row.leader_id.map(|id| Participant {
                id,
                name: shown_name(
                    row.leader_name.as_deref().unwrap_or_default(),
                    row.leader_status.as_deref().unwrap_or_default(),
                    row.leader_suspended_until,
                    now,
                ),
            }),
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            has_reserve: row.reserve.is_some(),
            reserve_met: reserve_met(&auction.terms, &auction.book),
            buy_now: buy_now_price(&auction, now).map(|p| self.money(p)),
            min_bid: self.money(minimum_bid(
                &auction.terms,
                &auction.book,
                &self.rules.increments,
            )),
        }
    }

    /// Sends watchers the committed state of `listing` (and the bid that made
    /// it). Call with the auction's turn held.
    async fn publish(&self, listing: i64, bid: Option<BidLine>, now: i64) -> Result<(), AppError> {
        let mut conn = self.db.acquire().await?;
        if let Some(row) = load(&mut conn, listing).await? {
            let live = self.live_of(&row, now);
            self.hub.publish(
                &Topic::Auction { listing },
                ServerMsg::AuctionUpdate { live, bid },
            );
        }
        Ok(())
    }

    /// Places `amount` as `bidder`'s maximum bid on `listing`'s auction.
    pub async fn bid(
        &self,
        bidder_id: i64,
        listing: i64,
        amount: i64,
        now: i64,
    ) -> Result<BidAck, AppError> {
        let _turn = self.turn(listing).await;
        let mut tx = self.db.begin_with(IMMEDIATE).await?;
        let row = load(&mut tx, listing).await?.ok_or(AppError::NotFound)?;
        let who = bidder(&mut tx, bidder_id, now).await?;
        let accepted = auction::place(
            &row.auction(),
            &self.rules.increments,
            who,
            amount,
            now,
            self.rules.soft_close_ms,
        )
        .map_err(AppError::Bid)?;
        let book = accepted.book;
        let leader = book.leader.ok_or(AppError::Internal)?;
        let changed = sqlx::query(
            "UPDATE auctions SET price = ?, leader_id = ?, leader_max = ?, second_max = ?,
                    bids = ?, ends_at = ?, seq = seq + 1
              WHERE listing_id = ? AND seq = ? AND phase = 'live'",
        )
        .bind(book.price)
        .bind(leader.bidder)
        .bind(leader.max)
        .bind(book.second_max)
        .bind(i64::from(book.bids))
        .bind(accepted.ends_at)
        .bind(listing)
        .bind(row.seq)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(AppError::Conflict);
        }
        let bid_id: i64 = sqlx::query_scalar(
            "INSERT INTO bids (listing_id, bidder_id, amount, price, created_at)
             VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(listing)
        .bind(bidder_id)
        .bind(amount)
        .bind(book.price)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let mut notices = Vec::new();
        if let Some(loser) = accepted.outbid {
            notices.push(
                notifications::store(
                    &mut tx,
                    loser,
                    NoticeKind::Outbid,
                    listing,
                    Some(book.price),
                    now,
                )
                .await?,
            );
        }
        let line = BidLine {
            id: bid_id,
            bidder: participant(&mut tx, bidder_id, now).await?,
            price: self.money(book.price),
            at: now,
            buy_now: false,
        };
        tx.commit().await?;

        self.publish(listing, Some(line), now).await?;
        notifications::push(&self.db, &self.hub, self.rules.currency, &notices).await?;
        if accepted.ends_at != row.ends_at {
            self.wake_scheduler();
        }
        Ok(BidAck {
            leading: accepted.leading,
            price: self.money(book.price),
        })
    }

    /// Buys `listing` outright at its buy-it-now price, ending the auction.
    pub async fn buy_now(&self, buyer: i64, listing: i64, now: i64) -> Result<String, AppError> {
        let _turn = self.turn(listing).await;
        let mut tx = self.db.begin_with(IMMEDIATE).await?;
        let row = load(&mut tx, listing).await?.ok_or(AppError::NotFound)?;
        let who = bidder(&mut tx, buyer, now).await?;
        let price = auction::buy_now(&row.auction(), who, now).map_err(AppError::Bid)?;
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
        .bind(row.seq)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(AppError::Conflict);
        }
        let bid_id: i64 = sqlx::query_scalar(
            "INSERT INTO bids (listing_id, bidder_id, amount, price, buy_now, created_at)
             VALUES (?, ?, ?, ?, 1, ?) RETURNING id",
        )
        .bind(listing)
        .bind(buyer)
        .bind(price)
        .bind(price)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let line = BidLine {
            id: bid_id,
            bidder: participant(&mut tx, buyer, now).await?,
            price: self.money(price),
            at: now,
            buy_now: true,
        };
        let (order, notices) =
            sold(&mut tx, &row, buyer, price, orders::Source::BuyNow, now).await?;
        tx.commit().await?;
        self.after_end(listing, Some(line), &notices, now).await?;
        Ok(order)
    }

    /// Ends the auction: on schedule (`early` false: only once its end has
    /// passed), or by its seller (`early`: sells to the leader at the current
    /// price, reserve waived; needs a bid).
    pub async fn end(&self, listing: i64, seller: Option<i64>, now: i64) -> Result<bool, AppError> {
        let _turn = self.turn(listing).await;
        let mut tx = self.db.begin_with(IMMEDIATE).await?;
        let row = load(&mut tx, listing).await?.ok_or(AppError::NotFound)?;
        let early = seller.is_some();
        if let Some(seller) = seller {
            if row.seller_id != seller {
                return Err(AppError::Forbidden);
            }
            if row.phase() != Phase::Live {
                return Err(AppError::Bid(BidRefusal::NotLive));
            }
            if row.leader_id.is_none() {
                return Err(AppError::Conflict);
            }
        } else if row.phase() != Phase::Live || row.ends_at > now {
            return Ok(false);
        }
        let outcome = auction::outcome(&row.terms(), &row.book(), early);
        let changed = sqlx::query(
            "UPDATE auctions SET phase = 'ended', outcome = ?, seq = seq + 1,
                    ends_at = CASE WHEN ? THEN ? ELSE ends_at END
              WHERE listing_id = ? AND seq = ? AND phase = 'live'",
        )
        .bind(outcome.as_str())
        .bind(early)
        .bind(now)
        .bind(listing)
        .bind(row.seq)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(AppError::Conflict);
        }
        let notices = match (outcome, row.leader_id) {
            (Outcome::Sold, Some(winner)) => {
                sold(
                    &mut tx,
                    &row,
                    winner,
                    row.price,
                    orders::Source::Auction,
                    now,
                )
                .await?
                .1
            }
            _ => vec![
                notifications::store(
                    &mut tx,
                    row.seller_id,
                    NoticeKind::AuctionUnsold,
                    listing,
                    None,
                    now,
                )
                .await?,
            ],
        };
        tx.commit().await?;
        self.after_end(listing, None, &notices, now).await?;
        Ok(true)
    }

    async fn after_end(
        &self,
        listing: i64,
        bid: Option<BidLine>,
        notices: &[i64],
        now: i64,
    ) -> Result<(), AppError> {
        self.search.clear();
        self.publish(listing, bid, now).await?;
        notifications::push(&self.db, &self.hub, self.rules.currency, notices).await?;
        self.wake_scheduler();
        Ok(())
    }

    /// The seller calls off an auction nobody has bid in.
    pub async fn cancel(&self, seller: i64, listing: i64, now: i64) -> Result<(), AppError> {
        let _turn = self.turn(listing).await;
        let mut tx = self.db.begin_with(IMMEDIATE).await?;
        let row = load(&mut tx, listing).await?.ok_or(AppError::NotFound)?;
        if row.seller_id != seller {
            return Err(AppError::Forbidden);
        }
        let changed = sqlx::query(
            "UPDATE auctions SET phase = 'cancelled', seq = seq + 1
              WHERE listing_id = ? AND bids = 0 AND phase IN ('scheduled', 'live')",
        )
        .bind(listing)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            // Bids arrived, or it is over already.
            return Err(AppError::Conflict);
        }
        tx.commit().await?;
        self.after_end(listing, None, &[], now).await
    }

    /// Starts every approved auction whose time has come and tells those who
    /// favorited it. Returns how many started.
    pub async fn start_due(&self, now: i64) -> Result<usize, AppError> {
        let due: Vec<i64> = sqlx::query_scalar(
            "SELECT a.listing_id FROM auctions a JOIN listings l ON l.id = a.listing_id
              WHERE a.phase = 'scheduled' AND a.starts_at <= ? AND l.status = 'approved'
              ORDER BY a.starts_at",
        )
        .bind(now)
        .fetch_all(&self.db)
        .await?;
        let mut started = 0;
        for listing in due {
            let _turn = self.turn(listing).await;
            let mut tx = self.db.begin_with(IMMEDIATE).await?;
            let changed = sqlx::query(
                "UPDATE auctions SET phase = 'live', seq = seq + 1
                  WHERE listing_id = ? AND phase = 'scheduled' AND starts_at <= ?",
            )
            .bind(listing)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if changed.rows_affected() == 0 {
                continue;
            }
            let notices = notifications::store_for_favoriters(
                &mut tx,
                listing,
                NoticeKind::AuctionStarted,
                now,
            )
            .await?;
            tx.commit().await?;
            started += 1;
            self.publish(listing, None, now).await?;
            notifications::push(&self.db, &self.hub, self.rules.currency, &notices).await?;
        }
        Ok(started)
    }

    /// Ends every live auction whose end has passed. Returns how many ended.
    pub async fn end_due(&self, now: i64) -> Result<usize, AppError> {
        let due: Vec<i64> = sqlx::query_scalar(
            "SELECT listing_id FROM auctions WHERE phase = 'live' AND ends_at <= ? ORDER BY ends_at",
        )
        .bind(now)
        .fetch_all(&self.db)
        .await?;
        let mut ended = 0;
        for listing in due {
            if self.end(listing, None, now).await? {
                ended += 1;
            }
        }
        Ok(ended)
    }

    /// The earliest time an auction is due to start or end.
    pub async fn next_due(&self) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT min(t) FROM (
                SELECT min(a.starts_at) AS t FROM auctions a JOIN listings l ON l.id = a.listing_id
                 WHERE a.phase = 'scheduled' AND l.status = 'approved'
                UNION ALL
                SELECT min(ends_at) FROM auctions WHERE phase = 'live')",
        )
        .fetch_one(&self.db)
        .await
    }

    pub fn watching(&self, listing: i64) -> u32 {
        u32::try_from(self.hub.subscribers(&Topic::Auction { listing })).unwrap_or(u32::MAX)
    }

    /// The latest accepted bids of `listing`, oldest first.
    async fn history(&self, listing: i64, now: i64) -> Result<Vec<BidLine>, sqlx::Error> {
        let rows: Vec<(i64, i64, String, String, Option<i64>, i64, i64, bool)> = sqlx::query_as(
            "SELECT * FROM (
                SELECT b.id, b.bidder_id, u.nickname, u.status, u.suspended_until, b.price,
                       b.created_at, b.buy_now
                  FROM bids b JOIN users u ON u.id = b.bidder_id
                 WHERE b.listing_id = ? ORDER BY b.id DESC LIMIT ?)
             ORDER BY id",
        )
        .bind(listing)
        .bind(HISTORY)
        .fetch_all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, bidder, nickname, status, until, price, at, buy_now)| BidLine {
                    id,
                    bidder: Participant {
                        id: bidder,
                        name: shown_name(&nickname, &status, until, now),
                    },
                    price: self.money(price),
                    at,
                    buy_now,
                },
            )
            .collect())
    }

    /// The room as `viewer` sees it on entry. Auctions of listings that are
    /// not public are only for their seller.
    pub async fn room(
        &self,
        listing: i64,
        viewer: Option<i64>,
        now: i64,
    ) -> Result<AuctionRoom, AppError> {
        let mut conn = self.db.acquire().await?;
        let row = load(&mut conn, listing).await?.ok_or(AppError::NotFound)?;
        let public = matches!(row.status.as_str(), "approved" | "sold");
        if !public && viewer != Some(row.seller_id) {
            return Err(AppError::NotFound);
        }
        let (seller_name, seller_status, seller_until, thumb): (
            String,
            String,
            Option<i64>,
            Option<String>,
        ) = sqlx::query_as(
            "SELECT u.nickname, u.status, u.suspended_until,
                    (SELECT i.thumb_name FROM images i WHERE i.listing_id = ?
                      ORDER BY i.position LIMIT 1)
               FROM users u WHERE u.id = ?",
        )
        .bind(listing)
        .bind(row.seller_id)
        .fetch_one(&mut *conn)
        .await?;
        let (my_max, my_order) = match viewer {
            Some(me) => {
                let max: Option<i64> = sqlx::query_scalar(
                    "SELECT max(amount) FROM bids WHERE listing_id = ? AND bidder_id = ?",
                )
                .bind(listing)
                .bind(me)
                .fetch_one(&mut *conn)
                .await?;
                let order: Option<String> = sqlx::query_scalar(
                    "SELECT public_id FROM orders WHERE listing_id = ? AND buyer_id = ?",
                )
                .bind(listing)
                .bind(me)
                .fetch_optional(&mut *conn)
                .await?;
                (max, order)
            }
            None => (None, None),
        };
        drop(conn);
        Ok(AuctionRoom {
            live: self.live_of(&row, now),
            title: row.title.clone(),
            seller: Participant {
                id: row.seller_id,
                name: shown_name(&seller_name, &seller_status, seller_until, now),
            },
            thumb_url: thumb.as_deref().map(media::url),
            start_price: self.money(row.start_price),
            history: self.history(listing, now).await?,
            chat: super::auction_chat::history(&self.db, listing, now).await?,
            watching: self.watching(listing),
            server_time_ms: now,
            my_max: my_max.map(|m| self.money(m)),
            my_order,
            soft_close_ms: self.rules.soft_close_ms,
        })
    }

    /// Subscribes connection `conn` (of `user`, if signed in) to the room:
    /// the snapshot is built and queued in the auction's turn, so no update
    /// can slip between them. Then tells the room who came in.
    pub async fn join(
        &self,
        conn: ConnId,
        user: Option<(i64, String)>,
        listing: i64,
        now: i64,
    ) -> Result<(), AppError> {
        let topic = Topic::Auction { listing };
        {
            let _turn = self.turn(listing).await;
            let mut room = self.room(listing, user.as_ref().map(|u| u.0), now).await?;
            room.watching += 1;
            let snapshot = ServerMsg::AuctionSnapshot {
                room: Box::new(room),
            };
            if !self.hub.subscribe(conn, topic.clone(), Some(snapshot)) {
                return Ok(());
            }
        }
        self.presence(listing, user.map(|u| u.1), None);
        Ok(())
    }

    /// Tells the room someone left (by name, if signed in).
    pub fn left(&self, listing: i64, name: Option<String>) {
        self.presence(listing, None, name);
    }

    fn presence(&self, listing: i64, joined: Option<String>, left: Option<String>) {
        // Anonymous comings and goings only change the count, which the next
        // named notice or update carries; announcing each one would make a
        // crowded room a storm of messages.
        if joined.is_none() && left.is_none() {
            return;
        }
        self.hub.publish(
            &Topic::Auction { listing },
            ServerMsg::RoomPresence {
                listing,
                watching: self.watching(listing),
                joined,
                left,
            },
        );
    }

    /// The hub, for the room chat (which shares this module's topic).
    pub(crate) fn hub(&self) -> &Hub {
        &self.hub
    }

    pub(crate) fn db(&self) -> &SqlitePool {
        &self.db
    }
}

async fn participant(
    conn: &mut SqliteConnection,
    id: i64,
    now: i64,
) -> Result<Participant, sqlx::Error> {
    let (nickname, status, until): (String, String, Option<i64>) =
        sqlx::query_as("SELECT nickname, status, suspended_until FROM users WHERE id = ?")
            .bind(id)
            .fetch_one(conn)
            .await?;
    Ok(Participant {
        id,
        name: shown_name(&nickname, &status, until, now),
    })
}

/// Records a sale inside the ending transaction: the order for `buyer`, the
/// listing marked sold, and notices for both sides. Returns the order's id
/// and the notices to push after commit.
async fn sold(
    conn: &mut SqliteConnection,
    row: &Row,
    buyer: i64,
    price: i64,
    source: orders::Source,
    now: i64,
) -> Result<(String, Vec<i64>), AppError> {
    let order = orders::create(
        &mut *conn,
        orders::NewOrder {
            listing: row.listing_id,
            buyer,
            seller: row.seller_id,
            amount: price,
            source,
        },
        now,
    )
    .await?;
    sqlx::query("UPDATE listings SET status = 'sold' WHERE id = ?")
        .bind(row.listing_id)
        .execute(&mut *conn)
        .await?;
    let won = notifications::store(
        &mut *conn,
        buyer,
        NoticeKind::AuctionWon,
        row.listing_id,
        Some(price),
        now,
    )
    .await?;
    let sold = notifications::store(
        &mut *conn,
        row.seller_id,
        NoticeKind::AuctionSold,
        row.listing_id,
        Some(price),
        now,
    )
    .await?;
    Ok((order, vec![won, sold]))
}
