//! Database checks: the stored auction and bids, and their replay through
//! the bid engine.

use app::{
    backend::platform::config::Config,
    domain::auction::{self, Auction, Bidder, Book, Phase, Terms},
};
use sqlx::SqlitePool;

/// The auction as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Stored {
    pub(crate) seller_id: i64,
    pub(crate) phase: String,
    pub(crate) outcome: Option<String>,
    pub(crate) start_price: i64,
    pub(crate) reserve: Option<i64>,
    pub(crate) buy_now: Option<i64>,
    pub(crate) price: i64,
    pub(crate) leader_id: Option<i64>,
    pub(crate) leader_max: Option<i64>,
    pub(crate) second_max: Option<i64>,
    pub(crate) bids: i64,
    pub(crate) seq: i64,
}

pub(crate) async fn stored(pool: &SqlitePool, listing: i64) -> Result<Stored, String> {
    sqlx::query_as(
        "SELECT l.seller_id, a.phase, a.outcome, a.start_price, a.reserve, a.buy_now, a.price,
                a.leader_id, a.leader_max, a.second_max, a.bids, a.seq
           FROM auctions a JOIN listings l ON l.id = a.listing_id WHERE a.listing_id = ?",
    )
    .bind(listing)
    .fetch_one(pool)
    .await
    .map_err(|e| format!("reading auction {listing}: {e}"))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct StoredBid {
    pub(crate) bidder_id: i64,
    pub(crate) amount: i64,
    pub(crate) price: i64,
    pub(crate) buy_now: bool,
    pub(crate) created_at: i64,
}

pub(crate) async fn stored_bids(pool: &SqlitePool, listing: i64) -> Result<Vec<StoredBid>, String> {
    sqlx::query_as(
        "SELECT bidder_id, amount, price, buy_now, created_at FROM bids
          WHERE listing_id = ? ORDER BY id",
    )
    .bind(listing)
    .fetch_all(pool)
    .await
    .map_err(|e| format!("reading bids: {e}"))
}

/// Replays the stored bids, in order, through the bid engine from an empty
/// book: each must be acceptable and give its stored price, and the result
/// must be the stored auction (price, leader, both maxima, count).
pub(crate) fn replay(auction: &Stored, bids: &[StoredBid], config: &Config) -> Result<(), String> {
    let terms = Terms {
        start_price: auction.start_price,
        reserve: auction.reserve,
        buy_now: auction.buy_now,
    };
    let mut state = Auction {
        seller: auction.seller_id,
        phase: Phase::Live,
        ends_at: i64::MAX / 2,
        terms,
        book: Book {
            leader: None,
            second_max: None,
            price: auction.start_price,
            bids: 0,
        },
    };
    let soft_close_ms = i64::try_from(config.soft_close.as_millis()).unwrap_or(i64::MAX);
    for (n, bid) in bids.iter().enumerate() {
        if bid.buy_now {
            return Err(format!("bid #{n} is a buy-it-now; none was made"));
        }
        let bidder = Bidder {
            id: bid.bidder_id,
            restricted: false,
        };
        let accepted = auction::place(
            &state,
            &config.increments,
            bidder,
            bid.amount,
            bid.created_at,
            soft_close_ms,
        )
        .map_err(|r| format!("stored bid #{n} ({bid:?}) would be refused: {r:?}"))?;
        if accepted.book.price != bid.price {
            return Err(format!(
                "stored bid #{n} ({bid:?}) should have made the price {}",
                accepted.book.price
            ));
        }
        state.book = accepted.book;
    }
    let book = state.book;
    let expected = (
        book.price,
        book.leader.map(|l| l.bidder),
        book.leader.map(|l| l.max),
        book.second_max,
        i64::from(book.bids),
    );
    let actual = (
        auction.price,
        auction.leader_id,
        auction.leader_max,
        auction.second_max,
        auction.bids,
    );
    if expected != actual {
        return Err(format!(
            "the stored auction (price, leader, leader's max, second max, bids) is {actual:?}; \
             its {} stored bids replay to {expected:?}",
            bids.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_matches_the_engine() {
        let config = Config::from_lookup(|_| None).unwrap();
        let bid = |bidder_id, amount, price| StoredBid {
            bidder_id,
            amount,
            price,
            buy_now: false,
            created_at: 0,
        };
        let mut auction = Stored {
            seller_id: 1,
            phase: "live".into(),
            outcome: None,
            start_price: 100,
            reserve: None,
            buy_now: None,
            price: 0,
            leader_id: None,
            leader_max: None,
            second_max: None,
            bids: 2,
            seq: 3,
        };
        let bids = [bid(2, 100, 100), bid(3, 500, 0)];
        let err = replay(&auction, &bids, &config).unwrap_err();
        assert!(err.contains("should have made the price"), "{err}");
        let step = config.increments.step(100);
        let bids = [bid(2, 100, 100), bid(3, 500, 100 + step)];
        auction.price = 100 + step;
        auction.leader_id = Some(3);
        auction.leader_max = Some(500);
        auction.second_max = Some(100);
        replay(&auction, &bids, &config).unwrap();
        auction.leader_id = Some(2);
        assert!(replay(&auction, &bids, &config).is_err());
    }
}
