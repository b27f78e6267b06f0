//! The order area's pages as the server renders them (what a visitor without
//! JavaScript gets): the way in from a listing, the order form, the lists.

use crate::common::{TestServer, page, sign_up};
use reqwest::StatusCode;

async fn listing(server: &TestServer, mode: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT id FROM listings WHERE status = 'approved' AND sale_mode = ? AND stock > 0
         ORDER BY id LIMIT 1",
    )
    .bind(mode)
    .fetch_one(&server.state.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_listing_leads_to_its_order_form_which_works_without_javascript() {
    let server = TestServer::start(true).await;
    let offers = listing(&server, "offers").await;
    let fixed = listing(&server, "fixed").await;
    let auction = listing(&server, "auction").await;

    // "Buy" on what is sold outright or by offer; "Make an offer" on the latter.
    let (_, html) = page(&server, &format!("/l/{offers}"), None).await;
    assert!(html.contains(&format!("href=\"/l/{offers}/buy\"")));
    assert!(html.contains(&format!("href=\"/l/{offers}/offer\"")));
    assert!(html.contains(">Make an offer<"));
    let (_, html) = page(&server, &format!("/l/{fixed}"), None).await;
    assert!(html.contains(&format!("href=\"/l/{fixed}/buy\"")) && html.contains(">Buy<"));
    assert!(!html.contains(&format!("/l/{fixed}/offer")));
    let (_, html) = page(&server, &format!("/l/{auction}"), None).await;
    assert!(!html.contains(&format!("/l/{auction}/buy")));

    // Logged out, the form asks to log in and comes back.
    let (status, html) = page(&server, &format!("/l/{fixed}/buy"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("/login?next=/l/{fixed}/buy")));
    assert!(!html.contains("name=\"quantity\""));

    // Logged in: a plain form on the server function, its fields labelled.
    let buyer = sign_up(&server, "buyer").await;
    let (_, html) = page(&server, &format!("/l/{fixed}/buy"), Some(&buyer)).await;
    assert!(html.contains("action=\"/api/order/place\""), "{html}");
    assert!(html.contains(&format!("name=\"listing\" value=\"{fixed}\"")));
    assert!(html.contains("for=\"buy-quantity\"") && html.contains(">Quantity<"));
    assert!(html.contains("id=\"buy-quantity\" name=\"quantity\""));
    assert!(html.contains("for=\"buy-remark\"") && html.contains(">Remark<"));
    assert!(html.contains(">Place order<"));
    assert!(
        html.contains("href=\"/buying\"") && html.contains("href=\"/wallet\""),
        "the header leads to the buyer center (and its orders) and the wallet"
    );

    // The seller gets no "Buy" on their own listing, and no form.
    let seller: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'buyer'")
        .fetch_one(&server.state.db)
        .await
        .unwrap();
    sqlx::query("UPDATE listings SET seller_id = ? WHERE id = ?")
        .bind(seller)
        .bind(fixed)
        .execute(&server.state.db)
        .await
        .unwrap();
    let (_, html) = page(&server, &format!("/l/{fixed}"), Some(&buyer)).await;
    assert!(!html.contains(&format!("/l/{fixed}/buy")));
    let (_, html) = page(&server, &format!("/l/{fixed}/buy"), Some(&buyer)).await;
    assert!(html.contains("This is your own listing."));
    assert!(!html.contains("name=\"quantity\""));

    // The lists and rooms are for members.
    let (_, html) = page(&server, "/orders", None).await;
    assert!(html.contains("/login?next=/orders"));
    let (status, _) = page(&server, "/o/not-an-order", Some(&buyer)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.stop().await.unwrap();
}
