//! Orders as other areas show them.

use crate::domain::money::Money;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    AwaitingPayment,
    Cancelled,
    /// Paid into escrow: the order is in its room.
    Paid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub public_id: String,
    pub amount: Money,
    pub state: OrderState,
    /// Pay by this time (Unix ms), while awaiting payment.
    pub pay_by: Option<i64>,
}

use crate::domain::order::{DealState, Party, Ticks};
use crate::domain::wallet::HoldState;
use crate::model::Participant;

/// What both sides of a negotiation room see of its order, sent whole on
/// every change (it is small): the room snapshot, and each numbered update.
/// Never the handover code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLive {
    /// The order's public id (its room is `/o/<order>`).
    pub order: String,
    /// Update number: grows by one with every change.
    pub seq: i64,
    pub state: DealState,
    pub quantity: u32,
    /// Total price for `quantity`.
    pub price: Money,
    pub place: String,
    /// Meet-up time (Unix ms); `None` until the seller proposes one.
    pub time: Option<i64>,
    pub ticks: Ticks,
    /// The update number at which each term was last set (order of
    /// `Term::ALL`); a tick names the one its sender saw.
    pub revs: [i64; 4],
    pub cancelled_by: Option<Party>,
    pub cancel_reason: Option<String>,
}

/// The listing an order or offer is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealListing {
    pub id: i64,
    pub title: String,
    pub thumb_url: Option<String>,
    /// The listing's asking price for one unit.
    pub unit_price: Money,
}

/// The buyer's proof of handover, shown once the order is established.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    pub code: String,
    /// The code as a QR code, an SVG document drawn by the server.
    pub qr_svg: String,
}

/// How an order is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Payment {
    /// Nothing paid through Haggle: cash at the meet-up.
    Cash,
    /// Paid into escrow: held until the handover (`pending`), then released
    /// to the seller (`posted`) or refunded to the buyer (`voided`).
    Escrow { amount: Money, state: HoldState },
}

/// The negotiation room of one order, for one of its parties (or an admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRoom {
    pub live: OrderLive,
    /// The viewer's side; `None` for an admin looking on.
    pub you: Option<Party>,
    pub listing: DealListing,
    pub buyer: Participant,
    pub seller: Participant,
    /// What the buyer wrote when ordering.
    pub remark: String,
    pub created_at: i64,
    /// Units the listing has left besides this order's: how far the seller
    /// may raise the quantity.
    pub spare: u32,
    /// The handover code: to the buyer only, once established.
    pub handover: Option<Handover>,
    /// To the seller: wrong codes paused code entry until then.
    pub code_paused_until: Option<i64>,
    /// Paid into escrow (and where the hold stands) or cash.
    pub payment: Payment,
    /// A won auction's order: the winner pays by then (Unix ms).
    pub pay_by: Option<i64>,
    /// To the seller: the winner let `pay_by` pass, so the order may be
    /// cancelled as unpaid (and the item offered to the runner-up).
    pub unpaid: bool,
}

/// An order in a list ("to trade", "my orders", "sold").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub order: String,
    pub listing: DealListing,
    /// The viewer's side.
    pub you: Party,
    /// The other side.
    pub other: Participant,
    pub state: DealState,
    pub quantity: u32,
    pub price: Money,
    pub place: String,
    pub time: Option<i64>,
    pub created_at: i64,
}

/// The viewer's orders: established ones ahead of a meet-up, then the
/// history, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyOrders {
    pub to_trade: Vec<OrderLine>,
    pub history: Vec<OrderLine>,
}
