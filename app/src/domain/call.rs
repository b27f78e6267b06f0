//! Video calls' pure rules: a call rings, is answered (connected), and ends;
//! who may move it, how it ended, and how long it lasted. The server applies
//! them to the stored call; pages read the same constants.
//!
//! ```text
//! ringing ──answer (callee)──▶ connected ──hang up (either)──▶ ended: completed
//!    │                             └──────failed (either)────▶ ended: failed
//!    ├──decline / hang up (callee)───────────────────────────▶ ended: declined
//!    ├──hang up (caller): cancelled─────────────────────────▶ ended: missed
//!    └──nobody answers within RING_TIMEOUT_MS─────────────────▶ ended: missed
//! ```
//!
//! A call the caller cancels is logged as missed: to the callee it is one
//! (the stored outcomes are `completed`, `missed`, `declined`, `failed`).

use serde::{Deserialize, Serialize};

/// A call nobody answers ends as missed this long after it started.
pub const RING_TIMEOUT_MS: i64 = 45_000;
/// A connected call nobody hung up (both tabs closed) ends this long after
/// the answer, so a forgotten call does not hold the conversation for ever.
pub const MAX_CALL_MS: i64 = 4 * 3_600_000;
/// A browser that has not connected this long after the answer says it
/// could not connect and ends the call as failed.
pub const CONNECT_TIMEOUT_MS: i64 = 20_000;
/// How long a connection may take before the impolite side asks for a fresh
/// negotiation (an ICE restart): a lost offer or failed checks get a second
/// try well within [`CONNECT_TIMEOUT_MS`].
pub const RESTART_AFTER_MS: i64 = 6_000;
/// The longest session description relayed (a browser's offer for one
/// audio and one video track is a few KB).
pub const MAX_SDP: usize = 16 * 1024;
/// The longest ICE candidate line relayed.
pub const MAX_CANDIDATE: usize = 1024;
/// Signals one member may send in one call: a burst (the candidates
/// gathered at the start), then this many a second.
pub const SIGNAL_BURST: u32 = 60;
pub const SIGNALS_PER_SECOND: u32 = 20;
/// Calls one member may start an hour: each rings somebody.
pub const CALLS_PER_HOUR: u32 = 30;

/// A member's part in a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Caller,
    Callee,
}

/// How a call ended, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Completed,
    Missed,
    Declined,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Missed => "missed",
            Outcome::Declined => "declined",
            Outcome::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        Some(match text {
            "completed" => Outcome::Completed,
            "missed" => Outcome::Missed,
            "declined" => Outcome::Declined,
            "failed" => Outcome::Failed,
            _ => return None,
        })
    }
}

/// What is known of a call: when it started, was answered, ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallTimes {
    pub started_at: i64,
    pub answered_at: Option<i64>,
    pub ended: Option<(i64, Outcome)>,
}

impl CallTimes {
    pub fn ringing(started_at: i64) -> CallTimes {
        CallTimes {
            started_at,
            answered_at: None,
            ended: None,
        }
    }

    /// Ringing or connected: the conversation's one open call.
    pub fn is_open(&self) -> bool {
        self.ended.is_none()
    }

    /// How long it lasted: from the answer to the end; `None` while it runs
    /// or when it was never answered.
    pub fn duration_ms(&self) -> Option<i64> {
        match (self.answered_at, self.ended) {
            (Some(answered), Some((ended, Outcome::Completed))) => Some((ended - answered).max(0)),
            _ => None,
        }
    }

    /// When the server ends it on its own if nobody does: missed once the
    /// ringing timed out, completed once it ran for [`MAX_CALL_MS`].
    pub fn due_at(&self) -> Option<i64> {
        match (self.ended, self.answered_at) {
            (Some(_), _) => None,
            (None, None) => Some(self.started_at + RING_TIMEOUT_MS),
            (None, Some(answered)) => Some(answered + MAX_CALL_MS),
        }
    }
}

/// What a member (or the server's clock) does to a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Answer,
    Decline,
    HangUp,
    /// The browsers could not connect.
    Fail,
    /// The server's pass: the call is due (see [`CallTimes::due_at`]).
    Expire,
}

/// Why an action was refused; nothing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallRefusal {
    /// Only the callee answers or declines.
    NotYours,
    /// The call is not (or no longer) in a state that allows this.
    Gone,
    /// Not due yet (the server's pass only).
    NotDue,
}

/// The change an allowed action makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Answered { at: i64 },
    Ended { at: i64, outcome: Outcome },
}

impl Change {
    pub fn apply(self, call: CallTimes) -> CallTimes {
        match self {
            Change::Answered { at } => CallTimes {
                answered_at: Some(at),
                ..call
            },
            Change::Ended { at, outcome } => CallTimes {
                ended: Some((at, outcome)),
                ..call
            },
        }
    }
}

/// Whether `role` (`None`: the server's own pass) may do `action` to `call`
/// at `now`, and what it changes.
pub fn decide(
    call: CallTimes,
    role: Option<Role>,
    action: Action,
    now: i64,
) -> Result<Change, CallRefusal> {
    if call.ended.is_some() {
        return Err(CallRefusal::Gone);
    }
    let ringing = call.answered_at.is_none();
    let end = |outcome| Ok(Change::Ended { at: now, outcome });
    match (action, role) {
        (Action::Expire, None) => match call.due_at() {
            Some(due) if now >= due && ringing => end(Outcome::Missed),
            Some(due) if now >= due => end(Outcome::Completed),
            _ => Err(CallRefusal::NotDue),
        },
        // Members act; the server only expires.
        (Action::Expire, Some(_)) | (_, None) => Err(CallRefusal::NotYours),
        (Action::Answer | Action::Decline, Some(Role::Caller)) => Err(CallRefusal::NotYours),
        (Action::Answer, Some(Role::Callee)) if ringing => Ok(Change::Answered {
            at: now.max(call.started_at),
        }),
        (Action::Decline, Some(Role::Callee)) if ringing => end(Outcome::Declined),
        (Action::Answer | Action::Decline, _) => Err(CallRefusal::Gone),
        (Action::HangUp, Some(Role::Caller)) if ringing => end(Outcome::Missed),
        (Action::HangUp, Some(Role::Callee)) if ringing => end(Outcome::Declined),
        (Action::HangUp, _) => end(Outcome::Completed),
        (Action::Fail, _) if ringing => Err(CallRefusal::Gone),
        (Action::Fail, _) => end(Outcome::Failed),
    }
}

/// The member whose browser yields when both offer at once (perfect
/// negotiation): the callee, who joins second and so is the one whose
/// offer is more likely the stray one.
pub fn polite(_caller: i64, callee: i64) -> i64 {
    callee
}

/// Why a signal is not relayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalRefusal {
    TooLong,
    /// A description whose type is not an offer or an answer (a rollback
    /// is the browser's own business).
    BadType,
}

/// Checks a session description before relaying it.
pub fn check_description(sdp_type: &str, sdp: &str) -> Result<(), SignalRefusal> {
    if !matches!(sdp_type, "offer" | "answer") {
        return Err(SignalRefusal::BadType);
    }
    if sdp.len() > MAX_SDP {
        return Err(SignalRefusal::TooLong);
    }
    Ok(())
}

/// Checks an ICE candidate before relaying it.
pub fn check_candidate(candidate: &str, sdp_mid: Option<&str>) -> Result<(), SignalRefusal> {
    if candidate.len() > MAX_CANDIDATE || sdp_mid.is_some_and(|m| m.len() > 64) {
        return Err(SignalRefusal::TooLong);
    }
    Ok(())
}

/// A STUN or TURN server the browsers may use, as `RTCIceServer` has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServer {
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// Reads `HAGGLE_ICE_SERVERS`: a JSON array of `{urls, username?,
/// credential?}`, `urls` one URL or a list, each `stun:`, `stuns:`, `turn:`
/// or `turns:`; a TURN server needs a username and a credential.
pub fn parse_ice_servers(text: &str) -> Result<Vec<IceServer>, String> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Urls {
        One(String),
        Many(Vec<String>),
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Raw {
        urls: Urls,
        username: Option<String>,
        credential: Option<String>,
    }
    let raw: Vec<Raw> = serde_json::from_str(text)
        .map_err(|e| format!("expected a JSON array of {{urls, username?, credential?}}: {e}"))?;
    raw.into_iter()
        .map(|server| {
            let urls = match server.urls {
                Urls::One(url) => vec![url],
                Urls::Many(urls) => urls,
            };
            if urls.is_empty() {
                return Err("a server without urls".to_owned());
            }
            for url in &urls {
                let scheme = url.split(':').next().unwrap_or_default();
                match scheme {
                    "stun" | "stuns" => {}
                    "turn" | "turns"
                        if server.username.is_some() && server.credential.is_some() => {}
                    "turn" | "turns" => {
                        return Err(format!(
                            "{url}: a TURN server needs username and credential"
                        ));
                    }
                    _ => {
                        return Err(format!(
                            "{url}: expected a stun:, stuns:, turn: or turns: URL"
                        ));
                    }
                }
            }
            Ok(IceServer {
                urls,
                username: server.username,
                credential: server.credential,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
