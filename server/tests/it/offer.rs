//! Offers over the router: every offer server function refuses an anonymous
//! visitor, a third member, and a party acting out of turn; the forms work
//! as plain posts (no JavaScript); the pages render for the parties only.

use crate::common::{
    TestServer, Via, call_as, error_of, page, post, public_listing, verified_member,
};
use app::{
    domain::{offer::OfferState, order::DealRefusal},
    error::AppError,
    model::{MyOffers, OfferTarget, OfferView},
};
use reqwest::{StatusCode, header};

/// A listing of `stock` chairs at 1,000 each, offers welcome, by `seller`
/// (a new verified member), approved by an admin. Returns its id and the
/// seller's cookie.
async fn offers_listing(server: &TestServer, seller: &str, stock: &str) -> (i64, String) {
    let listed = public_listing(server, seller, "Oak chair", "1000", stock, "offers").await;
    (listed.id, listed.seller)
}

async fn make(
    server: &TestServer,
    listing: i64,
    amount: &str,
    quantity: &str,
    cookie: Option<&str>,
) -> reqwest::Response {
    call_as(
        server,
        "/api/offer/make",
        &[
            ("listing", &listing.to_string()),
            ("amount", amount),
            ("quantity", quantity),
        ],
        cookie,
    )
    .await
}

async fn answer(
    server: &TestServer,
    offer: &str,
    answer: &str,
    amount: &str,
    cookie: Option<&str>,
) -> reqwest::Response {
    call_as(
        server,
        "/api/offer/answer",
        &[
            ("offer", offer),
            ("answer", answer),
            ("counter_amount", amount),
        ],
        cookie,
    )
    .await
}

async fn fetch(server: &TestServer, offer: &str, cookie: Option<&str>) -> reqwest::Response {
    call_as(server, "/api/offer", &[("offer", offer)], cookie).await
}

/// A page's HTML without the hydration markers between text and tags.
async fn html_of(server: &TestServer, path: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let (status, html) = page(server, path, cookie).await;
    (status, html.replace("<!>", ""))
}

async fn refused(res: reqwest::Response, expected: AppError) {
    assert_eq!(error_of(res).await, expected);
}

async fn state_of(server: &TestServer, offer: &str, cookie: &str) -> OfferView {
    let res = fetch(server, offer, Some(cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[tokio::test]
async fn every_offer_function_refuses_strangers_and_parties_out_of_turn() {
    let server = TestServer::start(false).await;
    let (listing, seller) = offers_listing(&server, "seller", "2").await;
    let buyer = verified_member(&server, "ann").await;
    let third = verified_member(&server, "mallory").await;

    // The make-an-offer page's data and the offer itself: members only, and
    // not on one's own listing.
    let listing_text = listing.to_string();
    let target = call_as(
        &server,
        "/api/offer/listing",
        &[("listing", &listing_text)],
        None,
    )
    .await;
    refused(target, AppError::Unauthenticated).await;
    refused(
        make(&server, listing, "800", "1", None).await,
        AppError::Unauthenticated,
    )
    .await;
    refused(
        make(&server, listing, "800", "1", Some(&seller)).await,
        AppError::Deal(DealRefusal::OwnListing),
    )
    .await;
    let res = call_as(
        &server,
        "/api/offer/listing",
        &[("listing", &listing.to_string())],
        Some(&seller),
    )
    .await;
    let own: OfferTarget = res.json().await.unwrap();
    assert_eq!(own.refusal, Some(DealRefusal::OwnListing));

    let res = make(&server, listing, "800", "2", Some(&buyer)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let offer: String = res.json().await.unwrap();

    // Reading it: the two parties only.
    refused(
        fetch(&server, &offer, None).await,
        AppError::Unauthenticated,
    )
    .await;
    refused(
        fetch(&server, &offer, Some(&third)).await,
        AppError::NotFound,
    )
    .await;
    assert_eq!(
        state_of(&server, &offer, &seller).await.state,
        OfferState::Pending
    );

    // Answering: nobody but the parties, each in turn.
    let turn = AppError::Deal(DealRefusal::NotYourTurn);
    for (what, amount) in [
        ("accept", ""),
        ("decline", ""),
        ("withdraw", ""),
        ("counter", "900"),
    ] {
        refused(
            answer(&server, &offer, what, amount, None).await,
            AppError::Unauthenticated,
        )
        .await;
        refused(
            answer(&server, &offer, what, amount, Some(&third)).await,
            AppError::NotFound,
        )
        .await;
    }
    // The buyer accepting, declining or countering their own offer, the
    // seller withdrawing the buyer's.
    for (what, amount) in [("accept", ""), ("decline", ""), ("counter", "900")] {
        refused(
            answer(&server, &offer, what, amount, Some(&buyer)).await,
            turn.clone(),
        )
        .await;
    }
    refused(
        answer(&server, &offer, "withdraw", "", Some(&seller)).await,
        turn.clone(),
    )
    .await;
    assert_eq!(
        state_of(&server, &offer, &buyer).await.state,
        OfferState::Pending
    );

    // The seller counters; on the counter the turns swap.
    let res = answer(&server, &offer, "counter", "900", Some(&seller)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let counter: String = res.json().await.unwrap();
    refused(
        answer(&server, &counter, "accept", "", Some(&seller)).await,
        turn.clone(),
    )
    .await;
    refused(
        answer(&server, &counter, "withdraw", "", Some(&buyer)).await,
        turn.clone(),
    )
    .await;
    refused(
        answer(&server, &counter, "counter", "850", Some(&buyer)).await,
        turn.clone(),
    )
    .await;
    refused(
        answer(&server, &counter, "accept", "", Some(&third)).await,
        AppError::NotFound,
    )
    .await;
    // The answered offer is closed to everyone.
    refused(
        answer(&server, &offer, "accept", "", Some(&seller)).await,
        AppError::Deal(DealRefusal::Closed),
    )
    .await;

    let res = answer(&server, &counter, "accept", "", Some(&buyer)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let done = state_of(&server, &counter, &seller).await;
    assert_eq!(done.state, OfferState::Accepted);
    assert_eq!(done.total.minor, 1800);
    assert!(done.order.is_some());

    // The lists: each member's own only.
    let mine = |cookie: Option<String>| {
        let server = &server;
        async move { call_as(server, "/api/offer/mine", &[], cookie.as_deref()).await }
    };
    refused(mine(None).await, AppError::Unauthenticated).await;
    let theirs: MyOffers = mine(Some(third.clone())).await.json().await.unwrap();
    assert!(theirs.received.is_empty() && theirs.made.is_empty());
    let sellers: MyOffers = mine(Some(seller.clone())).await.json().await.unwrap();
    assert_eq!(
        (sellers.received.len(), sellers.made.len()),
        (1, 1),
        "ann's offer received, the counter made"
    );
}

#[tokio::test]
async fn bad_amounts_and_quantities_are_field_errors() {
    let server = TestServer::start(false).await;
    let (listing, _) = offers_listing(&server, "seller", "2").await;
    let buyer = verified_member(&server, "ann").await;
    let res = make(&server, listing, "lots", "x", Some(&buyer)).await;
    let err = error_of(res).await;
    use app::domain::form::{Field, Problem};
    assert_eq!(err.problem_with(Field::Amount), Some(Problem::NotAnAmount));
    assert_eq!(
        err.problem_with(Field::Quantity),
        Some(Problem::InvalidFormat)
    );
    let err = error_of(make(&server, listing, "800", "3", Some(&buyer)).await).await;
    assert_eq!(
        err.problem_with(Field::Quantity),
        Some(Problem::OutOfRange { min: 1, max: 2 })
    );
    let res = make(&server, listing, "800", "1", Some(&buyer)).await;
    let offer: String = res.json().await.unwrap();
    // The seller's counter amount is checked the same way.
    let seller = crate::common::log_in(&server, "seller").await;
    let err = error_of(answer(&server, &offer, "counter", "", Some(&seller)).await).await;
    assert_eq!(err.problem_with(Field::Amount), Some(Problem::Required));
    refused(
        answer(&server, &offer, "haggle", "", Some(&seller)).await,
        AppError::NotFound,
    )
    .await;
}

#[tokio::test]
async fn the_forms_work_without_javascript() {
    let server = TestServer::start(false).await;
    let (listing, seller) = offers_listing(&server, "seller", "1").await;
    let buyer = verified_member(&server, "ann").await;
    let listing_text = listing.to_string();

    // The form, rendered on the server, with its labelled fields.
    let (status, html) = html_of(&server, &format!("/l/{listing}/offer"), Some(&buyer)).await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "<label for=\"amount\">Offer amount</label>",
        "<label for=\"quantity\">Quantity</label>",
        ">Send offer</button>",
        "/api/offer/make",
    ] {
        assert!(html.contains(text), "{text} in the form");
    }
    // An anonymous visitor is asked to log in first.
    let (_, html) = html_of(&server, &format!("/l/{listing}/offer"), None).await;
    assert!(html.contains(&format!("/login?next=/l/{listing}/offer")));

    // A plain post of the make-an-offer form leads to the offer's page.
    let res = post(
        &server,
        Via::Form,
        "/api/offer/make",
        &[
            ("listing", listing_text.as_str()),
            ("amount", "800"),
            ("quantity", "1"),
        ],
        Some(&buyer),
    )
    .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let to = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let offer = to
        .strip_prefix("/offers/")
        .expect("the offer's page")
        .to_owned();
    assert_eq!(
        state_of(&server, &offer, &buyer).await.state,
        OfferState::Pending
    );

    // Each side sees the answers that are theirs to give.
    let (_, html) = html_of(&server, &format!("/offers/{offer}"), Some(&seller)).await;
    for text in [
        ">Accept</button>",
        ">Decline</button>",
        ">Counter</button>",
        "<label for=\"counter_amount\">Counter amount</label>",
    ] {
        assert!(html.contains(text), "{text} for the seller");
    }
    assert!(!html.contains(">Withdraw</button>"));
    let (_, html) = html_of(&server, &format!("/offers/{offer}"), Some(&buyer)).await;
    assert!(html.contains(">Withdraw</button>"));
    assert!(!html.contains(">Accept</button>") && !html.contains(">Counter</button>"));

    // The seller's counter, posted plainly, leads to the counter's page.
    let res = post(
        &server,
        Via::Form,
        "/api/offer/answer",
        &[
            ("offer", offer.as_str()),
            ("answer", "counter"),
            ("counter_amount", "950"),
        ],
        Some(&seller),
    )
    .await;
    assert!(res.status().is_redirection());
    let to = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let counter = to.strip_prefix("/offers/").unwrap().to_owned();
    assert_ne!(counter, offer);
    let res = post(
        &server,
        Via::Form,
        "/api/offer/answer",
        &[("offer", counter.as_str()), ("answer", "accept")],
        Some(&buyer),
    )
    .await;
    assert!(res.status().is_redirection());
    assert_eq!(
        res.headers()[header::LOCATION].to_str().unwrap(),
        format!("/offers/{counter}")
    );
    let done = state_of(&server, &counter, &seller).await;
    assert_eq!(done.state, OfferState::Accepted);

    // The pages render on the server for the parties, and for nobody else.
    let third = verified_member(&server, "mallory").await;
    let (status, html) = html_of(&server, &format!("/offers/{counter}"), Some(&buyer)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("/o/{}", done.order.unwrap())),
        "links the order room"
    );
    let (status, _) = html_of(&server, &format!("/offers/{counter}"), Some(&third)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, html) = html_of(&server, "/offers", Some(&seller)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("/offers/{counter}")));
    assert!(html.contains(&format!("/offers/{offer}")));
    let (status, html) = html_of(&server, &format!("/l/{listing}/offer"), Some(&third)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Oak chair"));
}

#[tokio::test]
async fn the_seller_hears_of_an_offer_live_with_a_link_to_it() {
    use futures::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let server = TestServer::start(false).await;
    let (listing, seller) = offers_listing(&server, "liveseller", "1").await;
    let buyer = verified_member(&server, "livebuyer").await;
    let mut socket = crate::common::ws_connect(&server, Some(&seller)).await;
    // The welcome and the unread count come first: the socket is registered.
    let mut seen = Vec::new();
    while seen.len() < 2 {
        if let Some(Ok(Message::Text(text))) = socket.next().await {
            seen.push(text.to_string());
        }
    }
    let res = make(&server, listing, "800", "1", Some(&buyer)).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let notice = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            if let Some(Ok(Message::Text(text))) = socket.next().await
                && text.contains(r#""type":"notice""#)
            {
                return text.to_string();
            }
        }
    })
    .await
    .expect("a notice within 5 s");
    assert!(notice.contains(r#""kind":"offer_received""#), "{notice}");
    assert!(notice.contains(r#""link":"/offers/"#), "{notice}");
}
