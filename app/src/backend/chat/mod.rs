//! Conversations: FOUNDATION stubs; the chat helper writes the use cases.

use crate::{
    backend::AppState,
    domain::id::{ListingId, UserId},
    error::AppError,
    model::{Blocked, Conversation, Inbox, MessagePage},
};

pub async fn open(
    _state: &AppState,
    _user: UserId,
    _listing: ListingId,
    _now: i64,
) -> Result<String, AppError> {
    Err(AppError::NotFound)
}

pub async fn of_order(
    _state: &AppState,
    _user: UserId,
    _order: &str,
    _now: i64,
) -> Result<Conversation, AppError> {
    Err(AppError::NotFound)
}

pub async fn conversation(
    _state: &AppState,
    _user: UserId,
    _id: &str,
) -> Result<Conversation, AppError> {
    Err(AppError::NotFound)
}

pub async fn older(
    _state: &AppState,
    _user: UserId,
    _id: &str,
    _before: i64,
) -> Result<MessagePage, AppError> {
    Err(AppError::NotFound)
}

pub async fn inbox(_state: &AppState, _user: UserId) -> Result<Inbox, AppError> {
    Err(AppError::NotFound)
}

pub async fn set_block(
    _state: &AppState,
    _user: UserId,
    _member: UserId,
    _on: bool,
    _now: i64,
) -> Result<(), AppError> {
    Err(AppError::NotFound)
}

pub async fn blocked(_state: &AppState, _user: UserId) -> Result<Vec<Blocked>, AppError> {
    Err(AppError::NotFound)
}
