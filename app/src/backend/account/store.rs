//! The account area's SQL: members (`users`), one-time codes, ID reviews,
//! logins and failed log-ins. Each function runs one statement on the
//! executor it is given (a pool, or `&mut *tx` inside a use case's
//! transaction) and decides nothing: what a row or an error means is the use
//! cases' business.

use super::{Account, logins::Login, verification::Channel};
use crate::domain::{account::NewAccount, id::UserId};
use crate::model::IdReview;
use sqlx::SqliteExecutor;

const ACCOUNT_COLUMNS: &str = "id, username, nickname, email, role, status, email_verified_at, \
     phone, phone_verified_at, avatar, intro, id_verified_at, suspended_until, wallet_frozen, \
     created_at";

// ---- members -------------------------------------------------------------

/// Inserts a member; a unique violation names the column already in use.
pub async fn insert_user(
    ex: impl SqliteExecutor<'_>,
    new: &NewAccount,
    password_hash: &str,
    now: i64,
) -> Result<Account, sqlx::Error> {
    sqlx::query_as::<_, Account>(&format!(
        "INSERT INTO users (username, nickname, email, password_hash, created_at)
         VALUES (?, ?, ?, ?, ?) RETURNING {ACCOUNT_COLUMNS}"
    ))
    .bind(&new.username)
    .bind(&new.nickname)
    .bind(&new.email)
    .bind(password_hash)
    .bind(now)
    .fetch_one(ex)
    .await
}

/// The id and password hash of the member whose username or email is `login`.
pub async fn load_password_by_login(
    ex: impl SqliteExecutor<'_>,
    login: &str,
) -> Result<Option<(UserId, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, password_hash FROM users WHERE username = ? OR email = ?")
        .bind(login)
        .bind(login)
        .fetch_optional(ex)
        .await
}

pub async fn load_account(
    ex: impl SqliteExecutor<'_>,
    id: UserId,
) -> Result<Option<Account>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {ACCOUNT_COLUMNS} FROM users WHERE id = ?"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

pub async fn load_account_by_username(
    ex: impl SqliteExecutor<'_>,
    username: &str,
) -> Result<Option<Account>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM users WHERE username = ?"
    ))
    .bind(username)
    .fetch_optional(ex)
    .await
}

pub async fn email_used_by_other(
    ex: impl SqliteExecutor<'_>,
    email: &str,
    me: UserId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = ? AND id <> ?)")
        .bind(email)
        .bind(me)
        .fetch_one(ex)
        .await
}

pub async fn phone_used_by_other(
    ex: impl SqliteExecutor<'_>,
    phone: &str,
    me: UserId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE phone = ? AND id <> ?)")
        .bind(phone)
        .bind(me)
        .fetch_one(ex)
        .await
}

pub async fn username_exists(
    ex: impl SqliteExecutor<'_>,
    username: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE username = ?)")
        .bind(username)
        .fetch_one(ex)
        .await
}

pub async fn email_exists(ex: impl SqliteExecutor<'_>, email: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = ?)")
        .bind(email)
        .fetch_one(ex)
        .await
}

pub async fn nickname_exists(
    ex: impl SqliteExecutor<'_>,
    nickname: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE nickname = ? COLLATE NOCASE)")
        .bind(nickname)
        .fetch_one(ex)
        .await
}

/// Sets nickname and intro; a nickname in use fails as a unique violation.
pub async fn update_profile(
    ex: impl SqliteExecutor<'_>,
    id: UserId,
    nickname: &str,
    intro: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET nickname = ?, intro = ? WHERE id = ?")
        .bind(nickname)
        .bind(intro)
        .bind(id)
        .execute(ex)
        .await
        .map(|_| ())
}

/// The member's avatar file name (`RowNotFound` when there is no such member).
pub async fn load_avatar(
    ex: impl SqliteExecutor<'_>,
    id: UserId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT avatar FROM users WHERE id = ?")
        .bind(id)
        .fetch_one(ex)
        .await
}

pub async fn set_avatar(
    ex: impl SqliteExecutor<'_>,
    id: UserId,
    file: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET avatar = ? WHERE id = ?")
        .bind(file)
        .bind(id)
        .execute(ex)
        .await
        .map(|_| ())
}

/// The member's password hash (`RowNotFound` when there is no such member).
pub async fn load_password_hash(
    ex: impl SqliteExecutor<'_>,
    id: UserId,
) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = ?")
        .bind(id)
        .fetch_one(ex)
        .await
}

/// Replaces the password hash if it is still `current`; whether it was.
pub async fn replace_password_hash(
    ex: impl SqliteExecutor<'_>,
    id: UserId,
    new_hash: &str,
    current: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?")
        .bind(new_hash)
        .bind(id)
        .bind(current)
        .execute(ex)
        .await
        .map(|r| r.rows_affected() != 0)
}

/// Sets the role of the member named `username`; whether there was one.
pub async fn set_role(
    ex: impl SqliteExecutor<'_>,
    username: &str,
    role: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query("UPDATE users SET role = ? WHERE username = ?")
        .bind(role)
        .bind(username)
        .execute(ex)
        .await
        .map(|r| r.rows_affected() == 1)
}

// ---- one-time codes ------------------------------------------------------

/// A code to store for a member and channel.
pub struct NewCode<'a> {
    pub user: UserId,
    pub channel: Channel,
    pub target: &'a str,
    pub code_hash: &'a str,
    pub sent_at: i64,
    pub expires_at: i64,
}

/// Stores `code`, replacing the member's code for its channel only if that
/// one was sent at or before `sent_before`; whether it was stored.
pub async fn upsert_code(
    ex: impl SqliteExecutor<'_>,
    code: &NewCode<'_>,
    sent_before: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "INSERT INTO verification_codes (user_id, channel, target, code_hash, sent_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (user_id, channel) DO UPDATE SET
             target = excluded.target, code_hash = excluded.code_hash,
             sent_at = excluded.sent_at, expires_at = excluded.expires_at,
             attempts = 0, used_at = NULL
         WHERE verification_codes.sent_at <= ?7",
    )
    .bind(code.user)
    .bind(code.channel.as_str())
    .bind(code.target)
    .bind(code.code_hash)
    .bind(code.sent_at)
    .bind(code.expires_at)
    .bind(sent_before)
    .execute(ex)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// When the member's code for `channel` was sent (`RowNotFound` if none).
pub async fn load_code_sent_at(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    channel: Channel,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT sent_at FROM verification_codes WHERE user_id = ? AND channel = ?")
        .bind(user)
        .bind(channel.as_str())
        .fetch_one(ex)
        .await
}

/// Where the member's code for `channel` went, if it is unused, unexpired at
/// `now` and has been tried fewer than `max_attempts` times.
pub async fn load_usable_code_target(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    channel: Channel,
    now: i64,
    max_attempts: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT target FROM verification_codes
         WHERE user_id = ? AND channel = ? AND used_at IS NULL AND expires_at > ? AND attempts < ?",
    )
    .bind(user)
    .bind(channel.as_str())
    .bind(now)
    .bind(max_attempts)
    .fetch_optional(ex)
    .await
}

/// Counts a try on the member's code for `channel` if it is still usable (as
/// in [`load_usable_code_target`]); returns its hash and target if it was.
pub async fn count_code_attempt(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    channel: Channel,
    now: i64,
    max_attempts: i64,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE verification_codes SET attempts = attempts + 1
         WHERE user_id = ? AND channel = ? AND used_at IS NULL AND expires_at > ? AND attempts < ?
         RETURNING code_hash, target",
    )
    .bind(user)
    .bind(channel.as_str())
    .bind(now)
    .bind(max_attempts)
    .fetch_optional(ex)
    .await
}

/// How often the member's unused, unexpired code for `channel` was tried.
pub async fn load_live_code_attempts(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    channel: Channel,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT attempts FROM verification_codes
         WHERE user_id = ? AND channel = ? AND used_at IS NULL AND expires_at > ?",
    )
    .bind(user)
    .bind(channel.as_str())
    .bind(now)
    .fetch_optional(ex)
    .await
}

pub async fn mark_code_used(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    channel: Channel,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE verification_codes SET used_at = ? WHERE user_id = ? AND channel = ?")
        .bind(now)
        .bind(user)
        .bind(channel.as_str())
        .execute(ex)
        .await
        .map(|_| ())
}

/// Makes `target` the member's verified email or phone (by `channel`); an
/// address another member has fails as a unique violation.
pub async fn set_verified_contact(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    channel: Channel,
    target: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let update = match channel {
        Channel::Email => "UPDATE users SET email = ?, email_verified_at = ? WHERE id = ?",
        Channel::Phone => "UPDATE users SET phone = ?, phone_verified_at = ? WHERE id = ?",
    };
    sqlx::query(update)
        .bind(target)
        .bind(now)
        .bind(user)
        .execute(ex)
        .await
        .map(|_| ())
}

// ---- identity ------------------------------------------------------------

/// Whether a member other than `user` is verified, or waiting to be, with
/// the card hashed as `id_hash`.
pub async fn card_used_elsewhere(
    ex: impl SqliteExecutor<'_>,
    id_hash: &str,
    user: UserId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE id_hash = ?1 AND id <> ?2)
             OR EXISTS (SELECT 1 FROM id_reviews WHERE id_hash = ?1 AND user_id <> ?2 AND status = 'pending')",
    )
    .bind(id_hash)
    .bind(user)
    .fetch_one(ex)
    .await
}

/// Marks the member verified by the card `id_hash` if they are not yet;
/// whether they were marked. A card verifying someone else fails as a
/// unique violation.
pub async fn mark_id_verified(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    id_hash: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query("UPDATE users SET id_hash = ?, id_verified_at = ? WHERE id = ? AND id_hash IS NULL")
        .bind(id_hash)
        .bind(now)
        .bind(user)
        .execute(ex)
        .await
        .map(|r| r.rows_affected() == 1)
}

/// Queues a card for an admin; a second pending review for the member fails
/// as a unique violation.
pub async fn insert_id_review(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    id_hash: &str,
    masked: &str,
    kind: &str,
    image: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO id_reviews (user_id, id_hash, masked, kind, image, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(user)
    .bind(id_hash)
    .bind(masked)
    .bind(kind)
    .bind(image)
    .bind(now)
    .execute(ex)
    .await
    .map(|_| ())
}

pub async fn id_review_pending(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM id_reviews WHERE user_id = ? AND status = 'pending')",
    )
    .bind(user)
    .fetch_one(ex)
    .await
}

/// Pending reviews, oldest first, each with the member verified by the same
/// card (if any), how many others wait with it, and the member's identity
/// checks since `since`.
pub async fn pending_id_reviews(
    ex: impl SqliteExecutor<'_>,
    since: i64,
) -> Result<Vec<IdReview>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.id, u.username, u.nickname, r.masked, r.kind, r.created_at,
                (SELECT h.username FROM users h WHERE h.id_hash = r.id_hash AND h.id <> r.user_id)
                    AS held_by,
                (SELECT count(*) FROM id_reviews o
                  WHERE o.id_hash = r.id_hash AND o.user_id <> r.user_id AND o.status = 'pending')
                    AS others_waiting,
                (SELECT count(*) FROM id_attempts a WHERE a.user_id = r.user_id AND a.at >= ?)
                    AS recent_attempts
         FROM id_reviews r JOIN users u ON u.id = r.user_id
         WHERE r.status = 'pending' ORDER BY r.created_at, r.id",
    )
    .bind(since)
    .fetch_all(ex)
    .await
}

/// The member's identity checks since `since`.
pub async fn count_id_attempts(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    since: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM id_attempts WHERE user_id = ? AND at >= ?")
        .bind(user)
        .bind(since)
        .fetch_one(ex)
        .await
}

pub async fn insert_id_attempt(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO id_attempts (user_id, at) VALUES (?, ?)")
        .bind(user)
        .bind(now)
        .execute(ex)
        .await
        .map(|_| ())
}

/// Forgets the member's checks from before `before`: they no longer count.
pub async fn delete_id_attempts_before(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    before: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM id_attempts WHERE user_id = ? AND at < ?")
        .bind(user)
        .bind(before)
        .execute(ex)
        .await
        .map(|_| ())
}

/// Clears the verified identity of `username`; the member it belonged to,
/// if they were verified.
pub async fn clear_id_verification(
    ex: impl SqliteExecutor<'_>,
    username: &str,
) -> Result<Option<UserId>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE users SET id_hash = NULL, id_verified_at = NULL
         WHERE username = ? AND id_hash IS NOT NULL RETURNING id",
    )
    .bind(username)
    .fetch_optional(ex)
    .await
}

/// The photo file of a pending review.
pub async fn load_pending_review_image(
    ex: impl SqliteExecutor<'_>,
    review: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT image FROM id_reviews WHERE id = ? AND status = 'pending'")
        .bind(review)
        .fetch_optional(ex)
        .await
        .map(Option::flatten)
}

/// Moves a pending review to `status`, by `admin`; returns its member, card
/// hash and photo file if it was pending.
pub async fn decide_id_review(
    ex: impl SqliteExecutor<'_>,
    review: i64,
    status: &str,
    admin: UserId,
    now: i64,
) -> Result<Option<(UserId, String, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE id_reviews SET status = ?, reviewed_by = ?, reviewed_at = ?
         WHERE id = ? AND status = 'pending'
         RETURNING user_id, id_hash, image",
    )
    .bind(status)
    .bind(admin)
    .bind(now)
    .bind(review)
    .fetch_optional(ex)
    .await
}

pub async fn clear_review_image(
    ex: impl SqliteExecutor<'_>,
    review: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE id_reviews SET image = NULL WHERE id = ?")
        .bind(review)
        .execute(ex)
        .await
        .map(|_| ())
}

// ---- logins --------------------------------------------------------------

pub async fn insert_login(
    ex: impl SqliteExecutor<'_>,
    id: &str,
    user: UserId,
    user_agent: &str,
    ip: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO logins (id, user_id, created_at, last_seen, user_agent, ip) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(user)
    .bind(now)
    .bind(now)
    .bind(user_agent)
    .bind(ip)
    .execute(ex)
    .await
    .map(|_| ())
}

/// Whose login `id` is, when it started and when it was last seen.
pub async fn load_login(
    ex: impl SqliteExecutor<'_>,
    id: &str,
) -> Result<Option<(UserId, i64, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT user_id, created_at, last_seen FROM logins WHERE id = ?")
        .bind(id)
        .fetch_optional(ex)
        .await
}

pub async fn touch_login(
    ex: impl SqliteExecutor<'_>,
    id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE logins SET last_seen = ? WHERE id = ?")
        .bind(now)
        .bind(id)
        .execute(ex)
        .await
        .map(|_| ())
}

/// The member's logins, most recently seen first.
pub async fn list_logins(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
) -> Result<Vec<Login>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, created_at, last_seen, user_agent, ip FROM logins
         WHERE user_id = ? ORDER BY last_seen DESC, created_at DESC",
    )
    .bind(user)
    .fetch_all(ex)
    .await
}

/// Deletes login `id`; returns whose it was, if it existed.
pub async fn delete_login(
    ex: impl SqliteExecutor<'_>,
    id: &str,
) -> Result<Option<UserId>, sqlx::Error> {
    sqlx::query_scalar("DELETE FROM logins WHERE id = ? RETURNING user_id")
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// Deletes the member's logins except `keep`; returns how many.
pub async fn delete_other_logins(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    keep: &str,
) -> Result<u64, sqlx::Error> {
    sqlx::query("DELETE FROM logins WHERE user_id = ? AND id <> ?")
        .bind(user)
        .bind(keep)
        .execute(ex)
        .await
        .map(|r| r.rows_affected())
}

// ---- failed log-ins ------------------------------------------------------

/// How many failures after `since` were recorded under each of two keys.
pub async fn count_failures(
    ex: impl SqliteExecutor<'_>,
    account_key: &str,
    address_key: &str,
    since: i64,
) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT COALESCE(SUM(key = ?1), 0), COALESCE(SUM(key = ?2), 0)
         FROM login_failures WHERE key IN (?1, ?2) AND at > ?3",
    )
    .bind(account_key)
    .bind(address_key)
    .bind(since)
    .fetch_one(ex)
    .await
}

/// Deletes failures recorded at or before `until`.
pub async fn delete_failures_until(
    ex: impl SqliteExecutor<'_>,
    until: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE at <= ?")
        .bind(until)
        .execute(ex)
        .await
        .map(|_| ())
}

/// Records one failure at `at` under `key`; returns its row id.
pub async fn insert_failure(
    ex: impl SqliteExecutor<'_>,
    key: &str,
    at: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO login_failures (key, at) VALUES (?, ?) RETURNING rowid")
        .bind(key)
        .bind(at)
        .fetch_one(ex)
        .await
}

/// Deletes one failure by its row id.
pub async fn delete_failure(ex: impl SqliteExecutor<'_>, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE rowid = ?")
        .bind(id)
        .execute(ex)
        .await
        .map(|_| ())
}

pub async fn delete_failures(ex: impl SqliteExecutor<'_>, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE key = ?")
        .bind(key)
        .execute(ex)
        .await
        .map(|_| ())
}
