//! The admin console. Every function checks the role itself, whatever the
//! router already did.

use crate::{error::AppError, model::AdminOverview};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{backend::web::session, error::respond};

#[server(endpoint = "admin/overview")]
pub async fn fetch_admin_overview() -> Result<AdminOverview, AppError> {
    respond(
        async move {
            use crate::backend::account::identity;
            let admin = session::admin().await?;
            let db = &admin.state.db;
            let (users, listings): (i64, i64) = sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM listings)",
            )
            .fetch_one(db)
            .await?;
            let id_reviews = identity::pending(db).await?;
            let pending_listings =
                crate::backend::catalog::pending(db, admin.state.config.currency, 50).await?;
            Ok(AdminOverview {
                users,
                listings,
                id_reviews,
                pending_listings,
            })
        }
        .await,
    )
}

#[server(endpoint = "admin/decide_id_review")]
pub async fn decide_id_review(review: i64, approve: bool) -> Result<(), AppError> {
    respond(
        async move {
            use crate::backend::account::identity;
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

/// Approves or rejects (with a reason the seller sees) a listing under review.
#[server(endpoint = "admin/review_listing")]
pub async fn review_listing(listing: i64, approve: bool, reason: String) -> Result<(), AppError> {
    respond(
        async move {
            use crate::backend::{catalog::review, platform::clock::now_ms};
            let admin = session::admin().await?;
            let decision = if approve {
                review::Decision::Approve
            } else {
                review::Decision::Reject
            };
            review::decide(&admin.state.db, listing, decision, &reason, now_ms()).await?;
            admin.state.search_cache.clear();
            // An approved auction may be due to start already.
            admin.state.auctions.wake_scheduler();
            tracing::info!(
                listing,
                approve,
                admin = admin.account.id,
                "listing reviewed"
            );
            Ok(())
        }
        .await,
    )
}

/// Takes a public listing down, with a reason the seller sees.
#[server(endpoint = "admin/delist")]
pub async fn delist_listing(listing: i64, reason: String) -> Result<(), AppError> {
    respond(
        async move {
            use crate::backend::{catalog::review, platform::clock::now_ms};
            let admin = session::admin().await?;
            review::delist(&admin.state.db, listing, &reason, now_ms()).await?;
            admin.state.search_cache.clear();
            tracing::info!(listing, admin = admin.account.id, "listing delisted");
            Ok(())
        }
        .await,
    )
}
