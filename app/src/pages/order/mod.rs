//! The order area: ordering from a listing, the negotiation room, and the
//! viewer's orders.

pub mod buy;
pub mod list;
pub mod room;
pub mod rules;
mod scan;
pub mod text;
