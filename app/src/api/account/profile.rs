//! Public member pages.

use crate::{error::AppError, model::PublicProfile};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{backend::AppState, error::respond};

#[server(endpoint = "profile/public")]
pub async fn fetch_public_profile(username: String) -> Result<PublicProfile, AppError> {
    respond(
        async move {
            use crate::backend::{account, platform::media};
            let state = AppState::current()?;
            let account = account::find_by_username(&state.db, username.trim())
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(PublicProfile {
                id_verified: account.id_verified_at.is_some(),
                avatar_url: account.avatar.as_deref().map(media::url),
                member_since: account.created_at,
                username: account.username,
                nickname: account.nickname,
                intro: account.intro,
            })
        }
        .await,
    )
}
