//! The viewer's own account: verification of email and phone, profile,
//! password and signed-in browsers. Every function acts on the session's
//! account only; nothing here takes a user id.

pub mod auth;
pub mod identity;
pub mod profile;

use crate::api::codec::JsonText;
use crate::{
    error::AppError,
    model::{CodeChannel, LoginSummary, OwnAccount},
};
use leptos::prelude::*;
use server_fn::codec::{MultipartData, MultipartFormData};

#[cfg(feature = "ssr")]
use crate::{
    backend::{
        account::{self, logins, verification},
        platform::clock::now_ms,
        web::session::{self, Caller},
    },
    error::respond,
};

#[server(output = JsonText, endpoint = "account/own")]
pub async fn fetch_own_account() -> Result<OwnAccount, AppError> {
    respond(
        async move {
            let Caller { state, account, .. } = session::caller().await?;
            account::own_account(&state.db, account, now_ms()).await
        }
        .await,
    )
}

/// Sends a new code to the address awaiting verification (the outstanding
/// one, else the account's own if it is unverified).
#[server(output = JsonText, endpoint = "account/resend_email_code")]
pub async fn resend_email_code() -> Result<(), AppError> {
    respond(
        async move {
            let Caller { state, account, .. } = session::caller().await?;
            verification::resend_email_code(&state, account).await
        }
        .await,
    )
}

/// Starts moving the account to another address: a code goes there, and the
/// address changes only once it is confirmed.
#[server(output = JsonText, endpoint = "account/change_email")]
pub async fn change_email(email: String) -> Result<(), AppError> {
    respond(
        async move {
            let Caller { state, account, .. } = session::caller().await?;
            verification::change_email(&state, &account, &email).await
        }
        .await,
    )
}

#[server(output = JsonText, endpoint = "account/send_phone_code")]
pub async fn send_phone_code(phone: String) -> Result<(), AppError> {
    respond(
        async move {
            let Caller { state, account, .. } = session::caller().await?;
            verification::send_phone_code(&state, &account, &phone).await
        }
        .await,
    )
}

/// Confirms the code sent by mail or SMS; the address or number it went to
/// becomes the account's, verified.
#[server(output = JsonText, endpoint = "account/confirm_code")]
pub async fn confirm_code(channel: CodeChannel, code: String) -> Result<(), AppError> {
    respond(
        async move {
            let Caller { state, account, .. } = session::caller().await?;
            let addr = session::requester().addr;
            verification::confirm_code(&state, account.id, addr, channel, &code, now_ms()).await
        }
        .await,
    )
}

#[server(output = JsonText, endpoint = "account/update_profile")]
pub async fn update_profile(nickname: String, intro: String) -> Result<(), AppError> {
    respond(
        async move {
            let Caller { state, account, .. } = session::caller().await?;
            account::save_profile(&state.db, account.id, &nickname, &intro).await
        }
        .await,
    )
}

/// Needs the current password; signs out every other browser.
#[server(output = JsonText, endpoint = "account/change_password")]
pub async fn change_password(password: String, new_password: String) -> Result<(), AppError> {
    respond(
        async move {
            let Caller {
                state,
                account,
                session,
            } = session::caller().await?;
            let keep = session::login_id(&session).await.unwrap_or_default();
            account::set_new_password(&state, account.id, &keep, &password, &new_password).await
        }
        .await,
    )
}

#[server(output = JsonText, endpoint = "account/logins")]
pub async fn my_logins() -> Result<Vec<LoginSummary>, AppError> {
    respond(
        async move {
            let Caller {
                state,
                account,
                session,
            } = session::caller().await?;
            let mine = session::login_id(&session).await;
            Ok(logins::summaries(&state.db, account.id, mine.as_deref()).await?)
        }
        .await,
    )
}

#[server(output = JsonText, endpoint = "account/sign_out_elsewhere")]
pub async fn sign_out_elsewhere() -> Result<u64, AppError> {
    respond(
        async move {
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
#[server(output = JsonText, input = MultipartFormData, endpoint = "account/avatar")]
pub async fn upload_avatar(data: MultipartData) -> Result<String, AppError> {
    respond(
        async move {
            let Caller { state, account, .. } = session::caller().await?;
            account::replace_avatar(&state, account.id, data).await
        }
        .await,
    )
}
