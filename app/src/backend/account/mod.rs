//! Accounts: registration, password log-in and look-ups, and the member's
//! own settings (profile, avatar, password).

pub mod identity;
pub mod login_guard;
pub mod logins;
mod store;
pub mod verification;

use crate::backend::{
    AppState,
    platform::{
        captcha as challenge, client::ClientAddr, clock::now_ms, images, limits::Slots, media,
        upload,
    },
    web::session,
};
use crate::domain::{
    account::{
        LOGIN_MAX, NewAccount, PASSWORD_LEN, Standing, check_intro, check_nickname, check_password,
        check_sign_up, check_username, login_guard::Gate,
    },
    form::{Field, FieldError, Problem},
    id::UserId,
};
use crate::error::AppError;
use crate::model::{OwnAccount, PublicProfile};
use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use image::imageops::FilterType;
use login_guard::Refusal;
use serde::{Deserialize, Serialize};
use server_fn::codec::MultipartData;
use sqlx::SqlitePool;
use tower_sessions::Session;
use verification::Channel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    Admin,
}

/// An account as the rest of the server sees it (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub nickname: String,
    pub email: String,
    pub role: String,
    pub status: String,
    pub email_verified_at: Option<i64>,
    pub phone: Option<String>,
    pub phone_verified_at: Option<i64>,
    /// Media file name of the avatar.
    pub avatar: Option<String>,
    pub intro: String,
    pub id_verified_at: Option<i64>,
    pub suspended_until: Option<i64>,
    pub wallet_frozen: bool,
    pub created_at: i64,
}

impl Account {
    pub fn standing(&self, now: i64) -> Standing {
        Standing::from_status(&self.status, self.suspended_until, now)
    }

    pub fn role(&self) -> Role {
        if self.role == "admin" {
            Role::Admin
        } else {
            Role::User
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("invalid: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("wrong username or password")]
    WrongCredentials,
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("password hashing: {0}")]
    Hash(String),
    /// Every hashing slot stayed taken: nothing was checked or changed.
    #[error("busy")]
    Busy,
    /// Too many wrong passwords lately; wait.
    #[error("too many attempts")]
    TooManyAttempts,
}

impl From<AccountError> for AppError {
    fn from(err: AccountError) -> Self {
        match err {
            AccountError::Invalid(errors) => AppError::Validation(errors),
            AccountError::WrongCredentials => AppError::field(Field::Password, Problem::Wrong),
            AccountError::Db(e) => e.into(),
            AccountError::Hash(e) => {
                tracing::error!(error = %e, "password hashing");
                AppError::Internal
            }
            AccountError::Busy => AppError::Busy,
            AccountError::TooManyAttempts => AppError::RateLimited,
        }
    }
}

/// Argon2id with the crate's defaults (19 MiB, 2 passes), OWASP's recommendation.
/// Hashing runs on the blocking pool: it takes tens of milliseconds on purpose.
/// At most a few run at once (`slots`), so a flood of sign-ups or log-ins
/// cannot take every core and hundreds of megabytes; the rest are told the
/// server is busy.
pub async fn hash_password(slots: &Slots, password: &str) -> Result<String, AccountError> {
    let _slot = slots.acquire().await.map_err(|_| AccountError::Busy)?;
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AccountError::Hash(e.to_string()))
    })
    .await
    .map_err(|e| AccountError::Hash(e.to_string()))?
}

async fn verify_password(slots: &Slots, password: &str, hash: &str) -> Result<bool, AccountError> {
    let _slot = slots.acquire().await.map_err(|_| AccountError::Busy)?;
    let (password, hash) = (password.to_owned(), hash.to_owned());
    Ok(tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false))
}

/// Which of the new account's username, nickname and email another account
/// already has.
async fn taken_fields(pool: &SqlitePool, new: &NewAccount) -> Result<Vec<FieldError>, sqlx::Error> {
    let mut taken = Vec::new();
    for (field, is_taken) in [
        (
            Field::Username,
            store::username_exists(pool, &new.username).await?,
        ),
        (
            Field::Nickname,
            store::nickname_exists(pool, &new.nickname).await?,
        ),
        (Field::Email, store::email_exists(pool, &new.email).await?),
    ] {
        if is_taken {
            taken.push(FieldError {
                field,
                problem: Problem::Taken,
            });
        }
    }
    Ok(taken)
}

/// Creates an account. Availability is checked before the password is
/// hashed, so a taken name costs no hash; the unique indexes stay the
/// authority, so two racing sign-ups for one name cannot both succeed.
pub async fn register(
    pool: &SqlitePool,
    slots: &Slots,
    new: &NewAccount,
    password: &str,
) -> Result<Account, AccountError> {
    let taken = taken_fields(pool, new).await?;
    if !taken.is_empty() {
        return Err(AccountError::Invalid(taken));
    }
    let hash = hash_password(slots, password).await?;
    match store::insert_user(pool, new, &hash, now_ms()).await {
        Ok(account) => Ok(account),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            let message = e.message();
            let field = if message.contains("users.username") {
                Field::Username
            } else if message.contains("users.email") {
                Field::Email
            } else {
                Field::Nickname
            };
            Err(AccountError::Invalid(vec![FieldError {
                field,
                problem: Problem::Taken,
            }]))
        }
        Err(e) => Err(e.into()),
    }
}

/// Sign-ups are limited per address network (a CAPTCHA beyond the hourly
/// allowance, none at all beyond the daily one) and over the whole site (a
/// CAPTCHA for everyone during a burst).
async fn admit_sign_up(
    state: &AppState,
    session: &Session,
    addr: Option<ClientAddr>,
    captcha: Option<&str>,
) -> Result<(), AppError> {
    let limits = &state.limits;
    let network = addr.map(|a| a.network());
    if let Some(network) = &network {
        limits.sign_ups_per_network_daily.check(network)?;
    }
    let burst = network.is_some_and(|n| !limits.sign_ups_per_network.allow(&n))
        || !limits.sign_ups_site.allow(&());
    if burst {
        let answer = captcha.map(str::trim).unwrap_or_default();
        if answer.is_empty() {
            return Err(AppError::field(Field::Captcha, Problem::Required));
        }
        if !challenge::solve(session, answer).await {
            return Err(AppError::field(Field::Captcha, Problem::Wrong));
        }
    }
    Ok(())
}

/// The sign-up form: checks every field, creates the account, logs this
/// browser in under it and mails the first verification code.
pub async fn sign_up(
    state: &AppState,
    session: &Session,
    username: &str,
    nickname: &str,
    email: &str,
    password: &str,
    captcha: Option<&str>,
) -> Result<(), AppError> {
    let new = check_sign_up(
        username,
        nickname,
        email,
        password,
        &state.config.email_domains,
    )
    .map_err(AppError::Validation)?;
    admit_sign_up(state, session, session::requester().addr, captcha).await?;
    let account = register(&state.db, &state.limits.password_hashes, &new, password).await?;
    session::log_in(state, session, account.id).await?;
    tracing::info!(user = account.id, "signed up");
    // The account exists either way; a failed send can be retried from /verify.
    if let Err(e) = verification::send(state, account.id, Channel::Email, &account.email).await {
        tracing::warn!(error = %e, user = account.id, "first verification code not sent");
    }
    Ok(())
}

/// A hash of a password nobody has, verified when the account does not exist so
/// that a wrong username takes as long as a wrong password.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$jdLFSUTgzrEfm2QpuxAzRQ7n7fgu8qYyH9gJcZ5DV0M";

/// Checks a username (or email) and password, with no limit: the log-in
/// form goes through [`log_in`].
pub async fn authenticate(
    pool: &SqlitePool,
    slots: &Slots,
    login: &str,
    password: &str,
) -> Result<Account, AccountError> {
    let login = login.trim();
    let Some((id, hash)) = store::load_password_by_login(pool, login).await? else {
        verify_password(slots, password, DECOY_HASH).await?;
        return Err(AccountError::WrongCredentials);
    };
    if hash.is_empty() || !verify_password(slots, password, &hash).await? {
        return Err(AccountError::WrongCredentials);
    }
    find(pool, id.get())
        .await?
        .ok_or(AccountError::WrongCredentials)
}

/// The log-in form: logs this browser in by username or email. After three
/// recent failures for the account (or ten from the address network) a
/// CAPTCHA must be solved too; after ten for the account, log-in pauses for
/// it. Lengths are checked before any work.
pub async fn log_in(
    state: &AppState,
    session: &Session,
    login: &str,
    password: &str,
    captcha: Option<&str>,
) -> Result<(), AppError> {
    let login = login.trim();
    if login.is_empty() {
        return Err(AppError::field(Field::Username, Problem::Required));
    }
    if login.chars().count() > LOGIN_MAX as usize {
        return Err(AppError::field(
            Field::Username,
            Problem::TooLong { max: LOGIN_MAX },
        ));
    }
    if password.is_empty() {
        return Err(AppError::field(Field::Password, Problem::Required));
    }
    if password.chars().count() > PASSWORD_LEN.1 as usize {
        let max = PASSWORD_LEN.1;
        return Err(AppError::field(Field::Password, Problem::TooLong { max }));
    }
    let account = attempt_log_in(
        &state.db,
        &state.limits.password_hashes,
        session,
        session::requester().addr,
        login,
        password,
        captcha,
    )
    .await?;
    session::log_in(state, session, account.id).await
}

/// One guess at `login`'s password from `addr`: counted first, checked
/// second, forgiven if right.
pub async fn attempt_log_in(
    pool: &SqlitePool,
    slots: &Slots,
    session: &Session,
    addr: Option<ClientAddr>,
    login: &str,
    password: &str,
    captcha: Option<&str>,
) -> Result<Account, AppError> {
    let answer = captcha.map(str::trim).filter(|a| !a.is_empty());
    let challenge = match answer {
        Some(answer) => Some((challenge::take(session).await, answer)),
        None => None,
    };
    let entry = match login_guard::enter(pool, login, addr, challenge, now_ms()).await? {
        Ok(entry) => entry,
        Err(Refusal::Paused) => return Err(AppError::RateLimited),
        Err(Refusal::Captcha(problem)) => return Err(AppError::field(Field::Captcha, problem)),
    };
    let hash = match &entry.account {
        Some((_, hash)) if !hash.is_empty() => hash.as_str(),
        // No such account (or no password): take as long as a wrong password.
        _ => DECOY_HASH,
    };
    let right = match verify_password(slots, password, hash).await {
        Ok(right) => right && hash != DECOY_HASH,
        Err(e) => {
            // Nothing was checked: the attempt does not count.
            login_guard::withdraw(pool, entry.attempt).await?;
            return Err(e.into());
        }
    };
    if let (true, Some((id, _))) = (right, &entry.account) {
        let id = *id;
        login_guard::forgive(pool, entry.attempt).await?;
        return find(pool, id.get()).await?.ok_or(AppError::NotFound);
    }
    let mut errors = vec![FieldError {
        field: Field::Password,
        problem: Problem::Wrong,
    }];
    // Say now that the next try needs a CAPTCHA, so the form shows one.
    if login_guard::next_gate(pool, &entry.attempt, now_ms()).await? != Gate::Open {
        errors.push(FieldError {
            field: Field::Captcha,
            problem: Problem::Required,
        });
    }
    Err(AppError::Validation(errors))
}

pub async fn find(pool: &SqlitePool, id: i64) -> Result<Option<Account>, sqlx::Error> {
    store::load_account(pool, UserId(id)).await
}

/// Everything the settings page shows about `account`, the caller's own.
pub async fn own_account(
    pool: &SqlitePool,
    account: Account,
    now: i64,
) -> Result<OwnAccount, AppError> {
    let pending = |channel| verification::pending_target(pool, account.id, channel, now);
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
        id_in_review: identity::in_review(pool, account.id).await?,
        avatar_url: account.avatar.as_deref().map(media::url),
        username: account.username,
        nickname: account.nickname,
        intro: account.intro,
        email: account.email,
        phone: account.phone,
    })
}

/// The public page of the member named `username` (surrounding blanks
/// ignored); `NotFound` if there is none.
pub async fn public_profile(pool: &SqlitePool, username: &str) -> Result<PublicProfile, AppError> {
    let account = find_by_username(pool, username.trim())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(PublicProfile {
        id_verified: account.id_verified_at.is_some(),
        avatar_url: account.avatar.as_deref().map(media::url),
        member_since: account.created_at,
        username: account.username,
        nickname: account.nickname,
        intro: account.intro,
    })
}

/// Whether another account already uses `email` (compared without case).
pub async fn email_taken_by_other(
    pool: &SqlitePool,
    email: &str,
    me: i64,
) -> Result<bool, sqlx::Error> {
    store::email_used_by_other(pool, email, UserId(me)).await
}

pub async fn phone_taken_by_other(
    pool: &SqlitePool,
    phone: &str,
    me: i64,
) -> Result<bool, sqlx::Error> {
    store::phone_used_by_other(pool, phone, UserId(me)).await
}

/// Sets nickname and intro; a nickname another account has is refused.
pub async fn update_profile(
    pool: &SqlitePool,
    id: i64,
    nickname: &str,
    intro: &str,
) -> Result<(), AccountError> {
    match store::update_profile(pool, UserId(id), nickname, intro).await {
        Ok(()) => Ok(()),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(AccountError::Invalid(vec![FieldError {
                field: Field::Nickname,
                problem: Problem::Taken,
            }]))
        }
        Err(e) => Err(e.into()),
    }
}

/// The profile form: checks nickname and intro, then sets them.
pub async fn save_profile(
    pool: &SqlitePool,
    id: i64,
    nickname: &str,
    intro: &str,
) -> Result<(), AppError> {
    let nickname = check_nickname(nickname).map_err(|p| AppError::field(Field::Nickname, p))?;
    let intro = check_intro(intro).map_err(|p| AppError::field(Field::Intro, p))?;
    Ok(update_profile(pool, id, &nickname, &intro).await?)
}

/// Replaces the avatar; returns the previous file name so it can be deleted.
pub async fn set_avatar(
    pool: &SqlitePool,
    id: i64,
    file: &str,
) -> Result<Option<String>, sqlx::Error> {
    // Reads the old avatar then writes: take the write lock up front.
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let old = store::load_avatar(&mut *tx, UserId(id)).await?;
    store::set_avatar(&mut *tx, UserId(id), file).await?;
    tx.commit().await?;
    Ok(old)
}

/// Avatars are stored as squares of this many pixels.
pub const AVATAR_SIZE: u32 = 256;

/// The avatar form (field `avatar`, a file): stores the photo as a 256 px
/// square JPEG, makes it the avatar and deletes the previous one. Returns the
/// new avatar's URL.
pub async fn replace_avatar(
    state: &AppState,
    id: i64,
    data: MultipartData,
) -> Result<String, AppError> {
    let mut form = upload::read_form(data, Field::Avatar, &["avatar"]).await?;
    let photo = form.take_file("avatar", Field::Avatar)?;
    let name = store_avatar(&state.media, photo).await?;
    if let Some(old) = set_avatar(&state.db, id, &name).await? {
        state.media.remove(&old);
    }
    Ok(media::url(&name))
}

/// Decodes `photo` within the shared decode budget and stores it as a 256 px
/// square JPEG (decoding and re-encoding drops every byte of metadata the
/// upload carried); returns the file's name.
pub async fn store_avatar(store: &media::MediaStore, photo: Vec<u8>) -> Result<String, AppError> {
    let store = store.clone();
    images::decode(
        photo,
        |_, _| Ok(()),
        move |photo| {
            // The centred square first: filling 256 × 256 from a 1 × 8000
            // strip would otherwise build a 256 × 2,048,000 image to crop.
            let (width, height) = (photo.width(), photo.height());
            let side = width.min(height);
            let square = photo.crop_imm((width - side) / 2, (height - side) / 2, side, side);
            drop(photo);
            // A large square is averaged down to twice the avatar (no float
            // copy); Lanczos then finishes from a small image.
            let square = if side > 2 * AVATAR_SIZE {
                square.thumbnail_exact(2 * AVATAR_SIZE, 2 * AVATAR_SIZE)
            } else {
                square
            };
            let square = square.resize_exact(AVATAR_SIZE, AVATAR_SIZE, FilterType::Lanczos3);
            store.write_jpeg(&square.into_rgb8(), 88)
        },
    )
    .await
    .map_err(|problem| AppError::field(Field::Avatar, problem))?
    .map_err(|e| {
        tracing::error!(error = %e, "storing an avatar");
        AppError::Internal
    })
}

/// Changes the password if `old` is the current one. Each check of `old`
/// counts as a failed log-in for the account until it proves right, and
/// checks stop after a few failures. The update is conditional on the hash
/// that was checked, so two racing changes cannot both pass.
pub async fn change_password(
    pool: &SqlitePool,
    slots: &Slots,
    id: i64,
    addr: Option<ClientAddr>,
    old: &str,
    new: &str,
) -> Result<(), AccountError> {
    let Some(attempt) = login_guard::enter_password_check(pool, UserId(id), addr, now_ms()).await?
    else {
        return Err(AccountError::TooManyAttempts);
    };
    let current = store::load_password_hash(pool, UserId(id)).await?;
    let right = match verify_password(slots, old, &current).await {
        Ok(right) => right && !current.is_empty(),
        Err(e) => {
            login_guard::withdraw(pool, attempt).await?;
            return Err(e);
        }
    };
    if !right {
        return Err(AccountError::WrongCredentials);
    }
    login_guard::forgive(pool, attempt).await?;
    let hash = hash_password(slots, new).await?;
    if !store::replace_password_hash(pool, UserId(id), &hash, &current).await? {
        return Err(AccountError::WrongCredentials);
    }
    Ok(())
}

/// The password form: checks the new password, changes it if `old` is the
/// current one, then signs out every browser of the account but the login
/// `keep` (the caller's).
pub async fn set_new_password(
    state: &AppState,
    id: i64,
    keep: &str,
    old: &str,
    new: &str,
) -> Result<(), AppError> {
    if old.chars().count() > PASSWORD_LEN.1 as usize {
        let max = PASSWORD_LEN.1;
        return Err(AppError::field(Field::Password, Problem::TooLong { max }));
    }
    check_password(new).map_err(|p| AppError::field(Field::NewPassword, p))?;
    let addr = session::requester().addr;
    change_password(&state.db, &state.limits.password_hashes, id, addr, old, new).await?;
    let ended = logins::end_others(&state.db, &state.hub, id, keep).await?;
    tracing::info!(user = id, ended, "password changed");
    Ok(())
}

/// Grants or revokes the admin role; false if there is no such user.
pub async fn set_admin(
    pool: &SqlitePool,
    username: &str,
    admin: bool,
) -> Result<bool, sqlx::Error> {
    let role = if admin { "admin" } else { "user" };
    store::set_role(pool, username.trim(), role).await
}

pub async fn find_by_username(
    pool: &SqlitePool,
    username: &str,
) -> Result<Option<Account>, sqlx::Error> {
    store::load_account_by_username(pool, username).await
}

pub async fn username_taken(pool: &SqlitePool, username: &str) -> Result<bool, sqlx::Error> {
    store::username_exists(pool, username).await
}

pub async fn nickname_taken(pool: &SqlitePool, nickname: &str) -> Result<bool, sqlx::Error> {
    store::nickname_exists(pool, nickname).await
}

/// Whether a username can still be had; an invalid one reports why.
pub async fn username_free(pool: &SqlitePool, username: &str) -> Result<bool, AppError> {
    let name = check_username(username).map_err(|p| AppError::field(Field::Username, p))?;
    Ok(!username_taken(pool, &name).await?)
}

/// Whether a nickname can still be had; an invalid one reports why.
pub async fn nickname_free(pool: &SqlitePool, nickname: &str) -> Result<bool, AppError> {
    let name = check_nickname(nickname).map_err(|p| AppError::field(Field::Nickname, p))?;
    Ok(!nickname_taken(pool, &name).await?)
}

#[cfg(test)]
mod tests;
