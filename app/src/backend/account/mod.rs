//! Accounts: registration, password log-in and look-ups.

pub mod identity;
pub mod login_guard;
pub mod logins;
pub mod verification;

use crate::backend::platform::clock::now_ms;
use crate::domain::{
    account::{NewAccount, Standing},
    form::{Field, FieldError, Problem},
};
use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;

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

const ACCOUNT_COLUMNS: &str = "id, username, nickname, email, role, status, email_verified_at, \
     phone, phone_verified_at, avatar, intro, id_verified_at, suspended_until, wallet_frozen, \
     created_at";

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
}

/// Argon2id with the crate's defaults (19 MiB, 2 passes), OWASP's recommendation.
/// Hashing runs on the blocking pool: it takes tens of milliseconds on purpose.
pub async fn hash_password(password: &str) -> Result<String, AccountError> {
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

async fn verify_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// Creates an account. The unique indexes are the authority on availability, so
/// two racing sign-ups for one name cannot both succeed.
pub async fn register(
    pool: &SqlitePool,
    new: &NewAccount,
    password: &str,
) -> Result<Account, AccountError> {
    let hash = hash_password(password).await?;
    let inserted = sqlx::query_as::<_, Account>(&format!(
        "INSERT INTO users (username, nickname, email, password_hash, created_at)
         VALUES (?, ?, ?, ?, ?) RETURNING {ACCOUNT_COLUMNS}"
    ))
    .bind(&new.username)
    .bind(&new.nickname)
    .bind(&new.email)
    .bind(&hash)
    .bind(now_ms())
    .fetch_one(pool)
    .await;
    match inserted {
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

/// A hash of a password nobody has, verified when the account does not exist so
/// that a wrong username takes as long as a wrong password.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$jdLFSUTgzrEfm2QpuxAzRQ7n7fgu8qYyH9gJcZ5DV0M";

/// Checks a username (or email) and password.
pub async fn authenticate(
    pool: &SqlitePool,
    login: &str,
    password: &str,
) -> Result<Account, AccountError> {
    let login = login.trim();
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE username = ? OR email = ?")
            .bind(login)
            .bind(login)
            .fetch_optional(pool)
            .await?;
    let Some((id, hash)) = row else {
        verify_password(password, DECOY_HASH).await;
        return Err(AccountError::WrongCredentials);
    };
    if hash.is_empty() || !verify_password(password, &hash).await {
        return Err(AccountError::WrongCredentials);
    }
    find(pool, id).await?.ok_or(AccountError::WrongCredentials)
}

pub async fn find(pool: &SqlitePool, id: i64) -> Result<Option<Account>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {ACCOUNT_COLUMNS} FROM users WHERE id = ?"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Whether another account already uses `email` (compared without case).
pub async fn email_taken_by_other(
    pool: &SqlitePool,
    email: &str,
    me: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = ? AND id <> ?)")
        .bind(email)
        .bind(me)
        .fetch_one(pool)
        .await
}

pub async fn phone_taken_by_other(
    pool: &SqlitePool,
    phone: &str,
    me: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE phone = ? AND id <> ?)")
        .bind(phone)
        .bind(me)
        .fetch_one(pool)
        .await
}

/// Sets nickname and intro; a nickname another account has is refused.
pub async fn update_profile(
    pool: &SqlitePool,
    id: i64,
    nickname: &str,
    intro: &str,
) -> Result<(), AccountError> {
    let updated = sqlx::query("UPDATE users SET nickname = ?, intro = ? WHERE id = ?")
        .bind(nickname)
        .bind(intro)
        .bind(id)
        .execute(pool)
        .await;
    match updated {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(AccountError::Invalid(vec![FieldError {
                field: Field::Nickname,
                problem: Problem::Taken,
            }]))
        }
        Err(e) => Err(e.into()),
    }
}

/// Replaces the avatar; returns the previous file name so it can be deleted.
pub async fn set_avatar(
    pool: &SqlitePool,
    id: i64,
    file: &str,
) -> Result<Option<String>, sqlx::Error> {
    // Reads the old avatar then writes: take the write lock up front.
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let old: Option<String> = sqlx::query_scalar("SELECT avatar FROM users WHERE id = ?")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query("UPDATE users SET avatar = ? WHERE id = ?")
        .bind(file)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(old)
}

/// Changes the password if `old` is the current one. The update is conditional
/// on the hash that was checked, so two racing changes cannot both pass.
pub async fn change_password(
    pool: &SqlitePool,
    id: i64,
    old: &str,
    new: &str,
) -> Result<(), AccountError> {
    let current: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = ?")
        .bind(id)
        .fetch_one(pool)
        .await?;
    if current.is_empty() || !verify_password(old, &current).await {
        return Err(AccountError::WrongCredentials);
    }
    let hash = hash_password(new).await?;
    let changed =
        sqlx::query("UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?")
            .bind(hash)
            .bind(id)
            .bind(&current)
            .execute(pool)
            .await?;
    if changed.rows_affected() == 0 {
        return Err(AccountError::WrongCredentials);
    }
    Ok(())
}

/// Grants or revokes the admin role; false if there is no such user.
pub async fn set_admin(
    pool: &SqlitePool,
    username: &str,
    admin: bool,
) -> Result<bool, sqlx::Error> {
    sqlx::query("UPDATE users SET role = ? WHERE username = ?")
        .bind(if admin { "admin" } else { "user" })
        .bind(username.trim())
        .execute(pool)
        .await
        .map(|r| r.rows_affected() == 1)
}

pub async fn find_by_username(
    pool: &SqlitePool,
    username: &str,
) -> Result<Option<Account>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM users WHERE username = ?"
    ))
    .bind(username)
    .fetch_optional(pool)
    .await
}

pub async fn username_taken(pool: &SqlitePool, username: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE username = ?)")
        .bind(username)
        .fetch_one(pool)
        .await
}

pub async fn nickname_taken(pool: &SqlitePool, nickname: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE nickname = ? COLLATE NOCASE)")
        .bind(nickname)
        .fetch_one(pool)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::platform::db::testing::temp_db;
    use crate::domain::account::check_sign_up;

    fn new(username: &str, nickname: &str, email: &str) -> NewAccount {
        check_sign_up(username, nickname, email, "s3cret!pw", &[]).unwrap()
    }

    fn taken_field(result: Result<Account, AccountError>) -> Field {
        match result {
            Err(AccountError::Invalid(errors)) => {
                assert_eq!(errors[0].problem, Problem::Taken);
                errors[0].field
            }
            other => panic!("expected a taken field, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn register_then_log_in_by_username_or_email() {
        let (pool, _dir) = temp_db().await;
        let account = register(&pool, &new("Mei", "梅子", "mei@example.com"), "s3cret!pw")
            .await
            .unwrap();
        assert_eq!(account.username, "mei");
        assert_eq!(account.role(), Role::User);
        assert_eq!(account.status, "active");
        assert_eq!(account.standing(0), Standing::Active);
        assert!(!account.wallet_frozen);
        assert_eq!(account.email_verified_at, None);

        let stored: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = ?")
            .bind(account.id)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert!(
            stored.starts_with("$argon2id$"),
            "argon2id, never the password"
        );

        assert_eq!(
            authenticate(&pool, "mei", "s3cret!pw").await.unwrap().id,
            account.id
        );
        assert_eq!(
            authenticate(&pool, " mei@example.com ", "s3cret!pw")
                .await
                .unwrap()
                .id,
            account.id
        );
        assert!(matches!(
            authenticate(&pool, "mei", "wrong!pw1").await,
            Err(AccountError::WrongCredentials)
        ));
        assert!(matches!(
            authenticate(&pool, "nobody", "s3cret!pw").await,
            Err(AccountError::WrongCredentials)
        ));
    }

    #[tokio::test]
    async fn names_and_emails_are_unique_without_case() {
        let (pool, _dir) = temp_db().await;
        register(&pool, &new("mei", "梅子", "mei@example.com"), "s3cret!pw")
            .await
            .unwrap();
        assert_eq!(
            taken_field(register(&pool, &new("MEI", "other", "o@example.com"), "s3cret!pw").await),
            Field::Username
        );
        assert_eq!(
            taken_field(register(&pool, &new("other", "梅子", "o@example.com"), "s3cret!pw").await),
            Field::Nickname
        );
        assert_eq!(
            taken_field(
                register(
                    &pool,
                    &new("other", "Other", "MEI@example.com"),
                    "s3cret!pw"
                )
                .await
            ),
            Field::Email
        );
        assert!(username_taken(&pool, "mei").await.unwrap());
        assert!(!username_taken(&pool, "free").await.unwrap());
        assert!(nickname_taken(&pool, "梅子").await.unwrap());
        assert!(!nickname_taken(&pool, "free").await.unwrap());
    }

    #[tokio::test]
    async fn racing_sign_ups_for_one_name_have_one_winner() {
        let (pool, _dir) = temp_db().await;
        let attempts = (0..8).map(|i| {
            let pool = pool.clone();
            tokio::spawn(async move {
                register(
                    &pool,
                    &new("same", &format!("nick{i}"), &format!("u{i}@example.com")),
                    "s3cret!pw",
                )
                .await
            })
        });
        let results = futures::future::join_all(attempts).await;
        let winners = results.iter().filter(|r| matches!(r, Ok(Ok(_)))).count();
        assert_eq!(winners, 1);
        for result in results {
            if let Ok(Err(e)) = result {
                assert!(
                    matches!(e, AccountError::Invalid(_)),
                    "losers are told the name is taken: {e:?}"
                );
            }
        }
    }

    #[tokio::test]
    async fn accounts_without_a_password_cannot_log_in() {
        let (pool, _dir) = temp_db().await;
        sqlx::query("INSERT INTO users (username, nickname, email, created_at) VALUES ('demo', 'Demo', 'd@example.com', 0)")
            .execute(&pool)
            .await
            .unwrap();
        assert!(matches!(
            authenticate(&pool, "demo", "").await,
            Err(AccountError::WrongCredentials)
        ));
        assert!(find(&pool, 999).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn password_changes_need_the_old_password() {
        let (pool, _dir) = temp_db().await;
        let id = register(&pool, &new("mei", "梅子", "mei@example.com"), "s3cret!pw")
            .await
            .unwrap()
            .id;
        assert!(matches!(
            change_password(&pool, id, "wrong!pw1", "n3w!secret").await,
            Err(AccountError::WrongCredentials)
        ));
        change_password(&pool, id, "s3cret!pw", "n3w!secret")
            .await
            .unwrap();
        assert!(authenticate(&pool, "mei", "s3cret!pw").await.is_err());
        assert_eq!(
            authenticate(&pool, "mei", "n3w!secret").await.unwrap().id,
            id
        );
    }

    #[tokio::test]
    async fn profile_roles_and_avatars() {
        let (pool, _dir) = temp_db().await;
        let mei = register(&pool, &new("mei", "梅子", "mei@example.com"), "s3cret!pw")
            .await
            .unwrap();
        register(&pool, &new("jun", "Jun", "jun@example.com"), "s3cret!pw")
            .await
            .unwrap();
        assert!(matches!(
            update_profile(&pool, mei.id, "JUN", "").await,
            Err(AccountError::Invalid(e)) if e[0].problem == Problem::Taken
        ));
        update_profile(&pool, mei.id, "Mei", "Books").await.unwrap();
        let found = find_by_username(&pool, "mei").await.unwrap().unwrap();
        assert_eq!(
            (found.nickname.as_str(), found.intro.as_str()),
            ("Mei", "Books")
        );

        assert!(set_admin(&pool, "mei", true).await.unwrap());
        assert_eq!(
            find(&pool, mei.id).await.unwrap().unwrap().role(),
            Role::Admin
        );
        assert!(set_admin(&pool, "mei", false).await.unwrap());
        assert_eq!(
            find(&pool, mei.id).await.unwrap().unwrap().role(),
            Role::User
        );
        assert!(!set_admin(&pool, "nobody", true).await.unwrap());

        assert_eq!(set_avatar(&pool, mei.id, "a.jpg").await.unwrap(), None);
        assert_eq!(
            set_avatar(&pool, mei.id, "b.jpg").await.unwrap(),
            Some("a.jpg".into())
        );
        assert!(
            email_taken_by_other(&pool, "JUN@example.com", mei.id)
                .await
                .unwrap()
        );
        assert!(
            !email_taken_by_other(&pool, "mei@example.com", mei.id)
                .await
                .unwrap()
        );
        assert!(
            !phone_taken_by_other(&pool, "+886912345678", mei.id)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn the_decoy_hash_is_a_real_argon2id_hash() {
        assert!(PasswordHash::new(DECOY_HASH).is_ok());
        assert!(!verify_password("anything", DECOY_HASH).await);
        let hash = hash_password("s3cret!pw").await.unwrap();
        assert!(verify_password("s3cret!pw", &hash).await);
    }
}
