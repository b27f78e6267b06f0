//! Data the server sends to views (both sides of the wire share these
//! types), one module per area. Re-exported here, as views use many at once.

pub mod account;
pub mod auction;
pub mod catalog;
pub mod chat;
pub mod notify;
pub mod offer;
pub mod order;
pub mod wallet;

pub use account::*;
pub use auction::*;
pub use catalog::*;
pub use chat::*;
pub use notify::*;
pub use offer::*;
pub use order::*;
pub use wallet::*;
