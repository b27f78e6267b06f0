//! Conversations' pure rules: what a message may hold, and (in `links`) how
//! its text is shown with safe links.

pub mod links;
