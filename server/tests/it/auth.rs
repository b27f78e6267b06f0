use crate::common::{TestServer, Via, error_of, http, post, session_cookie};
use app::domain::form::{Field, Problem};
use reqwest::{StatusCode, header};

async fn post_form(
    server: &TestServer,
    path: &str,
    form: &[(&str, &str)],
    cookie: Option<&str>,
) -> reqwest::Response {
    post(server, Via::Form, path, form, cookie).await
}

async fn call(server: &TestServer, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    post(server, Via::App, path, form, None).await
}

async fn home_as(server: &TestServer, cookie: &str) -> String {
    http()
        .get(server.url("/"))
        .header("accept-language", "en")
        .header(header::COOKIE, cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

const MEI: [(&str, &str); 4] = [
    ("username", "Mei"),
    ("nickname", "梅子"),
    ("email", "mei@example.com"),
    ("password", "s3cret!pw"),
];

#[tokio::test]
async fn sign_up_log_out_log_in() {
    let server = TestServer::start(false).await;
    let res = post_form(&server, "/api/auth/sign_up", &MEI, None).await;
    let status = res.status();
    if !status.is_redirection() {
        panic!("status {status}: {}", res.text().await.unwrap());
    }
    assert_eq!(
        res.headers()[header::LOCATION],
        "/verify",
        "a new account goes on to verify its email"
    );
    let raw = res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        raw.contains("HttpOnly") && raw.contains("SameSite=Lax"),
        "{raw}"
    );
    let cookie = session_cookie(&res).expect("a session cookie");
    let html = home_as(&server, &cookie).await;
    assert!(html.contains(r#"class="account-name""#) && html.contains("梅子"));

    let res = post_form(&server, "/api/auth/log_out", &[], Some(&cookie)).await;
    assert!(res.status().is_redirection());
    let html = home_as(&server, &cookie).await;
    assert!(
        !html.contains("梅子") && html.contains(r#"href="/login""#),
        "the old cookie no longer works"
    );

    let res = post_form(
        &server,
        "/api/auth/log_in",
        &[("login", "mei"), ("password", "s3cret!pw")],
        None,
    )
    .await;
    assert!(res.status().is_redirection());
    let again = session_cookie(&res).expect("a new session");
    assert_ne!(again, cookie, "log-in issues a fresh session id");
    assert!(home_as(&server, &again).await.contains("梅子"));
}

#[tokio::test]
async fn bad_sign_ups_name_each_field_and_create_nothing() {
    let server = TestServer::start(false).await;
    let form = [
        ("username", "9lives"),
        ("nickname", ""),
        ("email", "nope"),
        ("password", "password"),
    ];
    let err = error_of(call(&server, "/api/auth/sign_up", &form).await).await;
    assert_eq!(
        err.problem_with(Field::Username),
        Some(Problem::MustStartWithLetter)
    );
    assert_eq!(err.problem_with(Field::Nickname), Some(Problem::Required));
    assert_eq!(err.problem_with(Field::Email), Some(Problem::InvalidFormat));
    assert_eq!(err.problem_with(Field::Password), Some(Problem::NeedsDigit));

    // Without JavaScript a failed form goes back to the page it came from.
    let res = post_form(&server, "/api/auth/sign_up", &form, None).await;
    assert!(res.status().is_redirection());
    assert!(
        res.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("/signup")
    );

    post_form(&server, "/api/auth/sign_up", &MEI, None).await;
    let dup = [
        ("username", "MEI"),
        ("nickname", "other"),
        ("email", "o@example.com"),
        ("password", "s3cret!pw"),
    ];
    let err = error_of(call(&server, "/api/auth/sign_up", &dup).await).await;
    assert_eq!(err.problem_with(Field::Username), Some(Problem::Taken));
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&server.state.db)
        .await
        .unwrap();
    assert_eq!(users, 1);
}

#[tokio::test]
async fn wrong_passwords_are_refused_alike() {
    let server = TestServer::start(false).await;
    post_form(&server, "/api/auth/sign_up", &MEI, None).await;
    for (login, password) in [("mei", "wrong!pw1"), ("nobody", "s3cret!pw")] {
        let res = call(
            &server,
            "/api/auth/log_in",
            &[("login", login), ("password", password)],
        )
        .await;
        assert!(session_cookie(&res).is_none());
        assert_eq!(
            error_of(res).await.problem_with(Field::Password),
            Some(Problem::Wrong)
        );
    }
    let err = error_of(
        call(
            &server,
            "/api/auth/log_in",
            &[("login", " "), ("password", "x")],
        )
        .await,
    )
    .await;
    assert_eq!(err.problem_with(Field::Username), Some(Problem::Required));
}

#[tokio::test]
async fn availability_checks() {
    let server = TestServer::start(true).await;
    let free = |name: &'static str, path: &'static str, field: &'static str| {
        let server = &server;
        async move {
            let res = call(server, path, &[(field, name)]).await;
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<bool>().await.unwrap()
        }
    };
    assert!(
        !free("MEI", "/api/auth/username_free", "username").await,
        "demo user mei exists"
    );
    assert!(free("fresh_name", "/api/auth/username_free", "username").await);
    assert!(!free("준호", "/api/auth/nickname_free", "nickname").await);
    assert!(free("새 이름", "/api/auth/nickname_free", "nickname").await);
    let err = error_of(
        call(
            &server,
            "/api/auth/username_free",
            &[("username", "9lives")],
        )
        .await,
    )
    .await;
    assert_eq!(
        err.problem_with(Field::Username),
        Some(Problem::MustStartWithLetter)
    );
}

#[tokio::test]
async fn cross_site_writes_are_refused() {
    let server = TestServer::start(false).await;
    let client = http();
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("origin", "http://evil.example"),
    ] {
        let res = client
            .post(server.url("/api/auth/sign_up"))
            .header(name, value)
            .form(&MEI)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{name}: {value}");
    }
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&server.state.db)
        .await
        .unwrap();
    assert_eq!(users, 0, "nothing was created");
    // Reading stays open to everyone.
    let res = client
        .get(server.url("/"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn captcha_images_without_a_session_do_not_fill_the_session_table() {
    let server = crate::common::TestServer::start(false).await;
    let client = crate::common::http();
    let mut statuses = Vec::new();
    for _ in 0..40 {
        let res = client.get(server.url("/captcha.png")).send().await.unwrap();
        statuses.push(res.status().as_u16());
    }
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tower_sessions")
        .fetch_one(&server.state.db)
        .await
        .unwrap();
    assert!(rows <= 10, "{rows} sessions stored");
    assert!(statuses.contains(&429), "{statuses:?}");
    assert_eq!(statuses[0], 200);
}
