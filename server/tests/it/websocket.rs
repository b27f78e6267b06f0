use crate::common::{Socket, TestServer, ws_connect};
use app::protocol::{ClientMsg, ErrorCode, ServerMsg, Topic};
use futures::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::time::timeout;
use tokio_tungstenite::{
    connect_async,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue},
};

async fn send(socket: &mut Socket, msg: &ClientMsg) {
    socket
        .send(Message::text(serde_json::to_string(msg).unwrap()))
        .await
        .unwrap();
}

/// The next application message, skipping heartbeats.
async fn next(socket: &mut Socket) -> ServerMsg {
    loop {
        let frame = timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a message in time");
        match frame {
            Some(Ok(Message::Text(text))) => match serde_json::from_str(&text).unwrap() {
                ServerMsg::Heartbeat { .. } => continue,
                msg => return msg,
            },
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

async fn subscribed(server: &TestServer) -> (Socket, u32) {
    let mut socket = ws_connect(server, None).await;
    assert!(
        matches!(next(&mut socket).await, ServerMsg::Welcome { server_time_ms } if server_time_ms > 0)
    );
    send(
        &mut socket,
        &ClientMsg::Subscribe {
            topic: Topic::Presence,
        },
    )
    .await;
    match next(&mut socket).await {
        ServerMsg::Online { count } => (socket, count),
        other => panic!("expected a presence snapshot, got {other:?}"),
    }
}

#[tokio::test]
async fn online_count_rises_and_falls_in_every_tab() {
    let server = TestServer::start(false).await;
    let (mut a, count) = subscribed(&server).await;
    assert_eq!(count, 1);

    let (mut b, count) = subscribed(&server).await;
    assert_eq!(count, 2);
    assert_eq!(next(&mut a).await, ServerMsg::Online { count: 2 });

    b.close(None).await.unwrap();
    assert_eq!(next(&mut a).await, ServerMsg::Online { count: 1 });
    assert_eq!(server.state.hub.online(), 1);
}

#[tokio::test]
async fn commands_get_answers_and_bad_frames_are_refused() {
    let server = TestServer::start(false).await;
    let (mut socket, _) = subscribed(&server).await;
    send(&mut socket, &ClientMsg::Ping).await;
    assert_eq!(next(&mut socket).await, ServerMsg::Pong);
    socket
        .send(Message::text("{\"type\":\"steal\"}"))
        .await
        .unwrap();
    assert_eq!(
        next(&mut socket).await,
        ServerMsg::Error {
            code: ErrorCode::BadMessage
        }
    );
    socket.send(Message::binary(vec![1, 2, 3])).await.unwrap();
    assert_eq!(
        next(&mut socket).await,
        ServerMsg::Error {
            code: ErrorCode::BadMessage
        }
    );
    // The connection survives bad input.
    send(
        &mut socket,
        &ClientMsg::Unsubscribe {
            topic: Topic::Presence,
        },
    )
    .await;
    send(&mut socket, &ClientMsg::Ping).await;
    assert_eq!(next(&mut socket).await, ServerMsg::Pong);
    assert_eq!(server.state.hub.subscribers(&Topic::Presence), 0);
}

#[tokio::test]
async fn oversized_frames_close_the_socket() {
    let server = TestServer::start(false).await;
    let (mut socket, _) = subscribed(&server).await;
    socket
        .send(Message::text("x".repeat(64 * 1024)))
        .await
        .unwrap();
    let ended = timeout(Duration::from_secs(5), async {
        while let Some(frame) = socket.next().await {
            if matches!(frame, Ok(Message::Close(_)) | Err(_)) {
                return true;
            }
        }
        true
    })
    .await;
    assert_eq!(ended, Ok(true));
}

#[tokio::test]
async fn heartbeats_flow_and_silent_clients_are_dropped() {
    let server = TestServer::start(false).await;
    let (mut watcher, _) = subscribed(&server).await;
    let mut socket = ws_connect(&server, None).await;
    assert_eq!(next(&mut watcher).await, ServerMsg::Online { count: 2 });

    // The watcher keeps reading (so it answers pings) and sees heartbeats.
    let beat = timeout(Duration::from_secs(5), async {
        loop {
            if let Some(Ok(Message::Text(t))) = watcher.next().await
                && let Ok(ServerMsg::Heartbeat { server_time_ms }) = serde_json::from_str(&t)
            {
                return server_time_ms;
            }
        }
    })
    .await
    .unwrap();
    assert!(beat > 0);

    // `socket` never reads, so it never answers pings: after three silent
    // heartbeat intervals (100 ms each here) the server gives up on it. The
    // watcher keeps reading (and so answering pings) until it hears that.
    assert_eq!(next(&mut watcher).await, ServerMsg::Online { count: 1 });
    let mut closed = false;
    while let Ok(Some(frame)) = timeout(Duration::from_secs(5), socket.next()).await {
        if matches!(frame, Ok(Message::Close(_)) | Err(_)) {
            closed = true;
            break;
        }
    }
    assert!(closed);
}

#[tokio::test]
async fn foreign_origins_are_refused() {
    let server = TestServer::start(false).await;
    let mut req = server.ws_url().into_client_request().unwrap();
    req.headers_mut()
        .insert("origin", HeaderValue::from_static("http://evil.example"));
    let err = connect_async(req).await.expect_err("handshake must fail");
    match err {
        tokio_tungstenite::tungstenite::Error::Http(res) => assert_eq!(res.status(), 403),
        other => panic!("unexpected error {other:?}"),
    }
    assert_eq!(server.state.hub.online(), 0);
}

#[tokio::test]
async fn shutdown_closes_live_sockets() {
    let server = TestServer::start(false).await;
    let (mut socket, _) = subscribed(&server).await;
    let stopping = tokio::spawn(server.stop());
    let mut closed = false;
    while let Ok(Some(frame)) = timeout(Duration::from_secs(5), socket.next()).await {
        if matches!(frame, Ok(Message::Close(_)) | Err(_)) {
            closed = true;
            break;
        }
    }
    assert!(closed);
    stopping.await.unwrap().unwrap();
}
