//! `GET /ws`: one WebSocket per tab, speaking [`crate::protocol`].

use super::hub::{Admission, Connection};
use crate::backend::{
    AppState,
    account::logins,
    auction, call, chat, notify, order,
    platform::{client::ClientAddr, clock::now_ms, config::SocketLimits},
    web::{origin::same_origin, session},
};
use crate::domain::id::UserId;
use crate::protocol::{ClientMsg, ErrorCode, NoticeEvent, ServerMsg, Topic};
use axum::{
    Extension,
    extract::{
        State, WebSocketUpgrade,
        ws::{CloseFrame, Message, WebSocket, close_code},
    },
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use futures::{SinkExt, StreamExt, stream::SplitSink};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::{collections::HashSet, num::NonZeroU32, time::Duration};
use tokio::time::{Instant, MissedTickBehavior, timeout};
use tower_sessions::Session;

/// Client frames are small commands; anything bigger is refused by the socket.
const MAX_FRAME: usize = 16 * 1024;
const READ_BUFFER: usize = 4 * 1024;
/// A socket that cannot take a frame within this time is treated as gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Auction rooms one socket may be in: a tab shows one; a few more cover
/// pages that come and go, not a script watching every room at once.
pub const MAX_ROOMS: usize = 8;
/// Messages refused in a row (over the rate) before the socket is closed: a
/// client that does not slow down when told is not a browser tab.
const MAX_REFUSED: u32 = 50;

pub async fn handler(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    Extension(client): Extension<ClientAddr>,
    headers: HeaderMap,
    session: Session,
) -> Response {
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, "cross-origin WebSocket refused").into_response();
    }
    // Counted before any work: the place is held while the socket is open.
    let Some(admission) = state
        .hub
        .admit(client.network(), state.config.sockets.per_address)
    else {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            "too many live connections from this address",
        )
            .into_response();
    };
    // Who this is comes from the session cookie, once, here; every command
    // later acts for this user only. Ending the login closes the socket.
    let user = match session::login_id(&session).await {
        Some(login) => match session::account(&state, &session).await {
            Ok(Some(account)) => Some(User {
                admin: account.role() == crate::backend::account::Role::Admin,
                id: account.id,
                name: account.nickname,
                login,
            }),
            Ok(None) => None,
            Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        },
        None => None,
    };
    ws.max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        // Commands are small. The default 128 KiB read buffer is zeroed on
        // every poll, which in a crowded room cost a third of the CPU.
        .read_buffer_size(READ_BUFFER)
        .on_upgrade(move |socket| serve(socket, state, user, admission))
}

/// A socket's allowance of messages (`per_second`, after a burst of
/// `burst`); `None` when the limit is off (0).
fn allowance(burst: u32, per: Duration, count: u32) -> Option<DefaultDirectRateLimiter> {
    let count = NonZeroU32::new(count)?;
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    let every = (per / count.get()).max(Duration::from_nanos(1));
    Some(RateLimiter::direct(
        Quota::with_period(every)?.allow_burst(burst),
    ))
}

/// What one socket may send.
struct Allowance {
    messages: Option<DefaultDirectRateLimiter>,
    subscribes: Option<DefaultDirectRateLimiter>,
    /// Messages refused since the last one let through.
    refused: u32,
}

impl Allowance {
    fn new(limits: SocketLimits) -> Allowance {
        Allowance {
            messages: allowance(
                SocketLimits::MESSAGE_BURST,
                Duration::from_secs(1),
                limits.messages_per_second,
            ),
            subscribes: allowance(
                SocketLimits::SUBSCRIBE_BURST,
                Duration::from_secs(60),
                limits.subscribes_per_minute,
            ),
            refused: 0,
        }
    }

    /// Counts one incoming message: whether it may be handled.
    fn message(&mut self) -> bool {
        let allowed = self.messages.as_ref().is_none_or(|l| l.check().is_ok());
        self.refused = if allowed { 0 } else { self.refused + 1 };
        allowed
    }

    /// Whether the client ignored so many refusals that it is cut off.
    fn exhausted(&self) -> bool {
        self.refused > MAX_REFUSED
    }

    fn subscribe(&self) -> bool {
        self.subscribes.as_ref().is_none_or(|l| l.check().is_ok())
    }
}

/// The signed-in user of a socket.
struct User {
    id: i64,
    name: String,
    login: String,
    admin: bool,
}

impl User {
    fn viewer(&self) -> order::Viewer {
        order::Viewer {
            id: crate::domain::id::UserId(self.id),
            admin: self.admin,
        }
    }
}

/// One socket's side of the conversation.
struct Client {
    state: AppState,
    conn: Connection,
    user: Option<User>,
    /// Auction rooms this socket is in, to say goodbye when it closes.
    rooms: HashSet<i64>,
    /// Negotiation rooms this socket follows (capped like auction rooms).
    orders: HashSet<String>,
    /// Conversations this socket follows (capped like auction rooms).
    conversations: HashSet<String>,
    /// Conversations whose calls this socket follows (capped likewise).
    calls: HashSet<String>,
    allowance: Allowance,
}

async fn serve(socket: WebSocket, state: AppState, user: Option<User>, _admission: Admission) {
    let heartbeat = state.config.heartbeat;
    let allowance = Allowance::new(state.config.sockets);
    let conn = match &user {
        Some(user) => state.hub.connect_login(user.id, user.login.clone()),
        None => state.hub.connect(None),
    };
    let mut client = Client {
        state,
        conn,
        user,
        rooms: HashSet::new(),
        orders: HashSet::new(),
        conversations: HashSet::new(),
        calls: HashSet::new(),
        allowance,
    };
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
    .is_ok()
        && client.send_unread(&mut sink).await.is_ok()
        && client.send_messages_unread(&mut sink).await.is_ok()
        && client.send_rings(&mut sink).await.is_ok()
    {
        loop {
            tokio::select! {
                outgoing = client.conn.recv() => match outgoing {
                    Some(frame) => if flush_queue(&mut sink, &mut client.conn, frame).await.is_err() { break },
                    None => break,
                },
                incoming = stream.next() => match incoming {
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                    Some(Ok(_)) if !client.allowance.message() => {
                        last_heard = Instant::now();
                        if client.allowance.exhausted() {
                            tracing::debug!(conn = client.conn.id, "closing a flooding WebSocket");
                            let close = CloseFrame { code: close_code::POLICY, reason: "too many messages".into() };
                            let _ = timeout(SEND_TIMEOUT, sink.send(Message::Close(Some(close)))).await;
                            break;
                        }
                        let reply = ServerMsg::Error { code: ErrorCode::RateLimited };
                        if send(&mut sink, &reply).await.is_err() { break }
                    }
                    Some(Ok(Message::Text(text))) => {
                        last_heard = Instant::now();
                        if let Some(reply) = client.handle(text.as_str()).await
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
                },
                _ = ticker.tick() => {
                    if last_heard.elapsed() > heartbeat * 3 {
                        tracing::debug!(conn = client.conn.id, "closing silent WebSocket");
                        break;
                    }
                    if !client.login_stands().await {
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
    client.leave_rooms();
}

impl Client {
    /// Applies one client message; returns a direct reply if there is one.
    async fn handle(&mut self, text: &str) -> Option<ServerMsg> {
        let msg = match serde_json::from_str::<ClientMsg>(text) {
            Ok(msg) => msg,
            Err(_) => {
                return Some(ServerMsg::Error {
                    code: ErrorCode::BadMessage,
                });
            }
        };
        if matches!(msg, ClientMsg::Subscribe { .. }) && !self.allowance.subscribe() {
            return Some(ServerMsg::Error {
                code: ErrorCode::RateLimited,
            });
        }
        match msg {
            ClientMsg::Ping => Some(ServerMsg::Pong),
            ClientMsg::Subscribe {
                topic: Topic::Auction { listing },
            } if !self.rooms.contains(&listing) && self.rooms.len() >= MAX_ROOMS => {
                Some(ServerMsg::Error {
                    code: ErrorCode::TooManyRooms,
                })
            }
            ClientMsg::Subscribe {
                topic: Topic::Order { order },
            } if !self.orders.contains(&order) && self.orders.len() >= MAX_ROOMS => {
                Some(ServerMsg::Error {
                    code: ErrorCode::TooManyRooms,
                })
            }
            ClientMsg::Subscribe {
                topic: Topic::Order { order },
            } => {
                let viewer = self.user.as_ref().map(User::viewer);
                match order::socket::join(&self.state, self.conn.id, viewer, &order).await {
                    Ok(()) => {
                        self.orders.insert(order);
                        None
                    }
                    Err(_) => Some(ServerMsg::Error {
                        code: ErrorCode::Forbidden,
                    }),
                }
            }
            ClientMsg::Subscribe {
                topic: Topic::Conversation { conversation },
            } if !self.conversations.contains(&conversation)
                && self.conversations.len() >= MAX_ROOMS =>
            {
                Some(ServerMsg::Error {
                    code: ErrorCode::TooManyRooms,
                })
            }
            ClientMsg::Subscribe {
                topic: Topic::Conversation { conversation },
            } => {
                let user = self.user.as_ref().map(|u| UserId(u.id));
                match chat::socket::join(&self.state, self.conn.id, user, &conversation).await {
                    Ok(()) => {
                        self.conversations.insert(conversation);
                        None
                    }
                    Err(_) => Some(ServerMsg::Error {
                        code: ErrorCode::Forbidden,
                    }),
                }
            }
            ClientMsg::Subscribe {
                topic: Topic::Presence,
            } => {
                self.state
                    .hub
                    .subscribe(self.conn.id, Topic::Presence, None);
                None
            }
            ClientMsg::Subscribe {
                topic: Topic::Auction { listing },
            } => {
                let user = self.user.as_ref().map(|u| (u.id, u.name.clone()));
                let joined = self
                    .state
                    .auctions
                    .join(self.conn.id, user, listing, now_ms())
                    .await;
                match joined {
                    Ok(()) => {
                        self.rooms.insert(listing);
                        None
                    }
                    Err(_) => Some(ServerMsg::Error {
                        code: ErrorCode::Forbidden,
                    }),
                }
            }
            ClientMsg::Unsubscribe { topic } => {
                self.state.hub.unsubscribe(self.conn.id, &topic);
                if let Topic::Order { order } = &topic {
                    self.orders.remove(order);
                }
                if let Topic::Conversation { conversation } = &topic {
                    self.conversations.remove(conversation);
                }
                if let Topic::Call { conversation } = &topic {
                    self.calls.remove(conversation);
                }
                if let Topic::Auction { listing } = topic
                    && self.rooms.remove(&listing)
                {
                    self.state
                        .auctions
                        .left(listing, self.user.as_ref().map(|u| u.name.clone()));
                }
                None
            }
            ClientMsg::Auction(command) => {
                let user = self.user.as_ref().map(|u| u.id);
                Some(auction::socket::command(&self.state, user, command).await)
            }
            ClientMsg::Order(command) => {
                let user = self.user.as_ref().map(User::viewer);
                Some(order::socket::command(&self.state, user, command).await)
            }
            ClientMsg::Chat(command) => {
                let user = self.user.as_ref().map(|u| UserId(u.id));
                chat::socket::command(&self.state, user, command).await
            }
            ClientMsg::Subscribe {
                topic: Topic::Call { conversation },
            } if !self.calls.contains(&conversation) && self.calls.len() >= MAX_ROOMS => {
                Some(ServerMsg::Error {
                    code: ErrorCode::TooManyRooms,
                })
            }
            ClientMsg::Subscribe {
                topic: Topic::Call { conversation },
            } => {
                let user = self.user.as_ref().map(|u| UserId(u.id));
                match call::socket::join(&self.state, self.conn.id, user, &conversation).await {
                    Ok(()) => {
                        self.calls.insert(conversation);
                        None
                    }
                    Err(_) => Some(ServerMsg::Error {
                        code: ErrorCode::Forbidden,
                    }),
                }
            }
            ClientMsg::Call(command) => {
                let user = self.user.as_ref().map(|u| UserId(u.id));
                call::socket::command(&self.state, user, command).await
            }
        }
    }

    /// Tells a signed-in user's tab how many notifications wait unread.
    async fn send_unread(&self, sink: &mut SplitSink<WebSocket, Message>) -> Result<(), Gone> {
        let Some(user) = &self.user else {
            return Ok(());
        };
        match notify::unread(&self.state.db, user.id).await {
            Ok(count) => send(sink, &ServerMsg::Notify(NoticeEvent::Unread { count })).await,
            Err(e) => {
                tracing::error!(error = %e, "counting unread notifications failed");
                Ok(())
            }
        }
    }

    /// Tells a signed-in user's tab how many chat messages wait unread.
    async fn send_messages_unread(
        &self,
        sink: &mut SplitSink<WebSocket, Message>,
    ) -> Result<(), Gone> {
        let Some(user) = &self.user else {
            return Ok(());
        };
        match chat::unread(&self.state.db, UserId(user.id)).await {
            Ok(unread) => send(sink, &ServerMsg::Notify(NoticeEvent::Messages { unread })).await,
            Err(e) => {
                tracing::error!(error = %e, "counting unread messages failed");
                Ok(())
            }
        }
    }

    /// Tells a signed-in user's new tab of the calls ringing for them.
    async fn send_rings(&self, sink: &mut SplitSink<WebSocket, Message>) -> Result<(), Gone> {
        let Some(user) = &self.user else {
            return Ok(());
        };
        match call::ringing(&self.state.db, UserId(user.id), now_ms()).await {
            Ok(rings) => {
                for ring in rings {
                    send(sink, &ServerMsg::Notify(NoticeEvent::Ring { ring })).await?;
                }
                Ok(())
            }
            Err(e) => {
                tracing::error!(error = %e, "reading ringing calls failed");
                Ok(())
            }
        }
    }

    /// Whether an anonymous socket, or the login of a signed-in one, still
    /// stands: a check once a heartbeat in case a login ended in a way that
    /// could not close its sockets (another instance, a database edit).
    async fn login_stands(&self) -> bool {
        let Some(user) = &self.user else { return true };
        match logins::resolve(&self.state.db, &user.login, now_ms()).await {
            Ok(Some(id)) => id == user.id,
            Ok(None) => false,
            // A database hiccup is not a logout.
            Err(_) => true,
        }
    }

    fn leave_rooms(&mut self) {
        let name = self.user.as_ref().map(|u| u.name.clone());
        // Unregister first, so the count the room hears no longer has us.
        let id = self.conn.id;
        for listing in self.rooms.drain() {
            self.state.hub.unsubscribe(id, &Topic::Auction { listing });
            self.state.auctions.left(listing, name.clone());
        }
        for order in self.orders.drain() {
            self.state.hub.unsubscribe(id, &Topic::Order { order });
        }
        for conversation in self.conversations.drain() {
            self.state
                .hub
                .unsubscribe(id, &Topic::Conversation { conversation });
        }
        for conversation in self.calls.drain() {
            self.state
                .hub
                .unsubscribe(id, &Topic::Call { conversation });
        }
    }
}

/// Writes `first` and whatever else is already queued, then flushes once:
/// in a busy room that is one system call for a burst of updates.
async fn flush_queue(
    sink: &mut SplitSink<WebSocket, Message>,
    conn: &mut Connection,
    first: std::sync::Arc<super::hub::Frame>,
) -> Result<(), Gone> {
    let write = async {
        sink.feed(Message::Text(first.text.clone())).await?;
        let mut burst = 1;
        while burst < 64
            && let Some(frame) = conn.try_recv()
        {
            sink.feed(Message::Text(frame.text.clone())).await?;
            burst += 1;
        }
        sink.flush().await
    };
    match timeout(SEND_TIMEOUT, write).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(Gone),
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
