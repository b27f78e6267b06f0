//! Members, their accounts and the admin overview.

use super::catalog::PendingListing;
use serde::{Deserialize, Serialize};

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
    /// The member already verified by this number, if any: approving waits
    /// until an admin revokes that verification.
    pub held_by: Option<String>,
    /// Other members waiting for review with this number.
    pub others_waiting: i64,
    /// The member's identity checks in the last 24 hours.
    pub recent_attempts: i64,
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
