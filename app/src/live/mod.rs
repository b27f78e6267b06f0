//! Live state pushed by the server over the WebSocket, shared by every view,
//! and the way pages follow a topic and send commands over the same socket.

#[cfg(feature = "hydrate")]
pub mod socket;

use crate::{
    model::{Notification, Ring},
    protocol::{ClientMsg, ServerMsg, Subscription, Topic},
};
use leptos::prelude::*;
use std::sync::Arc;

/// Reads a server message's text for one follower (see [`Live::follow`]).
type Reader = Arc<dyn Fn(&str) + Send + Sync>;

#[derive(Clone)]
struct Follower {
    id: u64,
    topic: Topic,
    reader: Reader,
}

#[derive(Clone, Copy)]
pub struct Live {
    /// Connected tabs site-wide; `None` until the server first says.
    pub online: RwSignal<Option<u32>>,
    /// Whether the socket is open right now.
    pub connected: RwSignal<bool>,
    /// The signed-in user's unread notifications, once the server said.
    pub unread: RwSignal<Option<u32>>,
    /// The latest notification pushed while this tab was open.
    pub notice: RwSignal<Option<Notification>>,
    /// The signed-in user's unread chat messages, once the server said.
    pub messages_unread: RwSignal<Option<u32>>,
    /// A call ringing for the signed-in user right now.
    pub ring: RwSignal<Option<Ring>>,
    /// The server's clock minus this browser's, in ms, for countdowns.
    pub clock_offset: RwSignal<i64>,
    followers: StoredValue<Vec<Follower>>,
    next_follower: StoredValue<u64>,
    /// Frames waiting for the socket task, which drains this queue.
    outgoing: StoredValue<Vec<String>>,
    /// Wakes the socket task when `outgoing` gains something.
    wake: StoredValue<Option<Waker>>,
}

/// Tells the socket task there is something to send.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

impl Live {
    /// Follows `topic`: subscribes now (or on the next connect) and calls
    /// `handler` for its messages, and for every `Ack` and `Error`, until
    /// [`Live::unfollow`]. Each (re)connect brings a fresh snapshot first.
    ///
    /// The message is read here, in the following page's code: the socket
    /// task hands over text, so the readers of an area's events live in the
    /// lazily loaded chunk of the pages that show them.
    pub fn follow(
        &self,
        topic: Topic,
        handler: impl Fn(&ServerMsg) + Send + Sync + 'static,
    ) -> u64 {
        let wanted = topic.clone();
        let reader: Reader = Arc::new(move |text: &str| {
            if let Ok(msg) = serde_json::from_str::<ServerMsg>(text) {
                deliver(&wanted, &msg, &handler);
            }
        });
        self.add_follower(topic, reader)
    }

    fn add_follower(&self, topic: Topic, reader: Reader) -> u64 {
        let id = self.next_follower.get_value() + 1;
        self.next_follower.set_value(id);
        let first = !self.follows(&topic);
        self.followers.update_value(|f| {
            f.push(Follower {
                id,
                topic: topic.clone(),
                reader,
            })
        });
        if first {
            self.subscription(Subscription::Subscribe { topic: &topic });
        }
        id
    }

    pub fn unfollow(&self, id: u64) {
        let mut gone = None;
        self.followers.update_value(|f| {
            if let Some(i) = f.iter().position(|x| x.id == id) {
                gone = Some(f.remove(i).topic);
            }
        });
        if let Some(topic) = gone
            && !self.follows(&topic)
        {
            self.subscription(Subscription::Unsubscribe { topic: &topic });
        }
    }

    /// Asks for a fresh snapshot of `topic` (after a missed update).
    pub fn resync(&self, topic: Topic) {
        self.subscription(Subscription::Unsubscribe { topic: &topic });
        self.subscription(Subscription::Subscribe { topic: &topic });
    }

    fn follows(&self, topic: &Topic) -> bool {
        self.followers
            .with_value(|f| f.iter().any(|x| &x.topic == topic))
    }

    /// Queues a command for the socket. Commands queued while disconnected
    /// are dropped on reconnect, except subscriptions, which are renewed.
    pub fn send(&self, msg: &ClientMsg) {
        if let Ok(text) = serde_json::to_string(msg) {
            self.queue(text);
        }
    }

    /// Queues a command already written as JSON: for the few small
    /// first-load components that must not pull an area's command types
    /// into the first-load file (the ringing notice's "Decline").
    pub fn send_text(&self, text: String) {
        self.queue(text);
    }

    fn subscription(&self, msg: Subscription) {
        if let Ok(text) = serde_json::to_string(&msg) {
            self.queue(text);
        }
    }

    fn queue(&self, text: String) {
        self.outgoing.update_value(|q| q.push(text));
        if let Some(wake) = self.wake.get_value() {
            wake();
        }
    }

    pub fn set_waker(&self, wake: Waker) {
        self.wake.set_value(Some(wake));
    }

    pub fn take_outgoing(&self) -> Vec<String> {
        let mut taken = Vec::new();
        self.outgoing
            .update_value(|q| std::mem::swap(q, &mut taken));
        taken
    }

    /// Every followed topic, once each.
    pub fn topics(&self) -> Vec<Topic> {
        self.followers.with_value(|f| {
            let mut topics: Vec<Topic> = Vec::new();
            for x in f {
                if !topics.contains(&x.topic) {
                    topics.push(x.topic.clone());
                }
            }
            topics
        })
    }

    /// Hands the text of a server message the socket task does not read
    /// itself to every follower, which reads it (see [`Live::follow`]).
    pub fn dispatch(&self, text: &str) {
        let readers: Vec<Reader> = self
            .followers
            .with_value(|f| f.iter().map(|x| x.reader.clone()).collect());
        for reader in readers {
            reader(text);
        }
    }
}

/// Calls `handler` with `msg` if it concerns `topic` (acknowledgements and
/// errors concern every follower), and with each message of a batch.
fn deliver(topic: &Topic, msg: &ServerMsg, handler: &dyn Fn(&ServerMsg)) {
    match msg {
        ServerMsg::Batch { msgs } => {
            for msg in msgs {
                deliver(topic, msg, handler);
            }
        }
        ServerMsg::Ack { .. } | ServerMsg::Error { .. } => handler(msg),
        _ if msg.topic().as_ref() == Some(topic) => handler(msg),
        _ => {}
    }
}

/// Provides [`Live`] to the app and, in the browser, starts the socket.
pub fn provide_live() -> Live {
    let live = Live {
        online: RwSignal::new(None),
        connected: RwSignal::new(false),
        unread: RwSignal::new(None),
        notice: RwSignal::new(None),
        messages_unread: RwSignal::new(None),
        ring: RwSignal::new(None),
        clock_offset: RwSignal::new(0),
        followers: StoredValue::new(Vec::new()),
        next_follower: StoredValue::new(0),
        outgoing: StoredValue::new(Vec::new()),
        wake: StoredValue::new(None),
    };
    provide_context(live);
    // Effects run only in the browser, after hydration.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| crate::live::socket::run(live));
    live
}
