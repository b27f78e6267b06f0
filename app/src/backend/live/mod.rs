//! The live spine: the hub that fans messages out to subscribed tabs and the
//! `/ws` socket loop that hands each area its messages.

pub mod hub;
pub mod socket;
