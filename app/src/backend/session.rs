//! Who is logged in: the user id lives in the server-side session (SQLite), the
//! browser only holds an opaque, HttpOnly cookie.

use super::accounts::{self, Account};
use crate::error::AppError;
use sqlx::SqlitePool;
use tower_sessions::Session;

const USER_ID: &str = "user_id";

/// The session of the request being served.
pub async fn current() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer on this request");
        AppError::Internal
    })
}

/// Marks the session as `user_id`'s, under a fresh session id so an id planted
/// before log-in is worthless afterwards.
pub async fn log_in(session: &Session, user_id: i64) -> Result<(), AppError> {
    session.cycle_id().await.map_err(internal)?;
    session.insert(USER_ID, user_id).await.map_err(internal)
}

/// Deletes the session everywhere (store and cookie).
pub async fn log_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(internal)
}

pub async fn user_id(session: &Session) -> Option<i64> {
    session.get::<i64>(USER_ID).await.ok().flatten()
}

/// The logged-in account, if any (a deleted account counts as logged out).
pub async fn account(pool: &SqlitePool, session: &Session) -> Result<Option<Account>, AppError> {
    match user_id(session).await {
        Some(id) => Ok(accounts::find(pool, id).await?),
        None => Ok(None),
    }
}

fn internal(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store");
    AppError::Internal
}
