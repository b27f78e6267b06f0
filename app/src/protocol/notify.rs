//! The notification area's messages, sent to every tab of the signed-in user.

use crate::model::Notification;
use serde::{Deserialize, Serialize};

/// Server → browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
