//! The tab's one WebSocket: connects, subscribes, applies server messages to
//! [`Live`], and reconnects with exponential backoff whenever it drops.

use crate::{
    domain::backoff::reconnect_delay_ms,
    live::Live,
    protocol::{ClientMsg, ServerMsg, Topic},
};
use futures::{SinkExt, StreamExt, future::Either};
use gloo_net::websocket::{Message, futures::WebSocket};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

/// The server sends a heartbeat every 20 s; silence for longer than this means the
/// connection is dead even if the browser has not noticed.
const SILENCE_MS: u32 = 50_000;

pub fn run(live: Live) {
    leptos::task::spawn_local(async move {
        let mut attempt = 0;
        loop {
            if let Some(url) = socket_url()
                && let Ok(socket) = WebSocket::open(&url)
                && session(socket, live).await
            {
                attempt = 0;
            }
            live.connected.set(false);
            TimeoutFuture::new(reconnect_delay_ms(attempt, js_sys::Math::random())).await;
            attempt = attempt.saturating_add(1);
        }
    });
}

/// Runs one connection until it ends; true if the server ever answered.
async fn session(socket: WebSocket, live: Live) -> bool {
    let (mut tx, mut rx) = socket.split();
    let mut answered = false;
    loop {
        let next = rx.next();
        let silence = TimeoutFuture::new(SILENCE_MS);
        let text = match futures::future::select(next, silence).await {
            Either::Left((Some(Ok(Message::Text(text))), _)) => text,
            Either::Left((Some(Ok(Message::Bytes(_))), _)) => continue,
            _ => return answered,
        };
        let Ok(msg) = serde_json::from_str::<ServerMsg>(&text) else {
            continue;
        };
        answered = true;
        match msg {
            ServerMsg::Welcome { .. } => {
                live.connected.set(true);
                // Subscriptions are per connection: renew them on every (re)connect,
                // which also brings a fresh snapshot.
                let subscribe = ClientMsg::Subscribe {
                    topic: Topic::Presence,
                };
                if let Ok(json) = serde_json::to_string(&subscribe)
                    && tx.send(Message::Text(json)).await.is_err()
                {
                    return answered;
                }
            }
            ServerMsg::Online { count } => live.online.set(Some(count)),
            ServerMsg::Heartbeat { .. } | ServerMsg::Pong | ServerMsg::Error { .. } => {}
        }
    }
}

fn socket_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/ws", location.host().ok()?))
}
