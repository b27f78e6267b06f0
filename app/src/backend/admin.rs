//! The moderation console's reads. Its decisions live with the area they
//! change (`catalog::review`, `account::identity`); trust and safety will
//! grow here.

use crate::backend::{AppState, account::identity, catalog};
use crate::error::AppError;
use crate::model::AdminOverview;

/// Pending listings the console shows at once.
const PENDING_SHOWN: u32 = 50;

pub async fn overview(state: &AppState) -> Result<AdminOverview, AppError> {
    let db = &state.db;
    let (users, listings): (i64, i64) =
        sqlx::query_as("SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM listings)")
            .fetch_one(db)
            .await?;
    Ok(AdminOverview {
        users,
        listings,
        id_reviews: identity::pending(db).await?,
        pending_listings: catalog::pending(db, state.config.currency, PENDING_SHOWN).await?,
    })
}
