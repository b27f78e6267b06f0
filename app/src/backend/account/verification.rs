//! One-time codes proving that an email address or phone number is the user's.
//! Only a keyed hash of each code is stored; a code is single-use, expires after
//! five minutes and allows five tries (rules in `domain::verification`).
//!
//! Codes go to one address or number at most three times an hour, whoever
//! asks, and failed checks are counted per address network over every
//! account. Asking for an address another member has gets the same answer
//! as a free one; that address receives a notice instead of a code.

use super::{Account, login_guard, store};
use crate::backend::{
    AppState,
    platform::{
        client::ClientAddr,
        clock::now_ms,
        outbox::{DeliveryError, Message},
        secret::Secret,
    },
};
use crate::domain::{
    account::{
        check_email,
        verification::{
            CODE_TTL_MS, MAX_ATTEMPTS, RESEND_INTERVAL_MS, check_code, check_phone,
            resend_wait_secs,
        },
    },
    form::{Field, Problem},
    id::UserId,
};
use crate::error::AppError;
use crate::model::CodeChannel;
use rand::Rng;
use sqlx::SqlitePool;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Phone,
}

impl Channel {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Phone => "phone",
        }
    }

    fn hash_purpose(self) -> &'static str {
        match self {
            Channel::Email => "email-code",
            Channel::Phone => "phone-code",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    /// What the user should be told, e.g. wrong, expired, too many tries.
    #[error("{0:?}")]
    Rejected(Problem),
    /// Too many codes to this target, or failed checks from this network.
    #[error("too many")]
    TooMany,
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// Creates a fresh code for `target`, replacing any outstanding one, and returns
/// it for sending. Refused (atomically, in the upsert itself) when the last
/// code went out less than a minute ago.
pub async fn issue(
    pool: &SqlitePool,
    secret: &Secret,
    user_id: i64,
    channel: Channel,
    target: &str,
    now: i64,
) -> Result<String, CodeError> {
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000));
    let user = UserId(user_id);
    let new = store::NewCode {
        user,
        channel,
        target,
        code_hash: &secret.hash(channel.hash_purpose(), &code),
        sent_at: now,
        expires_at: now + CODE_TTL_MS,
    };
    if store::upsert_code(pool, &new, now - RESEND_INTERVAL_MS).await? {
        return Ok(code);
    }
    let sent_at = store::load_code_sent_at(pool, user, channel).await?;
    let secs = resend_wait_secs(sent_at, now).unwrap_or(1);
    Err(CodeError::Rejected(Problem::TooSoon {
        secs: u32::try_from(secs).unwrap_or(u32::MAX),
    }))
}

/// Issues a code for `target` and sends it by mail or SMS.
pub async fn send(
    state: &AppState,
    user_id: i64,
    channel: Channel,
    target: &str,
) -> Result<(), SendError> {
    deliver(state, user_id, channel, target, Content::Code).await
}

/// What goes to the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    Code,
    /// The target belongs to another member: it is told so, with no code.
    AlreadyRegistered,
}

/// Issues a code for `target` (so the asker sees the same "code sent", and
/// the same throttle, either way) and sends the code or a notice. Refused
/// before anything is stored when it is too soon for this member or when
/// the target has had its share of messages this hour.
async fn deliver(
    state: &AppState,
    user_id: i64,
    channel: Channel,
    target: &str,
    content: Content,
) -> Result<(), SendError> {
    let now = now_ms();
    // A click too soon is refused without using up the target's allowance;
    // `issue` checks this again, atomically.
    if let Ok(sent_at) = store::load_code_sent_at(&state.db, UserId(user_id), channel).await
        && let Some(secs) = resend_wait_secs(sent_at, now)
    {
        let secs = u32::try_from(secs).unwrap_or(u32::MAX);
        return Err(CodeError::Rejected(Problem::TooSoon { secs }).into());
    }
    if !state
        .limits
        .code_sends_per_target
        .allow(&target.to_lowercase())
    {
        return Err(CodeError::TooMany.into());
    }
    let code = issue(&state.db, &state.secret, user_id, channel, target, now).await?;
    let minutes = CODE_TTL_MS / 60_000;
    let message = match content {
        Content::Code => Message {
            to: target.to_owned(),
            subject: format!("Your Haggle code: {code}"),
            body: format!(
                "Your Haggle verification code is {code}. It expires in {minutes} minutes.\n\
                 If you did not ask for it, ignore this message."
            ),
        },
        Content::AlreadyRegistered => Message {
            to: target.to_owned(),
            subject: "Your address at Haggle".to_owned(),
            body: "Someone asked to add this address to a Haggle account, but it is \
                   already registered to yours. Nothing has changed. If you forgot your \
                   password, log in with this address; otherwise ignore this message."
                .to_owned(),
        },
    };
    match channel {
        Channel::Email => state.mailer.send(message).await?,
        Channel::Phone => {
            let body = match content {
                Content::Code => format!("Haggle code {code} (valid {minutes} min)"),
                Content::AlreadyRegistered => {
                    "Haggle: this number is already registered to your account; \
                     someone asked to add it to another. Nothing has changed."
                        .to_owned()
                }
            };
            let text = Message {
                subject: String::new(),
                body,
                ..message
            };
            state.sms.send(text).await?
        }
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Code(#[from] CodeError),
    #[error(transparent)]
    Delivery(#[from] DeliveryError),
}

/// A rejected code as a problem with the form's `field`.
fn code_error(field: Field) -> impl Fn(CodeError) -> AppError {
    move |e| match e {
        CodeError::Rejected(problem) => AppError::field(field, problem),
        CodeError::TooMany => AppError::RateLimited,
        CodeError::Db(e) => e.into(),
    }
}

/// A failed send as a problem with the form's `field`; a delivery failure is
/// the server's.
fn send_error(field: Field) -> impl Fn(SendError) -> AppError {
    move |e| match e {
        SendError::Code(e) => code_error(field)(e),
        SendError::Delivery(e) => {
            tracing::error!(error = %e, "sending a verification code");
            AppError::Internal
        }
    }
}

/// Sends `account` a new code to the address awaiting verification (the
/// outstanding one, else the account's own if it is unverified).
pub async fn resend_email_code(state: &AppState, account: Account) -> Result<(), AppError> {
    let target = match pending_target(&state.db, account.id, Channel::Email, 0).await? {
        Some(target) => target,
        None if account.email_verified_at.is_none() => account.email,
        None => return Err(AppError::field(Field::Code, Problem::Expired)),
    };
    send(state, account.id, Channel::Email, &target)
        .await
        .map_err(send_error(Field::Code))
}

/// Starts moving `account` to another address: a code goes there, and the
/// address changes only once it is confirmed. An address another member has
/// gets a notice instead, and the caller the same answer.
pub async fn change_email(
    state: &AppState,
    account: &Account,
    email: &str,
) -> Result<(), AppError> {
    let email = check_email(email, &state.config.email_domains)
        .map_err(|p| AppError::field(Field::Email, p))?;
    if email.eq_ignore_ascii_case(&account.email) && account.email_verified_at.is_some() {
        return Err(AppError::field(Field::Email, Problem::Unchanged));
    }
    let content = if super::email_taken_by_other(&state.db, &email, account.id).await? {
        Content::AlreadyRegistered
    } else {
        Content::Code
    };
    deliver(state, account.id, Channel::Email, &email, content)
        .await
        .map_err(send_error(Field::Email))
}

/// Sends a code to the phone number `account` wants to verify (a notice
/// instead, with the same answer, when another account has that number).
pub async fn send_phone_code(
    state: &AppState,
    account: &Account,
    phone: &str,
) -> Result<(), AppError> {
    let phone = check_phone(phone).map_err(|p| AppError::field(Field::Phone, p))?;
    let content = if super::phone_taken_by_other(&state.db, &phone, account.id).await? {
        Content::AlreadyRegistered
    } else {
        Content::Code
    };
    deliver(state, account.id, Channel::Phone, &phone, content)
        .await
        .map_err(send_error(Field::Phone))
}

/// Where the outstanding code for `channel` was sent, if one is still usable.
pub async fn pending_target(
    pool: &SqlitePool,
    user_id: i64,
    channel: Channel,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    store::load_usable_code_target(pool, UserId(user_id), channel, now, MAX_ATTEMPTS).await
}

/// Checks a code and, when it is right, makes its target the account's
/// verified address or number, in one transaction. Every try counts, right or
/// wrong, and the try is counted by the same conditional update that checks
/// the code is still usable, so parallel guesses cannot exceed the limit.
pub async fn confirm(
    pool: &SqlitePool,
    secret: &Secret,
    user_id: i64,
    channel: Channel,
    code: &str,
    now: i64,
) -> Result<String, CodeError> {
    let user = UserId(user_id);
    let mut tx = pool.begin().await?;
    let counted = store::count_code_attempt(&mut *tx, user, channel, now, MAX_ATTEMPTS).await?;
    let Some((hash, target)) = counted else {
        let attempts = store::load_live_code_attempts(&mut *tx, user, channel, now).await?;
        let problem = match attempts {
            Some(_) => Problem::TooManyTries,
            None => Problem::Expired,
        };
        return Err(CodeError::Rejected(problem));
    };
    if !secret.verify(channel.hash_purpose(), code, &hash) {
        tx.commit().await?;
        return Err(CodeError::Rejected(Problem::Wrong));
    }
    store::mark_code_used(&mut *tx, user, channel, now).await?;
    match store::set_verified_contact(&mut *tx, user, channel, &target, now).await {
        Ok(()) => {}
        // Someone else verified this address since the code was sent.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(CodeError::Rejected(Problem::Taken));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(target)
}

/// The code form: checks the code the member typed and, when it is right,
/// the address or number it went to becomes theirs, verified. Each check
/// from `addr` counts as a failure for its network until it proves right.
pub async fn confirm_code(
    state: &AppState,
    user_id: i64,
    addr: Option<ClientAddr>,
    channel: CodeChannel,
    code: &str,
    now: i64,
) -> Result<(), AppError> {
    let code = check_code(code).map_err(|p| AppError::field(Field::Code, p))?;
    let channel = match channel {
        CodeChannel::Email => Channel::Email,
        CodeChannel::Phone => Channel::Phone,
    };
    let Some(attempt) = login_guard::enter_code_check(&state.db, addr, now).await? else {
        return Err(AppError::RateLimited);
    };
    confirm(&state.db, &state.secret, user_id, channel, &code, now)
        .await
        .map_err(code_error(Field::Code))?;
    login_guard::forgive(&state.db, attempt).await?;
    tracing::info!(user = user_id, ?channel, "verified");
    Ok(())
}

#[cfg(test)]
mod tests;
