//! Auctions: the room, bidding without JavaScript, buy-it-now, the seller's
//! controls, the buyer and seller centers, and notifications. With
//! JavaScript, bids and chat travel over the WebSocket instead and reach the
//! same services.

use crate::api::codec::JsonText;
use crate::{
    error::AppError,
    model::{AuctionRoom, BidAck, MyAuction, Notifications},
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    backend::{platform::clock::now_ms, web::session},
    domain::id::{ListingId, UserId},
    error::respond,
};

#[server(output = JsonText, endpoint = "auction")]
pub async fn fetch_auction_room(listing: i64) -> Result<AuctionRoom, AppError> {
    respond(
        async move {
            let (state, account) = session::looker().await?;
            state
                .auctions
                .room(listing, account.map(|a| a.id), now_ms())
                .await
        }
        .await,
    )
}

/// A bid as typed in the bid box (the currency's usual notation), as the
/// caller's maximum.
#[server(output = JsonText, endpoint = "auction/bid")]
pub async fn place_bid(listing: i64, amount: String) -> Result<BidAck, AppError> {
    respond(
        async move {
            use crate::domain::{catalog::check_amount, form::Field, money::Money};
            let session::Caller { state, account, .. } = session::caller().await?;
            let currency = state.config.currency;
            let amount =
                check_amount(&amount, currency).map_err(|p| AppError::field(Field::Amount, p))?;
            state
                .auctions
                .bid(
                    UserId(account.id),
                    ListingId(listing),
                    Money::new(amount, currency),
                    now_ms(),
                )
                .await
        }
        .await,
    )
}

/// Buys at the buy-it-now price; returns the order's id.
#[server(output = JsonText, endpoint = "auction/buy_now")]
pub async fn buy_now(listing: i64) -> Result<String, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            state
                .auctions
                .buy_now(UserId(account.id), ListingId(listing), now_ms())
                .await
        }
        .await,
    )
}

/// The seller ends a live auction now, selling to the leader.
#[server(output = JsonText, endpoint = "auction/end")]
pub async fn end_auction(listing: i64) -> Result<(), AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            state
                .auctions
                .end(ListingId(listing), Some(UserId(account.id)), now_ms())
                .await
                .map(|_| ())
        }
        .await,
    )
}

/// The seller calls off an auction nobody has bid in.
#[server(output = JsonText, endpoint = "auction/cancel")]
pub async fn cancel_auction(listing: i64) -> Result<(), AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            state
                .auctions
                .cancel(UserId(account.id), ListingId(listing), now_ms())
                .await
        }
        .await,
    )
}

#[server(output = JsonText, endpoint = "my/bids")]
pub async fn my_bids() -> Result<Vec<MyAuction>, AppError> {
    respond(
        async move {
            use crate::backend::auction::lists;
            let session::Caller { state, account, .. } = session::caller().await?;
            Ok(lists::my_bids(&state.db, state.config.currency, account.id).await?)
        }
        .await,
    )
}

#[server(output = JsonText, endpoint = "my/auctions")]
pub async fn my_auctions() -> Result<Vec<MyAuction>, AppError> {
    respond(
        async move {
            use crate::backend::auction::lists;
            let session::Caller { state, account, .. } = session::caller().await?;
            Ok(lists::my_auctions(&state.db, state.config.currency, account.id).await?)
        }
        .await,
    )
}

/// The caller's latest notifications. Opening them marks them read; the
/// answer still shows which were new.
#[server(output = JsonText, endpoint = "notifications")]
pub async fn my_notifications() -> Result<Notifications, AppError> {
    respond(
        async move {
            use crate::backend::notify;
            let session::Caller { state, account, .. } = session::caller().await?;
            let list = notify::list(&state.db, account.id, state.config.currency).await?;
            notify::mark_read(&state.db, account.id, now_ms()).await?;
            Ok(list)
        }
        .await,
    )
}
