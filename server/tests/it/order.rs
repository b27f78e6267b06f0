//! Orders over the router: each server function and room message of the
//! area refuses anonymous visitors, members who are not a party, and the
//! other party acting out of turn; the room travels live over real sockets.

use crate::common::{
    Socket, TestServer, call_as, error_of, public_listing, verified_member, ws_connect,
};
use app::{
    backend::platform::clock::now_ms,
    domain::{
        form::{Field, Problem},
        order::{DealRefusal, DealState, Party, Term},
    },
    error::AppError,
    model::{MyOrders, OrderRoom},
    protocol::{OrderEvent, ServerMsg},
};
use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::json;
use std::{collections::VecDeque, time::Duration};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

const DAY: i64 = 86_400_000;

/// The people of a deal, signed in: cookies of the seller, the buyer, a
/// member who is neither and an admin; and a public listing of two units.
struct Deal {
    server: TestServer,
    seller: String,
    buyer: String,
    stranger: String,
    admin: String,
    listing: i64,
}

async fn deal() -> Deal {
    let server = TestServer::start(false).await;
    let listed = public_listing(&server, "seller", "Oak chairs", "1500", "2", "fixed").await;
    Deal {
        buyer: verified_member(&server, "buyer").await,
        stranger: verified_member(&server, "stranger").await,
        server,
        seller: listed.seller,
        admin: listed.admin,
        listing: listed.id,
    }
}

impl Deal {
    async fn place(&self, cookie: Option<&str>, quantity: &str) -> reqwest::Response {
        let listing = self.listing.to_string();
        call_as(
            &self.server,
            "/api/order/place",
            &[
                ("listing", &listing),
                ("quantity", quantity),
                ("remark", "Evenings suit me"),
            ],
            cookie,
        )
        .await
    }

    /// The buyer's order of one unit: its public id.
    async fn order(&self) -> String {
        let res = self.place(Some(&self.buyer), "1").await;
        assert!(
            res.status().is_success() || res.status().is_redirection(),
            "{}",
            res.status()
        );
        sqlx::query_scalar("SELECT public_id FROM orders ORDER BY id DESC LIMIT 1")
            .fetch_one(&self.server.state.db)
            .await
            .unwrap()
    }

    async fn room(&self, cookie: Option<&str>, order: &str) -> reqwest::Response {
        call_as(&self.server, "/api/order/room", &[("order", order)], cookie).await
    }

    async fn room_of(&self, cookie: &str, order: &str) -> OrderRoom {
        let res = self.room(Some(cookie), order).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    async fn complete(&self, cookie: Option<&str>, order: &str, code: &str) -> reqwest::Response {
        call_as(
            &self.server,
            "/api/order/complete",
            &[("order", order), ("code", code)],
            cookie,
        )
        .await
    }

    async fn mine(&self, cookie: Option<&str>) -> reqwest::Response {
        call_as(&self.server, "/api/order/mine", &[], cookie).await
    }

    async fn tab(&self, cookie: Option<&str>) -> Tab {
        let mut tab = Tab {
            socket: ws_connect(&self.server, cookie).await,
            held: VecDeque::new(),
        };
        assert_eq!(tab.next().await.0["type"], "welcome");
        tab
    }
}

/// A browser tab's socket, speaking the wire format as JSON text.
struct Tab {
    socket: Socket,
    /// Messages received but not yet asked for: read, and as sent (the
    /// protocol's types read the tag first, which a `Value` reorders).
    held: VecDeque<(serde_json::Value, String)>,
}

impl Tab {
    /// Sends `msg` as written: the tag must come first (the server reads
    /// it before the rest), which a `serde_json::Value` would not keep.
    async fn send(&mut self, msg: String) {
        self.socket.send(Message::text(msg)).await.unwrap();
    }

    async fn next(&mut self) -> (serde_json::Value, String) {
        loop {
            let frame = timeout(Duration::from_secs(5), self.socket.next())
                .await
                .expect("a message in time");
            match frame {
                Some(Ok(Message::Text(text))) => {
                    let msg: serde_json::Value = serde_json::from_str(&text).unwrap();
                    if msg["type"] != "heartbeat" {
                        return (msg, text.to_string());
                    }
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                other => panic!("unexpected frame {other:?}"),
            }
        }
    }

    /// The first message, held or new, that `pick` accepts.
    async fn take(
        &mut self,
        pick: impl Fn(&serde_json::Value) -> bool,
    ) -> (serde_json::Value, String) {
        if let Some(i) = self.held.iter().position(|(m, _)| pick(m)) {
            return self.held.remove(i).unwrap();
        }
        loop {
            let msg = self.next().await;
            if pick(&msg.0) {
                return msg;
            }
            self.held.push_back(msg);
        }
    }

    async fn subscribe(&mut self, order: &str) -> serde_json::Value {
        self.send(format!(
            r#"{{"type":"subscribe","topic":{{"kind":"order","order":"{order}"}}}}"#
        ))
        .await;
        self.take(|m| m["type"] == "order_snapshot" || m["type"] == "error")
            .await
            .0
    }

    /// Sends a room command and returns its acknowledgement's result.
    async fn command(&mut self, (msg, req): (String, u32)) -> Result<(), AppError> {
        self.send(msg).await;
        let (_, ack) = self.take(|m| m["type"] == "ack" && m["req"] == req).await;
        match serde_json::from_str::<ServerMsg>(&ack).unwrap() {
            ServerMsg::Ack { result, .. } => result.map(|receipt| assert!(receipt.is_none())),
            other => panic!("not an ack: {other:?}"),
        }
    }

    /// The next update of the room, as the protocol reads it.
    async fn update(&mut self) -> app::model::OrderLive {
        let (_, msg) = self.take(|m| m["type"] == "order_update").await;
        match serde_json::from_str::<ServerMsg>(&msg).unwrap() {
            ServerMsg::Order(OrderEvent::Update { live }) => live,
            other => panic!("not an update: {other:?}"),
        }
    }
}

/// A room command as the page writes it, with its request number.
type Command = (String, u32);

fn edit(order: &str, term: &str, value: impl std::fmt::Display, req: u32) -> Command {
    let value = format!(r#"{{"term":"{term}","value":{value}}}"#);
    let msg = format!(r#"{{"type":"edit","order":"{order}","value":{value},"req":{req}}}"#);
    (msg, req)
}

fn tick(order: &str, term: &str, rev: i64, req: u32) -> Command {
    let msg = format!(
        r#"{{"type":"tick","order":"{order}","term":"{term}","rev":{rev},"on":true,"req":{req}}}"#
    );
    (msg, req)
}

fn confirm(order: &str, req: u32) -> Command {
    (
        format!(r#"{{"type":"confirm","order":"{order}","req":{req}}}"#),
        req,
    )
}

fn cancel(order: &str, reason: &str, req: u32) -> Command {
    let msg = format!(r#"{{"type":"cancel","order":"{order}","reason":"{reason}","req":{req}}}"#);
    (msg, req)
}

#[tokio::test]
async fn every_server_function_refuses_who_may_not_use_it() {
    let d = deal().await;
    // Placing: anonymous visitors, and the seller on their own listing.
    assert_eq!(
        error_of(d.place(None, "1").await).await,
        AppError::Unauthenticated
    );
    assert_eq!(
        error_of(d.place(Some(&d.seller), "1").await).await,
        AppError::Deal(DealRefusal::OwnListing)
    );
    assert_eq!(
        error_of(d.place(Some(&d.buyer), "3").await).await,
        AppError::Deal(DealRefusal::NotEnoughStock)
    );
    assert_eq!(
        error_of(d.place(Some(&d.buyer), "two").await)
            .await
            .problem_with(Field::Quantity),
        Some(Problem::InvalidFormat)
    );
    let order = d.order().await;

    // The room: its parties and admins; nobody else learns it exists.
    assert_eq!(
        error_of(d.room(None, &order).await).await,
        AppError::Unauthenticated
    );
    assert_eq!(
        error_of(d.room(Some(&d.stranger), &order).await).await,
        AppError::NotFound
    );
    let buyer = d.room_of(&d.buyer, &order).await;
    assert_eq!((buyer.you, buyer.live.quantity), (Some(Party::Buyer), 1));
    assert_eq!(buyer.remark, "Evenings suit me");
    assert_eq!(buyer.live.place, "MRT Daan");
    assert_eq!(d.room_of(&d.seller, &order).await.you, Some(Party::Seller));
    assert_eq!(d.room_of(&d.admin, &order).await.you, None);

    // Completing: the seller's, once established.
    assert_eq!(
        error_of(d.complete(None, &order, "123456").await).await,
        AppError::Unauthenticated
    );
    for outsider in [&d.stranger, &d.admin] {
        assert_eq!(
            error_of(d.complete(Some(outsider), &order, "123456").await).await,
            AppError::NotFound
        );
    }
    for party in [&d.buyer, &d.seller] {
        assert_eq!(
            error_of(d.complete(Some(party), &order, "123456").await).await,
            AppError::Deal(DealRefusal::NotYourTurn)
        );
    }

    // The lists: one's own only.
    assert_eq!(
        error_of(d.mine(None).await).await,
        AppError::Unauthenticated
    );
    let res = d.mine(Some(&d.stranger)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<MyOrders>().await.unwrap(),
        MyOrders {
            to_trade: vec![],
            history: vec![]
        }
    );
    for party in [&d.buyer, &d.seller] {
        let mine: MyOrders = d.mine(Some(party)).await.json().await.unwrap();
        assert_eq!(mine.history.len(), 1);
        assert_eq!(mine.history[0].order, order);
    }
}

#[tokio::test]
async fn the_room_lives_on_two_sockets_and_refuses_everyone_else() {
    let d = deal().await;
    let order = d.order().await;
    let mut buyer = d.tab(Some(&d.buyer)).await;
    let mut seller = d.tab(Some(&d.seller)).await;
    let snapshot = buyer.subscribe(&order).await;
    assert_eq!(snapshot["type"], "order_snapshot", "{snapshot}");
    assert_eq!(snapshot["live"]["order"], order.as_str());
    assert_eq!(seller.subscribe(&order).await["type"], "order_snapshot");

    // Nobody else joins or acts, whatever ids they send.
    let mut stranger = d.tab(Some(&d.stranger)).await;
    let forbidden = json!({"type": "error", "code": "forbidden"});
    assert_eq!(stranger.subscribe(&order).await, forbidden);
    let mut anonymous = d.tab(None).await;
    assert_eq!(anonymous.subscribe(&order).await, forbidden);
    assert_eq!(
        stranger.command(edit(&order, "price", 1, 1)).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        stranger.command(cancel(&order, "mine", 2)).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        anonymous.command(tick(&order, "price", 0, 3)).await,
        Err(AppError::Unauthenticated)
    );

    // The buyer accepts the price; the seller changes it; the tick clears
    // on the buyer's side at once.
    assert_eq!(buyer.command(tick(&order, "price", 0, 4)).await, Ok(()));
    let ticked = seller.update().await;
    assert!(ticked.ticks.has(Term::Price));
    assert_eq!(buyer.update().await, ticked);
    assert_eq!(seller.command(edit(&order, "price", 2800, 5)).await, Ok(()));
    let changed = buyer.update().await;
    assert_eq!(changed.seq, ticked.seq + 1);
    assert_eq!(changed.price.minor, 2800);
    assert!(!changed.ticks.has(Term::Price));
    assert_eq!(seller.update().await, changed);
    // A tick sent before the edit arrived is too late.
    assert_eq!(
        buyer.command(tick(&order, "price", 0, 6)).await,
        Err(AppError::Deal(DealRefusal::TermChanged))
    );

    // Out of turn: the buyer edits, the seller ticks, the seller confirms first.
    assert_eq!(
        buyer.command(edit(&order, "price", 1, 7)).await,
        Err(AppError::Deal(DealRefusal::NotYourTurn))
    );
    assert_eq!(
        seller.command(tick(&order, "quantity", 0, 8)).await,
        Err(AppError::Deal(DealRefusal::NotYourTurn))
    );
    assert_eq!(
        seller.command(confirm(&order, 9)).await,
        Err(AppError::Deal(DealRefusal::NotYourTurn))
    );

    // The deal: a time, four ticks, both confirmations.
    let meet = now_ms() + DAY;
    assert_eq!(seller.command(edit(&order, "time", meet, 10)).await, Ok(()));
    let mut live = buyer.update().await;
    for (i, term) in ["quantity", "price", "place", "time"]
        .into_iter()
        .enumerate()
    {
        let req = 11 + i as u32;
        assert_eq!(
            buyer.command(tick(&order, term, live.revs[i], req)).await,
            Ok(())
        );
        live = buyer.update().await;
    }
    assert!(live.ticks.all());
    assert_eq!(buyer.command(confirm(&order, 20)).await, Ok(()));
    assert_eq!(buyer.update().await.state, DealState::BuyerConfirmed);
    assert_eq!(seller.command(confirm(&order, 21)).await, Ok(()));
    assert_eq!(buyer.update().await.state, DealState::Established);

    // The handover: the buyer's code, typed by the seller.
    let code = d
        .room_of(&d.buyer, &order)
        .await
        .handover
        .expect("the buyer's code")
        .code;
    assert_eq!(d.room_of(&d.seller, &order).await.handover, None);
    assert_eq!(d.room_of(&d.admin, &order).await.handover, None);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(
        error_of(d.complete(Some(&d.seller), &order, wrong).await)
            .await
            .problem_with(Field::Code),
        Some(Problem::Wrong)
    );
    assert_eq!(
        error_of(d.complete(Some(&d.buyer), &order, &code).await).await,
        AppError::Deal(DealRefusal::NotYourTurn)
    );
    let res = d.complete(Some(&d.seller), &order, &code).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(buyer.update().await.state, DealState::Completed);
    for party in [&d.buyer, &d.seller] {
        let mine: MyOrders = d.mine(Some(party)).await.json().await.unwrap();
        assert_eq!(mine.history[0].state, DealState::Completed);
    }
    // Closed: nothing more.
    assert_eq!(
        buyer.command(cancel(&order, "late", 22)).await,
        Err(AppError::Deal(DealRefusal::Closed))
    );
    // The stranger's tab heard nothing of the room.
    stranger.send(r#"{"type":"ping"}"#.into()).await;
    stranger.take(|m| m["type"] == "pong").await;
    assert!(
        stranger
            .held
            .iter()
            .all(|(m, _)| !m["type"].as_str().unwrap_or_default().starts_with("order_"))
    );
}

impl Deal {
    async fn pay(&self, cookie: Option<&str>, order: &str) -> reqwest::Response {
        let key = "0123456789abcdef0123456789abcdef";
        call_as(
            &self.server,
            "/api/order/pay",
            &[("order", order), ("key", key)],
            cookie,
        )
        .await
    }

    async fn cancel_unpaid(&self, cookie: Option<&str>, order: &str) -> reqwest::Response {
        call_as(
            &self.server,
            "/api/order/cancel_unpaid",
            &[("order", order)],
            cookie,
        )
        .await
    }
}

#[tokio::test]
async fn paying_and_cancelling_unpaid_refuse_who_may_not_use_them() {
    let d = deal().await;
    let order = d.order().await;
    assert_eq!(
        error_of(d.pay(None, &order).await).await,
        AppError::Unauthenticated
    );
    for outsider in [&d.stranger, &d.admin] {
        assert_eq!(
            error_of(d.pay(Some(outsider), &order).await).await,
            AppError::NotFound
        );
    }
    // Still negotiating: nothing is paid before the deal stands, and never
    // by the seller.
    for party in [&d.buyer, &d.seller] {
        assert_eq!(
            error_of(d.pay(Some(party), &order).await).await,
            AppError::Deal(DealRefusal::NotYourTurn)
        );
    }
    assert_eq!(
        error_of(d.cancel_unpaid(None, &order).await).await,
        AppError::Unauthenticated
    );
    assert_eq!(
        error_of(d.cancel_unpaid(Some(&d.stranger), &order).await).await,
        AppError::NotFound
    );
    // Not a won auction's order waiting for payment.
    assert_eq!(
        error_of(d.cancel_unpaid(Some(&d.seller), &order).await).await,
        AppError::Deal(DealRefusal::Closed)
    );
    let holds: i64 = sqlx::query_scalar("SELECT count(*) FROM holds")
        .fetch_one(&d.server.state.db)
        .await
        .unwrap();
    assert_eq!(holds, 0);
}
