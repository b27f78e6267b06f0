//! Data the server sends to views (both sides of the wire share these types).

use crate::domain::{
    auction::{Outcome, Phase},
    catalog::{AuctionTerms, Condition, ListingInput, SaleMode, Status},
    money::Money,
};
use serde::{Deserialize, Serialize};

/// A listing as it appears in a grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingCard {
    pub id: i64,
    pub title: String,
    pub price: Money,
    pub area: String,
    pub sale_mode: SaleMode,
    pub status: Status,
    pub favorites: i64,
    /// When an auction ends.
    pub ends_at: Option<i64>,
    /// Path of the first image's thumbnail, if the listing has images.
    pub thumb_url: Option<String>,
}

/// One page of search results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    pub cards: Vec<ListingCard>,
    /// Matches across all pages.
    pub total: u64,
}

/// A stored image of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRef {
    pub id: i64,
    pub url: String,
    pub thumb_url: String,
    pub width: u32,
    pub height: u32,
}

/// Who sells a listing, as its page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerCard {
    pub username: String,
    pub nickname: String,
    pub avatar_url: Option<String>,
    pub id_verified: bool,
    pub member_since: i64,
}

/// Everything the listing page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingDetail {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub price: Money,
    pub stock: i64,
    pub category: String,
    pub tags: Vec<String>,
    pub condition: Condition,
    pub meetup: bool,
    pub area: String,
    pub meetup_place: String,
    pub shipping: bool,
    pub sale_mode: SaleMode,
    pub auction: Option<AuctionTerms>,
    pub status: Status,
    /// Shown to the seller (and admins) only.
    pub reject_reason: Option<String>,
    pub images: Vec<ImageRef>,
    pub seller: SellerCard,
    pub favorites: i64,
    pub views: i64,
    pub created_at: i64,
    /// The viewer has favorited it.
    pub favorited: bool,
    /// The viewer is its seller.
    pub mine: bool,
    pub more_from_seller: Vec<ListingCard>,
}

/// A listing loaded into the edit form (the seller's own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingForEdit {
    pub id: i64,
    pub status: Status,
    pub input: ListingInput,
    pub images: Vec<ImageRef>,
}

/// A listing waiting in the admin review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingListing {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub price: Money,
    pub category: String,
    pub tags: Vec<String>,
    pub seller_username: String,
    pub seller_nickname: String,
    pub images: Vec<ImageRef>,
    pub updated_at: i64,
}

/// A favorite's state after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FavoriteState {
    pub on: bool,
    pub count: i64,
}

/// The logged-in person, as the header and pages need them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub username: String,
    pub nickname: String,
    pub is_admin: bool,
    pub email_verified: bool,
    pub id_verified: bool,
    pub avatar_url: Option<String>,
}

#[cfg(feature = "ssr")]
impl From<crate::backend::account::Account> for Viewer {
    fn from(a: crate::backend::account::Account) -> Viewer {
        use crate::backend::{account::Role, platform::media};
        Viewer {
            is_admin: a.role() == Role::Admin,
            email_verified: a.email_verified_at.is_some(),
            id_verified: a.id_verified_at.is_some(),
            avatar_url: a.avatar.as_deref().map(media::url),
            username: a.username,
            nickname: a.nickname,
        }
    }
}

/// Everything the settings page shows about the viewer's own account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnAccount {
    pub username: String,
    pub nickname: String,
    pub intro: String,
    pub avatar_url: Option<String>,
    pub email: String,
    pub email_verified: bool,
    /// An address a code was sent to and not yet confirmed.
    pub email_pending: Option<String>,
    pub phone: Option<String>,
    pub phone_verified: bool,
    pub phone_pending: Option<String>,
    pub id_verified: bool,
    /// An ID card waiting for an admin.
    pub id_in_review: bool,
}

/// One signed-in browser, as listed in settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginSummary {
    pub created_at: i64,
    pub last_seen: i64,
    pub user_agent: String,
    pub ip: String,
    /// The browser looking at the list.
    pub current: bool,
}

/// A member's public page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicProfile {
    pub username: String,
    pub nickname: String,
    pub intro: String,
    pub avatar_url: Option<String>,
    pub id_verified: bool,
    pub member_since: i64,
}

/// An ID card waiting for an admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct IdReview {
    pub id: i64,
    pub username: String,
    pub nickname: String,
    /// The typed number with its middle hidden.
    pub masked: String,
    pub kind: String,
    pub created_at: i64,
}

/// What the admin console opens with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminOverview {
    pub users: i64,
    pub listings: i64,
    pub id_reviews: Vec<IdReview>,
    pub pending_listings: Vec<PendingListing>,
}

/// How an identity check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdCheck {
    Verified,
    InReview,
}

/// Where a one-time code was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CodeChannel {
    Email,
    Phone,
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    AwaitingPayment,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub public_id: String,
    pub amount: Money,
    pub state: OrderState,
    /// Pay by this time (Unix ms), while awaiting payment.
    pub pay_by: Option<i64>,
}
