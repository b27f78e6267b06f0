//! The live hub: topics, subscribers and one bounded queue per connection.
//!
//! In-process today. Its public surface (connect, subscribe, publish) is what a
//! shared pub/sub implementation will provide when several instances run.
//!
//! A topic can be coalesced ([`Topic::coalesces`]): at most one frame per
//! window reaches each subscriber, a [`ServerMsg::Batch`] of every message
//! published since the last one, in order. A message published when the
//! window has passed goes out at once, so a quiet room loses no time; a busy
//! one costs each socket one wake-up and one write per window instead of one
//! per message. The window grows with the audience, so that a room's
//! deliveries stay within a budget of socket writes per second (see
//! [`Hub::coalescing`]): a room of ten watchers waits a fraction of a
//! millisecond, a room of thousands a few dozen.

use crate::protocol::{ServerMsg, Topic};
use axum::extract::ws::Utf8Bytes;
use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};
use tokio::{
    sync::{mpsc, oneshot},
    time::Instant,
};

pub type ConnId = u64;

/// Messages a connection may have waiting before it counts as too slow and is
/// dropped, so one stalled tab never holds up a room.
pub const DEFAULT_QUEUE: usize = 256;

/// The longest a coalescing topic holds a message, however large its audience.
pub const MAX_WINDOW: Duration = Duration::from_millis(100);

#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    queue_capacity: usize,
    /// Socket writes per second a coalescing topic may cost; 0 sends each
    /// message at once.
    writes_per_second: u32,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    next_id: ConnId,
    conns: HashMap<ConnId, Outbox>,
    topics: HashMap<Topic, Subscribers>,
    /// Each signed-in user's connections: their implicit notification topic.
    users: HashMap<i64, HashSet<ConnId>>,
}

/// A message serialized once, however many sockets it goes to.
#[derive(Debug)]
pub struct Frame {
    pub text: Utf8Bytes,
    /// The message's [`ServerMsg::brief`] form.
    brief: Option<Utf8Bytes>,
}

impl Frame {
    pub fn new(msg: &ServerMsg) -> Arc<Frame> {
        Arc::new(Frame {
            text: wire_text(msg),
            brief: msg.brief().as_ref().map(wire_text),
        })
    }

    /// `frames` as one [`ServerMsg::Batch`], its text joined from theirs
    /// rather than serialized again. A message with a brief form travels as
    /// that when a later one in the batch has one too, so a busy auction
    /// room sends each bid line but its full state only once.
    fn batch(frames: Vec<Arc<Frame>>) -> Arc<Frame> {
        let last_state = frames.iter().rposition(|f| f.brief.is_some());
        let mut text = String::from(r#"{"type":"batch","msgs":["#);
        for (i, frame) in frames.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            let member = match &frame.brief {
                Some(brief) if last_state.is_some_and(|last| i < last) => brief,
                _ => &frame.text,
            };
            text.push_str(member.as_str());
        }
        text.push_str("]}");
        Arc::new(Frame {
            text: text.into(),
            brief: None,
        })
    }

    /// The message, read back from the wire text.
    #[cfg(test)]
    pub fn msg(&self) -> ServerMsg {
        serde_json::from_str(self.text.as_str()).expect("a frame is a ServerMsg")
    }
}

fn wire_text(msg: &ServerMsg) -> Utf8Bytes {
    // Serializing these plain enums cannot fail; an empty frame would be
    // ignored by the client rather than crash the hub.
    serde_json::to_string(msg).unwrap_or_default().into()
}

#[derive(Default)]
struct Subscribers {
    conns: HashSet<ConnId>,
    /// Published within the current window, waiting for its end.
    held: Vec<Arc<Frame>>,
    last_sent: Option<Instant>,
    /// A flush is scheduled for the end of the window.
    armed: bool,
}

struct Outbox {
    user: Option<i64>,
    /// The login the tab was opened under: ending it closes the tab.
    login: Option<String>,
    queue: mpsc::Sender<Arc<Frame>>,
    /// Dropped together with the outbox, which wakes the connection at once even
    /// when its queue still holds messages.
    _alive: oneshot::Sender<()>,
}

/// One registered socket. Dropping it unregisters it.
pub struct Connection {
    pub id: ConnId,
    /// Whose tab this is, from the session at connect time.
    pub user: Option<i64>,
    queue: mpsc::Receiver<Arc<Frame>>,
    dropped: oneshot::Receiver<()>,
    is_dropped: bool,
    hub: Hub,
}

impl Connection {
    /// The next message to send, or `None` once the hub has dropped this connection.
    pub async fn recv(&mut self) -> Option<Arc<Frame>> {
        if self.is_dropped {
            return None;
        }
        tokio::select! {
            biased;
            _ = &mut self.dropped => {
                self.is_dropped = true;
                None
            }
            msg = self.queue.recv() => msg,
        }
    }

    /// A message already waiting, without blocking: lets the socket write a
    /// burst of frames before flushing once.
    pub fn try_recv(&mut self) -> Option<Arc<Frame>> {
        if self.is_dropped {
            return None;
        }
        self.queue.try_recv().ok()
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.hub.disconnect(self.id);
    }
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new(DEFAULT_QUEUE)
    }
}

impl Hub {
    /// A hub that sends every message at once.
    pub fn new(queue_capacity: usize) -> Hub {
        Hub::coalescing(queue_capacity, 0)
    }

    /// A hub that coalesces the topics that allow it, each to about
    /// `writes_per_second` socket writes a second: the window is the
    /// subscriber count over that budget, at most [`MAX_WINDOW`].
    pub fn coalescing(queue_capacity: usize, writes_per_second: u32) -> Hub {
        Hub {
            inner: Arc::new(Inner {
                queue_capacity: queue_capacity.max(1),
                writes_per_second,
                state: Mutex::default(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain maps behind, still usable.
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers a tab without a login (anonymous; `user` only in tests).
    pub fn connect(&self, user: Option<i64>) -> Connection {
        self.register(user, None)
    }

    /// Registers a signed-in tab, closed when its login ends
    /// ([`Hub::end_logins`]).
    pub fn connect_login(&self, user: i64, login: String) -> Connection {
        self.register(Some(user), Some(login))
    }

    /// Registers a connection and tells presence subscribers the new count.
    fn register(&self, user: Option<i64>, login: Option<String>) -> Connection {
        let (queue_tx, queue_rx) = mpsc::channel(self.inner.queue_capacity);
        let (alive_tx, alive_rx) = oneshot::channel();
        let mut state = self.lock();
        state.next_id += 1;
        let id = state.next_id;
        state.conns.insert(
            id,
            Outbox {
                user,
                login,
                queue: queue_tx,
                _alive: alive_tx,
            },
        );
        if let Some(user) = user {
            state.users.entry(user).or_default().insert(id);
        }
        presence_changed(&mut state);
        drop(state);
        Connection {
            id,
            user,
            queue: queue_rx,
            dropped: alive_rx,
            is_dropped: false,
            hub: self.clone(),
        }
    }

    fn disconnect(&self, id: ConnId) {
        let mut state = self.lock();
        if remove(&mut state, id) {
            presence_changed(&mut state);
        }
    }

    /// Subscribes a connection and queues the topic's snapshot before any later
    /// update, all under one lock, so the client can never see an update older
    /// than its snapshot. Presence's snapshot is the hub's own count; other
    /// topics bring theirs (their publishers must not publish meanwhile).
    /// Returns false when the connection is gone.
    pub fn subscribe(&self, id: ConnId, topic: Topic, snapshot: Option<ServerMsg>) -> bool {
        let mut state = self.lock();
        if !state.conns.contains_key(&id) {
            return false;
        }
        let snapshot = match snapshot {
            Some(snapshot) => snapshot,
            None => ServerMsg::Online {
                count: online(&state),
            },
        };
        // What is held was published before the snapshot was taken: it goes
        // to the earlier subscribers now, and never to this one.
        send_held(&mut state, &topic);
        state.topics.entry(topic).or_default().conns.insert(id);
        if !enqueue(&state, id, Frame::new(&snapshot)) {
            remove(&mut state, id);
            presence_changed(&mut state);
            return false;
        }
        true
    }

    pub fn unsubscribe(&self, id: ConnId, topic: &Topic) {
        let mut state = self.lock();
        if let Some(subs) = state.topics.get_mut(topic) {
            subs.conns.remove(&id);
            if subs.conns.is_empty() {
                state.topics.remove(topic);
            }
        }
    }

    /// Sends `msg` to every subscriber of `topic`, at once or (on a topic
    /// that coalesces, within its window) with the window's next delivery.
    /// Returns how many subscribers it goes to.
    pub fn publish(&self, topic: &Topic, msg: ServerMsg) -> usize {
        let frame = Frame::new(&msg);
        let now = Instant::now();
        let mut state = self.lock();
        let Some(subs) = state.topics.get_mut(topic) else {
            return 0;
        };
        let count = subs.conns.len();
        let window = match self.inner.writes_per_second {
            0 => Duration::ZERO,
            _ if !topic.coalesces() => Duration::ZERO,
            budget => Duration::from_secs_f64(count as f64 / f64::from(budget)).min(MAX_WINDOW),
        };
        let window_passed = subs.last_sent.is_none_or(|at| now >= at + window);
        if window.is_zero() || (!subs.armed && window_passed) {
            subs.last_sent = Some(now);
            let (_, dropped) = fan_out(&state, state.topics.get(topic).map(|s| &s.conns), frame);
            close(&mut state, dropped);
            return count;
        }
        subs.held.push(frame);
        let arm = match subs.last_sent {
            Some(at) if !subs.armed => Some(at + window),
            _ => None,
        };
        if arm.is_some() {
            subs.armed = true;
        }
        drop(state);
        if let Some(at) = arm {
            self.flush_at(topic.clone(), at);
        }
        count
    }

    /// Sends what `topic` holds when its window ends.
    fn flush_at(&self, topic: Topic, at: Instant) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            // Outside a runtime nothing can wait: deliver now.
            send_held(&mut self.lock(), &topic);
            return;
        };
        let hub = self.clone();
        runtime.spawn(async move {
            tokio::time::sleep_until(at).await;
            let mut state = hub.lock();
            if let Some(subs) = state.topics.get_mut(&topic) {
                subs.armed = false;
            }
            send_held(&mut state, &topic);
        });
    }

    /// Sends `msg` to every open tab of `user`; returns how many got it.
    pub fn send_to_user(&self, user: i64, msg: ServerMsg) -> usize {
        let frame = Frame::new(&msg);
        let mut state = self.lock();
        let tabs = state.users.get(&user);
        let (delivered, dropped) = fan_out(&state, tabs, frame);
        close(&mut state, dropped);
        delivered
    }

    /// Closes `user`'s tabs whose login has `ended`; returns how many.
    pub fn end_logins(&self, user: i64, ended: impl Fn(&str) -> bool) -> usize {
        let mut state = self.lock();
        let closing: Vec<ConnId> = state
            .users
            .get(&user)
            .into_iter()
            .flatten()
            .copied()
            .filter(|id| {
                state
                    .conns
                    .get(id)
                    .and_then(|outbox| outbox.login.as_deref())
                    .is_some_and(&ended)
            })
            .collect();
        let count = closing.len();
        close(&mut state, closing);
        count
    }

    /// Connected tabs.
    pub fn online(&self) -> u32 {
        online(&self.lock())
    }

    pub fn subscribers(&self, topic: &Topic) -> usize {
        self.lock().topics.get(topic).map_or(0, |s| s.conns.len())
    }

    /// Drops every connection (graceful shutdown): each socket task sees `None`
    /// from [`Connection::recv`] and closes its socket.
    pub fn close_all(&self) {
        let mut state = self.lock();
        state.conns.clear();
        state.topics.clear();
        state.users.clear();
    }
}

fn online(state: &State) -> u32 {
    u32::try_from(state.conns.len()).unwrap_or(u32::MAX)
}

fn enqueue(state: &State, id: ConnId, msg: Arc<Frame>) -> bool {
    state
        .conns
        .get(&id)
        .is_some_and(|outbox| outbox.queue.try_send(msg).is_ok())
}

/// Delivers what `topic` holds, as one frame, to its subscribers.
fn send_held(state: &mut State, topic: &Topic) {
    let Some(subs) = state.topics.get_mut(topic) else {
        return;
    };
    let mut held = std::mem::take(&mut subs.held);
    let held = match held.len() {
        0 => return,
        1 => held.remove(0),
        _ => Frame::batch(held),
    };
    subs.last_sent = Some(Instant::now());
    let (_, dropped) = fan_out(state, state.topics.get(topic).map(|s| &s.conns), held);
    close(state, dropped);
}

/// Queues `msg` for each of `conns`; returns the number delivered and the ids
/// whose queue was full or closed.
fn fan_out(
    state: &State,
    conns: Option<&HashSet<ConnId>>,
    msg: Arc<Frame>,
) -> (usize, Vec<ConnId>) {
    let mut delivered = 0;
    let mut dropped = Vec::new();
    for &id in conns.into_iter().flatten() {
        if enqueue(state, id, msg.clone()) {
            delivered += 1;
        } else {
            dropped.push(id);
        }
    }
    (delivered, dropped)
}

fn remove(state: &mut State, id: ConnId) -> bool {
    let Some(outbox) = state.conns.remove(&id) else {
        return false;
    };
    state.topics.retain(|_, subs| {
        subs.conns.remove(&id);
        !subs.conns.is_empty()
    });
    if let Some(user) = outbox.user
        && let Some(tabs) = state.users.get_mut(&user)
    {
        tabs.remove(&id);
        if tabs.is_empty() {
            state.users.remove(&user);
        }
    }
    true
}

/// Unregisters `ids` (their sockets close) and tells presence the count.
fn close(state: &mut State, dropped: Vec<ConnId>) {
    if !dropped.is_empty() {
        for id in dropped {
            remove(state, id);
        }
        presence_changed(state);
    }
}

/// Tells presence subscribers the current count. Dropping a slow subscriber
/// changes the count again, so repeat until a round drops nobody.
fn presence_changed(state: &mut State) {
    loop {
        let msg = Frame::new(&ServerMsg::Online {
            count: online(state),
        });
        let presence = state.topics.get(&Topic::Presence).map(|s| &s.conns);
        let (_, dropped) = fan_out(state, presence, msg);
        if dropped.is_empty() {
            return;
        }
        for id in dropped {
            remove(state, id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn online_msg(count: u32) -> ServerMsg {
        ServerMsg::Online { count }
    }

    /// Everything queued for a connection right now.
    fn drain(conn: &mut Connection) -> Vec<ServerMsg> {
        let mut out = Vec::new();
        while let Some(frame) = conn.try_recv() {
            out.push(frame.msg());
        }
        out
    }

    #[tokio::test]
    async fn presence_snapshot_then_updates_on_connect_and_drop() {
        let hub = Hub::default();
        let mut a = hub.connect(None);
        assert!(hub.subscribe(a.id, Topic::Presence, None));
        assert_eq!(drain(&mut a), vec![online_msg(1)]);

        let b = hub.connect(None);
        assert_eq!(hub.online(), 2);
        assert_eq!(drain(&mut a), vec![online_msg(2)]);

        drop(b);
        assert_eq!(hub.online(), 1);
        assert_eq!(drain(&mut a), vec![online_msg(1)]);
    }

    #[tokio::test]
    async fn publish_reaches_only_subscribers() {
        let hub = Hub::default();
        let mut sub = hub.connect(None);
        let mut other = hub.connect(None);
        hub.subscribe(sub.id, Topic::Presence, None);
        drain(&mut sub);
        drain(&mut other);

        assert_eq!(hub.publish(&Topic::Presence, ServerMsg::Pong), 1);
        assert_eq!(drain(&mut sub), vec![ServerMsg::Pong]);
        assert!(drain(&mut other).is_empty());

        hub.unsubscribe(sub.id, &Topic::Presence);
        assert_eq!(hub.subscribers(&Topic::Presence), 0);
        assert_eq!(hub.publish(&Topic::Presence, ServerMsg::Pong), 0);
        assert!(drain(&mut sub).is_empty());
    }

    #[tokio::test]
    async fn a_slow_connection_is_dropped_without_stalling_others() {
        let hub = Hub::new(2);
        let mut slow = hub.connect(None);
        let mut fast = hub.connect(None);
        hub.subscribe(slow.id, Topic::Presence, None);
        hub.subscribe(fast.id, Topic::Presence, None);
        drain(&mut fast);

        // `slow` never reads: its queue (capacity 2) already holds one snapshot.
        for _ in 0..3 {
            hub.publish(&Topic::Presence, ServerMsg::Pong);
            drain(&mut fast);
        }
        assert_eq!(hub.online(), 1, "the slow tab was dropped");
        assert_eq!(hub.subscribers(&Topic::Presence), 1);
        // The slow side is told at once, even though its queue still holds messages.
        assert!(slow.recv().await.is_none());
        assert!(slow.recv().await.is_none());
        // The fast one heard that the count fell.
        hub.publish(&Topic::Presence, ServerMsg::Pong);
        assert_eq!(drain(&mut fast), vec![ServerMsg::Pong]);
    }

    #[tokio::test]
    async fn slow_presence_subscribers_are_dropped_too() {
        let hub = Hub::new(1);
        let slow = hub.connect(None);
        hub.subscribe(slow.id, Topic::Presence, None); // fills its one slot
        let mut watcher = hub.connect(None); // this connect's broadcast overflows `slow`
        assert_eq!(hub.online(), 1);
        assert!(hub.subscribe(watcher.id, Topic::Presence, None));
        assert_eq!(drain(&mut watcher), vec![online_msg(1)]);
        drop(slow); // already gone: no second presence change
        assert_eq!(hub.online(), 1);
    }

    #[tokio::test]
    async fn subscribing_a_gone_or_full_connection_fails() {
        let hub = Hub::new(1);
        assert!(!hub.subscribe(42, Topic::Presence, None));
        let conn = hub.connect(None);
        hub.publish(&Topic::Presence, ServerMsg::Pong); // not subscribed: nothing queued
        assert!(hub.subscribe(conn.id, Topic::Presence, None));
        // Queue is now full with the snapshot; a re-subscribe cannot queue its own.
        assert!(!hub.subscribe(conn.id, Topic::Presence, None));
        assert_eq!(hub.online(), 0);
    }

    #[tokio::test]
    async fn close_all_ends_every_connection() {
        let hub = Hub::default();
        let mut a = hub.connect(None);
        let mut b = hub.connect(None);
        hub.subscribe(a.id, Topic::Presence, None);
        hub.close_all();
        assert_eq!(hub.online(), 0);
        assert_eq!(hub.subscribers(&Topic::Presence), 0);
        // Queued messages are skipped: the socket closes now.
        assert!(a.recv().await.is_none());
        assert!(b.recv().await.is_none());
    }

    #[tokio::test]
    async fn users_get_messages_in_every_tab_until_they_close() {
        let hub = Hub::default();
        let mut tab1 = hub.connect(Some(7));
        let mut tab2 = hub.connect(Some(7));
        let mut other = hub.connect(Some(8));
        assert_eq!(hub.send_to_user(7, ServerMsg::Pong), 2);
        assert_eq!(drain(&mut tab1), vec![ServerMsg::Pong]);
        assert_eq!(drain(&mut tab2), vec![ServerMsg::Pong]);
        assert!(drain(&mut other).is_empty());
        drop(tab1);
        assert_eq!(hub.send_to_user(7, ServerMsg::Pong), 1);
        drop(tab2);
        assert_eq!(hub.send_to_user(7, ServerMsg::Pong), 0);
    }

    #[tokio::test]
    async fn a_topic_snapshot_is_queued_first() {
        let hub = Hub::default();
        let mut conn = hub.connect(None);
        let topic = Topic::Auction { listing: 3 };
        assert!(hub.subscribe(conn.id, topic.clone(), Some(ServerMsg::Pong)));
        hub.publish(&topic, online_msg(9));
        assert_eq!(drain(&mut conn), vec![ServerMsg::Pong, online_msg(9)]);
        let frame = Frame::new(&online_msg(9));
        assert_eq!(frame.text.as_str(), r#"{"type":"online","count":9}"#);
    }

    #[tokio::test]
    async fn messages_arrive_in_order() {
        let hub = Hub::default();
        let mut conn = hub.connect(None);
        hub.subscribe(conn.id, Topic::Presence, None);
        hub.publish(&Topic::Presence, ServerMsg::Pong);
        assert_eq!(conn.recv().await.map(|f| f.msg()), Some(online_msg(1)));
        assert_eq!(conn.recv().await.map(|f| f.msg()), Some(ServerMsg::Pong));
    }

    /// One subscriber at this budget: a 10 ms window.
    const BUDGET: u32 = 100;
    const WINDOW: Duration = Duration::from_millis(10);

    /// The frames queued for a connection right now, a batch as its list.
    fn frames(conn: &mut Connection) -> Vec<Vec<ServerMsg>> {
        let mut out = Vec::new();
        while let Some(frame) = conn.try_recv() {
            out.push(match frame.msg() {
                ServerMsg::Batch { msgs } => msgs,
                one => vec![one],
            });
        }
        out
    }

    fn room() -> Topic {
        Topic::Auction { listing: 1 }
    }

    #[tokio::test(start_paused = true)]
    async fn a_busy_room_is_delivered_once_per_window_in_order() {
        let hub = Hub::coalescing(DEFAULT_QUEUE, BUDGET);
        let mut conn = hub.connect(None);
        hub.subscribe(conn.id, room(), Some(ServerMsg::Pong));
        assert_eq!(frames(&mut conn), vec![vec![ServerMsg::Pong]]);

        // Quiet until now: the first message goes at once.
        assert_eq!(hub.publish(&room(), online_msg(1)), 1);
        assert_eq!(frames(&mut conn), vec![vec![online_msg(1)]]);
        // The next ones within the window wait for its end, then go together.
        hub.publish(&room(), online_msg(2));
        tokio::time::advance(Duration::from_millis(4)).await;
        hub.publish(&room(), online_msg(3));
        tokio::task::yield_now().await;
        assert!(frames(&mut conn).is_empty());
        tokio::time::sleep(Duration::from_millis(7)).await;
        assert_eq!(frames(&mut conn), vec![vec![online_msg(2), online_msg(3)]]);
        // A message right after that delivery waits for the next window.
        hub.publish(&room(), online_msg(4));
        tokio::task::yield_now().await;
        assert!(frames(&mut conn).is_empty());
        tokio::time::sleep(WINDOW + Duration::from_millis(1)).await;
        assert_eq!(frames(&mut conn), vec![vec![online_msg(4)]]);
        // After a quiet window, at once again.
        tokio::time::sleep(WINDOW + Duration::from_millis(1)).await;
        hub.publish(&room(), online_msg(5));
        assert_eq!(frames(&mut conn), vec![vec![online_msg(5)]]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_batch_is_its_messages_joined() {
        let hub = Hub::coalescing(DEFAULT_QUEUE, BUDGET);
        let mut conn = hub.connect(None);
        hub.subscribe(conn.id, room(), Some(ServerMsg::Pong));
        hub.publish(&room(), online_msg(1));
        hub.publish(&room(), online_msg(2));
        hub.publish(&room(), online_msg(3));
        tokio::time::sleep(WINDOW + Duration::from_millis(1)).await;
        let texts: Vec<String> = std::iter::from_fn(|| conn.try_recv())
            .map(|f| f.text.to_string())
            .collect();
        assert_eq!(
            texts,
            [
                r#"{"type":"pong"}"#,
                r#"{"type":"online","count":1}"#,
                r#"{"type":"batch","msgs":[{"type":"online","count":2},{"type":"online","count":3}]}"#,
            ]
        );
        // The joined text is what serializing the batch gives.
        let batch: ServerMsg = serde_json::from_str(&texts[2]).unwrap();
        assert_eq!(
            batch,
            ServerMsg::Batch {
                msgs: vec![online_msg(2), online_msg(3)]
            }
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_batch_carries_the_auction_state_once() {
        use crate::protocol::fixtures::update;
        let hub = Hub::coalescing(DEFAULT_QUEUE, BUDGET);
        let mut conn = hub.connect(None);
        hub.subscribe(conn.id, room(), Some(ServerMsg::Pong));
        for msg in [
            update(1),
            update(2),
            online_msg(7),
            update(3),
            online_msg(8),
        ] {
            hub.publish(&room(), msg);
        }
        tokio::time::sleep(WINDOW + Duration::from_millis(1)).await;
        let step = |msg: ServerMsg| msg.brief().unwrap();
        assert_eq!(
            frames(&mut conn),
            vec![
                vec![ServerMsg::Pong],
                vec![update(1)],
                // Update 2's state is stale once 3 is there: its number and
                // bid line stand for it. Other messages keep their place.
                vec![step(update(2)), online_msg(7), update(3), online_msg(8)],
            ]
        );
        assert_eq!(
            step(update(2)),
            ServerMsg::AuctionStep {
                listing: 1,
                seq: 2,
                bid: match update(2) {
                    ServerMsg::AuctionUpdate { bid, .. } => bid,
                    _ => None,
                },
            }
        );
        assert_eq!(online_msg(7).brief(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_newcomer_gets_no_message_older_than_its_snapshot() {
        let hub = Hub::coalescing(DEFAULT_QUEUE, BUDGET);
        let mut early = hub.connect(None);
        hub.subscribe(early.id, room(), Some(ServerMsg::Pong));
        hub.publish(&room(), online_msg(1));
        hub.publish(&room(), online_msg(2)); // held
        frames(&mut early);

        let mut late = hub.connect(None);
        hub.subscribe(late.id, room(), Some(online_msg(99)));
        // The held message went to the earlier subscriber when the newcomer
        // came, and the newcomer starts from its snapshot.
        assert_eq!(frames(&mut early), vec![vec![online_msg(2)]]);
        assert_eq!(frames(&mut late), vec![vec![online_msg(99)]]);
        hub.publish(&room(), online_msg(3));
        tokio::time::sleep(WINDOW + Duration::from_millis(1)).await;
        assert_eq!(frames(&mut early), vec![vec![online_msg(3)]]);
        assert_eq!(frames(&mut late), vec![vec![online_msg(3)]]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_window_grows_with_the_audience_up_to_a_cap() {
        let hub = Hub::coalescing(DEFAULT_QUEUE, BUDGET);
        let ms = Duration::from_millis;
        let mut tabs: Vec<Connection> = (0..3).map(|_| hub.connect(None)).collect();
        for tab in &tabs {
            hub.subscribe(tab.id, room(), Some(ServerMsg::Pong));
        }
        let first = &mut tabs[0];
        frames(first);
        // Three subscribers at 100 writes a second: a 30 ms window.
        hub.publish(&room(), online_msg(1));
        hub.publish(&room(), online_msg(2));
        assert_eq!(frames(first), vec![vec![online_msg(1)]]);
        tokio::time::sleep(ms(20)).await;
        assert!(frames(first).is_empty());
        tokio::time::sleep(ms(11)).await;
        assert_eq!(frames(first), vec![vec![online_msg(2)]]);

        // Twenty would make it 200 ms; no message waits more than 100.
        tabs.extend((0..17).map(|_| hub.connect(None)));
        for tab in &tabs[3..] {
            hub.subscribe(tab.id, room(), Some(ServerMsg::Pong));
        }
        tokio::time::sleep(MAX_WINDOW).await;
        let first = &mut tabs[0];
        frames(first);
        hub.publish(&room(), online_msg(3));
        hub.publish(&room(), online_msg(4));
        assert_eq!(frames(first), vec![vec![online_msg(3)]]);
        tokio::time::sleep(ms(99)).await;
        assert!(frames(first).is_empty());
        tokio::time::sleep(ms(2)).await;
        assert_eq!(frames(first), vec![vec![online_msg(4)]]);
    }

    #[tokio::test(start_paused = true)]
    async fn topics_that_do_not_coalesce_and_a_zero_window_send_at_once() {
        let hub = Hub::coalescing(DEFAULT_QUEUE, BUDGET);
        let mut conn = hub.connect(None);
        hub.subscribe(conn.id, Topic::Presence, None);
        frames(&mut conn);
        hub.publish(&Topic::Presence, ServerMsg::Pong);
        hub.publish(&Topic::Presence, ServerMsg::Pong);
        assert_eq!(frames(&mut conn).len(), 2);

        let hub = Hub::default();
        let mut conn = hub.connect(None);
        hub.subscribe(conn.id, room(), Some(ServerMsg::Pong));
        hub.publish(&room(), online_msg(1));
        hub.publish(&room(), online_msg(2));
        assert_eq!(
            frames(&mut conn),
            vec![
                vec![ServerMsg::Pong],
                vec![online_msg(1)],
                vec![online_msg(2)]
            ]
        );
    }

    #[tokio::test]
    async fn ending_a_login_closes_its_tabs_only() {
        let hub = Hub::default();
        let mut here = hub.connect_login(7, "here".into());
        let mut there = hub.connect_login(7, "there".into());
        let mut other = hub.connect_login(8, "there".into());
        assert_eq!(hub.end_logins(7, |login| login != "here"), 1);
        assert!(there.recv().await.is_none());
        assert_eq!(hub.online(), 2);
        assert_eq!(hub.send_to_user(7, ServerMsg::Pong), 1);
        assert_eq!(frames(&mut here), vec![vec![ServerMsg::Pong]]);
        assert_eq!(hub.end_logins(7, |login| login == "here"), 1);
        assert!(here.recv().await.is_none());
        assert!(frames(&mut other).is_empty());
        assert_eq!(hub.online(), 1);
    }
}
