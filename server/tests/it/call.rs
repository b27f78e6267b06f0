//! Video calls over the router: the call page and the call topic are the
//! conversation's two members' only; a call rings, connects and ends over
//! real sockets, and signals reach the other member and nobody else.

use crate::common::{
    Socket, TestServer, call_as, error_of, public_listing, verified_member, ws_connect,
};
use app::{api::call::CallPage, error::AppError};
use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use std::{collections::VecDeque, time::Duration};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

/// A buyer and a seller in a conversation about a listing, and a member
/// who is neither; their cookies.
struct Pair {
    server: TestServer,
    seller: String,
    buyer: String,
    stranger: String,
    conversation: String,
}

async fn pair() -> Pair {
    let server = TestServer::start_with(
        false,
        &[("HAGGLE_ICE_SERVERS", r#"[{"urls":"stun:127.0.0.1:3478"}]"#)],
    )
    .await;
    let listed = public_listing(&server, "seller", "Film camera", "3000", "1", "fixed").await;
    let (listing, seller) = (listed.id, listed.seller);
    let buyer = verified_member(&server, "buyer").await;
    let stranger = verified_member(&server, "stranger").await;
    // The conversation as the chat area opens one.
    sqlx::query(
        "INSERT INTO conversations (public_id, listing_id, buyer_id, seller_id, created_at, last_at)
         SELECT 'conv1', l.id, u.id, l.seller_id, 0, 0
           FROM listings l, users u WHERE l.id = ? AND u.username = 'buyer'",
    )
    .bind(listing)
    .execute(&server.state.db)
    .await
    .unwrap();
    Pair {
        server,
        seller,
        buyer,
        stranger,
        conversation: "conv1".into(),
    }
}

impl Pair {
    async fn page(&self, cookie: Option<&str>, conversation: &str) -> reqwest::Response {
        call_as(
            &self.server,
            "/api/call/page",
            &[("conversation", conversation)],
            cookie,
        )
        .await
    }

    async fn tab(&self, cookie: &str) -> Tab {
        let mut tab = Tab {
            socket: ws_connect(&self.server, Some(cookie)).await,
            held: VecDeque::new(),
        };
        assert_eq!(tab.next().await["type"], "welcome");
        tab
    }

    async fn user_id(&self, name: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM users WHERE username = ?")
            .bind(name)
            .fetch_one(&self.server.state.db)
            .await
            .unwrap()
    }
}

/// A browser tab's socket, speaking the wire format as JSON text.
struct Tab {
    socket: Socket,
    held: VecDeque<serde_json::Value>,
}

impl Tab {
    /// Sends `msg` as written (the tag first, as the server reads it).
    async fn send(&mut self, msg: String) {
        self.socket.send(Message::text(msg)).await.unwrap();
    }

    async fn next(&mut self) -> serde_json::Value {
        loop {
            let frame = timeout(Duration::from_secs(5), self.socket.next())
                .await
                .expect("a message in time");
            match frame {
                Some(Ok(Message::Text(text))) => {
                    let msg: serde_json::Value = serde_json::from_str(&text).unwrap();
                    if !matches!(msg["type"].as_str(), Some("heartbeat" | "online")) {
                        return msg;
                    }
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                other => panic!("unexpected frame {other:?}"),
            }
        }
    }

    async fn take(&mut self, pick: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        if let Some(i) = self.held.iter().position(&pick) {
            return self.held.remove(i).unwrap();
        }
        loop {
            let msg = self.next().await;
            if pick(&msg) {
                return msg;
            }
            self.held.push_back(msg);
        }
    }

    /// Everything that arrived before the answer to a ping: what the server
    /// sent this tab so far.
    async fn so_far(&mut self) -> Vec<serde_json::Value> {
        self.send(r#"{"type":"ping"}"#.into()).await;
        let mut got: Vec<serde_json::Value> = self.held.drain(..).collect();
        loop {
            let msg = self.next().await;
            if msg["type"] == "pong" {
                return got;
            }
            got.push(msg);
        }
    }

    async fn subscribe(&mut self, conversation: &str) -> serde_json::Value {
        self.send(format!(
            r#"{{"type":"subscribe","topic":{{"kind":"call","conversation":"{conversation}"}}}}"#
        ))
        .await;
        self.take(|m| m["type"] == "call_state" || m["type"] == "error")
            .await
    }

    /// Sends a call command with request number `req`; its ack's result.
    async fn command(&mut self, kind: &str, conversation: &str, req: u32) -> serde_json::Value {
        self.send(format!(
            r#"{{"type":"{kind}","conversation":"{conversation}","req":{req}}}"#
        ))
        .await;
        self.take(|m| m["type"] == "ack" && m["req"] == req).await["result"].clone()
    }

    async fn state(&mut self) -> serde_json::Value {
        self.take(|m| m["type"] == "call_state").await["call"].clone()
    }
}

fn offer(conversation: &str) -> String {
    format!(
        r#"{{"type":"signal","conversation":"{conversation}","signal":{{"kind":"description","sdp_type":"offer","sdp":"v=0\r\n"}}}}"#
    )
}

#[tokio::test]
async fn only_the_two_members_get_the_call_page() {
    let p = pair().await;
    assert_eq!(
        error_of(p.page(None, &p.conversation).await).await,
        AppError::Unauthenticated
    );
    for conversation in [p.conversation.as_str(), "nope"] {
        assert_eq!(
            error_of(p.page(Some(&p.stranger), conversation).await).await,
            AppError::NotFound
        );
    }
    let res = p.page(Some(&p.buyer), &p.conversation).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page: CallPage = res.json().await.unwrap();
    assert_eq!(page.me.id, p.user_id("buyer").await);
    assert_eq!(page.other.id, p.user_id("seller").await);
    assert_eq!(page.title, "Film camera");
    assert_eq!(page.call, None);
    assert_eq!(page.ice_servers[0].urls, ["stun:127.0.0.1:3478"]);
}

#[tokio::test]
async fn a_call_rings_connects_and_ends_between_its_members_only() {
    let p = pair().await;
    let conv = p.conversation.clone();
    let buyer_id = p.user_id("buyer").await;
    let seller_id = p.user_id("seller").await;
    let mut a = p.tab(&p.buyer).await;
    let mut b = p.tab(&p.seller).await;
    let mut c = p.tab(&p.stranger).await;
    // A tab of the seller elsewhere in the app: it rings, it hears no signal.
    let mut b_elsewhere = p.tab(&p.seller).await;

    assert_eq!(a.subscribe(&conv).await["call"], serde_json::Value::Null);
    assert_eq!(b.subscribe(&conv).await["call"], serde_json::Value::Null);
    // The stranger is refused, whatever they send.
    let refused = c.subscribe(&conv).await;
    assert_eq!(
        (refused["type"].as_str(), refused["code"].as_str()),
        (Some("error"), Some("forbidden"))
    );
    assert_eq!(c.command("call", &conv, 1).await["Err"], "NotFound");
    c.send(offer(&conv)).await;
    assert_eq!(c.take(|m| m["type"] == "error").await["code"], "forbidden");

    assert_eq!(
        a.command("call", &conv, 1).await["Ok"],
        serde_json::Value::Null
    );
    assert_eq!(a.state().await["phase"], "ringing");
    let ringing = b.state().await;
    assert_eq!(ringing["phase"], "ringing");
    assert_eq!(ringing["polite"], seller_id);
    let ring = b_elsewhere.take(|m| m["type"] == "ring").await;
    assert_eq!(ring["ring"]["caller"]["id"], buyer_id);
    assert_eq!(ring["ring"]["conversation"], conv.as_str());
    // Ringing: no signals yet; the caller cannot answer their own call.
    assert_eq!(a.command("answer", &conv, 2).await["Err"], "Forbidden");

    assert_eq!(
        b.command("answer", &conv, 3).await["Ok"],
        serde_json::Value::Null
    );
    assert_eq!(a.state().await["phase"], "connected");
    assert_eq!(b.state().await["phase"], "connected");
    b_elsewhere.take(|m| m["type"] == "ring_ended").await;

    a.send(offer(&conv)).await;
    let signal = b.take(|m| m["type"] == "call_signal").await;
    assert_eq!(signal["from"], buyer_id);
    assert_eq!(signal["signal"]["sdp"], "v=0\r\n");
    b.send(format!(
        r#"{{"type":"media","conversation":"{conv}","muted":true,"camera_off":true}}"#
    ))
    .await;
    let media = a.take(|m| m["type"] == "call_media").await;
    assert_eq!(
        (media["muted"].as_bool(), media["camera_off"].as_bool()),
        (Some(true), Some(true))
    );
    // Nobody else heard a thing of the call's signaling.
    for tab in [&mut c, &mut b_elsewhere] {
        let heard = tab.so_far().await;
        assert!(
            heard
                .iter()
                .all(|m| !m["type"].as_str().unwrap_or("").starts_with("call_")),
            "{heard:?}"
        );
    }
    assert!(a.so_far().await.iter().all(|m| m["type"] != "call_signal"));

    assert_eq!(
        b.command("hang_up", &conv, 4).await["Ok"],
        serde_json::Value::Null
    );
    for tab in [&mut a, &mut b] {
        let ended = tab.state().await;
        assert_eq!(ended["phase"], "ended");
        assert!(
            ended["outcome"]["completed"]["duration_ms"]
                .as_i64()
                .unwrap()
                >= 0
        );
    }
    // Over: signals are refused.
    a.send(offer(&conv)).await;
    assert_eq!(a.take(|m| m["type"] == "error").await["code"], "forbidden");
}

#[tokio::test]
async fn a_tab_opened_while_a_call_rings_rings_at_once() {
    let p = pair().await;
    let mut a = p.tab(&p.buyer).await;
    a.subscribe(&p.conversation).await;
    assert_eq!(
        a.command("call", &p.conversation, 1).await["Ok"],
        serde_json::Value::Null
    );
    // The seller opens a tab now: it rings; the buyer's new tab does not.
    let mut late = p.tab(&p.seller).await;
    let ring = late.take(|m| m["type"] == "ring").await;
    assert_eq!(ring["ring"]["conversation"], p.conversation.as_str());
    let mut caller_again = p.tab(&p.buyer).await;
    assert!(
        caller_again
            .so_far()
            .await
            .iter()
            .all(|m| m["type"] != "ring")
    );
}
