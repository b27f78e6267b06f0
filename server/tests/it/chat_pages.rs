//! The chat area's pages as the server renders them (what a visitor without
//! JavaScript gets): the way in from a listing, the header link, the inbox,
//! a conversation, settings' blocked members.

use crate::common::{TestServer, Via, page, post, sign_up};
use reqwest::StatusCode;

async fn html(server: &TestServer, path: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let (status, html) = page(server, path, cookie).await;
    (status, html.replace("<!>", ""))
}

async fn fixed_listing(server: &TestServer) -> i64 {
    sqlx::query_scalar(
        "SELECT id FROM listings WHERE status = 'approved' AND sale_mode = 'fixed'
         ORDER BY id LIMIT 1",
    )
    .fetch_one(&server.state.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn message_seller_is_a_plain_form_that_leads_visitors_to_log_in() {
    let server = TestServer::start(true).await;
    let listing = fixed_listing(&server).await;

    // A visitor posting it logs in first and comes back.
    let (_, page) = html(&server, &format!("/l/{listing}"), None).await;
    assert!(page.contains(">Message seller<"), "{page}");
    assert!(page.contains("action=\"/api/chat/open\""), "{page}");
    assert!(
        !page.contains("href=\"/messages\""),
        "no inbox for visitors"
    );
    let id = listing.to_string();
    let res = post(
        &server,
        Via::Form,
        "/api/chat/open",
        &[("listing", &id)],
        None,
    )
    .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(
        res.headers()["location"],
        format!("/login?next=/l/{listing}").as_str()
    );

    // A member posts the server function's form (no JavaScript needed).
    let buyer = sign_up(&server, "buyer").await;
    let (_, page) = html(&server, &format!("/l/{listing}"), Some(&buyer)).await;
    assert!(page.contains("action=\"/api/chat/open\""), "{page}");
    assert!(page.contains(&format!("name=\"listing\" value=\"{listing}\"")));
    assert!(page.contains(">Message seller<"));
    assert!(
        page.contains("href=\"/messages\""),
        "the header leads to the inbox"
    );

    // Not on one's own listing.
    let me: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'buyer'")
        .fetch_one(&server.state.db)
        .await
        .unwrap();
    sqlx::query("UPDATE listings SET seller_id = ? WHERE id = ?")
        .bind(me)
        .bind(listing)
        .execute(&server.state.db)
        .await
        .unwrap();
    let (_, page) = html(&server, &format!("/l/{listing}"), Some(&buyer)).await;
    assert!(!page.contains("Message seller"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_chat_pages_are_for_members_and_settings_list_the_blocked() {
    let server = TestServer::start(false).await;
    let (status, page) = html(&server, "/messages", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("/login?next=/messages"), "{page}");
    let (_, page) = html(&server, "/messages/abc", None).await;
    assert!(page.contains("/login?next=/messages/abc"), "{page}");

    let member = sign_up(&server, "ann").await;
    let (status, _) = html(&server, "/messages/not-a-conversation", Some(&member)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, page) = html(&server, "/settings", Some(&member)).await;
    assert!(page.contains(">Blocked members<"), "{page}");
    assert!(page.contains("You have not blocked anyone."));
    server.stop().await.unwrap();
}
