//! The auction area's messages: bids and chat lines sent from a room, and the
//! room's snapshot and updates.

use super::Topic;
use crate::model::{AuctionLive, AuctionRoom, BidLine, ChatLine};
use serde::Serialize;

/// Browser → server, from an auction room.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AuctionCommand {
    /// A bid of `amount` (minor units) as the bidder's maximum; answered by
    /// [`super::ServerMsg::Ack`] with the same `req`. The bidder is the session's.
    Bid { listing: i64, amount: i64, req: u32 },
    /// A line in an auction room's chat. `#12500` is a bid of 12,500 in the
    /// currency's usual notation, answered like [`AuctionCommand::Bid`].
    Say {
        listing: i64,
        text: String,
        req: u32,
    },
}

// Read by tag_first! (the tag is the first key): no buffered copy of the
// message, see domain::tagged.
crate::domain::tagged::tag_first!(
    AuctionCommand,
    "type",
    "bid" => Bid { listing: i64, amount: i64, req: u32 },
    "say" => Say { listing: i64, text: String, req: u32 },
);

/// Server → browser, to the tabs in an auction room ([`Topic::Auction`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum AuctionEvent {
    /// The whole room, sent on subscribing to [`Topic::Auction`].
    #[serde(rename = "auction_snapshot")]
    Snapshot { room: Box<AuctionRoom> },
    /// The auction changed: its full live state (numbered by `live.seq`) and
    /// the accepted bid that changed it, if a bid did.
    #[serde(rename = "auction_update")]
    Update {
        live: AuctionLive,
        bid: Option<BidLine>,
    },
    /// Someone signed in entered or left a room (`name`), or just the count.
    #[serde(rename = "room_presence")]
    Presence {
        listing: i64,
        watching: u32,
        joined: Option<String>,
        left: Option<String>,
    },
    #[serde(rename = "room_chat")]
    Chat { listing: i64, line: ChatLine },
    /// An [`AuctionEvent::Update`] inside a batch whose later update carries a
    /// newer state: only its number and bid line travel.
    #[serde(rename = "auction_step")]
    Step {
        listing: i64,
        seq: i64,
        bid: Option<BidLine>,
    },
}

// Read by tag_first! (the tag is the first key): no buffered copy of the
// message, see domain::tagged.
crate::domain::tagged::tag_first!(
    AuctionEvent,
    "type",
    "auction_snapshot" => Snapshot { room: Box<AuctionRoom> },
    "auction_update" => Update { live: AuctionLive, bid: Option<BidLine> },
    "room_presence" => Presence { listing: i64, watching: u32, joined: Option<String>, left: Option<String> },
    "room_chat" => Chat { listing: i64, line: ChatLine },
    "auction_step" => Step { listing: i64, seq: i64, bid: Option<BidLine> },
);

impl AuctionEvent {
    /// The room this event belongs to.
    pub fn topic(&self) -> Topic {
        let listing = match self {
            AuctionEvent::Snapshot { room } => room.live.listing,
            AuctionEvent::Update { live, .. } => live.listing,
            AuctionEvent::Presence { listing, .. }
            | AuctionEvent::Chat { listing, .. }
            | AuctionEvent::Step { listing, .. } => *listing,
        };
        Topic::Auction { listing }
    }

    /// See [`ServerMsg::mark`](super::ServerMsg::mark).
    pub fn mark(&self) -> Option<super::Mark> {
        match self {
            AuctionEvent::Update { live, .. } => Some(super::Mark::Update(live.seq)),
            AuctionEvent::Step { seq, .. } => Some(super::Mark::Update(*seq)),
            AuctionEvent::Chat { line, .. } => Some(super::Mark::Chat(line.id)),
            AuctionEvent::Snapshot { .. } | AuctionEvent::Presence { .. } => None,
        }
    }

    /// See [`ServerMsg::since`](super::ServerMsg::since).
    pub fn since(&self) -> Option<super::Since> {
        match self {
            AuctionEvent::Snapshot { room } => Some(super::Since {
                seq: room.live.seq,
                chat: room.chat.iter().map(|line| line.id).max().unwrap_or(0),
            }),
            _ => None,
        }
    }

    /// What this event shrinks to inside a batch when a later event of the
    /// batch brings its state up to date; `None` when it must travel whole.
    pub fn brief(&self) -> Option<AuctionEvent> {
        match self {
            AuctionEvent::Update { live, bid } => Some(AuctionEvent::Step {
                listing: live.listing,
                seq: live.seq,
                bid: bid.clone(),
            }),
            _ => None,
        }
    }
}
