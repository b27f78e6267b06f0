//! The one seam for what a committed change implies beyond its transaction:
//! stale cached pages, an auction room to tell, the scheduler to wake,
//! notifications to push. A use case commits, then hands its effects here, so
//! a form, a socket message, the admin console or (later) the REST API that
//! reach the same use case leave the same trace.
//!
//! The change stands whatever happens here: a failure is logged, never
//! returned, so nobody retries a change that was stored.
//!
//! (The auction house applies the same follow-ups to its own bids and ends
//! inside its per-auction turn, where the order of updates is decided.)

use crate::backend::{AppState, call, notify};
use crate::domain::id::{ListingId, NoticeId, UserId};
use crate::{
    model::{MessageView, OrderLive},
    protocol::{ChatEvent, NoticeEvent, OrderEvent, ServerMsg, Topic},
};

/// What one committed change implies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// What the public sees of listings changed: cached home and search
    /// pages are stale.
    CatalogChanged,
    /// An auction's terms or visibility changed and its number moved in the
    /// same transaction: its room hears the new state, and the scheduler
    /// plans again (a start or an end may now be due, or no longer).
    AuctionChanged(ListingId),
    /// An auction may now be due to start or end sooner: the scheduler
    /// plans again.
    ScheduleChanged,
    /// Stored notifications to push to their owners' open tabs.
    Notified(Vec<NoticeId>),
    /// An order changed: its room hears the new state, exactly as stored
    /// (read inside the transaction that stored it).
    OrderChanged(OrderLive),
    /// A chat message was stored: both members' tabs in the conversation
    /// get it, and every tab of the recipient their unread count.
    ChatMessage {
        conversation: String,
        message: MessageView,
        recipient: UserId,
        unread: u32,
    },
    /// A member's read mark moved: both members' tabs in the conversation
    /// hear it ("Seen"), and every tab of the reader their unread count.
    ChatSeen {
        conversation: String,
        reader: UserId,
        up_to: i64,
        unread: u32,
    },
    /// A video call changed: both members' call pages hear its state, the
    /// callee's tabs ring or stop, an ended call's log line is told.
    CallChanged(Box<call::CallChanged>),
}

/// Applies `effects` in order.
pub async fn apply(state: &AppState, effects: &[Effect], now: i64) {
    for effect in effects {
        match effect {
            Effect::CatalogChanged => state.search_cache.clear(),
            Effect::AuctionChanged(listing) => {
                if let Err(e) = state.auctions.changed(*listing, now).await {
                    tracing::error!(error = %e, %listing, "telling an auction room failed");
                }
            }
            Effect::ScheduleChanged => state.auctions.wake_scheduler(),
            Effect::Notified(notices) => {
                let ids: Vec<i64> = notices.iter().map(|n| n.get()).collect();
                if let Err(e) =
                    notify::push(&state.db, &state.hub, state.config.currency, &ids).await
                {
                    tracing::error!(error = %e, "pushing notifications failed");
                }
            }
            Effect::OrderChanged(live) => {
                let topic = Topic::Order {
                    order: live.order.clone(),
                };
                let update = OrderEvent::Update { live: live.clone() };
                state.hub.publish(&topic, ServerMsg::Order(update));
            }
            Effect::ChatMessage {
                conversation,
                message,
                recipient,
                unread,
            } => {
                let event = ChatEvent::Message {
                    conversation: conversation.clone(),
                    message: message.clone(),
                };
                state.hub.publish(&event.topic(), ServerMsg::Chat(event));
                let count = NoticeEvent::Messages { unread: *unread };
                state
                    .hub
                    .send_to_user(recipient.get(), ServerMsg::Notify(count));
            }
            Effect::ChatSeen {
                conversation,
                reader,
                up_to,
                unread,
            } => {
                let event = ChatEvent::Seen {
                    conversation: conversation.clone(),
                    user: reader.get(),
                    up_to: *up_to,
                };
                state.hub.publish(&event.topic(), ServerMsg::Chat(event));
                let count = NoticeEvent::Messages { unread: *unread };
                state
                    .hub
                    .send_to_user(reader.get(), ServerMsg::Notify(count));
            }
            Effect::CallChanged(change) => call::publish(&state.hub, change),
        }
    }
}
