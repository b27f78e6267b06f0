//! Listings: browsing, searching, the listing page, selling, favorites.

use crate::api::codec::JsonText;
use crate::{
    domain::catalog::{ListingInput, search::SearchQuery},
    error::AppError,
    model::{
        FavoriteState, ImageRef, ListingCard, ListingDetail, ListingForEdit, SavedListing,
        SearchResults,
    },
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::{GetUrl, MultipartData, MultipartFormData};

#[cfg(feature = "ssr")]
use crate::{
    backend::{AppState, catalog, platform::clock::now_ms, web::session},
    domain::id::ListingId,
    error::respond,
};

/// How many cards each home-page row shows.
pub const ROW_LIMIT: u32 = 12;

/// The home page's rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeFeed {
    /// From the viewer's favorites and recent views; popular ones at first.
    pub recommended: Vec<ListingCard>,
    /// Whether `recommended` is personal (false: popular, for a cold start).
    pub personal: bool,
    pub newest: Vec<ListingCard>,
    pub ending_soon: Vec<ListingCard>,
    pub popular: Vec<ListingCard>,
}

#[server(output = JsonText, endpoint = "home")]
pub async fn fetch_home_feed() -> Result<HomeFeed, AppError> {
    respond(
        async {
            let (state, account) = session::looker().await?;
            let (db, currency) = (&state.db, state.config.currency);
            let popular = catalog::popular_cards(db, currency, ROW_LIMIT).await?;
            let personal = match &account {
                Some(a) => catalog::recommended_cards(db, currency, a.id, ROW_LIMIT).await?,
                None => Vec::new(),
            };
            Ok(HomeFeed {
                personal: !personal.is_empty(),
                recommended: if personal.is_empty() {
                    popular.clone()
                } else {
                    personal
                },
                newest: catalog::newest_cards(db, currency, ROW_LIMIT).await?,
                ending_soon: catalog::ending_soon_cards(db, currency, now_ms(), ROW_LIMIT).await?,
                popular,
            })
        }
        .await,
    )
}

/// A GET, so results can be cached and benchmarked like a page.
#[server(output = JsonText, endpoint = "search", input = GetUrl)]
pub async fn search_listings(query: SearchQuery) -> Result<SearchResults, AppError> {
    respond(
        async move {
            use crate::backend::catalog::search;
            let state = AppState::current()?;
            // The page's caps (length of every word, pages, categories)
            // hold for this door too.
            let query = query.capped();
            let run = async {
                Ok::<_, AppError>(
                    search::search(&state.db, &query, state.config.currency, now_ms()).await?,
                )
            };
            let found = state.search_cache.get_or_run(&query, run).await;
            found
                .map(|found| SearchResults::clone(&found))
                .map_err(|err| AppError::clone(&err))
        }
        .await,
    )
}

/// The listing page. Counts a view (once a day per viewer) unless the seller
/// is looking.
#[server(output = JsonText, endpoint = "listing")]
pub async fn fetch_listing(id: i64) -> Result<ListingDetail, AppError> {
    respond(
        async move {
            use crate::backend::{
                account::Role,
                catalog::{Looker, favorites},
            };
            let (state, account) = session::looker().await?;
            let looker = Looker {
                user: account.as_ref().map(|a| a.id),
                admin: account.as_ref().is_some_and(|a| a.role() == Role::Admin),
            };
            let mut detail = catalog::detail(&state.db, state.config.currency, id, looker).await?;
            if detail.status.is_public() && !detail.mine {
                let viewer = match looker.user {
                    Some(user) => Some(catalog::viewer_key(user)),
                    None => session::requester()
                        .addr
                        .and_then(|addr| favorites::anonymous_viewer(&state, id, addr)),
                };
                if let Some(viewer) = viewer
                    && favorites::record_view(&state.db, id, &viewer, now_ms()).await?
                {
                    detail.views += 1;
                }
            }
            Ok(detail)
        }
        .await,
    )
}

#[server(output = JsonText, endpoint = "listing/edit")]
pub async fn fetch_listing_for_edit(id: i64) -> Result<ListingForEdit, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            catalog::for_edit(
                &state.db,
                state.config.currency,
                &state.vault,
                account.id,
                id,
            )
            .await
        }
        .await,
    )
}

/// Creates (`id` absent) or edits the caller's listing.
#[server(output = JsonText, endpoint = "listing/save")]
pub async fn save_listing(id: Option<i64>, input: ListingInput) -> Result<SavedListing, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            catalog::edit::save(&state, &account, id.map(ListingId), &input, now_ms()).await
        }
        .await,
    )
}

#[server(output = JsonText, endpoint = "listing/delete")]
pub async fn delete_listing(id: i64) -> Result<(), AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            catalog::edit::remove(&state, &account, ListingId(id), now_ms()).await
        }
        .await,
    )
}

/// Form field `image` (file): one photo for a listing being written. The
/// browser uploads each photo as it is chosen, showing progress, and sends
/// the returned ids with the listing.
#[server(output = JsonText, input = MultipartFormData, endpoint = "listing/image")]
pub async fn upload_listing_image(data: MultipartData) -> Result<ImageRef, AppError> {
    respond(
        async move {
            use crate::backend::platform::{images, upload};
            use crate::domain::form::{Field, Problem};
            let session::Caller { state, account, .. } = session::caller().await?;
            if !account.standing(now_ms()).may_trade() {
                return Err(AppError::Forbidden);
            }
            let mut form = upload::read_form(data, Field::Images, &["image"]).await?;
            let bytes = form
                .files
                .remove("image")
                .filter(|b| !b.is_empty())
                .ok_or(AppError::field(Field::Images, Problem::NotAnImage))?;
            images::store_upload(&state.db, &state.media, account.id, bytes, now_ms()).await
        }
        .await,
    )
}

#[server(output = JsonText, endpoint = "favorite")]
pub async fn set_favorite(listing: i64, on: bool) -> Result<FavoriteState, AppError> {
    respond(
        async move {
            use crate::backend::catalog::favorites;
            let session::Caller { state, account, .. } = session::caller().await?;
            favorites::set(&state.db, account.id, listing, on, now_ms()).await
        }
        .await,
    )
}

#[server(output = JsonText, endpoint = "favorites")]
pub async fn my_favorites() -> Result<Vec<ListingCard>, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            Ok(catalog::favorite_cards(&state.db, state.config.currency, account.id).await?)
        }
        .await,
    )
}

#[server(output = JsonText, endpoint = "my/listings")]
pub async fn my_listings() -> Result<Vec<ListingCard>, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            Ok(catalog::own_cards(&state.db, state.config.currency, account.id).await?)
        }
        .await,
    )
}

/// A member's public listings, for their page.
#[server(output = JsonText, endpoint = "seller/listings")]
pub async fn seller_listings(username: String) -> Result<Vec<ListingCard>, AppError> {
    respond(
        async move {
            use crate::backend::account;
            let state = AppState::current()?;
            let seller = account::find_by_username(&state.db, username.trim())
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(catalog::seller_cards(&state.db, state.config.currency, seller.id, 0, 60).await?)
        }
        .await,
    )
}

/// Tags in use starting with what was typed, most used first.
#[server(output = JsonText, endpoint = "tags/suggest", input = GetUrl)]
pub async fn suggest_tags(prefix: String) -> Result<Vec<String>, AppError> {
    respond(
        async move {
            let state = AppState::current()?;
            Ok(catalog::suggest_tags(&state.db, &prefix).await?)
        }
        .await,
    )
}
