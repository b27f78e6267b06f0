//! The typed real-time messages exchanged over `/ws` as JSON text frames.
//!
//! The connection's own messages (subscriptions, presence, heartbeats,
//! acknowledgements) are here; each area declares its messages in its own
//! module and they travel flat on the wire (`{"type":"bid",…}`): an area's enum
//! is an untagged variant of [`ClientMsg`] / [`ServerMsg`], tagged by its own
//! `type`. The socket hands an area's variant to that area's handler.

pub mod auction;
pub mod call;
pub mod chat;
pub mod notify;
pub mod order;

pub use auction::{AuctionCommand, AuctionEvent};
pub use call::{CallCommand, CallEvent, Signal};
pub use chat::{ChatCommand, ChatEvent};
pub use notify::NoticeEvent;
pub use order::{OrderCommand, OrderEvent};

use crate::{error::AppError, model::BidAck};
use serde::{Deserialize, Serialize};

/// A stream of live events a tab can subscribe to. Access is checked on every
/// subscribe; later areas add their rooms (auctions, conversations, orders, calls).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Topic {
    /// Site-wide presence: how many tabs are connected. Public.
    Presence,
    /// An auction room: price, bids, chat, who is watching. Public.
    Auction { listing: i64 },
    /// A negotiation room, by its order's public id. Its two parties and
    /// admins only.
    Order { order: String },
    /// A conversation, by its public id. Its two members only.
    Conversation { conversation: String },
    /// The video calls of a conversation: state and signaling. Its two
    /// members only.
    Call { conversation: String },
}

// Read by tag_first! (the tag is the first key): no buffered copy of the
// message, see domain::tagged.
crate::domain::tagged::tag_first!(
    Topic,
    "kind",
    "presence" => Presence,
    "auction" => Auction { listing: i64 },
    "order" => Order { order: String },
    "conversation" => Conversation { conversation: String },
    "call" => Call { conversation: String },
);

impl Topic {
    /// Whether the hub may hold this topic's messages briefly and deliver
    /// several at once. A busy auction room publishes hundreds of updates a
    /// second, which no screen shows one by one.
    pub fn coalesces(&self) -> bool {
        matches!(self, Topic::Auction { .. })
    }
}

/// Browser → server.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    Subscribe {
        topic: Topic,
    },
    Unsubscribe {
        topic: Topic,
    },
    Ping,
    /// An auction room's command.
    #[serde(untagged)]
    Auction(AuctionCommand),
    /// A negotiation room's command.
    #[serde(untagged)]
    Order(OrderCommand),
    /// A conversation's command.
    #[serde(untagged)]
    Chat(ChatCommand),
    /// A call's command.
    #[serde(untagged)]
    Call(CallCommand),
}

// Read by tag_first! (the tag is the first key): no buffered copy of the
// message, see domain::tagged.
crate::domain::tagged::tag_first!(
    ClientMsg,
    "type",
    "subscribe" => Subscribe { topic: Topic },
    "unsubscribe" => Unsubscribe { topic: Topic },
    "ping" => Ping;
    Auction(AuctionCommand),
    Order(OrderCommand),
    Chat(ChatCommand),
    Call(CallCommand),
);

/// Browser → server: the connection's own subscriptions, as the tab's socket
/// task writes them — the same frames as [`ClientMsg::Subscribe`] and
/// [`ClientMsg::Unsubscribe`]. A type of its own so that the main browser
/// file does not carry the writers of every area's commands: the pages that
/// send those write them as [`ClientMsg`] in their own, lazily loaded code.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Subscription<'a> {
    Subscribe { topic: &'a Topic },
    Unsubscribe { topic: &'a Topic },
}

/// Server → browser: the messages the tab's socket task reads itself, the
/// same frames as those [`ServerMsg`] variants. Everything else (an area's
/// events, acknowledgements, batches) goes as text to the pages following a
/// topic, which read it as a [`ServerMsg`] in their own lazily loaded code,
/// so that the main file carries no area's event readers.
#[derive(Debug, Clone, PartialEq)]
pub enum SocketEvent {
    Welcome { server_time_ms: i64 },
    Heartbeat { server_time_ms: i64 },
    Pong,
    Online { count: u32 },
    Notify(NoticeEvent),
}

crate::domain::tagged::tag_first!(
    SocketEvent,
    "type",
    "welcome" => Welcome { server_time_ms: i64 },
    "heartbeat" => Heartbeat { server_time_ms: i64 },
    "pong" => Pong,
    "online" => Online { count: u32 };
    Notify(NoticeEvent),
);

/// Server → browser.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// The outcome of the sender's own command `req`: what the area hands
    /// back (a bid's acknowledgement, sent once it is stored), nothing (a chat
    /// line), or why it was refused.
    Ack {
        req: u32,
        result: Result<Option<Receipt>, AppError>,
    },
    /// Messages of one busy topic, in order, delivered together.
    Batch {
        msgs: Vec<ServerMsg>,
    },
    /// A notification area's event.
    #[serde(untagged)]
    Notify(NoticeEvent),
    /// An auction room's event.
    #[serde(untagged)]
    Auction(AuctionEvent),
    /// A negotiation room's event.
    #[serde(untagged)]
    Order(OrderEvent),
    /// A conversation's event.
    #[serde(untagged)]
    Chat(ChatEvent),
    /// A call's event.
    #[serde(untagged)]
    Call(CallEvent),
}

// Read by tag_first! (the tag is the first key): no buffered copy of the
// message, see domain::tagged.
crate::domain::tagged::tag_first!(
    ServerMsg,
    "type",
    "welcome" => Welcome { server_time_ms: i64 },
    "heartbeat" => Heartbeat { server_time_ms: i64 },
    "pong" => Pong,
    "online" => Online { count: u32 },
    "error" => Error { code: ErrorCode },
    "ack" => Ack { req: u32, result: Result<Option<Receipt>, AppError> },
    "batch" => Batch { msgs: Vec<ServerMsg> };
    Notify(NoticeEvent),
    Auction(AuctionEvent),
    Order(OrderEvent),
    Chat(ChatEvent),
    Call(CallEvent),
);

/// What an area hands back for an acknowledged command. Untagged: each
/// area's receipt has its own shape, and a bid's reads as it always has.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Receipt {
    Bid(BidAck),
}

// Read by hand: serde's untagged reader would buffer the message (see
// domain::tagged). With one kind of receipt there is nothing to tell apart;
// the next area's receipt will need a field that names it.
impl<'de> Deserialize<'de> for Receipt {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BidAck::deserialize(deserializer).map(Receipt::Bid)
    }
}

impl ServerMsg {
    /// What this message shrinks to inside a batch when a later message of
    /// the batch brings the state it carries up to date; `None` when it must
    /// travel whole.
    pub fn brief(&self) -> Option<ServerMsg> {
        match self {
            ServerMsg::Auction(event) => event.brief().map(ServerMsg::Auction),
            _ => None,
        }
    }

    /// Where this message stands in its topic's numbering, so that a
    /// newcomer whose snapshot already has it is not sent it again.
    pub fn mark(&self) -> Option<Mark> {
        match self {
            ServerMsg::Auction(event) => event.mark(),
            ServerMsg::Order(event) => event.mark(),
            ServerMsg::Chat(event) => event.mark(),
            _ => None,
        }
    }

    /// What a snapshot already has: the messages marked up to here.
    pub fn since(&self) -> Option<Since> {
        match self {
            ServerMsg::Auction(event) => event.since(),
            ServerMsg::Order(event) => event.since(),
            ServerMsg::Chat(event) => event.since(),
            _ => None,
        }
    }

    /// The topic whose followers this message is for; `None` for the
    /// connection's own messages.
    pub fn topic(&self) -> Option<Topic> {
        match self {
            ServerMsg::Auction(event) => Some(event.topic()),
            ServerMsg::Order(event) => Some(event.topic()),
            ServerMsg::Chat(event) => Some(event.topic()),
            ServerMsg::Call(event) => Some(event.topic()),
            _ => None,
        }
    }
}

/// A topic message's place in its topic: the auction update it carries
/// (`seq`), or the chat line (its id, which grows with every line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Update(i64),
    Chat(i64),
}

/// How far a snapshot reaches: the last update and chat line it includes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Since {
    pub seq: i64,
    pub chat: i64,
}

impl Since {
    /// Whether a message marked `mark` is newer than the snapshot.
    pub fn before(&self, mark: Option<Mark>) -> bool {
        match mark {
            Some(Mark::Update(seq)) => seq > self.seq,
            Some(Mark::Chat(id)) => id > self.chat,
            None => true,
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
    /// The socket sent more messages (or subscribes) than it may; this one
    /// was ignored.
    RateLimited,
    /// The socket is in as many auction rooms as one socket may be.
    TooManyRooms,
}

/// Messages for the tests of the modules that handle them.
#[cfg(test)]
pub mod fixtures {
    use super::{AuctionEvent, ServerMsg};

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
        ServerMsg::Auction(AuctionEvent::Update {
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
        })
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
    fn the_socket_tasks_own_messages_are_the_same_frames() {
        let topic = Topic::Order { order: "ab".into() };
        for (own, full) in [
            (
                Subscription::Subscribe { topic: &topic },
                ClientMsg::Subscribe {
                    topic: topic.clone(),
                },
            ),
            (
                Subscription::Unsubscribe { topic: &topic },
                ClientMsg::Unsubscribe {
                    topic: topic.clone(),
                },
            ),
        ] {
            let text = serde_json::to_string(&own).unwrap();
            assert_eq!(text, serde_json::to_string(&full).unwrap());
            assert_eq!(serde_json::from_str::<ClientMsg>(&text).unwrap(), full);
        }

        let read = |msg: &ServerMsg| {
            serde_json::from_str::<SocketEvent>(&serde_json::to_string(msg).unwrap()).ok()
        };
        assert_eq!(
            read(&ServerMsg::Welcome { server_time_ms: 5 }),
            Some(SocketEvent::Welcome { server_time_ms: 5 })
        );
        assert_eq!(
            read(&ServerMsg::Heartbeat { server_time_ms: 6 }),
            Some(SocketEvent::Heartbeat { server_time_ms: 6 })
        );
        assert_eq!(read(&ServerMsg::Pong), Some(SocketEvent::Pong));
        assert_eq!(
            read(&ServerMsg::Online { count: 2 }),
            Some(SocketEvent::Online { count: 2 })
        );
        assert_eq!(
            read(&ServerMsg::Notify(NoticeEvent::Unread { count: 4 })),
            Some(SocketEvent::Notify(NoticeEvent::Unread { count: 4 }))
        );
        // What is a page's to read is not the socket task's.
        let update = fixtures::update(3);
        assert_eq!(read(&update), None);
        assert_eq!(read(&ServerMsg::Batch { msgs: vec![update] }), None);
        assert_eq!(
            read(&ServerMsg::Ack {
                req: 1,
                result: Ok(None)
            }),
            None
        );
        assert_eq!(
            read(&ServerMsg::Error {
                code: ErrorCode::Forbidden
            }),
            None
        );
    }

    #[test]
    fn unknown_messages_are_rejected() {
        assert!(serde_json::from_str::<ClientMsg>(r#"{"type":"bid","amount":5}"#).is_err());
        assert!(serde_json::from_str::<ClientMsg>(r#"{"type":"raise","amount":5}"#).is_err());
        let bid = r#"{"type":"bid","listing":3,"amount":500,"req":1,"bidder":9}"#;
        assert_eq!(
            serde_json::from_str::<ClientMsg>(bid).unwrap(),
            ClientMsg::Auction(AuctionCommand::Bid {
                listing: 3,
                amount: 500,
                req: 1
            }),
            "a claimed bidder is ignored: the bidder is the session's"
        );
        assert!(serde_json::from_str::<ClientMsg>("not json").is_err());
    }

    #[test]
    fn area_messages_travel_flat_and_come_back_as_their_area() {
        use crate::domain::money::{Currency, Money};

        let bid = ClientMsg::Auction(AuctionCommand::Bid {
            listing: 3,
            amount: 500,
            req: 1,
        });
        let json = serde_json::to_string(&bid).unwrap();
        assert_eq!(json, r#"{"type":"bid","listing":3,"amount":500,"req":1}"#);
        assert_eq!(serde_json::from_str::<ClientMsg>(&json).unwrap(), bid);

        let unread = ServerMsg::Notify(NoticeEvent::Unread { count: 2 });
        let json = serde_json::to_string(&unread).unwrap();
        assert_eq!(json, r#"{"type":"unread","count":2}"#);
        assert_eq!(serde_json::from_str::<ServerMsg>(&json).unwrap(), unread);
        assert_eq!(unread.topic(), None);

        let update = fixtures::update(4);
        let json = serde_json::to_string(&update).unwrap();
        assert!(
            json.starts_with(r#"{"type":"auction_update","live":{"#),
            "{json}"
        );
        let back = serde_json::from_str::<ServerMsg>(&json).unwrap();
        assert_eq!(back, update);
        assert_eq!(back.topic(), Some(Topic::Auction { listing: 1 }));

        let batch = ServerMsg::Batch {
            msgs: vec![update, ServerMsg::Online { count: 1 }],
        };
        let json = serde_json::to_string(&batch).unwrap();
        assert_eq!(serde_json::from_str::<ServerMsg>(&json).unwrap(), batch);

        let ack = ServerMsg::Ack {
            req: 7,
            result: Ok(Some(Receipt::Bid(BidAck {
                leading: true,
                price: Money::new(500, Currency::Twd),
                max: Money::new(900, Currency::Twd),
            }))),
        };
        let json = serde_json::to_string(&ack).unwrap();
        assert!(
            json.starts_with(r#"{"type":"ack","req":7,"result":{"Ok":{"leading":true,"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<ServerMsg>(&json).unwrap(), ack);
    }
}
