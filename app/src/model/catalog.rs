//! Listings as grids, pages and forms show them.

use crate::domain::{
    catalog::AuctionTerms, catalog::Condition, catalog::ListingInput, catalog::SaleMode,
    catalog::Status, money::Money,
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
    /// The auction's terms; the reserve's amount only for the seller and admins.
    pub auction: Option<AuctionTerms>,
    /// The auction has a reserve price (its amount is not said).
    pub has_reserve: bool,
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

/// What saving a listing led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedListing {
    pub id: i64,
    pub status: Status,
}
