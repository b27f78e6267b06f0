//! The admin console. Every function checks the role itself, whatever the
//! router already did.

use crate::api::codec::JsonText;
use crate::{error::AppError, model::AdminOverview};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{backend::web::session, domain::id::ListingId, error::respond};

#[server(output = JsonText, endpoint = "admin/overview")]
pub async fn fetch_admin_overview() -> Result<AdminOverview, AppError> {
    respond(
        async move {
            let admin = session::admin().await?;
            crate::backend::admin::overview(&admin.state).await
        }
        .await,
    )
}

#[server(output = JsonText, endpoint = "admin/decide_id_review")]
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

/// Revokes the verified identity of `username`, so the rightful holder of
/// the number can verify with it.
#[server(output = JsonText, endpoint = "admin/revoke_identity")]
pub async fn revoke_identity(username: String) -> Result<(), AppError> {
    respond(
        async move {
            use crate::backend::account::identity;
            let admin = session::admin().await?;
            let member = identity::revoke(&admin.state.db, &username).await?;
            tracing::warn!(
                admin = admin.account.id,
                member = member.get(),
                "identity verification revoked"
            );
            Ok(())
        }
        .await,
    )
}

/// Approves or rejects (with a reason the seller sees) a listing under review.
/// The console sends the `version` it showed; an edit since then is a conflict.
#[server(output = JsonText, endpoint = "admin/review_listing")]
pub async fn review_listing(
    listing: i64,
    approve: bool,
    reason: String,
    #[server(default)] version: Option<i64>,
) -> Result<(), AppError> {
    respond(
        async move {
            use crate::backend::{catalog::review, platform::clock::now_ms};
            let admin = session::admin().await?;
            let decision = if approve {
                review::Decision::Approve
            } else {
                review::Decision::Reject
            };
            review::review(
                &admin.state,
                ListingId(listing),
                decision,
                &reason,
                version,
                now_ms(),
            )
            .await?;
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
#[server(output = JsonText, endpoint = "admin/delist")]
pub async fn delist_listing(listing: i64, reason: String) -> Result<(), AppError> {
    respond(
        async move {
            use crate::backend::{catalog::review, platform::clock::now_ms};
            let admin = session::admin().await?;
            review::take_down(&admin.state, ListingId(listing), &reason, now_ms()).await?;
            tracing::info!(listing, admin = admin.account.id, "listing delisted");
            Ok(())
        }
        .await,
    )
}
