//! Signed-in browsers. A session stores only a login id; the row here says whose
//! it is. Ending a login signs that browser out on its next request and closes
//! its live sockets at once.

use super::store;
use crate::backend::live::hub::Hub;
use crate::domain::id::UserId;
use crate::model::LoginSummary;
use sqlx::SqlitePool;

/// `last_seen` is refreshed at most this often, so reading a page is not a write.
const TOUCH_EVERY_MS: i64 = 5 * 60_000;
/// A login ends this long after it started, however active: a stolen or
/// forgotten session cookie does not stay good forever.
pub const LIFETIME_MS: i64 = 30 * 86_400_000;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Login {
    pub id: String,
    pub created_at: i64,
    pub last_seen: i64,
    pub user_agent: String,
    pub ip: String,
}

pub async fn start(
    pool: &SqlitePool,
    user_id: i64,
    user_agent: &str,
    ip: &str,
    now: i64,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    // Headers are attacker-chosen; keep what is shown in settings short.
    let user_agent: String = user_agent.chars().take(200).collect();
    store::insert_login(pool, &id, UserId(user_id), &user_agent, ip, now).await?;
    Ok(id)
}

/// Whose login this is, if it has not been ended or outlived
/// [`LIFETIME_MS`] (then it is ended now); notes that it was seen.
pub async fn resolve(
    pool: &SqlitePool,
    login_id: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let Some((user, created_at, last_seen)) = store::load_login(pool, login_id).await? else {
        return Ok(None);
    };
    if now - created_at >= LIFETIME_MS {
        store::delete_login(pool, login_id).await?;
        return Ok(None);
    }
    if now - last_seen >= TOUCH_EVERY_MS {
        store::touch_login(pool, login_id, now).await?;
    }
    Ok(Some(user.get()))
}

/// The user's logins, most recently seen first.
pub async fn list(pool: &SqlitePool, user_id: i64) -> Result<Vec<Login>, sqlx::Error> {
    store::list_logins(pool, UserId(user_id)).await
}

/// The user's logins as settings lists them, marking `current` (the
/// caller's own login, if known).
pub async fn summaries(
    pool: &SqlitePool,
    user_id: i64,
    current: Option<&str>,
) -> Result<Vec<LoginSummary>, sqlx::Error> {
    Ok(list(pool, user_id)
        .await?
        .into_iter()
        .map(|l| LoginSummary {
            current: current == Some(l.id.as_str()),
            created_at: l.created_at,
            last_seen: l.last_seen,
            user_agent: l.user_agent,
            ip: l.ip,
        })
        .collect())
}

/// Ends a login and closes the live tabs opened under it.
pub async fn end(pool: &SqlitePool, hub: &Hub, login_id: &str) -> Result<(), sqlx::Error> {
    if let Some(user) = store::delete_login(pool, login_id).await? {
        hub.end_logins(user.get(), |login| login == login_id);
    }
    Ok(())
}

/// Ends every login of the user except `keep`, closing their live tabs;
/// returns how many ended.
pub async fn end_others(
    pool: &SqlitePool,
    hub: &Hub,
    user_id: i64,
    keep: &str,
) -> Result<u64, sqlx::Error> {
    let ended = store::delete_other_logins(pool, UserId(user_id), keep).await?;
    hub.end_logins(user_id, |login| login != keep);
    Ok(ended)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::platform::db::testing::temp_db;

    #[tokio::test]
    async fn logins_resolve_until_ended() {
        let (pool, _dir) = temp_db().await;
        let user: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, nickname, email, created_at) VALUES ('mei', 'Mei', 'm@example.com', 0) RETURNING id",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        let phone = start(&pool, user, "Phone", "10.0.0.1", 0).await.unwrap();
        let laptop = start(&pool, user, &"L".repeat(500), "10.0.0.2", 10)
            .await
            .unwrap();
        assert_eq!(resolve(&pool, &phone, 20).await.unwrap(), Some(user));
        assert_eq!(resolve(&pool, "nope", 20).await.unwrap(), None);

        // A visit after the refresh interval moves the phone to the top.
        resolve(&pool, &phone, TOUCH_EVERY_MS + 5).await.unwrap();
        let listed = list(&pool, user).await.unwrap();
        assert_eq!(
            listed.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
            [phone.as_str(), laptop.as_str()]
        );
        assert_eq!(listed[1].user_agent.chars().count(), 200);

        assert_eq!(
            end_others(&pool, &Hub::default(), user, &laptop)
                .await
                .unwrap(),
            1
        );
        assert_eq!(resolve(&pool, &phone, 30).await.unwrap(), None);
        assert_eq!(resolve(&pool, &laptop, 30).await.unwrap(), Some(user));
        end(&pool, &Hub::default(), &laptop).await.unwrap();
        assert!(list(&pool, user).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_login_ends_after_its_lifetime_however_active() {
        let (pool, _dir) = temp_db().await;
        let user = crate::backend::testing::user(&pool, "mei").await;
        let login = start(&pool, user, "Phone", "10.0.0.1", 0).await.unwrap();
        // Used every day…
        let mut day = 0;
        while day + 86_400_000 < LIFETIME_MS {
            day += 86_400_000;
            assert_eq!(resolve(&pool, &login, day).await.unwrap(), Some(user));
        }
        // …it still ends, and is gone from the member's list.
        assert_eq!(resolve(&pool, &login, LIFETIME_MS).await.unwrap(), None);
        assert!(list(&pool, user).await.unwrap().is_empty());
    }
}
