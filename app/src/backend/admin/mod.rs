//! The moderation console's reads. Its decisions live with the area they
//! change (`catalog::review`, `account::identity`); trust and safety will
//! grow here.

mod store;

use crate::backend::{AppState, account::identity, catalog};
use crate::error::AppError;
use crate::model::AdminOverview;

/// Pending listings the console shows at once.
const PENDING_SHOWN: u32 = 50;

pub async fn overview(state: &AppState) -> Result<AdminOverview, AppError> {
    let db = &state.db;
    let (users, listings) = store::count_users_and_listings(db).await?;
    Ok(AdminOverview {
        users,
        listings,
        id_reviews: identity::pending(db).await?,
        pending_listings: catalog::pending(db, state.config.currency, PENDING_SHOWN).await?,
    })
}
