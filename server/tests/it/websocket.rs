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

/// Heartbeats too far apart to drop a socket the test is not reading.
const PATIENT: (&str, &str) = ("HAGGLE_WS_HEARTBEAT_MS", "60000");

#[tokio::test]
async fn online_count_rises_and_falls_in_every_tab() {
    // Counts go out at most once a second, with the count of that moment.
    let server = TestServer::start_with(false, &[PATIENT]).await;
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
    assert_eq!(server.state.hub.online(), 2);

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
    // watcher keeps reading (and so answering pings) meanwhile.
    let dropped = timeout(Duration::from_secs(5), async {
        while server.state.hub.online() != 1 {
            let _ = timeout(Duration::from_millis(20), watcher.next()).await;
        }
    })
    .await;
    assert!(dropped.is_ok());
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

/// The handshake's answer when the server refuses the upgrade.
async fn refused_status(server: &TestServer) -> Option<u16> {
    let mut req = server.ws_url().into_client_request().unwrap();
    let origin = format!("http://{}", server.addr);
    req.headers_mut()
        .insert("origin", HeaderValue::from_str(&origin).unwrap());
    match connect_async(req).await {
        Ok(_) => None,
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => Some(res.status().as_u16()),
        Err(other) => panic!("unexpected error {other:?}"),
    }
}

#[tokio::test]
async fn sockets_per_address_are_capped() {
    let server = TestServer::start_with(false, &[("HAGGLE_WS_PER_ADDRESS", "3"), PATIENT]).await;
    let (_first, _) = subscribed(&server).await;
    let mut open = vec![
        ws_connect(&server, None).await,
        ws_connect(&server, None).await,
    ];
    assert_eq!(refused_status(&server).await, Some(429));
    assert_eq!(server.state.hub.online(), 3);

    // A closed socket frees its place.
    open.pop().unwrap().close(None).await.unwrap();
    let freed = timeout(Duration::from_secs(5), async {
        while server.state.hub.online() != 2 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(freed.is_ok());
    assert_eq!(refused_status(&server).await, None);
}

/// Sends `count` pings at once and reads the answers: how many pongs and how
/// many refusals came back.
async fn flood(socket: &mut Socket, count: usize) -> (usize, usize) {
    for _ in 0..count {
        socket
            .feed(Message::text(
                serde_json::to_string(&ClientMsg::Ping).unwrap(),
            ))
            .await
            .unwrap();
    }
    socket.flush().await.unwrap();
    let (mut pongs, mut refused) = (0, 0);
    while pongs + refused < count {
        match next(socket).await {
            ServerMsg::Pong => pongs += 1,
            ServerMsg::Error {
                code: ErrorCode::RateLimited,
            } => refused += 1,
            ServerMsg::Online { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    (pongs, refused)
}

#[tokio::test]
async fn a_flood_of_messages_is_refused_then_the_socket_is_closed() {
    // A burst of 20, then one a second: the flood below takes well under it.
    let server = TestServer::start_with(false, &[("HAGGLE_WS_MESSAGES_PER_SECOND", "1")]).await;
    let (mut socket, _) = subscribed(&server).await;
    // The subscribe above was one of the burst.
    let (pongs, refused) = flood(&mut socket, 40).await;
    assert!((19..=21).contains(&pongs), "pongs: {pongs}");
    assert_eq!(pongs + refused, 40);

    // A client that goes on sending regardless is cut off.
    for _ in 0..200 {
        if socket
            .send(Message::text(
                serde_json::to_string(&ClientMsg::Ping).unwrap(),
            ))
            .await
            .is_err()
        {
            break;
        }
    }
    let mut closed = false;
    while let Ok(Some(frame)) = timeout(Duration::from_secs(5), socket.next()).await {
        if matches!(frame, Ok(Message::Close(_)) | Err(_)) {
            closed = true;
            break;
        }
    }
    assert!(closed);
}

/// Public auction listings of the demo data.
async fn public_auctions(server: &TestServer, count: i64) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT a.listing_id FROM auctions a JOIN listings l ON l.id = a.listing_id
          WHERE l.status = 'approved' ORDER BY a.listing_id LIMIT ?",
    )
    .bind(count)
    .fetch_all(&server.state.db)
    .await
    .unwrap()
}

fn is_snapshot(msg: &ServerMsg) -> bool {
    matches!(
        msg,
        ServerMsg::Auction(app::protocol::AuctionEvent::Snapshot { .. })
    )
}

#[tokio::test]
async fn rooms_and_subscribes_per_socket_are_capped() {
    // Ten subscribes at once, then one a minute: none comes back during the test.
    let server = TestServer::start_with(true, &[("HAGGLE_WS_SUBSCRIBES_PER_MINUTE", "1")]).await;
    let rooms = public_auctions(&server, 9).await;
    assert_eq!(rooms.len(), 9, "the demo data has auctions");
    let mut socket = ws_connect(&server, None).await;
    assert!(matches!(next(&mut socket).await, ServerMsg::Welcome { .. }));
    for &listing in &rooms[..8] {
        let topic = Topic::Auction { listing };
        send(&mut socket, &ClientMsg::Subscribe { topic }).await;
        assert!(is_snapshot(&next(&mut socket).await));
    }
    let ninth = Topic::Auction { listing: rooms[8] };
    send(
        &mut socket,
        &ClientMsg::Subscribe {
            topic: ninth.clone(),
        },
    )
    .await;
    assert_eq!(
        next(&mut socket).await,
        ServerMsg::Error {
            code: ErrorCode::TooManyRooms
        }
    );
    assert_eq!(server.state.hub.subscribers(&ninth), 0);

    // Leaving a room makes room; re-subscribing in a loop runs out of
    // subscribes.
    let first = Topic::Auction { listing: rooms[0] };
    send(
        &mut socket,
        &ClientMsg::Unsubscribe {
            topic: first.clone(),
        },
    )
    .await;
    send(
        &mut socket,
        &ClientMsg::Subscribe {
            topic: ninth.clone(),
        },
    )
    .await;
    assert!(is_snapshot(&next(&mut socket).await));
    send(
        &mut socket,
        &ClientMsg::Unsubscribe {
            topic: ninth.clone(),
        },
    )
    .await;
    send(
        &mut socket,
        &ClientMsg::Subscribe {
            topic: ninth.clone(),
        },
    )
    .await;
    assert_eq!(
        next(&mut socket).await,
        ServerMsg::Error {
            code: ErrorCode::RateLimited
        }
    );
    // Other messages still get through.
    send(&mut socket, &ClientMsg::Ping).await;
    assert_eq!(next(&mut socket).await, ServerMsg::Pong);
}
