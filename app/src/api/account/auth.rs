//! Sign-up, log-in, log-out and who is logged in.

use crate::{error::AppError, model::Viewer};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    backend::{AppState, account::AccountError, web::session},
    error::respond,
};

#[cfg(feature = "ssr")]
impl From<AccountError> for AppError {
    fn from(err: AccountError) -> Self {
        use crate::domain::form::{Field, Problem};
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
            use crate::{
                backend::{
                    account,
                    account::verification::{self, Channel},
                },
                domain::account::check_sign_up,
            };
            let state = AppState::current()?;
            let new = check_sign_up(
                &username,
                &nickname,
                &email,
                &password,
                &state.config.email_domains,
            )
            .map_err(AppError::Validation)?;
            let account = account::register(&state.db, &new, &password).await?;
            session::log_in(&state, &session::current().await?, account.id).await?;
            tracing::info!(user = account.id, "signed up");
            // The account exists either way; a failed send can be retried from /verify.
            if let Err(e) =
                verification::send(&state, account.id, Channel::Email, &account.email).await
            {
                tracing::warn!(error = %e, user = account.id, "first verification code not sent");
            }
            leptos_axum::redirect("/verify");
            Ok(())
        }
        .await,
    )
}

/// Logs in by username or email. After three recent failures (for the name or
/// the address) a CAPTCHA must be solved too; after many, log-in pauses.
#[server(endpoint = "auth/log_in")]
pub async fn log_in(
    login: String,
    password: String,
    #[server(default)] captcha: Option<String>,
    #[server(default)] next: Option<String>,
) -> Result<(), AppError> {
    respond(
        async move {
            use crate::{
                backend::{
                    account,
                    account::login_guard,
                    platform::{captcha as challenge, clock::now_ms},
                },
                domain::{
                    account::login_guard::Gate,
                    form::{Field, FieldError, Problem},
                },
            };
            let state = AppState::current()?;
            let session = session::current().await?;
            if login.trim().is_empty() {
                return Err(AppError::field(Field::Username, Problem::Required));
            }
            if password.is_empty() {
                return Err(AppError::field(Field::Password, Problem::Required));
            }
            let ip = session::requester().ip;
            match login_guard::check(&state.db, &login, &ip, now_ms()).await? {
                Gate::Paused => return Err(AppError::RateLimited),
                Gate::NeedsCaptcha => {
                    let answer = captcha.as_deref().unwrap_or_default();
                    if !challenge::solve(&session, answer).await {
                        let problem = if answer.trim().is_empty() {
                            Problem::Required
                        } else {
                            Problem::Wrong
                        };
                        return Err(AppError::field(Field::Captcha, problem));
                    }
                }
                Gate::Open => {}
            }
            let account = match account::authenticate(&state.db, &login, &password).await {
                Ok(account) => account,
                Err(AccountError::WrongCredentials) => {
                    let now = now_ms();
                    login_guard::record_failure(&state.db, &login, &ip, now).await?;
                    let mut errors = vec![FieldError {
                        field: Field::Password,
                        problem: Problem::Wrong,
                    }];
                    // Say now that the next try needs a CAPTCHA, so the form shows one.
                    if login_guard::check(&state.db, &login, &ip, now).await? != Gate::Open {
                        errors.push(FieldError {
                            field: Field::Captcha,
                            problem: Problem::Required,
                        });
                    }
                    return Err(AppError::Validation(errors));
                }
                Err(e) => return Err(e.into()),
            };
            login_guard::forgive(&state.db, &login).await?;
            session::log_in(&state, &session, account.id).await?;
            leptos_axum::redirect(local_path(next.as_deref()));
            Ok(())
        }
        .await,
    )
}

/// `next` if it is a path on this site, else the home page: a log-in link
/// must not be able to send people elsewhere.
#[cfg(feature = "ssr")]
fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p,
        _ => "/",
    }
}

#[server(endpoint = "auth/log_out")]
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

#[server(endpoint = "auth/viewer")]
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
#[server(endpoint = "auth/username_free")]
pub async fn username_free(username: String) -> Result<bool, AppError> {
    respond(
        async move {
            use crate::{
                backend::account,
                domain::{account::check_username, form::Field},
            };
            let name =
                check_username(&username).map_err(|p| AppError::field(Field::Username, p))?;
            Ok(!account::username_taken(&AppState::current()?.db, &name).await?)
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
                backend::account,
                domain::{account::check_nickname, form::Field},
            };
            let name =
                check_nickname(&nickname).map_err(|p| AppError::field(Field::Nickname, p))?;
            Ok(!account::nickname_taken(&AppState::current()?.db, &name).await?)
        }
        .await,
    )
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    #[test]
    fn only_local_paths_are_followed_after_log_in() {
        use super::local_path;
        assert_eq!(local_path(Some("/admin")), "/admin");
        assert_eq!(local_path(Some("//evil.example")), "/");
        assert_eq!(local_path(Some("https://evil.example")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(None), "/");
    }
}
