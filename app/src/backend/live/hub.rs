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
//!
//! A topic whose snapshot is slow to build (an auction room, from the
//! database) is joined in two steps ([`Hub::subscribe_pending`], then
//! [`Hub::complete`]): what the topic publishes meanwhile is kept for the
//! newcomer and sent after its snapshot, less what the snapshot already has.
//! So a snapshot needs no lock that publishers wait for.
//!
//! The online count ([`Topic::Presence`]) changes with every connect and
//! disconnect; it goes out at most once per [`PRESENCE_EVERY`], written to the
//! queues after the hub's lock is released.

use crate::protocol::{Mark, ServerMsg, Since, Topic};
use axum::extract::ws::Utf8Bytes;
use std::{
    collections::{HashMap, HashSet},
    net::IpAddr,
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

/// The online count goes out at most this often: a crowd arriving or leaving
/// must not cost every tab a message per socket.
pub const PRESENCE_EVERY: Duration = Duration::from_secs(1);

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
    /// Open sockets per address network (see [`Hub::admit`]); apart from
    /// `state`, as the upgrade counts before a connection exists.
    addresses: Mutex<HashMap<IpAddr, u32>>,
}

#[derive(Default)]
struct State {
    next_id: ConnId,
    conns: HashMap<ConnId, Outbox>,
    topics: HashMap<Topic, Subscribers>,
    /// Each signed-in user's connections: their implicit notification topic.
    users: HashMap<i64, HashSet<ConnId>>,
    presence: PresenceClock,
}

#[derive(Default)]
struct PresenceClock {
    last_sent: Option<Instant>,
    /// The count last sent: an unchanged count is not sent again.
    last_count: Option<u32>,
    /// A send is scheduled for the end of the current period.
    armed: bool,
}

/// A message serialized once, however many sockets it goes to.
#[derive(Debug)]
pub struct Frame {
    pub text: Utf8Bytes,
    /// The message's [`ServerMsg::brief`] form.
    brief: Option<Utf8Bytes>,
    /// The message's [`ServerMsg::mark`].
    mark: Option<Mark>,
    /// A batch's messages, to leave out those a newcomer's snapshot has.
    parts: Vec<Arc<Frame>>,
}

impl Frame {
    pub fn new(msg: &ServerMsg) -> Arc<Frame> {
        Arc::new(Frame {
            text: wire_text(msg),
            brief: msg.brief().as_ref().map(wire_text),
            mark: msg.mark(),
            parts: Vec::new(),
        })
    }

    /// This frame less what a snapshot reaching `since` already has; `None`
    /// when nothing is left.
    fn after(self: &Arc<Frame>, since: Since) -> Option<Arc<Frame>> {
        if self.parts.is_empty() {
            return since.before(self.mark).then(|| self.clone());
        }
        let mut kept: Vec<Arc<Frame>> = self
            .parts
            .iter()
            .filter(|part| since.before(part.mark))
            .cloned()
            .collect();
        match kept.len() {
            0 => None,
            n if n == self.parts.len() => Some(self.clone()),
            1 => kept.pop(),
            _ => Some(Frame::batch(kept)),
        }
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
            mark: None,
            parts: frames,
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
    /// Subscribers who joined with a snapshot: what was published for them
    /// while it was built, then how far it reached.
    pending: HashMap<ConnId, Joining>,
    /// Published within the current window, waiting for its end.
    held: Vec<Arc<Frame>>,
    last_sent: Option<Instant>,
    /// A flush is scheduled for the end of the window.
    armed: bool,
}

/// A subscriber that joined with a snapshot ([`Hub::subscribe_pending`]).
enum Joining {
    /// Its snapshot is being built: what the topic published meanwhile.
    Waiting(Vec<Arc<Frame>>),
    /// Its snapshot was sent. A change is committed before it is published,
    /// so the snapshot may already hold one whose message is published only
    /// after it was sent: such messages are left out for good.
    Sent(Since),
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

/// One socket counted against its address network; dropping it frees the place.
pub struct Admission {
    hub: Hub,
    network: IpAddr,
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut addresses = self.hub.addresses();
        if let Some(count) = addresses.get_mut(&self.network) {
            *count -= 1;
            if *count == 0 {
                addresses.remove(&self.network);
            }
        }
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
                addresses: Mutex::default(),
            }),
        }
    }

    fn addresses(&self) -> MutexGuard<'_, HashMap<IpAddr, u32>> {
        self.inner
            .addresses
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Counts one more socket from `network`, unless it has `cap` open
    /// already (0: no cap). The socket holds the admission while it is open.
    pub fn admit(&self, network: IpAddr, cap: u32) -> Option<Admission> {
        let mut addresses = self.addresses();
        let count = addresses.entry(network).or_insert(0);
        if cap > 0 && *count >= cap {
            return None;
        }
        *count += 1;
        Some(Admission {
            hub: self.clone(),
            network,
        })
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
        drop(state);
        self.presence_changed();
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
        let removed = remove(&mut self.lock(), id);
        if removed {
            self.presence_changed();
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
        let mut changed = send_held(&mut state, &topic, self.inner.queue_capacity);
        state.topics.entry(topic).or_default().conns.insert(id);
        let queued = enqueue(&state, id, Frame::new(&snapshot));
        if !queued {
            changed |= remove(&mut state, id);
        }
        drop(state);
        if changed {
            self.presence_changed();
        }
        queued
    }

    /// Subscribes a connection whose snapshot is built afterwards, with no
    /// lock held: until [`Hub::complete`] what `topic` publishes is kept for
    /// it. Returns false when the connection is gone.
    pub fn subscribe_pending(&self, id: ConnId, topic: Topic) -> bool {
        let mut state = self.lock();
        if !state.conns.contains_key(&id) {
            return false;
        }
        // Held messages were published before the snapshot can start.
        let changed = send_held(&mut state, &topic, self.inner.queue_capacity);
        let subs = state.topics.entry(topic).or_default();
        subs.conns.insert(id);
        subs.pending.insert(id, Joining::Waiting(Vec::new()));
        drop(state);
        if changed {
            self.presence_changed();
        }
        true
    }

    /// Queues the snapshot of a [`Hub::subscribe_pending`] subscription,
    /// then what was kept meanwhile and is newer than the snapshot (by its
    /// [`ServerMsg::since`]), so the subscriber sees every numbered message
    /// once, in order. The snapshot must have been read after
    /// `subscribe_pending` returned. Returns false when the subscription
    /// ended meanwhile (unsubscribed, or the connection gone or too slow).
    pub fn complete(&self, id: ConnId, topic: &Topic, snapshot: ServerMsg) -> bool {
        let since = snapshot.since().unwrap_or_default();
        let mut state = self.lock();
        // What the window holds may be older than the snapshot: through the
        // waiting list, where it is sorted out, rather than after it.
        let mut changed = send_held(&mut state, topic, self.inner.queue_capacity);
        let joining = state
            .topics
            .get_mut(topic)
            .and_then(|subs| subs.pending.get_mut(&id));
        let Some(Joining::Waiting(waiting)) =
            joining.map(|j| std::mem::replace(j, Joining::Sent(since)))
        else {
            drop(state);
            if changed {
                self.presence_changed();
            }
            return false;
        };
        let mut queued = enqueue(&state, id, Frame::new(&snapshot));
        for frame in waiting {
            if let Some(frame) = frame.after(since) {
                queued = queued && enqueue(&state, id, frame);
            }
        }
        if !queued {
            changed |= remove(&mut state, id);
        }
        drop(state);
        if changed {
            self.presence_changed();
        }
        queued
    }

    pub fn unsubscribe(&self, id: ConnId, topic: &Topic) {
        let mut state = self.lock();
        if let Some(subs) = state.topics.get_mut(topic) {
            subs.conns.remove(&id);
            subs.pending.remove(&id);
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
            let dropped = deliver(&mut state, topic, frame, self.inner.queue_capacity);
            let changed = close(&mut state, dropped);
            drop(state);
            if changed {
                self.presence_changed();
            }
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
        let capacity = self.inner.queue_capacity;
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            // Outside a runtime nothing can wait: deliver now.
            if send_held(&mut self.lock(), &topic, capacity) {
                self.presence_changed();
            }
            return;
        };
        let hub = self.clone();
        runtime.spawn(async move {
            tokio::time::sleep_until(at).await;
            let mut state = hub.lock();
            if let Some(subs) = state.topics.get_mut(&topic) {
                subs.armed = false;
            }
            let changed = send_held(&mut state, &topic, capacity);
            drop(state);
            if changed {
                hub.presence_changed();
            }
        });
    }

    /// Tells presence subscribers the count: now, or at the end of the
    /// current [`PRESENCE_EVERY`] if one went out within it.
    fn presence_changed(&self) {
        let mut state = self.lock();
        if state.presence.armed {
            return;
        }
        if let Some(at) = state.presence.last_sent
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let due = at + PRESENCE_EVERY;
            if Instant::now() < due {
                state.presence.armed = true;
                drop(state);
                let hub = self.clone();
                runtime.spawn(async move {
                    tokio::time::sleep_until(due).await;
                    hub.lock().presence.armed = false;
                    hub.send_presence();
                });
                return;
            }
        }
        drop(state);
        self.send_presence();
    }

    /// Queues the current count for presence subscribers. The lock is held
    /// only to read who they are: the writes happen without it.
    fn send_presence(&self) {
        let (count, targets) = {
            let mut state = self.lock();
            let count = online(&state);
            if state.presence.last_count == Some(count) {
                return;
            }
            state.presence.last_sent = Some(Instant::now());
            state.presence.last_count = Some(count);
            let targets: Vec<(ConnId, mpsc::Sender<Arc<Frame>>)> = state
                .topics
                .get(&Topic::Presence)
                .into_iter()
                .flat_map(|subs| subs.conns.iter())
                .filter_map(|id| state.conns.get(id).map(|out| (*id, out.queue.clone())))
                .collect();
            (count, targets)
        };
        if targets.is_empty() {
            return;
        }
        let frame = Frame::new(&ServerMsg::Online { count });
        let dropped: Vec<ConnId> = targets
            .into_iter()
            .filter(|(_, queue)| queue.try_send(frame.clone()).is_err())
            .map(|(id, _)| id)
            .collect();
        // Dropping a slow subscriber changes the count again.
        let changed = close(&mut self.lock(), dropped);
        if changed {
            self.presence_changed();
        }
    }

    /// Sends `msg` to every open tab of `user`; returns how many got it.
    pub fn send_to_user(&self, user: i64, msg: ServerMsg) -> usize {
        let frame = Frame::new(&msg);
        let mut state = self.lock();
        let tabs = state.users.get(&user);
        let (delivered, dropped) = fan_out(&state, tabs, frame);
        let changed = close(&mut state, dropped);
        drop(state);
        if changed {
            self.presence_changed();
        }
        delivered
    }

    /// Sends `msg` to those tabs of `user` that follow `topic` (a call's
    /// signals: for the other member's call page, nobody else's); returns
    /// how many got it.
    pub fn send_to_user_on(&self, topic: &Topic, user: i64, msg: ServerMsg) -> usize {
        let frame = Frame::new(&msg);
        let mut state = self.lock();
        let tabs: Option<HashSet<ConnId>> = match (state.users.get(&user), state.topics.get(topic))
        {
            (Some(tabs), Some(subs)) => Some(tabs.intersection(&subs.conns).copied().collect()),
            _ => None,
        };
        let (delivered, dropped) = fan_out(&state, tabs.as_ref(), frame);
        let changed = close(&mut state, dropped);
        drop(state);
        if changed {
            self.presence_changed();
        }
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
        let changed = close(&mut state, closing);
        drop(state);
        if changed {
            self.presence_changed();
        }
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

/// Delivers what `topic` holds, as one frame, to its subscribers. Returns
/// whether a slow one was dropped (the online count changed).
#[must_use]
fn send_held(state: &mut State, topic: &Topic, capacity: usize) -> bool {
    let Some(subs) = state.topics.get_mut(topic) else {
        return false;
    };
    let mut held = std::mem::take(&mut subs.held);
    let held = match held.len() {
        0 => return false,
        1 => held.remove(0),
        _ => Frame::batch(held),
    };
    subs.last_sent = Some(Instant::now());
    let dropped = deliver(state, topic, held, capacity);
    close(state, dropped)
}

/// Queues `frame` for `topic`'s subscribers: in the queue of each, or in the
/// waiting list of one whose snapshot is being built (at most `capacity`
/// frames, like a queue). Returns the ids that could not take it.
fn deliver(state: &mut State, topic: &Topic, frame: Arc<Frame>, capacity: usize) -> Vec<ConnId> {
    let State { conns, topics, .. } = state;
    let Some(subs) = topics.get_mut(topic) else {
        return Vec::new();
    };
    let mut dropped = Vec::new();
    for &id in &subs.conns {
        let send = |frame: Arc<Frame>| {
            conns
                .get(&id)
                .is_some_and(|outbox| outbox.queue.try_send(frame).is_ok())
        };
        let taken = match subs.pending.get_mut(&id) {
            Some(Joining::Waiting(waiting)) if waiting.len() < capacity => {
                waiting.push(frame.clone());
                true
            }
            Some(Joining::Waiting(_)) => false,
            Some(Joining::Sent(since)) => frame.after(*since).is_none_or(send),
            None => send(frame.clone()),
        };
        if !taken {
            dropped.push(id);
        }
    }
    dropped
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
        subs.pending.remove(&id);
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

/// Unregisters `ids` (their sockets close). Returns whether any was still
/// registered: then the online count changed, to be told once the lock is
/// released ([`Hub::presence_changed`]).
#[must_use]
fn close(state: &mut State, dropped: Vec<ConnId>) -> bool {
    let mut changed = false;
    for id in dropped {
        changed |= remove(state, id);
    }
    changed
}

#[cfg(test)]
mod tests;
