//! Conversations between two members about a listing: the inbox, one
//! conversation, the chat panel the negotiation room embeds, and the
//! members one has blocked.

pub mod blocked;
pub mod conversation;
pub mod inbox;
pub mod panel;
mod rules;
