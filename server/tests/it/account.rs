//! Verification, settings, sessions, admin access and identity review over HTTP.

use crate::common::{
    TestServer, Via, call_as, error_of, make_admin, no_redirects, outbox_code, post,
    session_cookie, sign_up,
};
use app::{
    domain::form::{Field, Problem},
    error::AppError,
};
use reqwest::{StatusCode, header};

async fn get_as(server: &TestServer, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut req = no_redirects()
        .get(server.url(path))
        .header("accept-language", "en");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.send().await.unwrap()
}

async fn own_account(server: &TestServer, cookie: &str) -> serde_json::Value {
    let res = call_as(server, "/api/account/own", &[], Some(cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[tokio::test]
async fn email_is_verified_with_the_mailed_code() {
    let server = TestServer::start(false).await;
    let cookie = sign_up(&server, "mei").await;
    assert_eq!(own_account(&server, &cookie).await["email_verified"], false);

    let code = outbox_code(&server, "mail.jsonl", "mei@example.com");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let res = call_as(
        &server,
        "/api/account/confirm_code",
        &[("channel", "email"), ("code", wrong)],
        Some(&cookie),
    )
    .await;
    assert_eq!(
        error_of(res).await,
        AppError::field(Field::Code, Problem::Wrong)
    );

    // Resending within a minute is refused with the wait.
    let res = call_as(
        &server,
        "/api/account/resend_email_code",
        &[],
        Some(&cookie),
    )
    .await;
    assert!(matches!(
        error_of(res).await.problem_with(Field::Code),
        Some(Problem::TooSoon { .. })
    ));

    let res = call_as(
        &server,
        "/api/account/confirm_code",
        &[("channel", "email"), ("code", &code)],
        Some(&cookie),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let me = own_account(&server, &cookie).await;
    assert_eq!(me["email_verified"], true);
    assert_eq!(me["email_pending"], serde_json::Value::Null);
}

#[tokio::test]
async fn changing_email_waits_for_the_new_address_code() {
    let server = TestServer::start(false).await;
    let mei = sign_up(&server, "mei").await;
    sign_up(&server, "jun").await;
    let res = call_as(
        &server,
        "/api/account/change_email",
        &[("email", "not-an-address")],
        Some(&mei),
    )
    .await;
    assert_eq!(
        error_of(res).await,
        AppError::field(Field::Email, Problem::InvalidFormat)
    );

    let res = call_as(
        &server,
        "/api/account/change_email",
        &[("email", "mei@school.edu")],
        Some(&mei),
    )
    .await;
    // The sign-up code went out moments ago: the throttle covers the channel.
    assert!(matches!(
        error_of(res).await.problem_with(Field::Email),
        Some(Problem::TooSoon { .. })
    ));
    sqlx::query("UPDATE verification_codes SET sent_at = sent_at - 60000")
        .execute(&server.state.db)
        .await
        .unwrap();
    let res = call_as(
        &server,
        "/api/account/change_email",
        &[("email", "mei@school.edu")],
        Some(&mei),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let me = own_account(&server, &mei).await;
    assert_eq!(
        (me["email"].as_str(), me["email_pending"].as_str()),
        (Some("mei@example.com"), Some("mei@school.edu"))
    );

    let code = outbox_code(&server, "mail.jsonl", "mei@school.edu");
    let res = call_as(
        &server,
        "/api/account/confirm_code",
        &[("channel", "email"), ("code", &code)],
        Some(&mei),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let me = own_account(&server, &mei).await;
    assert_eq!(
        (me["email"].as_str(), me["email_verified"].as_bool()),
        (Some("mei@school.edu"), Some(true))
    );
}

#[tokio::test]
async fn phones_are_verified_by_sms() {
    let server = TestServer::start(false).await;
    let cookie = sign_up(&server, "mei").await;
    let res = call_as(
        &server,
        "/api/account/send_phone_code",
        &[("phone", "0912345678")],
        Some(&cookie),
    )
    .await;
    assert_eq!(
        error_of(res).await,
        AppError::field(Field::Phone, Problem::NotAPhoneNumber)
    );
    let res = call_as(
        &server,
        "/api/account/send_phone_code",
        &[("phone", "+886 912 345 678")],
        Some(&cookie),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let code = outbox_code(&server, "sms.jsonl", "+886912345678");
    let res = call_as(
        &server,
        "/api/account/confirm_code",
        &[("channel", "phone"), ("code", &code)],
        Some(&cookie),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let me = own_account(&server, &cookie).await;
    assert_eq!(
        (me["phone"].as_str(), me["phone_verified"].as_bool()),
        (Some("+886912345678"), Some(true))
    );
}

#[tokio::test]
async fn three_failed_log_ins_require_a_captcha() {
    let server = TestServer::start(false).await;
    sign_up(&server, "mei").await;
    let log_in = |password: &'static str, captcha: &'static str| {
        let server = &server;
        async move {
            call_as(
                server,
                "/api/auth/log_in",
                &[
                    ("login", "mei"),
                    ("password", password),
                    ("captcha", captcha),
                ],
                None,
            )
            .await
        }
    };
    for attempt in 1..=3 {
        let err = error_of(log_in("wrong!pw1", "").await).await;
        assert_eq!(err.problem_with(Field::Password), Some(Problem::Wrong));
        let wants_captcha = err.problem_with(Field::Captcha).is_some();
        assert_eq!(wants_captcha, attempt == 3, "attempt {attempt}");
    }
    // Now even the right password needs the CAPTCHA, and a wrong answer fails.
    let err = error_of(log_in("s3cret!pw", "").await).await;
    assert_eq!(err, AppError::field(Field::Captcha, Problem::Required));
    let err = error_of(log_in("s3cret!pw", "nope").await).await;
    assert_eq!(err, AppError::field(Field::Captcha, Problem::Wrong));

    let res = get_as(&server, "/captcha.png", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    assert!(res.bytes().await.unwrap().starts_with(b"\x89PNG"));
}

#[tokio::test]
async fn anonymous_callers_are_refused_everywhere() {
    let server = TestServer::start(false).await;
    for path in [
        "/api/account/own",
        "/api/account/resend_email_code",
        "/api/account/logins",
        "/api/account/sign_out_elsewhere",
        "/api/admin/overview",
    ] {
        let res = call_as(&server, path, &[], None).await;
        assert_eq!(error_of(res).await, AppError::Unauthenticated, "{path}");
    }
    for (path, form) in [
        (
            "/api/account/change_email",
            vec![("email", "a@example.com")],
        ),
        (
            "/api/account/send_phone_code",
            vec![("phone", "+886912345678")],
        ),
        (
            "/api/account/confirm_code",
            vec![("channel", "email"), ("code", "123456")],
        ),
        (
            "/api/account/update_profile",
            vec![("nickname", "Mei"), ("intro", "")],
        ),
        (
            "/api/account/change_password",
            vec![("password", "s3cret!pw"), ("new_password", "n3w!secret")],
        ),
        (
            "/api/admin/decide_id_review",
            vec![("review", "1"), ("approve", "true")],
        ),
    ] {
        let res = call_as(&server, path, &form, None).await;
        assert_eq!(error_of(res).await, AppError::Unauthenticated, "{path}");
    }
}

#[tokio::test]
async fn admin_pages_and_functions_need_the_admin_role() {
    let server = TestServer::start(false).await;
    let user = sign_up(&server, "mei").await;
    let admin = sign_up(&server, "boss").await;
    make_admin(&server, "boss").await;

    let res = get_as(&server, "/admin", None).await;
    assert!(res.status().is_redirection());
    assert_eq!(res.headers()[header::LOCATION], "/login?next=/admin");

    let res = get_as(&server, "/admin", Some(&user)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"data-testid="forbidden""#)
            && !html.contains(r#"data-testid="admin-console""#)
    );
    let res = call_as(&server, "/api/admin/overview", &[], Some(&user)).await;
    assert_eq!(error_of(res).await, AppError::Forbidden);
    let res = call_as(
        &server,
        "/api/admin/decide_id_review",
        &[("review", "1"), ("approve", "true")],
        Some(&user),
    )
    .await;
    assert_eq!(error_of(res).await, AppError::Forbidden);
    assert_eq!(
        get_as(&server, "/admin/id-review/1", Some(&user))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    let res = get_as(&server, "/admin", Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains(r#"data-testid="admin-console""#)
    );
    let res = call_as(&server, "/api/admin/overview", &[], Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let overview: serde_json::Value = res.json().await.unwrap();
    assert_eq!(overview["users"], 2);
}

#[tokio::test]
async fn signing_out_elsewhere_ends_the_other_sessions_only() {
    let server = TestServer::start(false).await;
    let first = sign_up(&server, "mei").await;
    let res = call_as(
        &server,
        "/api/auth/log_in",
        &[("login", "mei"), ("password", "s3cret!pw")],
        None,
    )
    .await;
    let second = session_cookie(&res).expect("a second session");
    let logins: serde_json::Value = call_as(&server, "/api/account/logins", &[], Some(&second))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(logins.as_array().unwrap().len(), 2);
    assert_eq!(
        logins
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["current"] == true)
            .count(),
        1
    );

    let res = call_as(
        &server,
        "/api/account/sign_out_elsewhere",
        &[],
        Some(&second),
    )
    .await;
    assert_eq!(res.json::<u64>().await.unwrap(), 1);
    let res = call_as(&server, "/api/account/own", &[], Some(&first)).await;
    assert_eq!(error_of(res).await, AppError::Unauthenticated);
    assert_eq!(
        call_as(&server, "/api/account/own", &[], Some(&second))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn changing_the_password_needs_the_old_one_and_signs_out_others() {
    let server = TestServer::start(false).await;
    let first = sign_up(&server, "mei").await;
    let res = call_as(
        &server,
        "/api/auth/log_in",
        &[("login", "mei"), ("password", "s3cret!pw")],
        None,
    )
    .await;
    let second = session_cookie(&res).unwrap();
    let change = |old: &'static str, new: &'static str| {
        let (server, first) = (&server, first.clone());
        async move {
            call_as(
                server,
                "/api/account/change_password",
                &[("password", old), ("new_password", new)],
                Some(&first),
            )
            .await
        }
    };
    assert_eq!(
        error_of(change("wrong!pw1", "n3w!secret").await).await,
        AppError::field(Field::Password, Problem::Wrong)
    );
    assert_eq!(
        error_of(change("s3cret!pw", "short").await).await,
        AppError::field(Field::NewPassword, Problem::TooShort { min: 8 })
    );
    assert_eq!(
        change("s3cret!pw", "n3w!secret").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        error_of(call_as(&server, "/api/account/own", &[], Some(&second)).await).await,
        AppError::Unauthenticated
    );
    assert_eq!(
        call_as(&server, "/api/account/own", &[], Some(&first))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn profiles_are_public_and_text_is_escaped() {
    let server = TestServer::start(false).await;
    let cookie = sign_up(&server, "mei").await;
    let res = call_as(
        &server,
        "/api/account/update_profile",
        &[("nickname", "梅子"), ("intro", "<script>alert(1)</script>")],
        Some(&cookie),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = get_as(&server, "/u/mei", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("梅子") && html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert(1)"));
    assert_eq!(
        get_as(&server, "/u/nobody", None).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn after_log_in_only_a_plain_local_path_is_followed() {
    let server = TestServer::start(false).await;
    sign_up(&server, "mei").await;
    for (next, to) in [
        ("/l/42", "/l/42"),
        // A tab or a line break is dropped by browsers: `//evil.example`.
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
        // A line break must not reach the Location header (it used to panic).
        ("/\r\nSet-Cookie: x=1", "/"),
        ("//evil.example", "/"),
    ] {
        let res = post(
            &server,
            Via::Form,
            "/api/auth/log_in",
            &[("login", "mei"), ("password", "s3cret!pw"), ("next", next)],
            None,
        )
        .await;
        assert!(res.status().is_redirection(), "{next:?}: {}", res.status());
        assert_eq!(res.headers()[header::LOCATION], to, "{next:?}");
    }
}

/// The messages the outbox holds for `to`, oldest first.
fn outbox_bodies(server: &TestServer, file: &str, to: &str) -> Vec<String> {
    let text =
        std::fs::read_to_string(server.dir.path().join("outbox").join(file)).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["to"] == to)
        .map(|m| m["body"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn has_code(body: &str) -> bool {
    body.split(|c: char| !c.is_ascii_digit())
        .any(|w| w.len() == 6)
}

#[tokio::test]
async fn an_address_someone_has_gets_the_same_answer_and_no_code() {
    let server = TestServer::start(false).await;
    sign_up(&server, "mei").await;
    let jun = sign_up(&server, "jun").await;
    sqlx::query("UPDATE verification_codes SET sent_at = sent_at - 60000")
        .execute(&server.state.db)
        .await
        .unwrap();
    // Asking for mei's address looks exactly like asking for a free one…
    let res = call_as(
        &server,
        "/api/account/change_email",
        &[("email", "mei@example.com")],
        Some(&jun),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        own_account(&server, &jun).await["email_pending"],
        "mei@example.com"
    );
    // …but mei is told, and no code goes out that jun could use.
    let bodies = outbox_bodies(&server, "mail.jsonl", "mei@example.com");
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert!(!has_code(&bodies[1]), "{}", bodies[1]);
    assert!(bodies[1].contains("already"), "{}", bodies[1]);
}

#[tokio::test]
async fn codes_to_one_address_are_limited() {
    let server = TestServer::start(false).await;
    let mut members = Vec::new();
    for name in ["ann", "bob", "cat", "dan"] {
        members.push(sign_up(&server, name).await);
    }
    sqlx::query("UPDATE verification_codes SET sent_at = sent_at - 60000")
        .execute(&server.state.db)
        .await
        .unwrap();
    let mut statuses = Vec::new();
    for cookie in &members {
        let res = call_as(
            &server,
            "/api/account/change_email",
            &[("email", "victim@example.com")],
            Some(cookie),
        )
        .await;
        statuses.push(res.status());
    }
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    assert_eq!(
        outbox_bodies(&server, "mail.jsonl", "victim@example.com").len(),
        3
    );
}

#[tokio::test]
async fn failed_code_checks_are_limited_per_network() {
    let server = TestServer::start(false).await;
    let mut members = Vec::new();
    for name in ["ann", "bob", "cat", "dan", "eve"] {
        members.push(sign_up(&server, name).await);
    }
    let mut statuses = Vec::new();
    // Five tries per code, but twenty failures per network in all.
    for cookie in &members {
        for _ in 0..5 {
            let res = call_as(
                &server,
                "/api/account/confirm_code",
                &[("channel", "email"), ("code", "000000")],
                Some(cookie),
            )
            .await;
            statuses.push(res.status());
        }
    }
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(refused, 5, "{statuses:?}");
    assert_eq!(statuses[20..], [StatusCode::TOO_MANY_REQUESTS; 5]);
}

#[tokio::test]
async fn wrong_old_passwords_are_limited() {
    let server = TestServer::start(false).await;
    let mei = sign_up(&server, "mei").await;
    let change = |old: &'static str| {
        let (server, mei) = (&server, &mei);
        async move {
            call_as(
                server,
                "/api/account/change_password",
                &[("password", old), ("new_password", "n3w!secret")],
                Some(mei),
            )
            .await
        }
    };
    for _ in 0..5 {
        let err = error_of(change("wrong!pw1").await).await;
        assert_eq!(err.problem_with(Field::Password), Some(Problem::Wrong));
    }
    // Even the right password waits now.
    assert_eq!(
        error_of(change("s3cret!pw").await).await,
        AppError::RateLimited
    );
}
