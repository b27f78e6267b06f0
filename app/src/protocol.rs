//! The typed real-time messages exchanged over `/ws` as JSON text frames.

use serde::{Deserialize, Serialize};

/// A stream of live events a tab can subscribe to. Access is checked on every
/// subscribe; later areas add their rooms (auctions, conversations, orders, calls).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Topic {
    /// Site-wide presence: how many tabs are connected. Public.
    Presence,
}

/// Browser → server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    Subscribe { topic: Topic },
    Unsubscribe { topic: Topic },
    Ping,
}

/// Server → browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    /// First frame on every connection; lets the client align countdowns with the
    /// server clock.
    Welcome {
        server_time_ms: i64,
    },
    /// Sent periodically so a client can tell a silent socket from a dead one.
    Heartbeat {
        server_time_ms: i64,
    },
    Pong,
    /// Snapshot and update of [`Topic::Presence`].
    Online {
        count: u32,
    },
    /// A message was refused; nothing changed.
    Error {
        code: ErrorCode,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame was not a valid [`ClientMsg`].
    BadMessage,
    /// The caller may not subscribe to that topic.
    Forbidden,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_format_is_stable() {
        let sub = ClientMsg::Subscribe {
            topic: Topic::Presence,
        };
        let json = serde_json::to_string(&sub).unwrap();
        assert_eq!(json, r#"{"type":"subscribe","topic":{"kind":"presence"}}"#);
        assert_eq!(serde_json::from_str::<ClientMsg>(&json).unwrap(), sub);
        assert_eq!(
            serde_json::to_string(&ServerMsg::Online { count: 3 }).unwrap(),
            r#"{"type":"online","count":3}"#
        );
        assert_eq!(
            serde_json::to_string(&ServerMsg::Error {
                code: ErrorCode::BadMessage
            })
            .unwrap(),
            r#"{"type":"error","code":"bad_message"}"#
        );
    }

    #[test]
    fn unknown_messages_are_rejected() {
        assert!(serde_json::from_str::<ClientMsg>(r#"{"type":"bid","amount":5}"#).is_err());
        assert!(serde_json::from_str::<ClientMsg>("not json").is_err());
    }
}
