//! Live auctions: bids, buy-it-now, the seller ending early or cancelling,
//! starting and ending on schedule, and each room's state.
//!
//! Every change is one `BEGIN IMMEDIATE` transaction with a conditional
//! update, and what watchers are sent is published only after it commits.
//! Changes to one auction take turns (a mutex per auction, striped), so the
//! updates leave in the order they were committed and carry consecutive
//! sequence numbers.
//!
//! A bid below the minimum of the last committed state is refused without a
//! turn or a write transaction ([`Floor`]): in a busy room most bids lose the
//! race to the same minimum, and they must not queue behind the winners.

pub mod chat;
pub mod lists;
pub mod scheduler;
pub mod socket;
mod store;

use crate::backend::{
    catalog::search_cache::SearchCache,
    live::hub::{ConnId, Hub},
    notify, order,
    platform::media,
};
use crate::{
    domain::{
        account::Standing,
        auction::{
            self, Auction, BidRefusal, Bidder, Book, Lead, Outcome, Phase, Terms, buy_now_price,
            increment::IncrementTable, minimum_bid, reserve_met,
        },
        catalog::MAX_MAJOR,
        form::{Field, Problem},
        id::{ListingId, UserId},
        money::{Currency, Money},
    },
    error::AppError,
    model::{AuctionLive, AuctionRoom, BidAck, BidLine, NoticeKind, Participant},
    protocol::{AuctionEvent, ServerMsg, Topic},
};
use sqlx::{SqliteConnection, SqlitePool};
use std::{collections::HashMap, sync::Arc};
use store::{AuctionRow, BidderRow};
use tokio::sync::{Mutex, MutexGuard, Notify, Semaphore};

const IMMEDIATE: &str = "BEGIN IMMEDIATE";
/// Turns are striped over this many mutexes: two auctions rarely share one,
/// and memory stays fixed however many auctions there are.
const TURNS: usize = 64;
/// Bids and chat lines a room shows on entry.
pub const HISTORY: i64 = 50;

/// Whether the auction of `listing` has bids: what bidders bid on may then
/// no longer change or disappear (see `catalog::edit`). Read inside the
/// caller's write transaction, so a bid cannot slip in between.
pub async fn has_bids(
    conn: &mut SqliteConnection,
    listing: ListingId,
) -> Result<bool, sqlx::Error> {
    store::has_bids(conn, listing).await
}

/// The runner-up of `listing`'s auction: the highest bidder other than
/// `winner`, with their highest bid (bids only rise, so it is their last),
/// buy-it-now bids not counted. Read inside the caller's transaction.
pub async fn runner_up(
    conn: &mut SqliteConnection,
    listing: ListingId,
    winner: UserId,
) -> Result<Option<(UserId, i64)>, sqlx::Error> {
    store::runner_up(conn, listing, winner).await
}

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
    /// Live auctions' floors, as of each one's last published change.
    floors: Arc<std::sync::Mutex<HashMap<i64, Floor>>>,
    /// Room snapshots being read at once. Each is a read transaction of
    /// several queries; a flood of joins (sockets from many networks, each
    /// within its own limits) must not take the cores the bids need, so
    /// snapshots take turns. Joins wait rather than fail (a browser does
    /// not retry a refused join); each socket has at most one join at a
    /// time, so the queue is bounded by the connection cap.
    snapshots: Arc<Semaphore>,
}

/// Room snapshots read at once.
const SNAPSHOTS_AT_ONCE: usize = 1;

/// A live auction's minimum bid as last committed, with who may not be
/// judged by it. The minimum never falls while an auction is live, so an
/// amount below it is too low whatever has happened since. The seller and
/// the leader are refused for other reasons (own auction; not above your
/// maximum), so their bids always take the full path. Below the floor, "too
/// low" is the answer whatever the bidder's standing: a bidder who may not
/// bid hears why once they offer enough.
#[derive(Debug, Clone, Copy)]
struct Floor {
    minimum: i64,
    seller: i64,
    leader: Option<i64>,
    /// After this the bid is refused as too late, not too low.
    ends_at: i64,
}

impl AuctionRow {
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

/// A bidder as the rules and the room see them.
struct Account {
    standing: Bidder,
    nickname: String,
    status: String,
    suspended_until: Option<i64>,
}

impl Account {
    fn participant(&self, now: i64) -> Participant {
        Participant {
            id: self.standing.id,
            name: shown_name(&self.nickname, &self.status, self.suspended_until, now),
        }
    }
}

/// The bidder's standing for the rules; unverified addresses may not bid.
async fn bidder(conn: &mut SqliteConnection, id: i64, now: i64) -> Result<Account, AppError> {
    let BidderRow {
        status,
        suspended_until,
        email_verified_at: verified,
        nickname,
    } = store::load_bidder(conn, UserId(id))
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let restricted = !Standing::from_status(&status, suspended_until, now).may_trade();
    if !restricted && verified.is_none() {
        return Err(AppError::Bid(BidRefusal::VerifyEmail));
    }
    Ok(Account {
        standing: Bidder { id, restricted },
        nickname,
        status,
        suspended_until,
    })
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
            floors: Arc::default(),
            snapshots: Arc::new(Semaphore::new(SNAPSHOTS_AT_ONCE)),
        }
    }

    fn floors(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Floor>> {
        // A map of plain numbers stays usable after a panic elsewhere.
        self.floors.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps `listing`'s floor in step with the state just published.
    fn set_floor(&self, row: &AuctionRow, live: &AuctionLive) {
        let mut floors = self.floors();
        if live.phase == Phase::Live {
            floors.insert(
                row.listing_id,
                Floor {
                    minimum: live.min_bid.minor,
                    seller: row.seller_id,
                    leader: row.leader_id,
                    ends_at: live.ends_at,
                },
            );
        } else {
            floors.remove(&row.listing_id);
        }
    }

    /// The minimum `amount` falls short of, when it is below `listing`'s
    /// floor and the floor may judge this bidder.
    fn under_floor(&self, bidder_id: i64, listing: i64, amount: i64, now: i64) -> Option<i64> {
        let floor = self.floors().get(&listing).copied()?;
        let judged = amount < floor.minimum
            && now < floor.ends_at
            && bidder_id != floor.seller
            && floor.leader != Some(bidder_id);
        judged.then_some(floor.minimum)
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

    fn live_of(&self, row: &AuctionRow, now: i64) -> AuctionLive {
        let auction = row.auction();
        AuctionLive {
            listing: row.listing_id,
            seq: row.seq,
            // A live auction whose listing was taken down shows as stopped.
            phase: auction.phase,
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
        if let Some(row) = store::load_auction(&mut *conn, ListingId(listing)).await? {
            self.publish_row(&row, bid, now);
        }
        Ok(())
    }

    /// Sends watchers `row`, which must be what was just committed.
    fn publish_row(&self, row: &AuctionRow, bid: Option<BidLine>, now: i64) {
        let live = self.live_of(row, now);
        self.set_floor(row, &live);
        self.hub.publish(
            &Topic::Auction {
                listing: row.listing_id,
            },
            ServerMsg::Auction(AuctionEvent::Update { live, bid }),
        );
    }

    /// Places `amount` as the maximum bid of member `by` on `listing`'s auction.
    pub async fn bid(
        &self,
        by: UserId,
        listing: ListingId,
        amount: Money,
        now: i64,
    ) -> Result<BidAck, AppError> {
        // An amount in another currency is no amount here.
        if amount.currency != self.rules.currency {
            return Err(AppError::field(Field::Amount, Problem::NotAnAmount));
        }
        let (bidder_id, listing, amount) = (by.get(), listing.get(), amount.minor);
        // The cap every amount typed in a form has: a socket may send any
        // number, and a maximum no form allows must not stand.
        let cap = MAX_MAJOR.saturating_mul(10i64.pow(self.rules.currency.decimals()));
        if amount > cap {
            return Err(AppError::field(Field::Amount, Problem::AmountTooHigh));
        }
        let too_low = |minimum| AppError::Bid(BidRefusal::TooLow { minimum });
        if let Some(minimum) = self.under_floor(bidder_id, listing, amount, now) {
            return Err(too_low(minimum));
        }
        let turn = self.turn(listing).await;
        // Again now that it is our turn: while this bid waited, others may
        // have been accepted, and the floor is exact inside the turn.
        if let Some(minimum) = self.under_floor(bidder_id, listing, amount, now) {
            return Err(too_low(minimum));
        }
        let mut tx = self.db.begin_with(IMMEDIATE).await?;
        let row = store::load_auction(&mut *tx, ListingId(listing))
            .await?
            .ok_or(AppError::NotFound)?;
        let who = bidder(&mut tx, bidder_id, now).await?;
        let accepted = auction::place(
            &row.auction(),
            &self.rules.increments,
            who.standing,
            amount,
            now,
            self.rules.soft_close_ms,
        )
        .map_err(AppError::Bid)?;
        let book = accepted.book;
        let leader = book.leader.ok_or(AppError::Internal)?;
        if !store::advance_book(
            &mut *tx,
            ListingId(listing),
            row.seq,
            &book,
            accepted.ends_at,
        )
        .await?
        {
            return Err(AppError::Conflict);
        }
        let bid_id = store::insert_bid(
            &mut *tx,
            ListingId(listing),
            UserId(bidder_id),
            amount,
            book.price,
            now,
        )
        .await?;
        let mut notices = Vec::new();
        if let Some(loser) = accepted.outbid {
            notices.push(
                notify::store(
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
            bidder: who.participant(now),
            price: self.money(book.price),
            at: now,
            buy_now: false,
        };
        tx.commit().await?;

        // What was just stored, without reading it back.
        let mut after = AuctionRow {
            price: book.price,
            leader_id: Some(leader.bidder),
            leader_max: Some(leader.max),
            second_max: book.second_max,
            bids: i64::from(book.bids),
            ends_at: accepted.ends_at,
            seq: row.seq + 1,
            ..row.clone()
        };
        if accepted.leading {
            after.leader_name = Some(who.nickname);
            after.leader_status = Some(who.status);
            after.leader_suspended_until = who.suspended_until;
        }
        self.publish_row(&after, Some(line), now);
        drop(turn);
        self.push(listing, &notices).await;
        if accepted.ends_at != row.ends_at {
            self.wake_scheduler();
        }
        Ok(BidAck {
            leading: accepted.leading,
            price: self.money(book.price),
            max: self.money(amount),
        })
    }

    /// Buys `listing` outright at its buy-it-now price, ending the auction.
    pub async fn buy_now(
        &self,
        buyer: UserId,
        listing: ListingId,
        now: i64,
    ) -> Result<String, AppError> {
        let (buyer, listing) = (buyer.get(), listing.get());
        let _turn = self.turn(listing).await;
        let mut tx = self.db.begin_with(IMMEDIATE).await?;
        let row = store::load_auction(&mut *tx, ListingId(listing))
            .await?
            .ok_or(AppError::NotFound)?;
        let who = bidder(&mut tx, buyer, now).await?;
        let price = auction::buy_now(&row.auction(), who.standing, now).map_err(AppError::Bid)?;
        if !store::end_bought(
            &mut *tx,
            ListingId(listing),
            row.seq,
            UserId(buyer),
            price,
            now,
        )
        .await?
        {
            return Err(AppError::Conflict);
        }
        let bid_id =
            store::insert_buy_now_bid(&mut *tx, ListingId(listing), UserId(buyer), price, now)
                .await?;
        let line = BidLine {
            id: bid_id,
            bidder: who.participant(now),
            price: self.money(price),
            at: now,
            buy_now: true,
        };
        let (order, mut notices) =
            sold(&mut tx, &row, buyer, price, order::Source::BuyNow, now).await?;
        // Whoever led (below the reserve) lost it to the buyer: outbid.
        if let Some(loser) = row.leader_id.filter(|&leader| leader != buyer) {
            notices.push(
                notify::store(
                    &mut tx,
                    loser,
                    NoticeKind::Outbid,
                    listing,
                    Some(price),
                    now,
                )
                .await?,
            );
        }
        tx.commit().await?;
        self.after_end(listing, Some(line), &notices, now).await;
        Ok(order)
    }

    /// Ends the auction: on schedule (`early` false: only once its end has
    /// passed), or by its seller (`early`: sells to the leader at the current
    /// price, reserve waived; needs a bid).
    pub async fn end(
        &self,
        listing: ListingId,
        seller: Option<UserId>,
        now: i64,
    ) -> Result<bool, AppError> {
        let (listing, seller) = (listing.get(), seller.map(UserId::get));
        let _turn = self.turn(listing).await;
        let mut tx = self.db.begin_with(IMMEDIATE).await?;
        let row = store::load_auction(&mut *tx, ListingId(listing))
            .await?
            .ok_or(AppError::NotFound)?;
        let early = seller.is_some();
        if let Some(seller) = seller {
            if row.seller_id != seller {
                return Err(AppError::Forbidden);
            }
            // Not while the listing is taken down (or back under review).
            if row.auction().phase != Phase::Live {
                return Err(AppError::Bid(BidRefusal::NotLive));
            }
            if row.leader_id.is_none() {
                return Err(AppError::Conflict);
            }
        } else if row.phase() != Phase::Live || row.ends_at > now {
            return Ok(false);
        }
        // A listing that is not public at its end is not sold: it ends unsold
        // and keeps its status (a moderator's take-down is not undone).
        let outcome = if row.status == "approved" {
            auction::outcome(&row.terms(), &row.book(), early)
        } else {
            Outcome::Unsold
        };
        if !store::end_auction(&mut *tx, ListingId(listing), row.seq, outcome, early, now).await? {
            return Err(AppError::Conflict);
        }
        let notices = match (outcome, row.leader_id) {
            (Outcome::Sold, Some(winner)) => {
                sold(
                    &mut tx,
                    &row,
                    winner,
                    row.price,
                    order::Source::Auction,
                    now,
                )
                .await?
                .1
            }
            (_, leader) => {
                let mut told = vec![
                    notify::store(
                        &mut tx,
                        row.seller_id,
                        NoticeKind::AuctionUnsold,
                        listing,
                        None,
                        now,
                    )
                    .await?,
                ];
                // Bidding stopped below the reserve: the top bidder wins nothing
                // and should not wait for an order.
                if let Some(leader) = leader
                    && !reserve_met(&row.terms(), &row.book())
                {
                    told.push(
                        notify::store(
                            &mut tx,
                            leader,
                            NoticeKind::ReserveNotMet,
                            listing,
                            Some(row.price),
                            now,
                        )
                        .await?,
                    );
                }
                told
            }
        };
        tx.commit().await?;
        self.after_end(listing, None, &notices, now).await;
        Ok(true)
    }

    async fn after_end(&self, listing: i64, bid: Option<BidLine>, notices: &[i64], now: i64) {
        self.search.clear();
        self.tell(listing, bid, notices, now).await;
        self.wake_scheduler();
    }

    /// Publishes a committed change and pushes its notices. The change stands
    /// whatever happens here, so a failure is logged, never returned: its
    /// author must not be told that a stored bid failed (and retry it).
    async fn tell(&self, listing: i64, bid: Option<BidLine>, notices: &[i64], now: i64) {
        if let Err(e) = self.publish(listing, bid, now).await {
            tracing::error!(error = %e, listing, "publishing an auction change failed");
        }
        self.push(listing, notices).await;
    }

    async fn push(&self, listing: i64, notices: &[i64]) {
        if let Err(e) = notify::push(&self.db, &self.hub, self.rules.currency, notices).await {
            tracing::error!(error = %e, listing, "pushing auction notifications failed");
        }
    }

    /// The seller calls off an auction nobody has bid in.
    pub async fn cancel(
        &self,
        seller: UserId,
        listing: ListingId,
        now: i64,
    ) -> Result<(), AppError> {
        let (seller, listing) = (seller.get(), listing.get());
        let _turn = self.turn(listing).await;
        let mut tx = self.db.begin_with(IMMEDIATE).await?;
        let row = store::load_auction(&mut *tx, ListingId(listing))
            .await?
            .ok_or(AppError::NotFound)?;
        if row.seller_id != seller {
            return Err(AppError::Forbidden);
        }
        if !store::cancel_unbid(&mut *tx, ListingId(listing)).await? {
            // Bids arrived, or it is over already.
            return Err(AppError::Conflict);
        }
        tx.commit().await?;
        self.after_end(listing, None, &[], now).await;
        Ok(())
    }

    /// Tells the room of `listing` a change made outside the house and
    /// numbered in its transaction: a seller's edit (times and prices may
    /// have moved) or a moderator's decision (the listing may no longer be
    /// public). Wakes the scheduler, as a start or an end may now be due.
    pub async fn changed(&self, listing: ListingId, now: i64) -> Result<(), AppError> {
        let listing = listing.get();
        let _turn = self.turn(listing).await;
        self.publish(listing, None, now).await?;
        self.wake_scheduler();
        Ok(())
    }

    /// Starts every approved auction whose time has come and tells those who
    /// favorited it. Returns how many started.
    pub async fn start_due(&self, now: i64) -> Result<usize, AppError> {
        let due = store::due_to_start(&self.db, now).await?;
        let mut started = 0;
        for listing in due.into_iter().map(ListingId::get) {
            // One auction that cannot start holds up no other (it is logged,
            // and retried on the next pass).
            match self.start(listing, now).await {
                Ok(true) => started += 1,
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e, listing, "starting an auction failed"),
            }
        }
        Ok(started)
    }

    async fn start(&self, listing: i64, now: i64) -> Result<bool, AppError> {
        let _turn = self.turn(listing).await;
        let mut tx = self.db.begin_with(IMMEDIATE).await?;
        if !store::start_auction(&mut *tx, ListingId(listing), now).await? {
            return Ok(false);
        }
        let notices =
            notify::store_for_favoriters(&mut tx, listing, NoticeKind::AuctionStarted, now).await?;
        tx.commit().await?;
        self.tell(listing, None, &notices, now).await;
        Ok(true)
    }

    /// Ends every live auction whose end has passed. Returns how many ended.
    pub async fn end_due(&self, now: i64) -> Result<usize, AppError> {
        let due = store::due_to_end(&self.db, now).await?;
        let mut ended = 0;
        for listing in due {
            match self.end(listing, None, now).await {
                Ok(true) => ended += 1,
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(error = %e, listing = listing.get(), "ending an auction failed")
                }
            }
        }
        Ok(ended)
    }

    /// The earliest time an auction is due to start or end.
    pub async fn next_due(&self) -> Result<Option<i64>, sqlx::Error> {
        store::next_due(&self.db).await
    }

    pub fn watching(&self, listing: i64) -> u32 {
        u32::try_from(self.hub.subscribers(&Topic::Auction { listing })).unwrap_or(u32::MAX)
    }

    /// The latest accepted bids of `listing`, oldest first.
    async fn history(
        &self,
        conn: &mut SqliteConnection,
        listing: i64,
        now: i64,
    ) -> Result<Vec<BidLine>, sqlx::Error> {
        let rows = store::latest_bids(conn, ListingId(listing), HISTORY).await?;
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
    /// not public are only for their seller. Read in one transaction, so
    /// its state, bids and chat are of one moment (its `seq`), and without
    /// the auction's turn: bids never wait for it.
    pub async fn room(
        &self,
        listing: i64,
        viewer: Option<i64>,
        now: i64,
    ) -> Result<AuctionRoom, AppError> {
        let mut conn = self.db.begin().await?;
        let row = store::load_auction(&mut *conn, ListingId(listing))
            .await?
            .ok_or(AppError::NotFound)?;
        let public = matches!(row.status.as_str(), "approved" | "sold");
        if !public && viewer != Some(row.seller_id) {
            return Err(AppError::NotFound);
        }
        let (seller_name, seller_status, seller_until, thumb) =
            store::load_seller(&mut *conn, ListingId(listing), UserId(row.seller_id)).await?;
        let (my_max, my_order) = match viewer {
            Some(me) => {
                let max = store::max_bid_of(&mut *conn, ListingId(listing), UserId(me)).await?;
                let order = store::order_of(&mut *conn, ListingId(listing), UserId(me)).await?;
                (max, order)
            }
            None => (None, None),
        };
        let history = self.history(&mut conn, listing, now).await?;
        let chat = chat::history(&mut *conn, listing, now).await?;
        conn.commit().await?;
        Ok(AuctionRoom {
            live: self.live_of(&row, now),
            title: row.title.clone(),
            seller: Participant {
                id: row.seller_id,
                name: shown_name(&seller_name, &seller_status, seller_until, now),
            },
            thumb_url: thumb.as_deref().map(media::url),
            start_price: self.money(row.start_price),
            history,
            chat,
            watching: self.watching(listing),
            server_time_ms: now,
            me: viewer,
            my_max: my_max.map(|m| self.money(m)),
            my_order,
            soft_close_ms: self.rules.soft_close_ms,
        })
    }

    /// Subscribes connection `conn` (of `user`, if signed in) to the room,
    /// then tells the room who came in. The snapshot is read after the
    /// subscription starts and without the auction's turn (a flood of
    /// subscribes must not delay bids): the hub keeps what is published
    /// meanwhile and sends, after the snapshot, the updates numbered after
    /// it, so the newcomer misses none and sees none twice.
    pub async fn join(
        &self,
        conn: ConnId,
        user: Option<(i64, String)>,
        listing: i64,
        now: i64,
    ) -> Result<(), AppError> {
        let topic = Topic::Auction { listing };
        // Held until the snapshot is queued.
        let _turn = self
            .snapshots
            .acquire()
            .await
            .map_err(|_| AppError::Internal)?;
        if !self.hub.subscribe_pending(conn, topic.clone()) {
            return Ok(());
        }
        let room = match self.room(listing, user.as_ref().map(|u| u.0), now).await {
            Ok(room) => room,
            Err(e) => {
                self.hub.unsubscribe(conn, &topic);
                return Err(e);
            }
        };
        let snapshot = ServerMsg::Auction(AuctionEvent::Snapshot {
            room: Box::new(room),
        });
        if self.hub.complete(conn, &topic, snapshot) {
            self.presence(listing, user.map(|u| u.1), None);
        }
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
            ServerMsg::Auction(AuctionEvent::Presence {
                listing,
                watching: self.watching(listing),
                joined,
                left,
            }),
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

/// Records a sale inside the ending transaction: the order for `buyer`, the
/// listing marked sold, and notices for both sides. Returns the order's id
/// and the notices to push after commit.
async fn sold(
    conn: &mut SqliteConnection,
    row: &AuctionRow,
    buyer: i64,
    price: i64,
    source: order::Source,
    now: i64,
) -> Result<(String, Vec<i64>), AppError> {
    let order = order::create(
        &mut *conn,
        order::NewOrder {
            listing: row.listing_id,
            buyer,
            seller: row.seller_id,
            amount: price,
            source,
        },
        now,
    )
    .await?;
    store::mark_listing_sold(&mut *conn, ListingId(row.listing_id)).await?;
    let won = notify::store(
        &mut *conn,
        buyer,
        NoticeKind::AuctionWon,
        row.listing_id,
        Some(price),
        now,
    )
    .await?;
    let sold = notify::store(
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

#[cfg(test)]
mod tests;
