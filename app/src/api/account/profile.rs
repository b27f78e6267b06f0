//! Public member pages.

use crate::api::codec::JsonText;
use crate::{error::AppError, model::PublicProfile};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    backend::{AppState, account},
    error::respond,
};

#[server(output = JsonText, endpoint = "profile/public")]
pub async fn fetch_public_profile(username: String) -> Result<PublicProfile, AppError> {
    respond(
        async move {
            let state = AppState::current()?;
            account::public_profile(&state.db, &username).await
        }
        .await,
    )
}
