//! Conversations and video calls as pages show them.

use crate::model::Participant;
use serde::{Deserialize, Serialize};

/// A photo in a message (re-encoded by the server; URLs under `/media`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatImage {
    pub url: String,
    pub thumb_url: String,
    pub width: u32,
    pub height: u32,
}

/// How a video call in a conversation went, on its log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// Answered; lasted `duration_ms` from answer to hang-up.
    Completed {
        duration_ms: i64,
    },
    /// Nobody answered in time.
    Missed,
    Declined,
    /// Answered, but the two browsers could not connect.
    Failed,
}

/// One message. `body` is plain text as typed: pages show it as text (links
/// made safe by `domain::chat::segments`), never as HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: i64,
    /// The sender's user id.
    pub from: i64,
    pub body: String,
    pub images: Vec<ChatImage>,
    /// Set on a call's log line.
    pub call: Option<CallOutcome>,
    pub at: i64,
}

/// The listing a conversation is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatListing {
    pub id: i64,
    pub title: String,
    pub thumb_url: Option<String>,
}

/// Who blocked whom between the two members, as the viewer may know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BlockState {
    /// The viewer blocked the other member.
    pub by_you: bool,
    /// The other member blocked the viewer.
    pub by_them: bool,
}

/// A conversation for one of its two members: the latest messages, oldest
/// first, and whether older ones exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    /// Public id (`/messages/<id>`).
    pub id: String,
    pub listing: ChatListing,
    /// The viewer's user id.
    pub me: i64,
    pub other: Participant,
    pub messages: Vec<MessageView>,
    /// Older messages exist before the first of `messages`.
    pub more: bool,
    /// The last message id the other member has seen ("Seen" under the
    /// viewer's messages up to it).
    pub other_read: i64,
    pub blocks: BlockState,
}

/// A page of older messages (oldest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagePage {
    pub messages: Vec<MessageView>,
    pub more: bool,
}

/// One conversation in the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxLine {
    pub id: String,
    pub listing: ChatListing,
    pub other: Participant,
    /// The newest message's text (cut short), if any.
    pub last: Option<String>,
    pub last_at: i64,
    pub unread: u32,
}

/// The inbox: conversations by latest activity, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub lines: Vec<InboxLine>,
    pub unread: u32,
}

/// A member the viewer blocked (settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocked {
    pub member: Participant,
    pub at: i64,
}

/// A call's state as both members' tabs see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallPhase {
    /// The caller waits; the other member's tabs ring.
    Ringing,
    /// Answered: the browsers negotiate and then talk.
    Connected,
    Ended,
}

/// A video call in a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallView {
    pub id: i64,
    /// The conversation's public id.
    pub conversation: String,
    pub caller: Participant,
    pub callee: Participant,
    pub phase: CallPhase,
    /// The member whose browser yields when both send an offer at once
    /// (perfect negotiation); chosen by the server.
    pub polite: i64,
    pub outcome: Option<CallOutcome>,
    pub started_at: i64,
    pub answered_at: Option<i64>,
}

/// A call ringing for the viewer, wherever they are in the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ring {
    pub call: i64,
    pub conversation: String,
    pub caller: Participant,
    pub title: String,
}
