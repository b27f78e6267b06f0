//! The typed real-time messages exchanged over `/ws` as JSON text frames.

use crate::{
    error::AppError,
    model::{AuctionLive, AuctionRoom, BidAck, BidLine, ChatLine, Notification},
};
use serde::{Deserialize, Serialize};

/// A stream of live events a tab can subscribe to. Access is checked on every
/// subscribe; later areas add their rooms (auctions, conversations, orders, calls).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Topic {
    /// Site-wide presence: how many tabs are connected. Public.
    Presence,
    /// An auction room: price, bids, chat, who is watching. Public.
    Auction { listing: i64 },
}

impl Topic {
    /// Whether the hub may hold this topic's messages briefly and deliver
    /// several at once. A busy auction room publishes hundreds of updates a
    /// second, which no screen shows one by one.
    pub fn coalesces(&self) -> bool {
        matches!(self, Topic::Auction { .. })
    }
}

/// Browser → server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    Subscribe {
        topic: Topic,
    },
    Unsubscribe {
        topic: Topic,
    },
    Ping,
    /// A bid of `amount` (minor units) as the bidder's maximum; answered by
    /// [`ServerMsg::Ack`] with the same `req`. The bidder is the session's.
    Bid {
        listing: i64,
        amount: i64,
        req: u32,
    },
    /// A line in an auction room's chat. `#12500` is a bid of 12,500 in the
    /// currency's usual notation, answered like [`ClientMsg::Bid`].
    Say {
        listing: i64,
        text: String,
        req: u32,
    },
}

/// Server → browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    /// First frame on every connection; lets the client align countdowns with the
    /// server clock.
    Welcome {
        server_time_ms: i64,
    },
    /// Sent periodically so a client can tell a silent socket from a dead one.
    Heartbeat {
        server_time_ms: i64,
    },
    Pong,
    /// Snapshot and update of [`Topic::Presence`].
    Online {
        count: u32,
    },
    /// A message was refused; nothing changed.
    Error {
        code: ErrorCode,
    },
    /// The whole room, sent on subscribing to [`Topic::Auction`].
    AuctionSnapshot {
        room: Box<AuctionRoom>,
    },
    /// The auction changed: its full live state (numbered by `live.seq`) and
    /// the accepted bid that changed it, if a bid did.
    AuctionUpdate {
        live: AuctionLive,
        bid: Option<BidLine>,
    },
    /// Someone signed in entered or left a room (`name`), or just the count.
    RoomPresence {
        listing: i64,
        watching: u32,
        joined: Option<String>,
        left: Option<String>,
    },
    RoomChat {
        listing: i64,
        line: ChatLine,
    },
    /// The outcome of the sender's own bid or chat line `req`: a bid's
    /// acknowledgement (sent once it is stored), nothing for a chat line, or
    /// why it was refused.
    Ack {
        req: u32,
        result: Result<Option<BidAck>, AppError>,
    },
    /// The signed-in user's unread notifications, sent after `Welcome`.
    Unread {
        count: u32,
    },
    /// A new notification for the signed-in user, and their unread count.
    Notice {
        notification: Notification,
        unread: u32,
    },
    /// Messages of one busy topic, in order, delivered together.
    Batch {
        msgs: Vec<ServerMsg>,
    },
    /// An [`ServerMsg::AuctionUpdate`] inside a batch whose later update
    /// carries a newer state: only its number and bid line travel.
    AuctionStep {
        listing: i64,
        seq: i64,
        bid: Option<BidLine>,
    },
}

impl ServerMsg {
    /// What this message shrinks to inside a batch when a later message of
    /// the batch brings the state it carries up to date (see
    /// [`ServerMsg::AuctionStep`]); `None` when it must travel whole.
    pub fn brief(&self) -> Option<ServerMsg> {
        match self {
            ServerMsg::AuctionUpdate { live, bid } => Some(ServerMsg::AuctionStep {
                listing: live.listing,
                seq: live.seq,
                bid: bid.clone(),
            }),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame was not a valid [`ClientMsg`].
    BadMessage,
    /// The caller may not subscribe to that topic.
    Forbidden,
}

/// Messages for the tests of the modules that handle them.
#[cfg(test)]
pub mod fixtures {
    use super::ServerMsg;

    /// Listing 1's update number `seq`: bid `seq` made the price `100 × seq`.
    pub fn update(seq: i64) -> ServerMsg {
        use crate::{
            domain::{
                auction::Phase,
                money::{Currency, Money},
            },
            model::{AuctionLive, BidLine, Participant},
        };
        let price = Money::new(100 * seq, Currency::Twd);
        let bidder = Participant {
            id: seq,
            name: format!("bidder {seq}"),
        };
        ServerMsg::AuctionUpdate {
            live: AuctionLive {
                listing: 1,
                seq,
                phase: Phase::Live,
                outcome: None,
                price,
                bids: u32::try_from(seq).unwrap(),
                leader: Some(bidder.clone()),
                starts_at: 0,
                ends_at: 60_000,
                has_reserve: false,
                reserve_met: false,
                buy_now: None,
                min_bid: Money::new(100 * seq + 10, Currency::Twd),
            },
            bid: Some(BidLine {
                id: seq,
                bidder,
                price,
                at: seq,
                buy_now: false,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_format_is_stable() {
        let sub = ClientMsg::Subscribe {
            topic: Topic::Presence,
        };
        let json = serde_json::to_string(&sub).unwrap();
        assert_eq!(json, r#"{"type":"subscribe","topic":{"kind":"presence"}}"#);
        assert_eq!(serde_json::from_str::<ClientMsg>(&json).unwrap(), sub);
        assert_eq!(
            serde_json::to_string(&ServerMsg::Online { count: 3 }).unwrap(),
            r#"{"type":"online","count":3}"#
        );
        assert_eq!(
            serde_json::to_string(&ServerMsg::Error {
                code: ErrorCode::BadMessage
            })
            .unwrap(),
            r#"{"type":"error","code":"bad_message"}"#
        );
    }

    #[test]
    fn unknown_messages_are_rejected() {
        assert!(serde_json::from_str::<ClientMsg>(r#"{"type":"bid","amount":5}"#).is_err());
        assert!(serde_json::from_str::<ClientMsg>(r#"{"type":"raise","amount":5}"#).is_err());
        let bid = r#"{"type":"bid","listing":3,"amount":500,"req":1,"bidder":9}"#;
        assert_eq!(
            serde_json::from_str::<ClientMsg>(bid).unwrap(),
            ClientMsg::Bid {
                listing: 3,
                amount: 500,
                req: 1
            },
            "a claimed bidder is ignored: the bidder is the session's"
        );
        assert!(serde_json::from_str::<ClientMsg>("not json").is_err());
    }
}
