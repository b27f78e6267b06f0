//! The wallet over the router: the simulated provider's callback reaches the
//! callback route over HTTP and credits a top-up; a signed callback credits
//! once however often it is posted, a forged one is refused; the statement's
//! CSV is for members only, holds only their own lines, and turns formulas
//! into text; a top-up's state is for its member only.

use crate::common::{
    TestServer, call_as, error_of, http, no_redirects, page, public_listing, sign_up,
};
use app::{
    backend::wallet::{
        provider::{CALLBACK_PATH, Event, EventKind, SIGNATURE_HEADER, sign},
        store,
    },
    domain::{
        id::{HoldId, UserId},
        wallet::{Account, Purpose},
    },
    error::AppError,
    model::{TopUpState, TopUpView, WalletSummary},
};
use reqwest::{StatusCode, header};
use std::time::Duration;

fn now() -> i64 {
    app::backend::platform::clock::now_ms()
}

async fn user_id(server: &TestServer, username: &str) -> UserId {
    sqlx::query_scalar("SELECT id FROM users WHERE username = ?")
        .bind(username)
        .fetch_one(&server.state.db)
        .await
        .map(UserId)
        .unwrap()
}

async fn balance(server: &TestServer, cookie: &str) -> i64 {
    let res = call_as(server, "/api/wallet/summary", &[], Some(cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<WalletSummary>().await.unwrap().balance.minor
}

async fn transfer(
    server: &TestServer,
    from: Account,
    to: Account,
    amount: i64,
    purpose: Purpose,
    hold: Option<HoldId>,
) {
    let mut tx = server.state.db.begin_with("BEGIN IMMEDIATE").await.unwrap();
    store::post(&mut *tx, from, to, amount, purpose, hold, now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn post_callback(server: &TestServer, body: &str, signature: &str) -> StatusCode {
    http()
        .post(server.url(CALLBACK_PATH))
        .header(SIGNATURE_HEADER, signature)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_top_up_is_decided_by_the_providers_callback_over_http() {
    let server = TestServer::start(false).await;
    let mei = sign_up(&server, "mei").await;
    let sam = sign_up(&server, "sam").await;
    let key = "0b8d6c3e-2f4a-4e1b-9c7d-5a6f8e9d0c1b";
    let form = [
        ("amount", "500"),
        ("card", "4242 4242 4242 4242"),
        ("key", key),
    ];
    let res = call_as(&server, "/api/wallet/top_up", &form, Some(&mei)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let pending: TopUpView = res.json().await.unwrap();
    assert_eq!(pending.state, TopUpState::Pending);
    // The simulated provider posts its signed outcome to the callback route
    // a moment later.
    let mut state = TopUpState::Pending;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let res = call_as(
            &server,
            "/api/wallet/top_up_state",
            &[("id", &pending.id)],
            Some(&mei),
        )
        .await;
        state = res.json::<TopUpView>().await.unwrap().state;
        if state != TopUpState::Pending {
            break;
        }
    }
    assert_eq!(state, TopUpState::Succeeded);
    assert_eq!(balance(&server, &mei).await, 500);
    let received: i64 = sqlx::query_scalar("SELECT count(*) FROM provider_events")
        .fetch_one(&server.state.db)
        .await
        .unwrap();
    assert_eq!(received, 1);
    let notices: Vec<String> = sqlx::query_scalar("SELECT kind FROM notifications")
        .fetch_all(&server.state.db)
        .await
        .unwrap();
    assert_eq!(notices, ["top_up_succeeded"], "the member is told");
    // Another member cannot read it, nor learn that it exists.
    let res = call_as(
        &server,
        "/api/wallet/top_up_state",
        &[("id", &pending.id)],
        Some(&sam),
    )
    .await;
    assert_eq!(error_of(res).await, AppError::NotFound);
    let res = call_as(
        &server,
        "/api/wallet/top_up_state",
        &[("id", &pending.id)],
        None,
    )
    .await;
    assert_eq!(error_of(res).await, AppError::Unauthenticated);

    // Field errors for both fields at once; nothing is asked of the provider.
    let form = [("amount", "abc"), ("card", "1234"), ("key", key)];
    let res = call_as(&server, "/api/wallet/top_up", &form, Some(&mei)).await;
    match error_of(res).await {
        AppError::Validation(errors) => assert_eq!(errors.len(), 2),
        other => panic!("expected field errors, got {other:?}"),
    }
    // Withdrawing needs a verified identity.
    let form = [
        ("amount", "100"),
        ("key", "9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"),
    ];
    let res = call_as(&server, "/api/wallet/withdraw", &form, Some(&mei)).await;
    assert!(matches!(error_of(res).await, AppError::Validation(_)));
    assert_eq!(balance(&server, &mei).await, 500);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_signed_callback_credits_once_and_a_forged_one_is_refused() {
    let server = TestServer::start(false).await;
    let mei = sign_up(&server, "mei").await;
    let user = user_id(&server, "mei").await;
    store::insert_top_up(&server.state.db, "tu-router", user, 800, "4242", now())
        .await
        .unwrap();
    let event = Event {
        id: "evt_router_1".into(),
        kind: EventKind::ChargeSucceeded,
        reference: "tu-router".into(),
        amount: 800,
    };
    let body = serde_json::to_string(&event).unwrap();

    // Forged: another key, an altered body, no signature, a stale one.
    let forged = sign(&[9; 32], &body, now());
    assert_eq!(
        post_callback(&server, &body, &forged).await,
        StatusCode::BAD_REQUEST
    );
    let good = sign(&server.state.payments.key, &body, now());
    let altered = body.replace("800", "80000");
    assert_eq!(
        post_callback(&server, &altered, &good).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post_callback(&server, &body, "").await,
        StatusCode::BAD_REQUEST
    );
    let stale = sign(&server.state.payments.key, &body, now() - 10 * 60 * 1000);
    assert_eq!(
        post_callback(&server, &body, &stale).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(balance(&server, &mei).await, 0);

    // Delivered five times at once: every delivery is answered 200 (applied,
    // or applied before), and the member is credited once.
    let deliveries: Vec<_> = (0..5)
        .map(|_| {
            let (url, body, signature) = (server.url(CALLBACK_PATH), body.clone(), good.clone());
            tokio::spawn(async move {
                http()
                    .post(url)
                    .header(SIGNATURE_HEADER, signature)
                    .body(body)
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    for delivery in deliveries {
        assert_eq!(delivery.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(balance(&server, &mei).await, 800);
    let transfers: i64 = sqlx::query_scalar("SELECT count(*) FROM transfers")
        .fetch_one(&server.state.db)
        .await
        .unwrap();
    assert_eq!(transfers, 1);

    // A body beyond the bound is refused unread.
    let huge = "x".repeat(100 * 1024);
    assert_eq!(
        post_callback(&server, &huge, &good).await,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_statement_csv_is_the_members_own_with_formulas_as_text() {
    let server = TestServer::start(false).await;
    // A seller's title a spreadsheet would run as a formula.
    let listed = public_listing(&server, "sam", "=1+2 oak chair", "1000", "1", "fixed").await;
    let mei = sign_up(&server, "mei").await;
    sign_up(&server, "lee").await;
    let (mei_id, sam_id, lee_id) = (
        user_id(&server, "mei").await,
        user_id(&server, "sam").await,
        user_id(&server, "lee").await,
    );
    transfer(
        &server,
        Account::Clearing,
        Account::Available(mei_id),
        1_500,
        Purpose::TopUp,
        None,
    )
    .await;
    transfer(
        &server,
        Account::Clearing,
        Account::Available(lee_id),
        7_777,
        Purpose::TopUp,
        None,
    )
    .await;
    let order: i64 = sqlx::query_scalar(
        "INSERT INTO orders (public_id, listing_id, buyer_id, seller_id, amount, source, state, created_at)
         VALUES ('ord-csv', ?, ?, ?, 1000, 'order', 'established', ?) RETURNING id",
    )
    .bind(listed.id)
    .bind(mei_id)
    .bind(sam_id)
    .bind(now())
    .fetch_one(&server.state.db)
    .await
    .unwrap();
    let hold = store::insert_hold(
        &server.state.db,
        mei_id,
        sam_id,
        Some(app::domain::id::OrderId(order)),
        1_000,
        now(),
    )
    .await
    .unwrap();
    transfer(
        &server,
        Account::Available(mei_id),
        Account::Held(hold),
        1_000,
        Purpose::Escrow,
        Some(hold),
    )
    .await;

    // Anonymous: sent to log in.
    let res = no_redirects()
        .get(server.url("/wallet/statement.csv"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert!(
        res.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login"),
        "to the log-in page"
    );

    let res = http()
        .get(server.url("/wallet/statement.csv"))
        .header(header::COOKIE, &mei)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        res.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "a header and mei's two lines: {csv}");
    assert!(
        lines[1].contains(",escrow,ord-csv,'=1+2 oak chair,-1000,500,"),
        "{csv}"
    );
    assert!(lines[2].contains(",top_up,,,1500,1500,"), "{csv}");
    assert!(!csv.contains("7777"), "never another member's lines");

    // The same filters as the page.
    let res = http()
        .get(server.url("/wallet/statement.csv?purpose=top_up"))
        .header(header::COOKIE, &mei)
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap().lines().count(), 2);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_wallet_page_reads_without_javascript_and_the_centers_share_one_navigation() {
    let server = TestServer::start(false).await;
    let (status, html) = page(&server, "/wallet", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        html.contains("/login?next=/wallet"),
        "a visitor is asked to log in"
    );

    let mei = sign_up(&server, "mei").await;
    let (status, html) = page(&server, "/wallet", Some(&mei)).await;
    assert_eq!(status, StatusCode::OK);
    // `<!>` marks where reactive text ends, for hydration.
    let html = html.replace("<!>", "");
    assert!(
        html.contains("<dt id=\"wallet-balance-label\">Balance</dt>"),
        "{html}"
    );
    assert!(html.contains("aria-labelledby=\"wallet-balance-label\""));
    assert!(html.contains("action=\"/api/wallet/top_up\""));
    assert!(html.contains("action=\"/api/wallet/withdraw\""));
    assert!(html.contains("for=\"top-up-amount\"") && html.contains(">Amount<"));
    assert!(html.contains("for=\"top-up-card\"") && html.contains(">Card number<"));
    assert!(html.contains(">Top up</button>") && html.contains(">Withdraw</button>"));
    // A key for each form, made on the server for a browser without
    // JavaScript.
    assert_eq!(
        html.matches("type=\"hidden\" name=\"key\" value=\"")
            .count(),
        2
    );
    assert!(
        html.contains("href=\"/settings/identity\""),
        "withdrawing needs an identity check"
    );
    assert!(
        html.contains("href=\"/wallet/statement.csv?\"")
            || html.contains("href=\"/wallet/statement.csv\"")
    );
    assert!(
        html.contains("href=\"/wallet\" aria-current=\"page\">Wallet"),
        "the header's Wallet link"
    );

    for path in [
        "/orders",
        "/favorites",
        "/my/bids",
        "/offers",
        "/my/listings",
        "/my/auctions",
        "/buying",
        "/selling",
    ] {
        let (status, html) = page(&server, path, Some(&mei)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            html.contains("data-testid=\"center-nav\""),
            "{path} has the centers' navigation"
        );
    }
    server.stop().await.unwrap();
}
