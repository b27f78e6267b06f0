//! Conversations over the router: the server functions and the socket
//! refuse everyone but the two members, whatever ids they send; messages,
//! typing and receipts travel live between two real sockets.

use crate::common::{
    Socket, TestServer, call_as, error_of, public_listing, verified_member, ws_connect,
};
use app::{
    domain::{
        form::{Field, Problem},
        order::DealRefusal,
    },
    error::AppError,
    model::{Blocked, Conversation, Inbox, MessagePage},
    protocol::ServerMsg,
};
use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::{collections::VecDeque, time::Duration};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

/// A public listing of the seller's, and three signed-in members: its
/// seller, a buyer and a member who is neither.
struct Talk {
    server: TestServer,
    seller: String,
    buyer: String,
    stranger: String,
    listing: i64,
}

async fn talk() -> Talk {
    let server = TestServer::start(false).await;
    let listed = public_listing(&server, "seller", "Oak chairs", "1500", "2", "fixed").await;
    Talk {
        buyer: verified_member(&server, "buyer").await,
        stranger: verified_member(&server, "stranger").await,
        server,
        seller: listed.seller,
        listing: listed.id,
    }
}

impl Talk {
    async fn open(&self, cookie: Option<&str>) -> reqwest::Response {
        let listing = self.listing.to_string();
        call_as(
            &self.server,
            "/api/chat/open",
            &[("listing", &listing)],
            cookie,
        )
        .await
    }

    /// The buyer's conversation about the listing: its public id.
    async fn conversation_id(&self) -> String {
        let res = self.open(Some(&self.buyer)).await;
        assert!(
            res.status().is_success() || res.status().is_redirection(),
            "{}",
            res.status()
        );
        sqlx::query_scalar("SELECT public_id FROM conversations ORDER BY id DESC LIMIT 1")
            .fetch_one(&self.server.state.db)
            .await
            .unwrap()
    }

    async fn call(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> reqwest::Response {
        call_as(&self.server, path, form, cookie).await
    }

    async fn read(&self, id: &str, cookie: Option<&str>) -> reqwest::Response {
        self.call("/api/chat/conversation", &[("id", id)], cookie)
            .await
    }

    async fn block(&self, member: &str, on: &str, cookie: Option<&str>) -> reqwest::Response {
        self.call("/api/chat/block", &[("member", member), ("on", on)], cookie)
            .await
    }

    async fn member_id(&self, username: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM users WHERE username = ?")
            .bind(username)
            .fetch_one(&self.server.state.db)
            .await
            .unwrap()
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
    held: VecDeque<(Value, String)>,
}

impl Tab {
    async fn send(&mut self, msg: String) {
        self.socket.send(Message::text(msg)).await.unwrap();
    }

    async fn next(&mut self) -> (Value, String) {
        loop {
            let frame = timeout(Duration::from_secs(5), self.socket.next())
                .await
                .expect("a message in time");
            match frame {
                Some(Ok(Message::Text(text))) => {
                    let msg: Value = serde_json::from_str(&text).unwrap();
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
    async fn take(&mut self, pick: impl Fn(&Value) -> bool) -> (Value, String) {
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

    async fn of_type(&mut self, kind: &str) -> Value {
        self.take(|m| m["type"] == kind).await.0
    }

    async fn subscribe(&mut self, conversation: &str) -> Value {
        self.send(format!(
            r#"{{"type":"subscribe","topic":{{"kind":"conversation","conversation":"{conversation}"}}}}"#
        ))
        .await;
        self.take(|m| m["type"] == "chat_snapshot" || m["type"] == "error")
            .await
            .0
    }

    /// Sends a message and returns its acknowledgement's result.
    async fn say(&mut self, conversation: &str, text: &str, req: u32) -> Result<(), AppError> {
        self.send(format!(
            r#"{{"type":"send","conversation":"{conversation}","text":"{text}","images":[],"req":{req}}}"#
        ))
        .await;
        let (_, ack) = self.take(|m| m["type"] == "ack" && m["req"] == req).await;
        match serde_json::from_str::<ServerMsg>(&ack).unwrap() {
            ServerMsg::Ack { result, .. } => result.map(|receipt| assert!(receipt.is_none())),
            other => panic!("not an ack: {other:?}"),
        }
    }

    /// Makes sure the server has handled everything sent before.
    async fn settle(&mut self) {
        self.send(r#"{"type":"ping"}"#.into()).await;
        self.of_type("pong").await;
    }

    fn heard(&self, kind: &str) -> bool {
        self.held.iter().any(|(m, _)| m["type"] == kind)
    }
}

#[tokio::test]
async fn every_server_function_refuses_who_may_not_use_it() {
    let t = talk().await;
    assert_eq!(
        error_of(t.open(None).await).await,
        AppError::Unauthenticated
    );
    assert_eq!(
        error_of(t.open(Some(&t.seller)).await).await,
        AppError::Deal(DealRefusal::OwnListing)
    );
    let id = t.conversation_id().await;
    assert_eq!(t.conversation_id().await, id);

    let read = |cookie| t.read(&id, cookie);
    for (cookie, refused) in [
        (None, AppError::Unauthenticated),
        (Some(t.stranger.as_str()), AppError::NotFound),
    ] {
        let res = read(cookie).await;
        assert_eq!(error_of(res).await, refused);
    }
    let res = read(Some(&t.stranger)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let made_up = t
        .call(
            "/api/chat/conversation",
            &[("id", "0123456789abcdef0123456789abcdef")],
            Some(&t.buyer),
        )
        .await;
    assert_eq!(error_of(made_up).await, AppError::NotFound);
    let older = t
        .call(
            "/api/chat/older",
            &[("id", &id), ("before", "1000")],
            Some(&t.stranger),
        )
        .await;
    assert_eq!(error_of(older).await, AppError::NotFound);
    assert_eq!(
        error_of(t.call("/api/chat/inbox", &[], None).await).await,
        AppError::Unauthenticated
    );

    for member in [&t.buyer, &t.seller] {
        let res = read(Some(member)).await;
        assert_eq!(res.status(), StatusCode::OK);
        let seen: Conversation = res.json().await.unwrap();
        assert_eq!(
            (seen.id.as_str(), seen.listing.id),
            (id.as_str(), t.listing)
        );
        assert!(seen.messages.is_empty());
    }
    let page: MessagePage = t
        .call(
            "/api/chat/older",
            &[("id", &id), ("before", "1000")],
            Some(&t.seller),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(page.messages.is_empty() && !page.more);

    // Blocking: the settings list, and not oneself.
    let buyer_id = t.member_id("buyer").await.to_string();
    let seller_id = t.member_id("seller").await.to_string();
    let block = |who, on, cookie| t.block(who, on, cookie);
    assert_eq!(
        error_of(block(&buyer_id, "true", None).await).await,
        AppError::Unauthenticated
    );
    assert_eq!(
        error_of(block(&seller_id, "true", Some(&t.seller)).await).await,
        AppError::Forbidden
    );
    assert_eq!(
        block(&buyer_id, "true", Some(&t.seller)).await.status(),
        StatusCode::OK
    );
    let list: Vec<Blocked> = t
        .call("/api/chat/blocked", &[], Some(&t.seller))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].member.id.to_string(), buyer_id);
    let seen: Conversation = read(Some(&t.buyer)).await.json().await.unwrap();
    assert!(seen.blocks.by_them && !seen.blocks.by_you);
}

#[tokio::test]
async fn a_conversation_lives_on_two_sockets_and_refuses_everyone_else() {
    let t = talk().await;
    let id = t.conversation_id().await;
    let buyer_id = t.member_id("buyer").await;
    let seller_id = t.member_id("seller").await;
    let mut buyer = t.tab(Some(&t.buyer)).await;
    let mut seller = t.tab(Some(&t.seller)).await;
    // A signed-in tab hears its unread messages after the welcome.
    assert_eq!(
        seller.of_type("messages").await,
        json!({"type": "messages", "unread": 0})
    );
    let snapshot = buyer.subscribe(&id).await;
    assert_eq!(snapshot["type"], "chat_snapshot", "{snapshot}");
    assert_eq!(snapshot["messages"], json!([]));
    assert_eq!(snapshot["reads"], json!([[buyer_id, 0], [seller_id, 0]]));
    assert_eq!(seller.subscribe(&id).await["type"], "chat_snapshot");

    // Nobody else follows or writes, whatever ids they send.
    let forbidden = json!({"type": "error", "code": "forbidden"});
    let mut stranger = t.tab(Some(&t.stranger)).await;
    assert_eq!(stranger.subscribe(&id).await, forbidden);
    let mut anonymous = t.tab(None).await;
    assert_eq!(anonymous.subscribe(&id).await, forbidden);
    assert_eq!(
        stranger.say(&id, "let me in", 1).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        anonymous.say(&id, "let me in", 2).await,
        Err(AppError::Unauthenticated)
    );
    stranger
        .send(format!(r#"{{"type":"typing","conversation":"{id}"}}"#))
        .await;
    stranger
        .send(format!(
            r#"{{"type":"read","conversation":"{id}","up_to":99}}"#
        ))
        .await;
    stranger.settle().await;

    // A message reaches the other side, and their unread count rises.
    assert_eq!(buyer.say(&id, "Is it still there?", 3).await, Ok(()));
    let arrived = seller.of_type("chat_message").await;
    assert_eq!(arrived["conversation"], id.as_str());
    assert_eq!(arrived["message"]["body"], "Is it still there?");
    assert_eq!(arrived["message"]["from"], buyer_id);
    let message = arrived["message"]["id"].as_i64().unwrap();
    assert_eq!(
        buyer.of_type("chat_message").await["message"]["id"],
        message
    );
    assert_eq!(
        seller.of_type("messages").await,
        json!({"type": "messages", "unread": 1})
    );

    // Typing, then the receipt.
    seller
        .send(format!(r#"{{"type":"typing","conversation":"{id}"}}"#))
        .await;
    assert_eq!(
        buyer.of_type("chat_typing").await,
        json!({"type": "chat_typing", "conversation": id, "user": seller_id})
    );
    seller
        .send(format!(
            r#"{{"type":"read","conversation":"{id}","up_to":{message}}}"#
        ))
        .await;
    assert_eq!(
        buyer.of_type("chat_seen").await,
        json!({"type": "chat_seen", "conversation": id, "user": seller_id, "up_to": message})
    );
    assert_eq!(
        seller.of_type("messages").await,
        json!({"type": "messages", "unread": 0})
    );
    assert_eq!(seller.say(&id, "Yes, come by", 4).await, Ok(()));
    assert_eq!(
        buyer.of_type("chat_message").await["message"]["body"],
        "Yes, come by"
    );

    // A tab opened later starts from the stored count.
    let mut later = t.tab(Some(&t.buyer)).await;
    assert_eq!(
        later.of_type("messages").await,
        json!({"type": "messages", "unread": 1})
    );
    let inbox: Inbox = t
        .call("/api/chat/inbox", &[], Some(&t.buyer))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inbox.unread, 1);
    assert_eq!(inbox.lines[0].last.as_deref(), Some("Yes, come by"));

    // Blocked: told clearly, nothing sent.
    let res = t
        .call(
            "/api/chat/block",
            &[("member", &buyer_id.to_string()), ("on", "true")],
            Some(&t.seller),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        buyer
            .say(&id, "Hello?", 5)
            .await
            .unwrap_err()
            .problem_with(Field::Message),
        Some(Problem::BlockedYou)
    );

    // The stranger's tab heard nothing of the conversation.
    stranger.settle().await;
    assert!(!stranger.heard("chat_message") && !stranger.heard("chat_typing"));
    assert!(!stranger.heard("chat_seen"));
}
