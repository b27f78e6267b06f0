//! One-time codes proving that an email address or phone number is the user's.
//! Only a keyed hash of each code is stored; a code is single-use, expires after
//! five minutes and allows five tries (rules in `domain::verification`).

use crate::backend::{
    AppState,
    platform::{
        clock::now_ms,
        outbox::{DeliveryError, Message},
        secret::Secret,
    },
};
use crate::domain::{
    account::verification::{CODE_TTL_MS, MAX_ATTEMPTS, RESEND_INTERVAL_MS, resend_wait_secs},
    form::Problem,
};
use rand::Rng;
use sqlx::SqlitePool;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Phone,
}

impl Channel {
    fn as_str(self) -> &'static str {
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
    let replaced = sqlx::query(
        "INSERT INTO verification_codes (user_id, channel, target, code_hash, sent_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (user_id, channel) DO UPDATE SET
             target = excluded.target, code_hash = excluded.code_hash,
             sent_at = excluded.sent_at, expires_at = excluded.expires_at,
             attempts = 0, used_at = NULL
         WHERE verification_codes.sent_at <= ?7",
    )
    .bind(user_id)
    .bind(channel.as_str())
    .bind(target)
    .bind(secret.hash(channel.hash_purpose(), &code))
    .bind(now)
    .bind(now + CODE_TTL_MS)
    .bind(now - RESEND_INTERVAL_MS)
    .execute(pool)
    .await?;
    if replaced.rows_affected() == 1 {
        return Ok(code);
    }
    let sent_at: i64 = sqlx::query_scalar(
        "SELECT sent_at FROM verification_codes WHERE user_id = ? AND channel = ?",
    )
    .bind(user_id)
    .bind(channel.as_str())
    .fetch_one(pool)
    .await?;
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
    let code = issue(&state.db, &state.secret, user_id, channel, target, now_ms()).await?;
    let minutes = CODE_TTL_MS / 60_000;
    let message = Message {
        to: target.to_owned(),
        subject: format!("Your Haggle code: {code}"),
        body: format!(
            "Your Haggle verification code is {code}. It expires in {minutes} minutes.\n\
             If you did not ask for it, ignore this message."
        ),
    };
    match channel {
        Channel::Email => state.mailer.send(message).await?,
        Channel::Phone => {
            let text = Message {
                subject: String::new(),
                body: format!("Haggle code {code} (valid {minutes} min)"),
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

/// Where the outstanding code for `channel` was sent, if one is still usable.
pub async fn pending_target(
    pool: &SqlitePool,
    user_id: i64,
    channel: Channel,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT target FROM verification_codes
         WHERE user_id = ? AND channel = ? AND used_at IS NULL AND expires_at > ? AND attempts < ?",
    )
    .bind(user_id)
    .bind(channel.as_str())
    .bind(now)
    .bind(MAX_ATTEMPTS)
    .fetch_optional(pool)
    .await
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
    let mut tx = pool.begin().await?;
    let counted: Option<(String, String)> = sqlx::query_as(
        "UPDATE verification_codes SET attempts = attempts + 1
         WHERE user_id = ? AND channel = ? AND used_at IS NULL AND expires_at > ? AND attempts < ?
         RETURNING code_hash, target",
    )
    .bind(user_id)
    .bind(channel.as_str())
    .bind(now)
    .bind(MAX_ATTEMPTS)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((hash, target)) = counted else {
        let attempts: Option<i64> = sqlx::query_scalar(
            "SELECT attempts FROM verification_codes
             WHERE user_id = ? AND channel = ? AND used_at IS NULL AND expires_at > ?",
        )
        .bind(user_id)
        .bind(channel.as_str())
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
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
    sqlx::query("UPDATE verification_codes SET used_at = ? WHERE user_id = ? AND channel = ?")
        .bind(now)
        .bind(user_id)
        .bind(channel.as_str())
        .execute(&mut *tx)
        .await?;
    let update = match channel {
        Channel::Email => "UPDATE users SET email = ?, email_verified_at = ? WHERE id = ?",
        Channel::Phone => "UPDATE users SET phone = ?, phone_verified_at = ? WHERE id = ?",
    };
    match sqlx::query(update)
        .bind(&target)
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await
    {
        Ok(_) => {}
        // Someone else verified this address since the code was sent.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(CodeError::Rejected(Problem::Taken));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::platform::db::testing::temp_db;

    async fn user(pool: &SqlitePool, name: &str) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO users (username, nickname, email, created_at) VALUES (?, ?, ?, 0) RETURNING id",
        )
        .bind(name)
        .bind(name)
        .bind(format!("{name}@example.com"))
        .fetch_one(pool)
        .await
        .unwrap()
    }

    fn rejected(result: Result<String, CodeError>) -> Problem {
        match result {
            Err(CodeError::Rejected(p)) => p,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_right_code_verifies_the_target_once() {
        let (pool, _dir) = temp_db().await;
        let secret = Secret::for_tests();
        let id = user(&pool, "mei").await;
        let code = issue(&pool, &secret, id, Channel::Email, "new@example.com", 1_000)
            .await
            .unwrap();
        assert_eq!(code.len(), 6);
        let stored: String = sqlx::query_scalar("SELECT code_hash FROM verification_codes")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert!(!stored.contains(&code), "only a hash is stored");
        assert_eq!(
            pending_target(&pool, id, Channel::Email, 2_000)
                .await
                .unwrap(),
            Some("new@example.com".into())
        );

        let target = confirm(&pool, &secret, id, Channel::Email, &code, 2_000)
            .await
            .unwrap();
        assert_eq!(target, "new@example.com");
        let (email, verified): (String, Option<i64>) =
            sqlx::query_as("SELECT email, email_verified_at FROM users WHERE id = ?")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!((email.as_str(), verified), ("new@example.com", Some(2_000)));
        // Single use.
        assert_eq!(
            rejected(confirm(&pool, &secret, id, Channel::Email, &code, 3_000).await),
            Problem::Expired
        );
    }

    #[tokio::test]
    async fn codes_expire_after_five_minutes() {
        let (pool, _dir) = temp_db().await;
        let secret = Secret::for_tests();
        let id = user(&pool, "mei").await;
        let code = issue(&pool, &secret, id, Channel::Phone, "+886912345678", 0)
            .await
            .unwrap();
        assert_eq!(
            rejected(confirm(&pool, &secret, id, Channel::Phone, &code, CODE_TTL_MS).await),
            Problem::Expired
        );
    }

    #[tokio::test]
    async fn five_tries_then_a_new_code_is_needed() {
        let (pool, _dir) = temp_db().await;
        let secret = Secret::for_tests();
        let id = user(&pool, "mei").await;
        let code = issue(&pool, &secret, id, Channel::Email, "mei@example.com", 0)
            .await
            .unwrap();
        let wrong = if code == "000000" { "111111" } else { "000000" };
        // Parallel guesses cannot get past the limit either.
        let guesses = (0..8).map(|_| {
            let (pool, secret) = (pool.clone(), secret.clone());
            tokio::spawn(
                async move { confirm(&pool, &secret, id, Channel::Email, wrong, 10).await },
            )
        });
        let problems: Vec<Problem> = futures::future::join_all(guesses)
            .await
            .into_iter()
            .map(|r| rejected(r.unwrap()))
            .collect();
        assert_eq!(problems.iter().filter(|p| **p == Problem::Wrong).count(), 5);
        assert_eq!(
            problems
                .iter()
                .filter(|p| **p == Problem::TooManyTries)
                .count(),
            3
        );
        // Even the right code is refused now.
        assert_eq!(
            rejected(confirm(&pool, &secret, id, Channel::Email, &code, 20).await),
            Problem::TooManyTries
        );
        assert_eq!(
            pending_target(&pool, id, Channel::Email, 20).await.unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn resending_is_throttled_and_replaces_the_code() {
        let (pool, _dir) = temp_db().await;
        let secret = Secret::for_tests();
        let id = user(&pool, "mei").await;
        let first = issue(&pool, &secret, id, Channel::Email, "mei@example.com", 0)
            .await
            .unwrap();
        assert_eq!(
            rejected(
                issue(
                    &pool,
                    &secret,
                    id,
                    Channel::Email,
                    "mei@example.com",
                    30_000
                )
                .await
            ),
            Problem::TooSoon { secs: 30 }
        );
        // The phone channel is throttled separately.
        issue(&pool, &secret, id, Channel::Phone, "+886912345678", 30_000)
            .await
            .unwrap();
        let second = issue(
            &pool,
            &secret,
            id,
            Channel::Email,
            "mei@example.com",
            60_000,
        )
        .await
        .unwrap();
        if first != second {
            assert_eq!(
                rejected(confirm(&pool, &secret, id, Channel::Email, &first, 61_000).await),
                Problem::Wrong
            );
        }
        confirm(&pool, &secret, id, Channel::Email, &second, 61_000)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn an_address_verified_by_someone_else_meanwhile_is_taken() {
        let (pool, _dir) = temp_db().await;
        let secret = Secret::for_tests();
        let mei = user(&pool, "mei").await;
        user(&pool, "jun").await;
        let code = issue(&pool, &secret, mei, Channel::Email, "JUN@example.com", 0)
            .await
            .unwrap();
        assert_eq!(
            rejected(confirm(&pool, &secret, mei, Channel::Email, &code, 1).await),
            Problem::Taken
        );
        let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = ?")
            .bind(mei)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(email, "mei@example.com", "nothing changed");
    }
}
