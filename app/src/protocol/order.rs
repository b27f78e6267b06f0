//! The order area's messages: what the two sides of a negotiation room do,
//! and the room's state as it changes. Each command is answered by
//! [`super::ServerMsg::Ack`] with its `req` (no receipt: the change itself
//! arrives as an [`OrderEvent::Update`] to both sides).

use super::{Mark, Since, Topic};
use crate::{
    domain::order::{Term, TermValue},
    model::OrderLive,
};
use serde::Serialize;

/// Browser → server, from a negotiation room. The actor is the session's;
/// the server decides whether they are the buyer or the seller.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OrderCommand {
    /// The seller sets a term.
    Edit {
        order: String,
        value: TermValue,
        req: u32,
    },
    /// The buyer ticks (`on`) or unticks a term, as of revision `rev`.
    Tick {
        order: String,
        term: Term,
        rev: i64,
        on: bool,
        req: u32,
    },
    /// The buyer (all four ticked), then the seller, confirms.
    Confirm { order: String, req: u32 },
    /// Either side calls the order off, saying why.
    Cancel {
        order: String,
        reason: String,
        req: u32,
    },
}

// Read by tag_first! (the tag is the first key): no buffered copy of the
// message, see domain::tagged.
crate::domain::tagged::tag_first!(
    OrderCommand,
    "type",
    "edit" => Edit { order: String, value: TermValue, req: u32 },
    "tick" => Tick { order: String, term: Term, rev: i64, on: bool, req: u32 },
    "confirm" => Confirm { order: String, req: u32 },
    "cancel" => Cancel { order: String, reason: String, req: u32 },
);

/// Server → browser, to the two parties' tabs in a room ([`Topic::Order`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum OrderEvent {
    /// The room's state, sent on subscribing (and re-subscribing).
    #[serde(rename = "order_snapshot")]
    Snapshot { live: OrderLive },
    /// The order changed; its whole state, numbered by `live.seq`. A tab
    /// that sees a number it did not expect asks for a snapshot again.
    #[serde(rename = "order_update")]
    Update { live: OrderLive },
}

// Read by tag_first! (the tag is the first key): no buffered copy of the
// message, see domain::tagged.
crate::domain::tagged::tag_first!(
    OrderEvent,
    "type",
    "order_snapshot" => Snapshot { live: OrderLive },
    "order_update" => Update { live: OrderLive },
);

impl OrderEvent {
    pub fn live(&self) -> &OrderLive {
        match self {
            OrderEvent::Snapshot { live } | OrderEvent::Update { live } => live,
        }
    }

    pub fn topic(&self) -> Topic {
        Topic::Order {
            order: self.live().order.clone(),
        }
    }

    pub fn mark(&self) -> Option<Mark> {
        match self {
            OrderEvent::Update { live } => Some(Mark::Update(live.seq)),
            OrderEvent::Snapshot { .. } => None,
        }
    }

    pub fn since(&self) -> Option<Since> {
        match self {
            OrderEvent::Snapshot { live } => Some(Since {
                seq: live.seq,
                chat: 0,
            }),
            OrderEvent::Update { .. } => None,
        }
    }
}
