//! The notification area's messages, sent to every tab of the signed-in user.

use crate::model::Notification;
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
}

// Read by tag_first! (the tag is the first key): no buffered copy of the
// message, see domain::tagged.
crate::domain::tagged::tag_first!(
    NoticeEvent,
    "type",
    "unread" => Unread { count: u32 },
    "notice" => Notice { notification: Notification, unread: u32 },
);
