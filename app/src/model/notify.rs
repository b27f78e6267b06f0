//! Notifications.

use crate::domain::money::Money;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Outbid,
    AuctionStarted,
    AuctionWon,
    AuctionSold,
    AuctionUnsold,
    /// To the top bidder of an auction that ended below its reserve.
    ReserveNotMet,
    /// To the seller: a buyer ordered.
    OrderPlaced,
    /// To the other side: a term changed or was accepted in the room (one
    /// unread notice per order, refreshed, not one per change).
    OrderUpdated,
    /// To the seller: the buyer accepted every term and confirmed.
    OrderBuyerConfirmed,
    /// To the buyer: the seller confirmed; the deal stands.
    OrderEstablished,
    /// To the other side: the order was cancelled.
    OrderCancelled,
    /// To the buyer: the seller took the handover code.
    OrderCompleted,
    /// To the seller: the buyer paid into escrow.
    OrderPaid,
    /// To an auction's winner: the seller cancelled the unpaid order, and
    /// an unpaid strike is on their record.
    UnpaidStrike,
    /// To an auction's runner-up: the seller offers them the item at their
    /// last bid.
    SecondChance,
    /// To the seller: a buyer made an offer.
    OfferReceived,
    /// To the buyer: the seller countered.
    OfferCountered,
    /// To whoever made the offer: it was accepted (an order exists).
    OfferAccepted,
    /// To whoever made the offer: it was declined.
    OfferDeclined,
    /// To the other side: the offer was withdrawn.
    OfferWithdrawn,
    /// To both sides: nobody answered in time.
    OfferExpired,
    /// To the member: the provider confirmed a top-up; the money is there.
    TopUpSucceeded,
    /// To the member: the card was declined or the charge failed.
    TopUpDeclined,
    /// To the member: a withdrawal left for their bank.
    WithdrawalSent,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 24] = [
        NoticeKind::Outbid,
        NoticeKind::AuctionStarted,
        NoticeKind::AuctionWon,
        NoticeKind::AuctionSold,
        NoticeKind::AuctionUnsold,
        NoticeKind::ReserveNotMet,
        NoticeKind::OrderPlaced,
        NoticeKind::OrderUpdated,
        NoticeKind::OrderBuyerConfirmed,
        NoticeKind::OrderEstablished,
        NoticeKind::OrderCancelled,
        NoticeKind::OrderCompleted,
        NoticeKind::OrderPaid,
        NoticeKind::UnpaidStrike,
        NoticeKind::SecondChance,
        NoticeKind::OfferReceived,
        NoticeKind::OfferCountered,
        NoticeKind::OfferAccepted,
        NoticeKind::OfferDeclined,
        NoticeKind::OfferWithdrawn,
        NoticeKind::OfferExpired,
        NoticeKind::TopUpSucceeded,
        NoticeKind::TopUpDeclined,
        NoticeKind::WithdrawalSent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Outbid => "outbid",
            NoticeKind::AuctionStarted => "auction_started",
            NoticeKind::AuctionWon => "auction_won",
            NoticeKind::AuctionSold => "auction_sold",
            NoticeKind::AuctionUnsold => "auction_unsold",
            NoticeKind::ReserveNotMet => "reserve_not_met",
            NoticeKind::OrderPlaced => "order_placed",
            NoticeKind::OrderUpdated => "order_updated",
            NoticeKind::OrderBuyerConfirmed => "order_buyer_confirmed",
            NoticeKind::OrderEstablished => "order_established",
            NoticeKind::OrderCancelled => "order_cancelled",
            NoticeKind::OrderCompleted => "order_completed",
            NoticeKind::OrderPaid => "order_paid",
            NoticeKind::UnpaidStrike => "unpaid_strike",
            NoticeKind::SecondChance => "second_chance",
            NoticeKind::OfferReceived => "offer_received",
            NoticeKind::OfferCountered => "offer_countered",
            NoticeKind::OfferAccepted => "offer_accepted",
            NoticeKind::OfferDeclined => "offer_declined",
            NoticeKind::OfferWithdrawn => "offer_withdrawn",
            NoticeKind::OfferExpired => "offer_expired",
            NoticeKind::TopUpSucceeded => "top_up_succeeded",
            NoticeKind::TopUpDeclined => "top_up_declined",
            NoticeKind::WithdrawalSent => "withdrawal_sent",
        }
    }

    /// About the member's wallet (no listing; it leads to the wallet page).
    pub fn is_wallet(self) -> bool {
        matches!(
            self,
            NoticeKind::TopUpSucceeded | NoticeKind::TopUpDeclined | NoticeKind::WithdrawalSent
        )
    }

    pub fn parse(text: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    pub kind: NoticeKind,
    pub listing: Option<i64>,
    /// Where it leads: an order's room or an offer's page (otherwise the
    /// listing's page).
    pub link: Option<String>,
    /// The listing's title, for the sentence.
    pub title: String,
    pub amount: Option<Money>,
    pub at: i64,
    pub read: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notifications {
    pub items: Vec<Notification>,
    pub unread: u32,
}
