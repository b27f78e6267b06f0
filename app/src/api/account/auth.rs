//! Sign-up, log-in, log-out and who is logged in.

use crate::api::codec::JsonText;
use crate::{error::AppError, model::Viewer};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    backend::{AppState, account, web::session},
    error::respond,
};

#[server(output = JsonText, endpoint = "auth/sign_up")]
pub async fn sign_up(
    username: String,
    nickname: String,
    email: String,
    password: String,
    #[server(default)] captcha: Option<String>,
) -> Result<(), AppError> {
    respond(
        async move {
            let state = AppState::current()?;
            let session = session::current().await?;
            let captcha = captcha.as_deref();
            account::sign_up(
                &state, &session, &username, &nickname, &email, &password, captcha,
            )
            .await?;
            leptos_axum::redirect("/verify");
            Ok(())
        }
        .await,
    )
}

/// Logs in by username or email. After three recent failures for the account
/// (or ten from the address network) a CAPTCHA must be solved too; after ten
/// for the account, log-in pauses for it.
#[server(output = JsonText, endpoint = "auth/log_in")]
pub async fn log_in(
    login: String,
    password: String,
    #[server(default)] captcha: Option<String>,
    #[server(default)] next: Option<String>,
) -> Result<(), AppError> {
    respond(
        async move {
            let state = AppState::current()?;
            let session = session::current().await?;
            account::log_in(&state, &session, &login, &password, captcha.as_deref()).await?;
            leptos_axum::redirect(crate::domain::account::local_path(next.as_deref()));
            Ok(())
        }
        .await,
    )
}

#[server(output = JsonText, endpoint = "auth/log_out")]
pub async fn log_out() -> Result<(), AppError> {
    respond(
        async move {
            session::log_out(&AppState::current()?, &session::current().await?).await?;
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

#[server(output = JsonText, endpoint = "auth/viewer")]
pub async fn current_viewer() -> Result<Option<Viewer>, AppError> {
    respond(
        async move {
            let state = AppState::current()?;
            let account = session::account(&state, &session::current().await?).await?;
            Ok(account.map(Viewer::from))
        }
        .await,
    )
}

/// Whether a username can still be had; invalid names report why.
#[server(output = JsonText, endpoint = "auth/username_free")]
pub async fn username_free(username: String) -> Result<bool, AppError> {
    respond(async move { account::username_free(&AppState::current()?.db, &username).await }.await)
}

/// Whether a nickname can still be had; invalid nicknames report why.
#[server(output = JsonText, endpoint = "auth/nickname_free")]
pub async fn nickname_free(nickname: String) -> Result<bool, AppError> {
    respond(async move { account::nickname_free(&AppState::current()?.db, &nickname).await }.await)
}
