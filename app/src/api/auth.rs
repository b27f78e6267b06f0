//! Sign-up, log-in, log-out and who is logged in.

use crate::{error::AppError, model::Viewer};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    backend::{AppState, accounts::AccountError, session},
    error::respond,
};

#[cfg(feature = "ssr")]
impl From<AccountError> for AppError {
    fn from(err: AccountError) -> Self {
        use crate::domain::account::{Field, Problem};
        match err {
            AccountError::Invalid(errors) => AppError::Validation(errors),
            AccountError::WrongCredentials => AppError::field(Field::Password, Problem::Wrong),
            AccountError::Db(e) => e.into(),
            AccountError::Hash(e) => {
                tracing::error!(error = %e, "password hashing");
                AppError::Internal
            }
        }
    }
}

#[server(endpoint = "auth/sign_up")]
pub async fn sign_up(
    username: String,
    nickname: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    respond(
        async move {
            use crate::{backend::accounts, domain::account::check_sign_up};
            let state = AppState::current()?;
            let new = check_sign_up(
                &username,
                &nickname,
                &email,
                &password,
                &state.config.email_domains,
            )
            .map_err(AppError::Validation)?;
            let account = accounts::register(&state.db, &new, &password).await?;
            session::log_in(&session::current().await?, account.id).await?;
            tracing::info!(user = account.id, "signed up");
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "auth/log_in")]
pub async fn log_in(login: String, password: String) -> Result<(), AppError> {
    respond(
        async move {
            use crate::{
                backend::accounts,
                domain::account::{Field, Problem},
            };
            let state = AppState::current()?;
            if login.trim().is_empty() {
                return Err(AppError::field(Field::Username, Problem::Required));
            }
            if password.is_empty() {
                return Err(AppError::field(Field::Password, Problem::Required));
            }
            let account = accounts::authenticate(&state.db, &login, &password).await?;
            session::log_in(&session::current().await?, account.id).await?;
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "auth/log_out")]
pub async fn log_out() -> Result<(), AppError> {
    respond(
        async move {
            session::log_out(&session::current().await?).await?;
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "auth/viewer")]
pub async fn current_viewer() -> Result<Option<Viewer>, AppError> {
    respond(
        async move {
            use crate::backend::accounts::Role;
            let state = AppState::current()?;
            let account = session::account(&state.db, &session::current().await?).await?;
            Ok(account.map(|a| Viewer {
                is_admin: a.role() == Role::Admin,
                email_verified: a.email_verified_at.is_some(),
                username: a.username,
                nickname: a.nickname,
            }))
        }
        .await,
    )
}

/// Whether a username can still be had; invalid names report why.
#[server(endpoint = "auth/username_free")]
pub async fn username_free(username: String) -> Result<bool, AppError> {
    respond(
        async move {
            use crate::{
                backend::accounts,
                domain::account::{Field, check_username},
            };
            let name =
                check_username(&username).map_err(|p| AppError::field(Field::Username, p))?;
            Ok(!accounts::username_taken(&AppState::current()?.db, &name).await?)
        }
        .await,
    )
}

/// Whether a nickname can still be had; invalid nicknames report why.
#[server(endpoint = "auth/nickname_free")]
pub async fn nickname_free(nickname: String) -> Result<bool, AppError> {
    respond(
        async move {
            use crate::{
                backend::accounts,
                domain::account::{Field, check_nickname},
            };
            let name =
                check_nickname(&nickname).map_err(|p| AppError::field(Field::Nickname, p))?;
            Ok(!accounts::nickname_taken(&AppState::current()?.db, &name).await?)
        }
        .await,
    )
}
