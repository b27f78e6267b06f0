//! Conversations: opening one from a listing or a negotiation room, reading
//! it and its older messages, the inbox, blocking. Messages, typing and read
//! marks travel over the WebSocket (see `protocol::chat`) and reach the same
//! use cases.

use crate::api::codec::JsonText;
use crate::{
    error::AppError,
    model::{Blocked, Conversation, Inbox, MessagePage},
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    backend::{chat, platform::clock::now_ms, web::session},
    domain::id::{ListingId, UserId},
    error::respond,
};

/// "Message seller": the caller's conversation with `listing`'s seller,
/// opened if new; leads to it. Returns its public id. A visitor is led to
/// log in and back to the listing.
#[server(output = JsonText, endpoint = "chat/open")]
pub async fn open_conversation(listing: i64) -> Result<String, AppError> {
    respond(
        async move {
            let caller = session::caller().await;
            if let Err(AppError::Unauthenticated) = caller {
                leptos_axum::redirect(&format!("/login?next=/l/{listing}"));
            }
            let session::Caller { state, account, .. } = caller?;
            let id = chat::open(&state, UserId(account.id), ListingId(listing), now_ms()).await?;
            leptos_axum::redirect(&format!("/messages/{id}"));
            Ok(id)
        }
        .await,
    )
}

/// A negotiation room's chat: the conversation of the order's listing and
/// buyer, opened if new. Its two parties only.
#[server(output = JsonText, endpoint = "chat/order")]
pub async fn fetch_order_conversation(order: String) -> Result<Conversation, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            chat::of_order(&state, UserId(account.id), &order, now_ms()).await
        }
        .await,
    )
}

/// A conversation with its latest messages. Its two members only; anyone
/// else gets `NotFound`.
#[server(output = JsonText, endpoint = "chat/conversation")]
pub async fn fetch_conversation(id: String) -> Result<Conversation, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            chat::conversation(&state, UserId(account.id), &id).await
        }
        .await,
    )
}

/// The messages before `before` (a message id), for scrolling up.
#[server(output = JsonText, endpoint = "chat/older")]
pub async fn fetch_older_messages(id: String, before: i64) -> Result<MessagePage, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            chat::older(&state, UserId(account.id), &id, before).await
        }
        .await,
    )
}

/// The caller's conversations by latest activity.
#[server(output = JsonText, endpoint = "chat/inbox")]
pub async fn fetch_inbox() -> Result<Inbox, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            chat::inbox(&state, UserId(account.id)).await
        }
        .await,
    )
}

/// Blocks (`on`) or unblocks `member` for the caller.
#[server(output = JsonText, endpoint = "chat/block")]
pub async fn set_block(member: i64, on: bool) -> Result<(), AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            chat::set_block(&state, UserId(account.id), UserId(member), on, now_ms()).await
        }
        .await,
    )
}

/// The members the caller blocked (settings).
#[server(output = JsonText, endpoint = "chat/blocked")]
pub async fn fetch_blocked() -> Result<Vec<Blocked>, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            chat::blocked(&state, UserId(account.id)).await
        }
        .await,
    )
}
