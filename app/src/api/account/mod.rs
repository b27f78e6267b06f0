//! The viewer's own account: verification of email and phone, profile,
//! password and signed-in browsers. Every function acts on the session's
//! account only; nothing here takes a user id.

pub mod auth;
pub mod identity;
pub mod profile;

use crate::{
    error::AppError,
    model::{CodeChannel, LoginSummary, OwnAccount},
};
use leptos::prelude::*;
use server_fn::codec::{MultipartData, MultipartFormData};

#[cfg(feature = "ssr")]
use crate::{
    backend::{
        account::verification::{self, Channel, CodeError, SendError},
        platform::clock::now_ms,
        web::session::{self, Caller},
    },
    domain::form::{Field, Problem},
    error::respond,
};

#[cfg(feature = "ssr")]
fn code_error(field: Field) -> impl Fn(CodeError) -> AppError {
    move |e| match e {
        CodeError::Rejected(problem) => AppError::field(field, problem),
        CodeError::Db(e) => e.into(),
    }
}

#[cfg(feature = "ssr")]
fn send_error(field: Field) -> impl Fn(SendError) -> AppError {
    move |e| match e {
        SendError::Code(e) => code_error(field)(e),
        SendError::Delivery(e) => {
            tracing::error!(error = %e, "sending a verification code");
            AppError::Internal
        }
    }
}

#[server(endpoint = "account/own")]
pub async fn fetch_own_account() -> Result<OwnAccount, AppError> {
    respond(
        async move {
            use crate::backend::{account::identity, platform::media};
            let Caller { state, account, .. } = session::caller().await?;
            let now = now_ms();
            let pending =
                |channel| verification::pending_target(&state.db, account.id, channel, now);
            let email_pending = pending(Channel::Email).await?;
            let phone_pending = pending(Channel::Phone).await?;
            Ok(OwnAccount {
                email_verified: account.email_verified_at.is_some(),
                // A pending code for the current, verified address is no news.
                email_pending: email_pending.filter(|e| {
                    account.email_verified_at.is_none() || !e.eq_ignore_ascii_case(&account.email)
                }),
                phone_verified: account.phone_verified_at.is_some(),
                phone_pending,
                id_verified: account.id_verified_at.is_some(),
                id_in_review: identity::in_review(&state.db, account.id).await?,
                avatar_url: account.avatar.as_deref().map(media::url),
                username: account.username,
                nickname: account.nickname,
                intro: account.intro,
                email: account.email,
                phone: account.phone,
            })
        }
        .await,
    )
}

/// Sends a new code to the address awaiting verification (the outstanding
/// one, else the account's own if it is unverified).
#[server(endpoint = "account/resend_email_code")]
pub async fn resend_email_code() -> Result<(), AppError> {
    respond(
        async move {
            let Caller { state, account, .. } = session::caller().await?;
            let target =
                match verification::pending_target(&state.db, account.id, Channel::Email, 0).await?
                {
                    Some(target) => target,
                    None if account.email_verified_at.is_none() => account.email,
                    None => return Err(AppError::field(Field::Code, Problem::Expired)),
                };
            verification::send(&state, account.id, Channel::Email, &target)
                .await
                .map_err(send_error(Field::Code))
        }
        .await,
    )
}

/// Starts moving the account to another address: a code goes there, and the
/// address changes only once it is confirmed.
#[server(endpoint = "account/change_email")]
pub async fn change_email(email: String) -> Result<(), AppError> {
    respond(
        async move {
            use crate::{backend::account, domain::account::check_email};
            let Caller { state, account, .. } = session::caller().await?;
            let email = check_email(&email, &state.config.email_domains)
                .map_err(|p| AppError::field(Field::Email, p))?;
            if email.eq_ignore_ascii_case(&account.email) && account.email_verified_at.is_some() {
                return Err(AppError::field(Field::Email, Problem::Unchanged));
            }
            if account::email_taken_by_other(&state.db, &email, account.id).await? {
                return Err(AppError::field(Field::Email, Problem::Taken));
            }
            verification::send(&state, account.id, Channel::Email, &email)
                .await
                .map_err(send_error(Field::Email))
        }
        .await,
    )
}

#[server(endpoint = "account/send_phone_code")]
pub async fn send_phone_code(phone: String) -> Result<(), AppError> {
    respond(
        async move {
            use crate::{backend::account, domain::account::verification::check_phone};
            let Caller { state, account, .. } = session::caller().await?;
            let phone = check_phone(&phone).map_err(|p| AppError::field(Field::Phone, p))?;
            if account::phone_taken_by_other(&state.db, &phone, account.id).await? {
                return Err(AppError::field(Field::Phone, Problem::Taken));
            }
            verification::send(&state, account.id, Channel::Phone, &phone)
                .await
                .map_err(send_error(Field::Phone))
        }
        .await,
    )
}

/// Confirms the code sent by mail or SMS; the address or number it went to
/// becomes the account's, verified.
#[server(endpoint = "account/confirm_code")]
pub async fn confirm_code(channel: CodeChannel, code: String) -> Result<(), AppError> {
    respond(
        async move {
            use crate::domain::account::verification::check_code;
            let Caller { state, account, .. } = session::caller().await?;
            let code = check_code(&code).map_err(|p| AppError::field(Field::Code, p))?;
            let channel = match channel {
                CodeChannel::Email => Channel::Email,
                CodeChannel::Phone => Channel::Phone,
            };
            verification::confirm(
                &state.db,
                &state.secret,
                account.id,
                channel,
                &code,
                now_ms(),
            )
            .await
            .map_err(code_error(Field::Code))?;
            tracing::info!(user = account.id, ?channel, "verified");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "account/update_profile")]
pub async fn update_profile(nickname: String, intro: String) -> Result<(), AppError> {
    respond(
        async move {
            use crate::{
                backend::account,
                domain::account::{check_intro, check_nickname},
            };
            let Caller { state, account, .. } = session::caller().await?;
            let nickname =
                check_nickname(&nickname).map_err(|p| AppError::field(Field::Nickname, p))?;
            let intro = check_intro(&intro).map_err(|p| AppError::field(Field::Intro, p))?;
            account::update_profile(&state.db, account.id, &nickname, &intro)
                .await
                .map_err(AppError::from)
        }
        .await,
    )
}

/// Needs the current password; signs out every other browser.
#[server(endpoint = "account/change_password")]
pub async fn change_password(password: String, new_password: String) -> Result<(), AppError> {
    respond(
        async move {
            use crate::{
                backend::{account, account::logins},
                domain::account::check_password,
            };
            let Caller {
                state,
                account,
                session,
            } = session::caller().await?;
            check_password(&new_password).map_err(|p| AppError::field(Field::NewPassword, p))?;
            account::change_password(&state.db, account.id, &password, &new_password).await?;
            let keep = session::login_id(&session).await.unwrap_or_default();
            let ended = logins::end_others(&state.db, &state.hub, account.id, &keep).await?;
            tracing::info!(user = account.id, ended, "password changed");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "account/logins")]
pub async fn my_logins() -> Result<Vec<LoginSummary>, AppError> {
    respond(
        async move {
            use crate::backend::account::logins;
            let Caller {
                state,
                account,
                session,
            } = session::caller().await?;
            let mine = session::login_id(&session).await;
            Ok(logins::list(&state.db, account.id)
                .await?
                .into_iter()
                .map(|l| LoginSummary {
                    current: mine.as_deref() == Some(l.id.as_str()),
                    created_at: l.created_at,
                    last_seen: l.last_seen,
                    user_agent: l.user_agent,
                    ip: l.ip,
                })
                .collect())
        }
        .await,
    )
}

#[server(endpoint = "account/sign_out_elsewhere")]
pub async fn sign_out_elsewhere() -> Result<u64, AppError> {
    respond(
        async move {
            use crate::backend::account::logins;
            let Caller {
                state,
                account,
                session,
            } = session::caller().await?;
            let keep = session::login_id(&session).await.unwrap_or_default();
            Ok(logins::end_others(&state.db, &state.hub, account.id, &keep).await?)
        }
        .await,
    )
}

/// Form field `avatar` (file). Stored as a 256 px square JPEG: decoding and
/// re-encoding drops every byte of metadata the upload carried.
#[server(input = MultipartFormData, endpoint = "account/avatar")]
pub async fn upload_avatar(data: MultipartData) -> Result<String, AppError> {
    respond(
        async move {
            use crate::backend::{
                account,
                platform::{media, upload},
            };
            use image::imageops::FilterType;
            let Caller { state, account, .. } = session::caller().await?;
            let form = upload::read_form(data, Field::Avatar).await?;
            let photo = upload::image_field(&form, "avatar", Field::Avatar).await?;
            let store = state.media.clone();
            let name = tokio::task::spawn_blocking(move || {
                let square = photo.resize_to_fill(AVATAR_SIZE, AVATAR_SIZE, FilterType::Lanczos3);
                store.write_jpeg(&square.to_rgb8(), 88)
            })
            .await
            .map_err(|_| AppError::Internal)?
            .map_err(|e| {
                tracing::error!(error = %e, "storing an avatar");
                AppError::Internal
            })?;
            if let Some(old) = account::set_avatar(&state.db, account.id, &name).await? {
                state.media.remove(&old);
            }
            Ok(media::url(&name))
        }
        .await,
    )
}

/// Avatars are stored as squares of this many pixels.
pub const AVATAR_SIZE: u32 = 256;
