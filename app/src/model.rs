//! Data the server sends to views (both sides of the wire share these types).

use crate::domain::{listing::SaleMode, money::Money};
use serde::{Deserialize, Serialize};

/// A listing as it appears in a grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingCard {
    pub id: i64,
    pub title: String,
    pub price: Money,
    pub area: String,
    pub sale_mode: SaleMode,
    /// Path of the first image's thumbnail, if the listing has images.
    pub thumb_url: Option<String>,
}

/// The logged-in person, as the header and pages need them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub username: String,
    pub nickname: String,
    pub is_admin: bool,
    pub email_verified: bool,
}
