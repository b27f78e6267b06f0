//! `GET /ws`: one WebSocket per tab, speaking [`crate::protocol`].

use super::{
    AppState,
    clock::now_ms,
    hub::{ConnId, Hub},
    origin::same_origin,
};
use crate::protocol::{ClientMsg, ErrorCode, ServerMsg, Topic};
use axum::{
    extract::{
        State, WebSocketUpgrade,
        ws::{Message, WebSocket},
    },
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use futures::{SinkExt, StreamExt, stream::SplitSink};
use std::time::Duration;
use tokio::time::{Instant, MissedTickBehavior, timeout};

/// Client frames are small commands; anything bigger is refused by the socket.
const MAX_FRAME: usize = 16 * 1024;
/// A socket that cannot take a frame within this time is treated as gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn handler(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, "cross-origin WebSocket refused").into_response();
    }
    let hub = state.hub.clone();
    let heartbeat = state.config.heartbeat;
    ws.max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| serve(socket, hub, heartbeat))
}

async fn serve(socket: WebSocket, hub: Hub, heartbeat: Duration) {
    let mut conn = hub.connect();
    let (mut sink, mut stream) = socket.split();
    let mut ticker = tokio::time::interval_at(Instant::now() + heartbeat, heartbeat);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last_heard = Instant::now();

    if send(
        &mut sink,
        &ServerMsg::Welcome {
            server_time_ms: now_ms(),
        },
    )
    .await
    .is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            outgoing = conn.recv() => match outgoing {
                Some(msg) => if send(&mut sink, &msg).await.is_err() { break },
                None => break,
            },
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    last_heard = Instant::now();
                    if let Some(reply) = handle(&hub, conn.id, text.as_str())
                        && send(&mut sink, &reply).await.is_err()
                    {
                        break;
                    }
                }
                Some(Ok(Message::Binary(_))) => {
                    last_heard = Instant::now();
                    let reply = ServerMsg::Error { code: ErrorCode::BadMessage };
                    if send(&mut sink, &reply).await.is_err() { break }
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => last_heard = Instant::now(),
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
            },
            _ = ticker.tick() => {
                if last_heard.elapsed() > heartbeat * 3 {
                    tracing::debug!(conn = conn.id, "closing silent WebSocket");
                    break;
                }
                let ping = timeout(SEND_TIMEOUT, sink.send(Message::Ping(Default::default()))).await;
                if !matches!(ping, Ok(Ok(()))) { break }
                if send(&mut sink, &ServerMsg::Heartbeat { server_time_ms: now_ms() }).await.is_err() { break }
            }
        }
    }
    let _ = timeout(SEND_TIMEOUT, sink.send(Message::Close(None))).await;
}

/// Applies one client message; returns a direct reply if there is one.
fn handle(hub: &Hub, conn: ConnId, text: &str) -> Option<ServerMsg> {
    match serde_json::from_str::<ClientMsg>(text) {
        Ok(ClientMsg::Ping) => Some(ServerMsg::Pong),
        Ok(ClientMsg::Subscribe { topic }) => {
            if may_subscribe(&topic) {
                hub.subscribe(conn, topic);
                None
            } else {
                Some(ServerMsg::Error {
                    code: ErrorCode::Forbidden,
                })
            }
        }
        Ok(ClientMsg::Unsubscribe { topic }) => {
            hub.unsubscribe(conn, &topic);
            None
        }
        Err(_) => Some(ServerMsg::Error {
            code: ErrorCode::BadMessage,
        }),
    }
}

/// Who may follow a topic. Rooms that belong to particular users (orders,
/// conversations, calls) answer from the session here.
fn may_subscribe(topic: &Topic) -> bool {
    match topic {
        Topic::Presence => true,
    }
}

#[derive(Debug)]
struct Gone;

async fn send(sink: &mut SplitSink<WebSocket, Message>, msg: &ServerMsg) -> Result<(), Gone> {
    let text = serde_json::to_string(msg).map_err(|_| Gone)?;
    match timeout(SEND_TIMEOUT, sink.send(Message::Text(text.into()))).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(Gone),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_answered_or_refused() {
        let hub = Hub::default();
        let conn = hub.connect();
        assert_eq!(
            handle(&hub, conn.id, r#"{"type":"ping"}"#),
            Some(ServerMsg::Pong)
        );
        assert_eq!(
            handle(&hub, conn.id, r#"{"type":"bid"}"#),
            Some(ServerMsg::Error {
                code: ErrorCode::BadMessage
            })
        );
        assert_eq!(
            handle(
                &hub,
                conn.id,
                r#"{"type":"subscribe","topic":{"kind":"presence"}}"#
            ),
            None
        );
        assert_eq!(hub.subscribers(&Topic::Presence), 1);
        assert_eq!(
            handle(
                &hub,
                conn.id,
                r#"{"type":"unsubscribe","topic":{"kind":"presence"}}"#
            ),
            None
        );
        assert_eq!(hub.subscribers(&Topic::Presence), 0);
    }
}
