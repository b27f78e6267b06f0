use super::*;
use crate::backend::platform::db::testing::temp_db;
use std::net::IpAddr;

fn from(ip: &str) -> Option<ClientAddr> {
    Some(ClientAddr(ip.parse::<IpAddr>().unwrap()))
}

async fn member(pool: &SqlitePool, name: &str) -> UserId {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (username, nickname, email, created_at) VALUES (?, ?, ?, 0) RETURNING id",
    )
    .bind(name)
    .bind(name)
    .bind(format!("{name}@example.com"))
    .fetch_one(pool)
    .await
    .unwrap();
    UserId(id)
}

async fn fail(pool: &SqlitePool, login: &str, ip: &str, now: i64) -> Result<Entry, Refusal> {
    enter(pool, login, from(ip), None, now).await.unwrap()
}

#[tokio::test]
async fn parallel_guesses_are_counted_before_any_is_checked() {
    let (pool, _dir) = temp_db().await;
    member(&pool, "mei").await;
    let tries =
        futures::future::join_all((0..8).map(|_| enter(&pool, "mei", from("10.0.0.1"), None, 0)))
            .await;
    let through = tries.iter().filter(|t| matches!(t, Ok(Ok(_)))).count();
    assert_eq!(through, 3, "{tries:?}");
    assert!(
        tries
            .iter()
            .filter_map(|t| t.as_ref().unwrap().as_ref().err())
            .all(|r| *r == Refusal::Captcha(Problem::Required))
    );
}

#[tokio::test]
async fn one_captcha_answer_lets_one_of_parallel_guesses_through() {
    let (pool, _dir) = temp_db().await;
    member(&pool, "mei").await;
    for now in 0..3 {
        assert!(fail(&pool, "mei", "10.0.0.1", now).await.is_ok());
    }
    // Four requests with one cookie each hold a copy of the same challenge.
    let id = rand::random();
    let tries = futures::future::join_all((0..4).map(|_| {
        let challenge = Challenge::for_tests("AbCdE", id);
        enter(
            &pool,
            "mei",
            from("10.0.0.1"),
            Some((challenge, "abcde")),
            10,
        )
    }))
    .await;
    let through = tries.iter().filter(|t| matches!(t, Ok(Ok(_)))).count();
    assert_eq!(through, 1, "{tries:?}");
}

#[tokio::test]
async fn one_account_counts_once_whatever_name_is_typed() {
    let (pool, _dir) = temp_db().await;
    let mei = member(&pool, "mei").await;
    assert!(fail(&pool, "mei", "10.0.0.1", 0).await.is_ok());
    assert!(fail(&pool, "MEI@example.com", "10.0.0.2", 1).await.is_ok());
    let entry = fail(&pool, " mei@example.com", "10.0.0.3", 2)
        .await
        .unwrap();
    assert_eq!(entry.account.as_ref().map(|a| a.0), Some(mei));
    assert_eq!(
        fail(&pool, "Mei", "10.0.0.4", 3).await.unwrap_err(),
        Refusal::Captcha(Problem::Required)
    );
    // Names nobody has count by the name.
    for now in 0..3 {
        assert!(fail(&pool, "ghost", "10.0.0.5", now).await.is_ok());
    }
    assert!(fail(&pool, "GHOST", "10.0.0.6", 3).await.is_err());
    // A right password forgives the account.
    forgive(&pool, entry.attempt).await.unwrap();
    assert!(fail(&pool, "mei", "10.0.0.7", 4).await.is_ok());
}

#[tokio::test]
async fn an_address_network_brings_the_captcha_but_never_a_pause() {
    let (pool, _dir) = temp_db().await;
    member(&pool, "mei").await;
    // Strangers' guesses from one IPv6 /64, each from its own address.
    for i in 0..10 {
        let ip = format!("2001:db8:1:2::{i:x}");
        assert!(fail(&pool, &format!("name{i}"), &ip, i).await.is_ok());
    }
    assert_eq!(
        fail(&pool, "mei", "2001:db8:1:2::ff", 20)
            .await
            .unwrap_err(),
        Refusal::Captcha(Problem::Required)
    );
    assert!(
        fail(&pool, "mei", "2001:db8:1:3::1", 20).await.is_ok(),
        "another /64"
    );
    // With many more, still only the CAPTCHA, never "paused".
    for i in 0..60 {
        let challenge = Challenge::for_tests("abcde", rand::random());
        let entry = enter(
            &pool,
            &format!("other{i}"),
            from("2001:db8:1:2::1"),
            Some((challenge, "abcde")),
            30,
        )
        .await
        .unwrap();
        assert!(entry.is_ok());
    }
    let challenge = Challenge::for_tests("abcde", rand::random());
    assert!(
        enter(
            &pool,
            "mei",
            from("2001:db8:1:2::1"),
            Some((challenge, "abcde")),
            40
        )
        .await
        .unwrap()
        .is_ok()
    );
    // Outside the window nothing counts.
    assert!(
        fail(&pool, "mei", "2001:db8:1:2::1", 40 + WINDOW_MS + 1)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn an_account_is_paused_after_ten_failures() {
    let (pool, _dir) = temp_db().await;
    member(&pool, "mei").await;
    for now in 0..10 {
        let challenge = Challenge::for_tests("abcde", rand::random());
        let ip = format!("10.0.1.{now}");
        assert!(
            enter(&pool, "mei", from(&ip), Some((challenge, "abcde")), now)
                .await
                .unwrap()
                .is_ok()
        );
    }
    let challenge = Challenge::for_tests("abcde", rand::random());
    assert_eq!(
        enter(
            &pool,
            "mei",
            from("10.0.2.1"),
            Some((challenge, "abcde")),
            11
        )
        .await
        .unwrap()
        .unwrap_err(),
        Refusal::Paused
    );
}

#[tokio::test]
async fn old_password_checks_and_code_checks_are_counted() {
    let (pool, _dir) = temp_db().await;
    let mei = member(&pool, "mei").await;
    for now in 0..OLD_PASSWORD_TRIES {
        assert!(
            enter_password_check(&pool, mei, from("10.0.0.1"), now)
                .await
                .unwrap()
                .is_some()
        );
    }
    assert!(
        enter_password_check(&pool, mei, from("10.0.0.1"), 9)
            .await
            .unwrap()
            .is_none()
    );
    // They are the account's failures for log-in too.
    assert_eq!(
        fail(&pool, "mei", "10.0.0.9", 10).await.unwrap_err(),
        Refusal::Captcha(Problem::Required)
    );

    for now in 0..CODE_FAILURES_PER_NETWORK {
        let ip = format!("2001:db8::{now:x}");
        assert!(
            enter_code_check(&pool, from(&ip), now)
                .await
                .unwrap()
                .is_some()
        );
    }
    assert!(
        enter_code_check(&pool, from("2001:db8::ffff"), 30)
            .await
            .unwrap()
            .is_none()
    );
    let right = enter_code_check(&pool, from("10.0.0.1"), 30)
        .await
        .unwrap()
        .unwrap();
    forgive(&pool, right).await.unwrap();
    assert!(enter_code_check(&pool, None, 30).await.unwrap().is_some());
}
