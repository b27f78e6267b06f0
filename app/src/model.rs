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
    pub id_verified: bool,
    pub avatar_url: Option<String>,
}

#[cfg(feature = "ssr")]
impl From<crate::backend::accounts::Account> for Viewer {
    fn from(a: crate::backend::accounts::Account) -> Viewer {
        use crate::backend::{accounts::Role, media};
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
