//! Identity verification over HTTP: the review queue path (a card OCR cannot
//! read), one card per account, numbers another member holds, revocation,
//! admin decisions, hostile uploads, the daily limit, and the admin
//! subcommand. (A card OCR reads is the Playwright journey's part.)

use crate::common::{
    TestServer, call_as, error_of, http, make_admin, png_bytes, post_multipart, sign_up,
    verified_member,
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

async fn pending_review(server: &TestServer, username: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT r.id FROM id_reviews r JOIN users u ON u.id = r.user_id
         WHERE u.username = ? AND r.status = 'pending'",
    )
    .bind(username)
    .fetch_one(&server.state.db)
    .await
    .unwrap()
}

async fn decide(server: &TestServer, admin: &str, review: i64, approve: bool) -> reqwest::Response {
    call_as(
        server,
        "/api/admin/decide_id_review",
        &[
            ("review", &review.to_string()),
            ("approve", &approve.to_string()),
        ],
        Some(admin),
    )
    .await
}

/// The review queue as the admin console receives it.
async fn queue(server: &TestServer, admin: &str) -> Vec<app::model::IdReview> {
    let res = call_as(server, "/api/admin/overview", &[], Some(admin)).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<app::model::AdminOverview>()
        .await
        .unwrap()
        .id_reviews
}

#[tokio::test]
async fn unreadable_cards_wait_for_an_admin_and_one_card_verifies_one_account() {
    let server = TestServer::start(false).await;
    let mei = verified_member(&server, "mei").await;
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

    let res = http()
        .get(server.url(&format!("/admin/id-review/{review}")))
        .header(header::COOKIE, &boss)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "image/jpeg");

    assert_eq!(
        decide(&server, &boss, review, true).await.status(),
        StatusCode::OK
    );
    assert!(verified(&server, "mei").await);
    assert!(!photo.exists(), "the photo is deleted after the review");
    assert_eq!(
        error_of(decide(&server, &boss, review, false).await).await,
        AppError::field(Field::IdPhoto, Problem::Expired)
    );
    let res = submit(&server, &mei, "A123456789", blank_png(), "card.png").await;
    assert_eq!(
        error_of(res).await,
        AppError::field(Field::IdNumber, Problem::Unchanged)
    );
}

#[tokio::test]
async fn a_number_another_member_holds_goes_to_review_and_an_admin_can_give_it_back() {
    let server = TestServer::start(false).await;
    let squatter = verified_member(&server, "squatter").await;
    let owner = verified_member(&server, "owner").await;
    let boss = sign_up(&server, "boss").await;
    make_admin(&server, "boss").await;

    let res = submit(&server, &squatter, "A123456789", blank_png(), "card.png").await;
    assert_eq!(res.json::<String>().await.unwrap(), "InReview");
    // Someone else with the same number while the first waits: the answer
    // is the one any unreadable card gets, never "taken".
    let res = submit(&server, &owner, "A123456789", blank_png(), "card.png").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<String>().await.unwrap(), "InReview");
    let reviews = queue(&server, &boss).await;
    let of = |name: &str| reviews.iter().find(|r| r.username == name).unwrap().clone();
    assert_eq!((of("owner").others_waiting, of("owner").held_by), (1, None));
    assert_eq!(of("owner").recent_attempts, 1);

    let first = pending_review(&server, "squatter").await;
    assert_eq!(
        decide(&server, &boss, first, true).await.status(),
        StatusCode::OK
    );
    let reviews = queue(&server, &boss).await;
    assert_eq!(reviews.len(), 1);
    assert_eq!(
        reviews[0].held_by.as_deref(),
        Some("squatter"),
        "the admin sees the collision"
    );

    // Approving the second would give one number two members: refused,
    // and the review stays open.
    let second = pending_review(&server, "owner").await;
    let res = decide(&server, &boss, second, true).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_of(res).await,
        AppError::field(Field::IdNumber, Problem::VerifiesAnother)
    );
    assert_eq!(pending_review(&server, "owner").await, second);

    // Only admins revoke.
    let revoke = |cookie: String| {
        let server = &server;
        async move {
            call_as(
                server,
                "/api/admin/revoke_identity",
                &[("username", "squatter")],
                Some(&cookie),
            )
            .await
        }
    };
    assert_eq!(revoke(owner.clone()).await.status(), StatusCode::FORBIDDEN);
    assert!(verified(&server, "squatter").await);
    assert_eq!(revoke(boss.clone()).await.status(), StatusCode::OK);
    assert!(!verified(&server, "squatter").await);
    assert_eq!(revoke(boss.clone()).await.status(), StatusCode::CONFLICT);
    assert_eq!(queue(&server, &boss).await[0].held_by, None);
    assert_eq!(
        decide(&server, &boss, second, true).await.status(),
        StatusCode::OK
    );
    assert!(verified(&server, "owner").await);
}

#[tokio::test]
async fn checks_need_a_verified_email() {
    let server = TestServer::start(false).await;
    let mei = sign_up(&server, "mei").await;
    let res = submit(&server, &mei, "A123456789", blank_png(), "card.png").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_of(res).await,
        AppError::field(Field::Email, Problem::VerifyEmailFirst)
    );
}

/// CRC-32 (IEEE), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG whose header says `width`×`height` (its data is one pixel).
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = png_bytes(image::RgbImage::new(1, 1));
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

#[tokio::test]
async fn photos_that_cannot_be_a_card_are_refused_and_every_check_counts() {
    let server = TestServer::start(false).await;
    let mei = verified_member(&server, "mei").await;
    // A few hundred bytes that OCR preparation used to blow up to 20 GB.
    let strip = png_bytes(image::RgbImage::new(1, 8000));
    let shapes = [
        strip,
        png_claiming(8000, 8000),
        png_bytes(image::RgbImage::new(40, 400)),
        png_bytes(image::RgbImage::new(600, 600)),
        png_bytes(image::RgbImage::new(200, 120)),
    ];
    for photo in shapes {
        let res = submit(&server, &mei, "A123456789", photo, "card.png").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            error_of(res).await,
            AppError::field(Field::IdPhoto, Problem::NotAnIdCard)
        );
    }
    // Five checks today, all refused: the sixth is not even looked at.
    let res = submit(&server, &mei, "A123456789", blank_png(), "card.png").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_of(res).await, AppError::RateLimited);
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM id_reviews")
        .fetch_one(&server.state.db)
        .await
        .unwrap();
    assert_eq!(queued, 0);
}

#[tokio::test]
async fn stray_ocr_files_are_removed_at_start_up() {
    let server = TestServer::start(false).await;
    let work = server.state.config.ocr_work_dir();
    std::fs::create_dir_all(&work).unwrap();
    let stray = work.join(".tmpKILLED.png");
    std::fs::write(&stray, b"left by a killed server").unwrap();
    haggle_server::prepare((*server.state.config).clone())
        .await
        .unwrap();
    assert!(!stray.exists());
}

#[tokio::test]
async fn rejected_reviews_verify_nobody() {
    let server = TestServer::start(false).await;
    let mei = verified_member(&server, "mei").await;
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
    let mei = verified_member(&server, "mei").await;
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
