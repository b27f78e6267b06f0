//! Sockets: opening `/ws` as the site's pages do, sending, joining an
//! auction's room, and reading frames as the bidders need them.

use crate::{
    SNAPSHOT_WAIT,
    wire::{
        ACK_TAG, BATCH_TAG, ERROR_TAG, Frame, LiveState, SNAPSHOT_TAG, STEP_TAG, SnapshotWire,
        UPDATE_TAG, read_frame,
    },
};
use app::protocol::{ClientMsg, Topic};
use futures::{SinkExt, StreamExt};
use std::{
    collections::VecDeque,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    time::{Duration, Instant},
};
use tokio::{net::TcpStream, time::timeout};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async_with_config,
    tungstenite::{
        Message,
        client::IntoClientRequest,
        http::{HeaderValue, header},
        protocol::WebSocketConfig,
    },
};

pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Microseconds since the run began: every timestamp uses this one clock.
#[derive(Clone, Copy)]
pub(crate) struct Clock(pub(crate) Instant);

impl Clock {
    pub(crate) fn us(&self) -> u64 {
        u64::try_from(self.0.elapsed().as_micros()).unwrap_or(u64::MAX)
    }
}

/// The `n`-th address a client of the abuse run claims to come from (in
/// `X-Forwarded-For`, believed because that run names loopback as the
/// server's proxy): 198.18.0.0/15, the block set aside for benchmarks. Only
/// written into headers; nothing is ever sent to it.
pub(crate) fn claimed(n: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(0xC612_0000 | (n & 0x1_FFFF)))
}

/// Opens `/ws` as a page of the site would (same-origin `Origin`), signed in
/// when a session cookie is given.
pub(crate) async fn open(addr: SocketAddr, cookie: Option<&str>) -> Result<Ws, String> {
    open_as(addr, cookie, None).await
}

/// [`open`], claiming to come from `client` when one is given.
pub(crate) async fn open_as(
    addr: SocketAddr,
    cookie: Option<&str>,
    client: Option<IpAddr>,
) -> Result<Ws, String> {
    let mut request = format!("ws://{addr}/ws")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    let headers = request.headers_mut();
    let origin = HeaderValue::from_str(&format!("http://{addr}")).map_err(|e| e.to_string())?;
    headers.insert(header::ORIGIN, origin);
    if let Some(cookie) = cookie {
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(cookie).map_err(|e| e.to_string())?,
        );
    }
    if let Some(client) = client {
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_str(&client.to_string()).map_err(|e| e.to_string())?,
        );
    }
    // Frames here are small. tungstenite zero-fills its whole read buffer on
    // every read attempt, and the default 128 KiB per socket would also cost
    // thousands of watchers hundreds of MB.
    let config = WebSocketConfig::default().read_buffer_size(4 * 1024);
    let connect = connect_async_with_config(request, Some(config), true);
    match timeout(Duration::from_secs(30), connect).await {
        Ok(Ok((ws, _))) => Ok(ws),
        Ok(Err(e)) => Err(format!("WebSocket handshake: {e}")),
        Err(_) => Err("WebSocket handshake timed out".into()),
    }
}

pub(crate) async fn send(ws: &mut Ws, msg: &ClientMsg) -> Result<(), String> {
    let text = serde_json::to_string(msg).map_err(|e| e.to_string())?;
    ws.send(Message::text(text))
        .await
        .map_err(|e| format!("sending: {e}"))
}

/// Subscribes to the auction and reads up to its snapshot.
pub(crate) async fn join(ws: &mut Ws, listing: i64) -> Result<LiveState, String> {
    send(
        ws,
        &ClientMsg::Subscribe {
            topic: Topic::Auction { listing },
        },
    )
    .await?;
    let wait = async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => {
                    if text.starts_with(SNAPSHOT_TAG) {
                        let snapshot: SnapshotWire =
                            serde_json::from_str(&text).map_err(|e| format!("snapshot: {e}"))?;
                        return Ok(snapshot.room.live.state());
                    }
                    if text.starts_with(ERROR_TAG) {
                        return Err(format!("subscribing was refused: {}", text.as_str()));
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(format!("socket: {e}")),
                None => return Err("the socket closed before the snapshot".into()),
            }
        }
    };
    timeout(SNAPSHOT_WAIT, wait)
        .await
        .map_err(|_| "no auction snapshot within a minute".to_string())?
}

/// The next frame (a batch's members one by one, kept in `pending`), `None`
/// once the socket is gone.
pub(crate) async fn next_frame(
    ws: &mut Ws,
    pending: &mut VecDeque<Frame>,
) -> Option<Result<Frame, String>> {
    loop {
        if let Some(frame) = pending.pop_front() {
            return Some(Ok(frame));
        }
        match ws.next().await {
            Some(Ok(Message::Text(text))) => {
                if !(text.starts_with(UPDATE_TAG)
                    || text.starts_with(STEP_TAG)
                    || text.starts_with(BATCH_TAG)
                    || text.starts_with(ACK_TAG))
                {
                    return Some(Ok(Frame::Other));
                }
                if let Err(e) = read_frame(&text, pending) {
                    return Some(Err(format!("{e}: {}", text.as_str())));
                }
            }
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return None,
        }
    }
}
