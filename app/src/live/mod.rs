//! Live state pushed by the server over the WebSocket, shared by every view,
//! and the way pages follow a topic and send commands over the same socket.

#[cfg(feature = "hydrate")]
pub mod socket;

use crate::{
    model::Notification,
    protocol::{ClientMsg, ServerMsg, Topic},
};
use leptos::prelude::*;
use std::sync::Arc;

/// Called with every message about a followed topic (and every `Ack`).
pub type Handler = Arc<dyn Fn(&ServerMsg) + Send + Sync>;

#[derive(Clone)]
struct Follower {
    id: u64,
    topic: Topic,
    handler: Handler,
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
    /// The server's clock minus this browser's, in ms, for countdowns.
    pub clock_offset: RwSignal<i64>,
    followers: StoredValue<Vec<Follower>>,
    next_follower: StoredValue<u64>,
    /// Commands waiting for the socket task, which drains this queue.
    outgoing: StoredValue<Vec<ClientMsg>>,
    /// Wakes the socket task when `outgoing` gains something.
    wake: StoredValue<Option<Waker>>,
}

/// Tells the socket task there is something to send.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

impl Live {
    /// Follows `topic`: subscribes now (or on the next connect) and calls
    /// `handler` for its messages until [`Live::unfollow`]. Each (re)connect
    /// brings a fresh snapshot first.
    pub fn follow(&self, topic: Topic, handler: Handler) -> u64 {
        let id = self.next_follower.get_value() + 1;
        self.next_follower.set_value(id);
        let first = !self.follows(&topic);
        self.followers.update_value(|f| {
            f.push(Follower {
                id,
                topic: topic.clone(),
                handler,
            })
        });
        if first {
            self.send(ClientMsg::Subscribe { topic });
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
            self.send(ClientMsg::Unsubscribe { topic });
        }
    }

    /// Asks for a fresh snapshot of `topic` (after a missed update).
    pub fn resync(&self, topic: Topic) {
        self.send(ClientMsg::Unsubscribe {
            topic: topic.clone(),
        });
        self.send(ClientMsg::Subscribe { topic });
    }

    fn follows(&self, topic: &Topic) -> bool {
        self.followers
            .with_value(|f| f.iter().any(|x| &x.topic == topic))
    }

    /// Queues a command for the socket. Commands queued while disconnected
    /// are dropped on reconnect, except subscriptions, which are renewed.
    pub fn send(&self, msg: ClientMsg) {
        self.outgoing.update_value(|q| q.push(msg));
        if let Some(wake) = self.wake.get_value() {
            wake();
        }
    }

    pub fn set_waker(&self, wake: Waker) {
        self.wake.set_value(Some(wake));
    }

    pub fn take_outgoing(&self) -> Vec<ClientMsg> {
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

    /// Hands a server message to the followers it concerns.
    pub fn dispatch(&self, msg: &ServerMsg) {
        if let ServerMsg::Batch { msgs } = msg {
            for msg in msgs {
                self.dispatch(msg);
            }
            return;
        }
        let topic = msg.topic();
        let everyone = matches!(msg, ServerMsg::Ack { .. } | ServerMsg::Error { .. });
        let handlers: Vec<Handler> = self.followers.with_value(|f| {
            f.iter()
                .filter(|x| everyone || topic.as_ref() == Some(&x.topic))
                .map(|x| x.handler.clone())
                .collect()
        });
        for handler in handlers {
            handler(msg);
        }
    }
}

/// Provides [`Live`] to the app and, in the browser, starts the socket.
pub fn provide_live() -> Live {
    let live = Live {
        online: RwSignal::new(None),
        connected: RwSignal::new(false),
        unread: RwSignal::new(None),
        notice: RwSignal::new(None),
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
