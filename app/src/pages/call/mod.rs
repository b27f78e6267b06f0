//! The call area: a video call in a conversation (lazily loaded: the
//! WebRTC code rides in this route's chunk only).

pub mod page;
#[cfg(feature = "hydrate")]
mod rtc;
