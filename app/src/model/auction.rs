//! Auction rooms, bids and the buyer and seller lists of auctions.

use super::catalog::ListingCard;
use super::order::OrderSummary;
use crate::domain::{auction::Outcome, auction::Phase, money::Money};
use serde::{Deserialize, Serialize};

/// What everyone watching an auction sees change; numbered by `seq`, which
/// rises by one with every change, so a client can tell it missed one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuctionLive {
    pub listing: i64,
    pub seq: i64,
    pub phase: Phase,
    pub outcome: Option<Outcome>,
    pub price: Money,
    pub bids: u32,
    pub leader: Option<Participant>,
    pub starts_at: i64,
    /// Moves later when a late bid triggers the soft close.
    pub ends_at: i64,
    pub has_reserve: bool,
    pub reserve_met: bool,
    /// The buy-it-now price while it is still offered.
    pub buy_now: Option<Money>,
    /// The lowest bid anyone but the leader may place now.
    pub min_bid: Money,
}

/// A person in an auction room. The nickname is masked while their account
/// is restricted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub id: i64,
    pub name: String,
}

/// An accepted bid as the room shows it: the visible price after it, never
/// the bidder's hidden maximum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidLine {
    pub id: i64,
    pub bidder: Participant,
    pub price: Money,
    pub at: i64,
    pub buy_now: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatLine {
    pub id: i64,
    pub author: Participant,
    pub body: String,
    pub at: i64,
}

/// An accepted bid, as its bidder is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidAck {
    /// False when someone's higher maximum outbid it at once.
    pub leading: bool,
    pub price: Money,
    /// The bidder's maximum now.
    pub max: Money,
}

/// Everything the auction room shows when it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuctionRoom {
    pub live: AuctionLive,
    pub title: String,
    pub seller: Participant,
    pub thumb_url: Option<String>,
    pub start_price: Money,
    /// Newest last.
    pub history: Vec<BidLine>,
    /// Newest last.
    pub chat: Vec<ChatLine>,
    pub watching: u32,
    /// The server's clock when this was built, for countdowns.
    pub server_time_ms: i64,
    /// The viewer's account id, if signed in.
    pub me: Option<i64>,
    /// The viewer's own maximum, if they bid.
    pub my_max: Option<Money>,
    /// The viewer's order, once they won.
    pub my_order: Option<String>,
    pub soft_close_ms: i64,
}

/// Where the viewer stands in an auction they bid in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BidStanding {
    Leading,
    Outbid,
    Won,
    Lost,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAuction {
    pub card: ListingCard,
    pub phase: Phase,
    pub outcome: Option<Outcome>,
    pub bids: u32,
    /// For "my bids": where the viewer stands and their maximum.
    pub standing: Option<BidStanding>,
    pub my_max: Option<Money>,
    /// The order, once sold.
    pub order: Option<OrderSummary>,
}
