//! Identity verification over HTTP: the review queue path (a card OCR cannot
//! read), one card per account, admin decisions, hostile uploads, and the
//! admin subcommand. (A card OCR reads is the Playwright journey's part.)

use crate::common::{
    TestServer, call_as, error_of, http, make_admin, png_bytes, post_multipart, sign_up,
};
use app::{
    domain::form::{Field, Problem},
    error::AppError,
};
use reqwest::{StatusCode, header, multipart};

/// A plain white "photo": a real image with nothing for OCR to read.
fn blank_png() -> Vec<u8> {
    png_bytes(image::RgbImage::from_pixel(
        800,
        500,
        image::Rgb([255, 255, 255]),
    ))
}

async fn submit(
    server: &TestServer,
    cookie: &str,
    number: &str,
    photo: Vec<u8>,
    file_name: &str,
) -> reqwest::Response {
    let form = multipart::Form::new()
        .text("number", number.to_string())
        .part(
            "photo",
            multipart::Part::bytes(photo).file_name(file_name.to_string()),
        );
    post_multipart(server, "/api/identity/verify", cookie, form).await
}

async fn verified(server: &TestServer, username: &str) -> bool {
    sqlx::query_scalar::<_, Option<i64>>("SELECT id_verified_at FROM users WHERE username = ?")
        .bind(username)
        .fetch_one(&server.state.db)
        .await
        .unwrap()
        .is_some()
}

#[tokio::test]
async fn unreadable_cards_wait_for_an_admin_and_one_card_verifies_one_account() {
    let server = TestServer::start(false).await;
    let mei = sign_up(&server, "mei").await;
    let jun = sign_up(&server, "jun").await;
    let boss = sign_up(&server, "boss").await;
    make_admin(&server, "boss").await;

    let res = submit(&server, &mei, "a123456789", blank_png(), "card.png").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<String>().await.unwrap(), "InReview");
    let (review, masked, image): (i64, String, String) =
        sqlx::query_as("SELECT id, masked, image FROM id_reviews WHERE status = 'pending'")
            .fetch_one(&server.state.db)
            .await
            .unwrap();
    assert_eq!(masked, "A1••••••89", "the number itself is never stored");
    let photo = server.state.config.review_dir().join(&image);
    assert!(photo.exists());
    // Asking twice while in review is refused.
    let res = submit(&server, &mei, "A123456789", blank_png(), "card.png").await;
    assert_eq!(
        error_of(res).await,
        AppError::field(Field::IdPhoto, Problem::Unchanged)
    );
    // The same card for another account is refused even before the review.
    let res = submit(&server, &jun, "A123456789", blank_png(), "card.png").await;
    assert_eq!(
        error_of(res).await,
        AppError::field(Field::IdNumber, Problem::Taken)
    );

    let res = http()
        .get(server.url(&format!("/admin/id-review/{review}")))
        .header(header::COOKIE, &boss)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "image/jpeg");

    let decide = |approve: &'static str| {
        let (server, boss) = (&server, boss.clone());
        async move {
            call_as(
                server,
                "/api/admin/decide_id_review",
                &[("review", &review.to_string()), ("approve", approve)],
                Some(&boss),
            )
            .await
        }
    };
    assert_eq!(decide("true").await.status(), StatusCode::OK);
    assert!(verified(&server, "mei").await);
    assert!(!photo.exists(), "the photo is deleted after the review");
    assert_eq!(
        error_of(decide("false").await).await,
        AppError::field(Field::IdPhoto, Problem::Expired)
    );

    let res = submit(&server, &jun, "A123456789", blank_png(), "card.png").await;
    assert_eq!(
        error_of(res).await,
        AppError::field(Field::IdNumber, Problem::Taken)
    );
    assert!(!verified(&server, "jun").await);
    let res = submit(&server, &mei, "A123456789", blank_png(), "card.png").await;
    assert_eq!(
        error_of(res).await,
        AppError::field(Field::IdNumber, Problem::Unchanged)
    );
}

#[tokio::test]
async fn rejected_reviews_verify_nobody() {
    let server = TestServer::start(false).await;
    let mei = sign_up(&server, "mei").await;
    let boss = sign_up(&server, "boss").await;
    make_admin(&server, "boss").await;
    submit(&server, &mei, "A123456789", blank_png(), "card.png").await;
    let review: i64 = sqlx::query_scalar("SELECT id FROM id_reviews")
        .fetch_one(&server.state.db)
        .await
        .unwrap();
    let res = call_as(
        &server,
        "/api/admin/decide_id_review",
        &[("review", &review.to_string()), ("approve", "false")],
        Some(&boss),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!verified(&server, "mei").await);
    let leftovers = std::fs::read_dir(server.state.config.review_dir())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "jpg")
        })
        .count();
    assert_eq!(leftovers, 0);
}

#[tokio::test]
async fn bad_uploads_are_refused_with_a_reason() {
    let server = TestServer::start(false).await;
    let mei = sign_up(&server, "mei").await;
    let cases: [(&str, Vec<u8>, &str, AppError); 5] = [
        (
            "A123456789",
            b"just text".to_vec(),
            "card.jpg",
            AppError::field(Field::IdPhoto, Problem::NotAnImage),
        ),
        (
            "A123456789",
            br#"<svg xmlns="http://www.w3.org/2000/svg"/>"#.to_vec(),
            "card.svg",
            AppError::field(Field::IdPhoto, Problem::NotAnImage),
        ),
        (
            "A123456789",
            Vec::new(),
            "card.png",
            AppError::field(Field::IdPhoto, Problem::Required),
        ),
        (
            "A123456788",
            blank_png(),
            "card.png",
            AppError::field(Field::IdNumber, Problem::NotAnIdNumber),
        ),
        (
            "",
            blank_png(),
            "card.png",
            AppError::field(Field::IdNumber, Problem::Required),
        ),
    ];
    for (number, photo, name, expected) in cases {
        let res = submit(&server, &mei, number, photo, name).await;
        assert_eq!(error_of(res).await, expected, "{name} {number}");
    }
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM id_reviews")
        .fetch_one(&server.state.db)
        .await
        .unwrap();
    assert_eq!(queued, 0, "nothing was queued");
}

#[tokio::test]
async fn the_admin_subcommand_grants_and_revokes() {
    let server = TestServer::start(false).await;
    sign_up(&server, "mei").await;
    let config = server.state.config.clone();
    let run = |args: &[&str]| {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let config = config.clone();
        async move { haggle_server::admin_cli::run(&config, &args).await }
    };
    let role = || async {
        sqlx::query_scalar::<_, String>("SELECT role FROM users WHERE username = 'mei'")
            .fetch_one(&server.state.db)
            .await
            .unwrap()
    };
    assert_eq!(
        run(&["grant", "mei"]).await,
        std::process::ExitCode::SUCCESS
    );
    assert_eq!(role().await, "admin");
    assert_eq!(
        run(&["revoke", "mei"]).await,
        std::process::ExitCode::SUCCESS
    );
    assert_eq!(role().await, "user");
    assert_eq!(
        run(&["grant", "nobody"]).await,
        std::process::ExitCode::FAILURE
    );
    assert_eq!(
        run(&["promote", "mei"]).await,
        std::process::ExitCode::from(2)
    );
}
