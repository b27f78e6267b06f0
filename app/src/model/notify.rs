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
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 6] = [
        NoticeKind::Outbid,
        NoticeKind::AuctionStarted,
        NoticeKind::AuctionWon,
        NoticeKind::AuctionSold,
        NoticeKind::AuctionUnsold,
        NoticeKind::ReserveNotMet,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Outbid => "outbid",
            NoticeKind::AuctionStarted => "auction_started",
            NoticeKind::AuctionWon => "auction_won",
            NoticeKind::AuctionSold => "auction_sold",
            NoticeKind::AuctionUnsold => "auction_unsold",
            NoticeKind::ReserveNotMet => "reserve_not_met",
        }
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
