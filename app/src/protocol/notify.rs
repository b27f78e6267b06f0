//! The notification area's messages, sent to every tab of the signed-in user.

use crate::model::{Notification, Ring};
use serde::Serialize;

/// Server → browser.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NoticeEvent {
    /// The signed-in user's unread notifications, sent after `Welcome`.
    Unread { count: u32 },
    /// A new notification for the signed-in user, and their unread count.
    Notice {
        notification: Notification,
        unread: u32,
    },
    /// The signed-in user's unread chat messages, in all conversations: sent
    /// after `Welcome` and whenever it changes (the header's badge).
    Messages { unread: u32 },
    /// A call rings for the signed-in user (answer or decline from any page).
    Ring { ring: Ring },
    /// The call stopped ringing (answered elsewhere, declined, cancelled,
    /// missed).
    RingEnded { call: i64 },
}

// Read by tag_first! (the tag is the first key): no buffered copy of the
// message, see domain::tagged.
crate::domain::tagged::tag_first!(
    NoticeEvent,
    "type",
    "unread" => Unread { count: u32 },
    "notice" => Notice { notification: Notification, unread: u32 },
    "messages" => Messages { unread: u32 },
    "ring" => Ring { ring: Ring },
    "ring_ended" => RingEnded { call: i64 },
);
