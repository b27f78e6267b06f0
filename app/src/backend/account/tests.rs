use super::*;
use crate::backend::platform::db::testing::temp_db;
use crate::domain::account::check_sign_up;

fn slots() -> Slots {
    Slots::new(4, 32, std::time::Duration::from_secs(30))
}

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
    let account = register(
        &pool,
        &slots(),
        &new("Mei", "梅子", "mei@example.com"),
        "s3cret!pw",
    )
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
        authenticate(&pool, &slots(), "mei", "s3cret!pw")
            .await
            .unwrap()
            .id,
        account.id
    );
    assert_eq!(
        authenticate(&pool, &slots(), " mei@example.com ", "s3cret!pw")
            .await
            .unwrap()
            .id,
        account.id
    );
    assert!(matches!(
        authenticate(&pool, &slots(), "mei", "wrong!pw1").await,
        Err(AccountError::WrongCredentials)
    ));
    assert!(matches!(
        authenticate(&pool, &slots(), "nobody", "s3cret!pw").await,
        Err(AccountError::WrongCredentials)
    ));
}

#[tokio::test]
async fn names_and_emails_are_unique_without_case() {
    let (pool, _dir) = temp_db().await;
    register(
        &pool,
        &slots(),
        &new("mei", "梅子", "mei@example.com"),
        "s3cret!pw",
    )
    .await
    .unwrap();
    assert_eq!(
        taken_field(
            register(
                &pool,
                &slots(),
                &new("MEI", "other", "o@example.com"),
                "s3cret!pw"
            )
            .await
        ),
        Field::Username
    );
    assert_eq!(
        taken_field(
            register(
                &pool,
                &slots(),
                &new("other", "梅子", "o@example.com"),
                "s3cret!pw"
            )
            .await
        ),
        Field::Nickname
    );
    assert_eq!(
        taken_field(
            register(
                &pool,
                &slots(),
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
                &slots(),
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
        authenticate(&pool, &slots(), "demo", "").await,
        Err(AccountError::WrongCredentials)
    ));
    assert!(find(&pool, 999).await.unwrap().is_none());
}

#[tokio::test]
async fn password_changes_need_the_old_password() {
    let (pool, _dir) = temp_db().await;
    let id = register(
        &pool,
        &slots(),
        &new("mei", "梅子", "mei@example.com"),
        "s3cret!pw",
    )
    .await
    .unwrap()
    .id;
    assert!(matches!(
        change_password(&pool, &slots(), id, None, "wrong!pw1", "n3w!secret").await,
        Err(AccountError::WrongCredentials)
    ));
    change_password(&pool, &slots(), id, None, "s3cret!pw", "n3w!secret")
        .await
        .unwrap();
    assert!(
        authenticate(&pool, &slots(), "mei", "s3cret!pw")
            .await
            .is_err()
    );
    assert_eq!(
        authenticate(&pool, &slots(), "mei", "n3w!secret")
            .await
            .unwrap()
            .id,
        id
    );
}

#[tokio::test]
async fn profile_roles_and_avatars() {
    let (pool, _dir) = temp_db().await;
    let mei = register(
        &pool,
        &slots(),
        &new("mei", "梅子", "mei@example.com"),
        "s3cret!pw",
    )
    .await
    .unwrap();
    register(
        &pool,
        &slots(),
        &new("jun", "Jun", "jun@example.com"),
        "s3cret!pw",
    )
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
    assert!(
        !verify_password(&slots(), "anything", DECOY_HASH)
            .await
            .unwrap()
    );
    let hash = hash_password(&slots(), "s3cret!pw").await.unwrap();
    assert!(verify_password(&slots(), "s3cret!pw", &hash).await.unwrap());
}

#[tokio::test]
async fn a_taken_name_is_refused_before_any_hash() {
    let (pool, _dir) = temp_db().await;
    register(
        &pool,
        &slots(),
        &new("mei", "梅子", "mei@example.com"),
        "s3cret!pw",
    )
    .await
    .unwrap();
    // No slot will ever free: only a sign-up that hashes would notice.
    let none = Slots::new(0, 0, std::time::Duration::ZERO);
    let dup = register(
        &pool,
        &none,
        &new("MEI", "梅子", "MEI@example.com"),
        "s3cret!pw",
    )
    .await;
    match dup {
        Err(AccountError::Invalid(errors)) => assert_eq!(
            errors.iter().map(|e| e.field).collect::<Vec<_>>(),
            [Field::Username, Field::Nickname, Field::Email]
        ),
        other => panic!("expected taken fields, got {other:?}"),
    }
    assert!(matches!(
        register(
            &pool,
            &none,
            &new("jun", "Jun", "jun@example.com"),
            "s3cret!pw"
        )
        .await,
        Err(AccountError::Busy)
    ));
}
