//! The call area's messages: a video call's state and its WebRTC signaling,
//! on a topic only the conversation's two members may join ([`Topic::Call`]).
//! The server relays signals between the two and never reads an SDP beyond
//! bounding its size.

use super::Topic;
use crate::model::CallView;
use serde::Serialize;

/// A WebRTC signal, relayed as is to the other member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signal {
    /// A session description: `sdp_type` is "offer" or "answer".
    Description { sdp_type: String, sdp: String },
    /// An ICE candidate (`candidate` empty: the end of candidates).
    Candidate {
        candidate: String,
        sdp_mid: Option<String>,
        sdp_m_line_index: Option<u16>,
    },
}

// Read by tag_first! (the tag is the first key): no buffered copy of the
// message, see domain::tagged.
crate::domain::tagged::tag_first!(
    Signal,
    "kind",
    "description" => Description { sdp_type: String, sdp: String },
    "candidate" => Candidate { candidate: String, sdp_mid: Option<String>, sdp_m_line_index: Option<u16> },
);

/// Browser → server, from a conversation's call.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CallCommand {
    /// Ring the other member. Answered by an `Ack`.
    Call {
        conversation: String,
        req: u32,
    },
    Answer {
        conversation: String,
        req: u32,
    },
    Decline {
        conversation: String,
        req: u32,
    },
    /// End the call (the caller before an answer: cancel it).
    HangUp {
        conversation: String,
        req: u32,
    },
    /// The browsers could not connect: end it as failed.
    Failed {
        conversation: String,
        req: u32,
    },
    /// For the other member only. Not answered.
    Signal {
        conversation: String,
        signal: Signal,
    },
    /// The sender's microphone or camera went off or on. Not answered.
    Media {
        conversation: String,
        muted: bool,
        camera_off: bool,
    },
}

// Read by tag_first! (the tag is the first key): no buffered copy of the
// message, see domain::tagged.
crate::domain::tagged::tag_first!(
    CallCommand,
    "type",
    "call" => Call { conversation: String, req: u32 },
    "answer" => Answer { conversation: String, req: u32 },
    "decline" => Decline { conversation: String, req: u32 },
    "hang_up" => HangUp { conversation: String, req: u32 },
    "failed" => Failed { conversation: String, req: u32 },
    "signal" => Signal { conversation: String, signal: Signal },
    "media" => Media { conversation: String, muted: bool, camera_off: bool },
);

/// Server → browser, to the two members' tabs following the call topic.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum CallEvent {
    /// The call's state: on subscribing (`call` is `None` when none rings or
    /// runs) and on every change.
    #[serde(rename = "call_state")]
    State {
        conversation: String,
        call: Option<CallView>,
    },
    /// A signal from `from` (the other member).
    #[serde(rename = "call_signal")]
    Signal {
        conversation: String,
        from: i64,
        signal: Signal,
    },
    #[serde(rename = "call_media")]
    Media {
        conversation: String,
        user: i64,
        muted: bool,
        camera_off: bool,
    },
}

// Read by tag_first! (the tag is the first key): no buffered copy of the
// message, see domain::tagged.
crate::domain::tagged::tag_first!(
    CallEvent,
    "type",
    "call_state" => State { conversation: String, call: Option<CallView> },
    "call_signal" => Signal { conversation: String, from: i64, signal: Signal },
    "call_media" => Media { conversation: String, user: i64, muted: bool, camera_off: bool },
);

impl CallEvent {
    pub fn topic(&self) -> Topic {
        let conversation = match self {
            CallEvent::State { conversation, .. }
            | CallEvent::Signal { conversation, .. }
            | CallEvent::Media { conversation, .. } => conversation,
        };
        Topic::Call {
            conversation: conversation.clone(),
        }
    }
}
