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
        tokio::spawn(async move { confirm(&pool, &secret, id, Channel::Email, wrong, 10).await })
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
