//! The live hub: topics, subscribers and one bounded queue per connection.
//!
//! In-process today. Its public surface (connect, subscribe, publish) is what a
//! shared pub/sub implementation will provide when several instances run.

use crate::protocol::{ServerMsg, Topic};
use axum::extract::ws::Utf8Bytes;
use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex, MutexGuard},
};
use tokio::sync::{mpsc, oneshot};

pub type ConnId = u64;

/// Messages a connection may have waiting before it counts as too slow and is
/// dropped, so one stalled tab never holds up a room.
pub const DEFAULT_QUEUE: usize = 256;

#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    queue_capacity: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    next_id: ConnId,
    conns: HashMap<ConnId, Outbox>,
    topics: HashMap<Topic, HashSet<ConnId>>,
    /// Each signed-in user's connections: their implicit notification topic.
    users: HashMap<i64, HashSet<ConnId>>,
}

/// A message serialized once, however many sockets it goes to.
#[derive(Debug)]
pub struct Frame {
    pub msg: ServerMsg,
    pub text: Utf8Bytes,
}

impl Frame {
    pub fn new(msg: ServerMsg) -> Arc<Frame> {
        // Serializing these plain enums cannot fail; an empty frame would be
        // ignored by the client rather than crash the hub.
        let text = serde_json::to_string(&msg).unwrap_or_default();
        Arc::new(Frame {
            msg,
            text: text.into(),
        })
    }
}

struct Outbox {
    user: Option<i64>,
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
    pub fn new(queue_capacity: usize) -> Hub {
        Hub {
            inner: Arc::new(Inner {
                queue_capacity: queue_capacity.max(1),
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

    /// Registers a connection (of `user`, when signed in) and tells presence
    /// subscribers the new count.
    pub fn connect(&self, user: Option<i64>) -> Connection {
        let (queue_tx, queue_rx) = mpsc::channel(self.inner.queue_capacity);
        let (alive_tx, alive_rx) = oneshot::channel();
        let mut state = self.lock();
        state.next_id += 1;
        let id = state.next_id;
        state.conns.insert(
            id,
            Outbox {
                user,
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
        state.topics.entry(topic).or_default().insert(id);
        if !enqueue(&state, id, Frame::new(snapshot)) {
            remove(&mut state, id);
            presence_changed(&mut state);
            return false;
        }
        true
    }

    pub fn unsubscribe(&self, id: ConnId, topic: &Topic) {
        let mut state = self.lock();
        if let Some(subs) = state.topics.get_mut(topic) {
            subs.remove(&id);
            if subs.is_empty() {
                state.topics.remove(topic);
            }
        }
    }

    /// Sends `msg` to every subscriber of `topic`; returns how many got it.
    pub fn publish(&self, topic: &Topic, msg: ServerMsg) -> usize {
        let frame = Frame::new(msg);
        let mut state = self.lock();
        let subscribers = state.topics.get(topic);
        let (delivered, dropped) = fan_out(&state, subscribers, frame);
        drop_slow(&mut state, dropped);
        delivered
    }

    /// Sends `msg` to every open tab of `user`; returns how many got it.
    pub fn send_to_user(&self, user: i64, msg: ServerMsg) -> usize {
        let frame = Frame::new(msg);
        let mut state = self.lock();
        let tabs = state.users.get(&user);
        let (delivered, dropped) = fan_out(&state, tabs, frame);
        drop_slow(&mut state, dropped);
        delivered
    }

    /// Connected tabs.
    pub fn online(&self) -> u32 {
        online(&self.lock())
    }

    pub fn subscribers(&self, topic: &Topic) -> usize {
        self.lock().topics.get(topic).map_or(0, HashSet::len)
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
        subs.remove(&id);
        !subs.is_empty()
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

fn drop_slow(state: &mut State, dropped: Vec<ConnId>) {
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
        let msg = Frame::new(ServerMsg::Online {
            count: online(state),
        });
        let (_, dropped) = fan_out(state, state.topics.get(&Topic::Presence), msg);
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
        while let Ok(msg) = conn.queue.try_recv() {
            out.push(msg.msg.clone());
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
        let frame = Frame::new(online_msg(9));
        assert_eq!(frame.text.as_str(), r#"{"type":"online","count":9}"#);
    }

    #[tokio::test]
    async fn messages_arrive_in_order() {
        let hub = Hub::default();
        let mut conn = hub.connect(None);
        hub.subscribe(conn.id, Topic::Presence, None);
        hub.publish(&Topic::Presence, ServerMsg::Pong);
        assert_eq!(
            conn.recv().await.map(|f| f.msg.clone()),
            Some(online_msg(1))
        );
        assert_eq!(
            conn.recv().await.map(|f| f.msg.clone()),
            Some(ServerMsg::Pong)
        );
    }
}
