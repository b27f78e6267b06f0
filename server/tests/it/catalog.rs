//! The catalog over HTTP: selling (with a photo upload), the review queue,
//! visibility, favorites, and search pages that work without JavaScript.

use crate::common::{
    TestServer, call_as, error_of, http, make_admin, page, png_bytes, post_multipart, sign_up,
    verified_member,
};
use app::{
    domain::form::{Field, Problem},
    error::AppError,
    model::{FavoriteState, ImageRef},
};
use reqwest::{StatusCode, multipart};

fn png(width: u32, height: u32) -> Vec<u8> {
    png_bytes(image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 7) as u8, (y * 5) as u8, 120])
    }))
}

async fn upload(
    server: &TestServer,
    cookie: &str,
    bytes: Vec<u8>,
    name: &str,
) -> reqwest::Response {
    post_multipart(
        server,
        "/api/listing/image",
        cookie,
        multipart::Form::new().part(
            "image",
            multipart::Part::bytes(bytes).file_name(name.to_string()),
        ),
    )
    .await
}

/// Posts a listing form as the hydrated app does (nested fields, serde_qs).
async fn save(
    server: &TestServer,
    cookie: Option<&str>,
    id: Option<i64>,
    title: &str,
    images: &[i64],
) -> reqwest::Response {
    let id_text = id.map(|i| i.to_string());
    let image_texts: Vec<(String, String)> = images
        .iter()
        .enumerate()
        .map(|(i, img)| (format!("input[images][{i}]"), img.to_string()))
        .collect();
    let mut form: Vec<(&str, &str)> = vec![
        ("input[title]", title),
        ("input[description]", "Warm light, 8 GB, with a case."),
        ("input[price]", "2300"),
        ("input[stock]", "1"),
        ("input[category]", "computers"),
        ("input[tags][0]", "kindle"),
        ("input[tags][1]", "電子書"),
        ("input[condition]", "like_new"),
        ("input[meetup]", "true"),
        ("input[area]", "台北 大安區"),
        ("input[meetup_place]", "MRT Daan"),
        ("input[shipping]", "false"),
        ("input[sale_mode]", "fixed"),
    ];
    if let Some(id) = &id_text {
        form.push(("id", id));
    }
    form.extend(image_texts.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    call_as(server, "/api/listing/save", &form, cookie).await
}

#[tokio::test]
async fn a_listing_goes_from_upload_through_review_to_search_and_favorites() {
    let server = TestServer::start(false).await;

    // Selling needs an account with a verified email.
    assert_eq!(
        error_of(save(&server, None, None, "Kindle", &[]).await).await,
        AppError::Unauthenticated
    );
    let unverified = sign_up(&server, "newbie").await;
    assert_eq!(
        error_of(save(&server, Some(&unverified), None, "Kindle", &[]).await).await,
        AppError::Forbidden
    );

    let seller = verified_member(&server, "mei").await;
    // Photos are checked by content, whatever their name.
    let refused = upload(&server, &seller, b"not a picture".to_vec(), "photo.jpg").await;
    assert_eq!(
        error_of(refused).await,
        AppError::field(Field::Images, Problem::NotAnImage)
    );
    let res = upload(&server, &seller, png(640, 480), "kindle.png").await;
    assert_eq!(res.status(), StatusCode::OK);
    let image: ImageRef = res.json().await.unwrap();
    assert!(image.url.starts_with("/media/") && image.url.ends_with(".jpg"));
    let served = http().get(server.url(&image.url)).send().await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);

    // Field-level errors come back for a bad form.
    let bad = save(&server, Some(&seller), None, "K", &[image.id]).await;
    assert_eq!(
        error_of(bad).await.problem_with(Field::Title),
        Some(Problem::TooShort { min: 2 })
    );
    let res = save(
        &server,
        Some(&seller),
        None,
        "Kindle Paperwhite 第11代",
        &[image.id],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let saved: serde_json::Value = res.json().await.unwrap();
    let id = saved["id"].as_i64().unwrap();
    assert_eq!(saved["status"], "pending");
    let listing_path = format!("/l/{id}");

    // Pending: only the seller (and admins) can see it; search shows nothing.
    let (status, _) = page(&server, &listing_path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, html) = page(&server, &listing_path, Some(&seller)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-testid=\"listing-status\""));
    let (_, html) = page(&server, "/search?q=kindle", None).await;
    assert!(!html.contains(&listing_path));

    // Someone else can neither edit it nor use the seller's photo.
    let other = verified_member(&server, "junho").await;
    assert_eq!(
        error_of(save(&server, Some(&other), Some(id), "Mine now", &[]).await).await,
        AppError::Forbidden
    );
    assert_eq!(
        error_of(save(&server, Some(&other), None, "Stolen photo", &[image.id]).await)
            .await
            .problem_with(Field::Images),
        Some(Problem::Wrong)
    );

    // Review: members may not decide; an admin approves.
    let id_text = id.to_string();
    let decide = |cookie: String| {
        let form = [
            ("listing", id_text.clone()),
            ("approve", "true".to_string()),
            ("reason", String::new()),
        ];
        let server = &server;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            call_as(server, "/api/admin/review_listing", &form, Some(&cookie)).await
        }
    };
    assert_eq!(
        error_of(decide(other.clone()).await).await,
        AppError::Forbidden
    );
    let admin = verified_member(&server, "linda").await;
    make_admin(&server, "linda").await;
    assert_eq!(decide(admin.clone()).await.status(), StatusCode::OK);
    assert_eq!(
        error_of(decide(admin.clone()).await).await,
        AppError::Conflict,
        "a listing is decided once"
    );

    // Public now: found without JavaScript by English prefix, Chinese and tag.
    for query in [
        "/search?q=kind",
        "/search?q=%E7%AC%AC11",
        "/search?tag=%E9%9B%BB%E5%AD%90%E6%9B%B8",
        "/search?category=electronics&min=2000&max=2500",
    ] {
        let (status, html) = page(&server, query, None).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert!(html.contains(&listing_path), "{query} finds the listing");
    }
    let (_, html) = page(&server, "/search?q=kindle&max=100", None).await;
    assert!(!html.contains(&listing_path), "the price filter applies");
    let (status, html) = page(&server, &listing_path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Kindle Paperwhite 第11代"));
    assert!(html.contains("MRT Daan"));

    // Favorites: need an account, not your own listing, counted once.
    let favorite = |cookie: Option<String>| {
        let id = id_text.clone();
        let server = &server;
        async move {
            call_as(
                server,
                "/api/favorite",
                &[("listing", id.as_str()), ("on", "true")],
                cookie.as_deref(),
            )
            .await
        }
    };
    assert_eq!(
        error_of(favorite(None).await).await,
        AppError::Unauthenticated
    );
    assert_eq!(
        error_of(favorite(Some(seller.clone())).await).await,
        AppError::Forbidden
    );
    for _ in 0..2 {
        let state: FavoriteState = favorite(Some(other.clone())).await.json().await.unwrap();
        assert_eq!(state, FavoriteState { on: true, count: 1 });
    }
    let (_, html) = page(&server, "/favorites", Some(&other)).await;
    assert!(html.contains(&listing_path));

    // A material edit sends it back to review and out of search.
    let res = save(
        &server,
        Some(&seller),
        Some(id),
        "Kindle Oasis",
        &[image.id],
    )
    .await;
    let saved: serde_json::Value = res.json().await.unwrap();
    assert_eq!(saved["status"], "pending");
    let (_, html) = page(&server, "/search?q=kindle", None).await;
    assert!(!html.contains(&listing_path));

    server.stop().await.unwrap();
}

#[tokio::test]
async fn search_pages_keep_their_state_in_the_url_and_escape_what_was_typed() {
    let server = TestServer::start(false).await;
    let (status, html) = page(
        &server,
        "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E&sort=price_low&page=999999",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("data-testid=\"no-results\""));
    // The filter form is a plain GET form: it works before and without hydration.
    assert!(html.contains("method=\"GET\"") || html.contains("method=\"get\""));
    assert!(html.contains("action=\"/search\""));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn anonymous_views_count_once_per_network_whatever_the_user_agent() {
    let server = TestServer::start(true).await;
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM listings WHERE status = 'approved' ORDER BY id LIMIT 1")
            .fetch_one(&server.state.db)
            .await
            .unwrap();
    let id_text = id.to_string();
    let mut views = Vec::new();
    for agent in ["Mozilla/5.0 one", "Mozilla/5.0 two", "curl/8"] {
        let res = http()
            .post(server.url("/api/listing"))
            .header("origin", format!("http://{}", server.addr))
            .header(reqwest::header::ACCEPT, "application/json")
            .header(reqwest::header::USER_AGENT, agent)
            .form(&[("id", id_text.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let detail: serde_json::Value = res.json().await.unwrap();
        views.push(detail["views"].as_i64().unwrap());
    }
    assert_eq!(views[1], views[0], "another User-Agent is the same visitor");
    assert_eq!(views[2], views[0]);
    let rows: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM listing_views WHERE listing_id = ? AND viewer LIKE 'a:%'",
    )
    .bind(id)
    .fetch_one(&server.state.db)
    .await
    .unwrap();
    assert_eq!(rows, 1);
}
