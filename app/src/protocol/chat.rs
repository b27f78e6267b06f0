//! The chat area's messages: what a member sends in a conversation, and what
//! both members' tabs in it hear ([`Topic::Conversation`]).

use super::{Mark, Since, Topic};
use crate::model::MessageView;
use serde::Serialize;

/// Browser → server, from a conversation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChatCommand {
    /// A message: text, and photos uploaded first (`listing/image`, the
    /// one checked image pipeline) named by their ids. Answered by
    /// [`super::ServerMsg::Ack`] with `req`; every tab in the conversation
    /// (the sender's too) gets it as [`ChatEvent::Message`].
    Send {
        conversation: String,
        text: String,
        images: Vec<i64>,
        req: u32,
    },
    /// The sender is typing; the other member's tabs show it for a few
    /// seconds. Not answered.
    Typing { conversation: String },
    /// The sender has seen every message up to `up_to`. Not answered.
    Read { conversation: String, up_to: i64 },
}

// Read by tag_first! (the tag is the first key): no buffered copy of the
// message, see domain::tagged.
crate::domain::tagged::tag_first!(
    ChatCommand,
    "type",
    "send" => Send { conversation: String, text: String, images: Vec<i64>, req: u32 },
    "typing" => Typing { conversation: String },
    "read" => Read { conversation: String, up_to: i64 },
);

/// Server → browser, to both members' tabs in a conversation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum ChatEvent {
    /// On subscribing: the latest messages (oldest first) and the read marks,
    /// so a tab that missed something while away is up to date.
    #[serde(rename = "chat_snapshot")]
    Snapshot {
        conversation: String,
        messages: Vec<MessageView>,
        /// The last message id each member has seen: `[buyer, seller]`
        /// by user id.
        reads: Vec<(i64, i64)>,
    },
    #[serde(rename = "chat_message")]
    Message {
        conversation: String,
        message: MessageView,
    },
    #[serde(rename = "chat_typing")]
    Typing { conversation: String, user: i64 },
    /// `user` has seen every message up to `up_to`.
    #[serde(rename = "chat_seen")]
    Seen {
        conversation: String,
        user: i64,
        up_to: i64,
    },
}

// Read by tag_first! (the tag is the first key): no buffered copy of the
// message, see domain::tagged.
crate::domain::tagged::tag_first!(
    ChatEvent,
    "type",
    "chat_snapshot" => Snapshot { conversation: String, messages: Vec<MessageView>, reads: Vec<(i64, i64)> },
    "chat_message" => Message { conversation: String, message: MessageView },
    "chat_typing" => Typing { conversation: String, user: i64 },
    "chat_seen" => Seen { conversation: String, user: i64, up_to: i64 },
);

impl ChatEvent {
    pub fn conversation(&self) -> &str {
        match self {
            ChatEvent::Snapshot { conversation, .. }
            | ChatEvent::Message { conversation, .. }
            | ChatEvent::Typing { conversation, .. }
            | ChatEvent::Seen { conversation, .. } => conversation,
        }
    }

    pub fn topic(&self) -> Topic {
        Topic::Conversation {
            conversation: self.conversation().to_owned(),
        }
    }

    /// A message's place: its id, which grows with every message.
    pub fn mark(&self) -> Option<Mark> {
        match self {
            ChatEvent::Message { message, .. } => Some(Mark::Chat(message.id)),
            _ => None,
        }
    }

    pub fn since(&self) -> Option<Since> {
        match self {
            ChatEvent::Snapshot { messages, .. } => Some(Since {
                seq: 0,
                chat: messages.iter().map(|m| m.id).max().unwrap_or(0),
            }),
            _ => None,
        }
    }
}
