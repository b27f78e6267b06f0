//! The tab's one WebSocket: connects, subscribes to presence and every topic
//! a page follows, sends the pages' commands, applies server messages to
//! [`Live`], and reconnects with exponential backoff whenever it drops.

use crate::{
    domain::backoff::reconnect_delay_ms,
    live::Live,
    protocol::{NoticeEvent, SocketEvent, Subscription, Topic},
};
use futures::{SinkExt, StreamExt, channel::mpsc, future::Either};
use gloo_net::websocket::{Message, futures::WebSocket};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

/// The server sends a heartbeat every 20 s; silence for longer than this means the
/// connection is dead even if the browser has not noticed.
const SILENCE_MS: u32 = 50_000;

pub fn run(live: Live) {
    // Pages queue commands in `Live`, which wakes the socket task.
    let (wake_tx, mut wake_rx) = mpsc::unbounded::<()>();
    live.set_waker(std::sync::Arc::new(move || {
        let _ = wake_tx.unbounded_send(());
    }));
    leptos::task::spawn_local(async move {
        let mut attempt = 0;
        loop {
            if let Some(url) = socket_url()
                && let Ok(socket) = WebSocket::open(&url)
                && session(socket, live, &mut wake_rx).await
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
async fn session(socket: WebSocket, live: Live, wake: &mut mpsc::UnboundedReceiver<()>) -> bool {
    let (mut tx, mut rx) = socket.split();
    let mut answered = false;
    let mut ready = false;
    loop {
        let next = rx.next();
        let silence = TimeoutFuture::new(SILENCE_MS);
        let incoming = futures::future::select(next, silence);
        let text = match futures::future::select(incoming, wake.next()).await {
            Either::Left((Either::Left((Some(Ok(Message::Text(text))), _)), _)) => text,
            Either::Left((Either::Left((Some(Ok(Message::Bytes(_))), _)), _)) => continue,
            Either::Left(_) => return answered,
            Either::Right(_) => {
                // Subscriptions made before the welcome are sent with it.
                if ready && !flush(&mut tx, live.take_outgoing()).await {
                    return answered;
                }
                continue;
            }
        };
        answered = true;
        // An area's message is the following pages' to read (Live::follow).
        let Ok(msg) = serde_json::from_str::<SocketEvent>(&text) else {
            live.dispatch(&text);
            continue;
        };
        match msg {
            SocketEvent::Welcome { server_time_ms } => {
                live.clock_offset
                    .set(server_time_ms - js_sys::Date::now() as i64);
                live.connected.set(true);
                ready = true;
                // Subscriptions are per connection: renew them on every
                // (re)connect, which also brings fresh snapshots. Commands
                // queued while offline are stale and dropped.
                let _ = live.take_outgoing();
                let topics = live.topics();
                let renew = std::iter::once(&Topic::Presence)
                    .chain(&topics)
                    .filter_map(|topic| {
                        serde_json::to_string(&Subscription::Subscribe { topic }).ok()
                    })
                    .collect();
                if !flush(&mut tx, renew).await {
                    return answered;
                }
            }
            SocketEvent::Heartbeat { server_time_ms } => {
                live.clock_offset
                    .set(server_time_ms - js_sys::Date::now() as i64);
            }
            SocketEvent::Online { count } => live.online.set(Some(count)),
            SocketEvent::Notify(NoticeEvent::Unread { count }) => live.unread.set(Some(count)),
            SocketEvent::Notify(NoticeEvent::Notice {
                notification,
                unread,
            }) => {
                live.unread.set(Some(unread));
                live.notice.set(Some(notification));
            }
            SocketEvent::Notify(NoticeEvent::Messages { unread }) => {
                live.messages_unread.set(Some(unread))
            }
            SocketEvent::Notify(NoticeEvent::Ring { ring }) => live.ring.set(Some(ring)),
            SocketEvent::Notify(NoticeEvent::RingEnded { call }) => {
                if live
                    .ring
                    .with_untracked(|r| r.as_ref().is_some_and(|r| r.call == call))
                {
                    live.ring.set(None);
                }
            }
            SocketEvent::Pong => {}
        }
    }
}

async fn flush(
    tx: &mut futures::stream::SplitSink<WebSocket, Message>,
    frames: Vec<String>,
) -> bool {
    for frame in frames {
        if tx.send(Message::Text(frame)).await.is_err() {
            return false;
        }
    }
    true
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
