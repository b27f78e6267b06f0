use crate::common::{TestServer, Via, error_of, http, no_redirects, post, session_cookie};
use app::domain::form::{Field, Problem};
use app::error::AppError;
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

async fn wrong_log_in(server: &TestServer, login: &str) -> AppError {
    error_of(
        call(
            server,
            "/api/auth/log_in",
            &[("login", login), ("password", "wrong!pw1")],
        )
        .await,
    )
    .await
}

#[tokio::test]
async fn parallel_guesses_pass_the_gate_only_as_often_as_allowed() {
    let server = TestServer::start(false).await;
    post_form(&server, "/api/auth/sign_up", &MEI, None).await;
    // Every guess is counted before its password is hashed, so guesses sent
    // together cannot all slip under the limit.
    let answers = futures::future::join_all((0..8).map(|_| wrong_log_in(&server, "mei"))).await;
    let guessed = answers
        .iter()
        .filter(|e| e.problem_with(Field::Password) == Some(Problem::Wrong))
        .count();
    assert_eq!(guessed, 3, "{answers:?}");
    for stopped in answers
        .iter()
        .filter(|e| e.problem_with(Field::Password).is_none())
    {
        assert_eq!(*stopped, AppError::field(Field::Captcha, Problem::Required));
    }
}

#[tokio::test]
async fn username_and_email_of_one_account_count_together() {
    let server = TestServer::start(false).await;
    post_form(&server, "/api/auth/sign_up", &MEI, None).await;
    assert_eq!(
        wrong_log_in(&server, "mei")
            .await
            .problem_with(Field::Captcha),
        None
    );
    assert_eq!(
        wrong_log_in(&server, "MEI@example.com")
            .await
            .problem_with(Field::Captcha),
        None
    );
    assert_eq!(
        wrong_log_in(&server, "mei@example.com")
            .await
            .problem_with(Field::Captcha),
        Some(Problem::Required),
        "the third failure for the account, whichever name was typed"
    );
    let err = error_of(
        call(
            &server,
            "/api/auth/log_in",
            &[("login", "mei"), ("password", "s3cret!pw")],
        )
        .await,
    )
    .await;
    assert_eq!(err, AppError::field(Field::Captcha, Problem::Required));
}

#[tokio::test]
async fn over_long_logins_and_passwords_are_refused_before_any_work() {
    let server = TestServer::start(false).await;
    let long = "a".repeat(300);
    let err = error_of(
        call(
            &server,
            "/api/auth/log_in",
            &[("login", &long), ("password", "s3cret!pw")],
        )
        .await,
    )
    .await;
    assert!(matches!(
        err.problem_with(Field::Username),
        Some(Problem::TooLong { .. })
    ));
    let err = error_of(
        call(
            &server,
            "/api/auth/log_in",
            &[("login", "mei"), ("password", &long)],
        )
        .await,
    )
    .await;
    assert!(matches!(
        err.problem_with(Field::Password),
        Some(Problem::TooLong { .. })
    ));
    let failures: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_failures")
        .fetch_one(&server.state.db)
        .await
        .unwrap();
    assert_eq!(failures, 0, "not even counted as a guess");
}

/// A plain form post from the log-in page, as a browser without JavaScript
/// sends it; returns the page the browser is sent back to, in English.
async fn log_in_without_js(server: &TestServer, login: &str, password: &str) -> String {
    let res = no_redirects()
        .post(server.url("/api/auth/log_in"))
        .header("origin", format!("http://{}", server.addr))
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::REFERER, server.url("/login?next=/sell"))
        .form(&[("login", login), ("password", password), ("next", "/sell")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let back = res.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(back.contains("/login"), "{back}");
    let page = http()
        .get(&back)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    page.text().await.unwrap()
}

#[tokio::test]
async fn without_javascript_the_log_in_page_shows_every_error_and_the_captcha() {
    let server = TestServer::start(false).await;
    post_form(&server, "/api/auth/sign_up", &MEI, None).await;
    let html = log_in_without_js(&server, "mei", "wrong!pw1").await;
    assert!(html.contains("Wrong username or password."), "{html}");
    assert!(!html.contains(r#"data-testid="captcha""#));
    log_in_without_js(&server, "mei", "wrong!pw1").await;
    let html = log_in_without_js(&server, "mei", "wrong!pw1").await;
    assert!(html.contains("Wrong username or password."), "{html}");
    assert!(html.contains(r#"data-testid="captcha""#), "{html}");
    assert!(html.contains(r#"src="/captcha.png"#), "{html}");
    // Sent again without an answer: the CAPTCHA is asked for again, saying so.
    let html = log_in_without_js(&server, "mei", "s3cret!pw").await;
    assert!(html.contains(r#"data-testid="captcha""#), "{html}");
    let html = log_in_without_js(&server, "mei", "").await;
    assert!(html.contains("Required."), "{html}");
}

#[tokio::test]
async fn sign_ups_from_one_network_need_a_captcha_then_stop() {
    let server = TestServer::start(false).await;
    let mut answers = Vec::new();
    for i in 0..60 {
        // Without trusted proxies X-Forwarded-For is the client's own words.
        let res = no_redirects()
            .post(server.url("/api/auth/sign_up"))
            .header("origin", format!("http://{}", server.addr))
            .header(header::ACCEPT, "application/json")
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .form(&[
                ("username", format!("user{i}").as_str()),
                ("nickname", format!("Nick {i}").as_str()),
                ("email", format!("user{i}@example.com").as_str()),
                ("password", "s3cret!pw"),
            ])
            .send()
            .await
            .unwrap();
        let status = res.status();
        answers.push(status);
        if status == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        if status.is_client_error() {
            let err = error_of(res).await;
            assert_eq!(
                err,
                AppError::field(Field::Captcha, Problem::Required),
                "sign-up {i}"
            );
        }
    }
    let created = answers.iter().filter(|s| !s.is_client_error()).count();
    assert_eq!(created, 10, "{answers:?}");
    assert_eq!(answers.len(), 51, "{answers:?}");
    assert_eq!(answers.last(), Some(&StatusCode::TOO_MANY_REQUESTS));
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
