//! The admin console. Every function checks the role itself, whatever the
//! router already did.

use crate::{error::AppError, model::AdminOverview};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{backend::session, error::respond};

#[server(endpoint = "admin/overview")]
pub async fn fetch_admin_overview() -> Result<AdminOverview, AppError> {
    respond(
        async move {
            use crate::backend::identity;
            let admin = session::admin().await?;
            let db = &admin.state.db;
            let (users, listings): (i64, i64) = sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM listings)",
            )
            .fetch_one(db)
            .await?;
            let id_reviews = identity::pending(db).await?;
            Ok(AdminOverview {
                users,
                listings,
                id_reviews,
            })
        }
        .await,
    )
}

#[server(endpoint = "admin/decide_id_review")]
pub async fn decide_id_review(review: i64, approve: bool) -> Result<(), AppError> {
    respond(
        async move {
            use crate::backend::identity;
            let admin = session::admin().await?;
            identity::decide(&admin.state, review, admin.account.id, approve)
                .await
                .map_err(AppError::from)?;
            tracing::info!(
                admin = admin.account.id,
                review,
                approve,
                "ID review decided"
            );
            Ok(())
        }
        .await,
    )
}
