use crate::{error::AppError, model::ListingCard};
use leptos::prelude::*;

/// How many listings the home page shows.
pub const HOME_LIMIT: u32 = 48;

#[server(endpoint = "newest_listings")]
pub async fn newest_listings() -> Result<Vec<ListingCard>, AppError> {
    use crate::{
        backend::{AppState, listings},
        error::respond,
    };
    respond(
        async {
            let state = AppState::current()?;
            Ok(listings::newest_cards(&state.db, state.config.currency, HOME_LIMIT).await?)
        }
        .await,
    )
}
