//! Who is logged in. The browser holds an opaque, HttpOnly cookie; the server-side
//! session (SQLite) holds a login id; the `logins` row says whose it is.

use crate::backend::{
    AppState,
    account::{self, Account, Role, logins},
    platform::{client::ClientAddr, clock::now_ms},
};
use crate::error::AppError;
use tower_sessions::Session;

const LOGIN_ID: &str = "login_id";

/// The session of the request being served.
pub async fn current() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer on this request");
        AppError::Internal
    })
}

/// The requesting browser as far as the server can tell.
#[derive(Debug, Clone, Default)]
pub struct Requester {
    pub user_agent: String,
    /// The client's address (through trusted proxies), as settings shows it.
    pub ip: String,
    /// What per-address limits count under; `None` outside a request.
    pub addr: Option<ClientAddr>,
}

pub fn requester() -> Requester {
    let Some(parts) = leptos::prelude::use_context::<axum::http::request::Parts>() else {
        return Requester::default();
    };
    let addr = parts.extensions.get::<ClientAddr>().copied();
    Requester {
        user_agent: parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        ip: addr.map(|a| a.0.to_string()).unwrap_or_default(),
        addr,
    }
}

/// Signs `user_id` in, under a fresh session id so an id planted before log-in
/// is worthless afterwards.
pub async fn log_in(state: &AppState, session: &Session, user_id: i64) -> Result<(), AppError> {
    session.cycle_id().await.map_err(internal)?;
    let who = requester();
    let login = logins::start(&state.db, user_id, &who.user_agent, &who.ip, now_ms()).await?;
    session.insert(LOGIN_ID, login).await.map_err(internal)
}

/// Ends this browser's login and deletes the session (store and cookie).
pub async fn log_out(state: &AppState, session: &Session) -> Result<(), AppError> {
    if let Some(login) = login_id(session).await {
        logins::end(&state.db, &state.hub, &login).await?;
    }
    session.flush().await.map_err(internal)
}

pub async fn login_id(session: &Session) -> Option<String> {
    session.get::<String>(LOGIN_ID).await.ok().flatten()
}

/// The logged-in account, if any (an ended login or a deleted account counts
/// as logged out).
pub async fn account(state: &AppState, session: &Session) -> Result<Option<Account>, AppError> {
    let Some(login) = login_id(session).await else {
        return Ok(None);
    };
    match logins::resolve(&state.db, &login, now_ms()).await? {
        Some(user_id) => Ok(account::find(&state.db, user_id).await?),
        None => Ok(None),
    }
}

/// The caller of a server function that needs an account.
pub struct Caller {
    pub state: AppState,
    pub session: Session,
    pub account: Account,
}

/// The logged-in caller, or `Unauthenticated`.
pub async fn caller() -> Result<Caller, AppError> {
    let state = AppState::current()?;
    let session = current().await?;
    let account = account(&state, &session)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    Ok(Caller {
        state,
        session,
        account,
    })
}

/// The state and the logged-in account, if any: for what anyone may see but
/// signed-in people see more of.
pub async fn looker() -> Result<(AppState, Option<Account>), AppError> {
    let state = AppState::current()?;
    let session = current().await?;
    let account = account(&state, &session).await?;
    Ok((state, account))
}

/// The logged-in caller if an admin; `Unauthenticated` or `Forbidden` otherwise.
pub async fn admin() -> Result<Caller, AppError> {
    let caller = caller().await?;
    if caller.account.role() != Role::Admin {
        return Err(AppError::Forbidden);
    }
    Ok(caller)
}

fn internal(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store");
    AppError::Internal
}
