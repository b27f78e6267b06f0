//! Server-only code, the one gate: nothing below compiles into the browser.
//!
//! Infrastructure without business rules (`platform`, `web`, `live`) stands apart
//! from the areas (`account`, `catalog`, `auction`, `notify`, `offer`, `order`), each of
//! which holds its use cases.

pub mod account;
pub mod admin;
pub mod auction;
pub mod call;
pub mod catalog;
pub mod chat;
pub mod demo;
pub mod effects;
pub mod live;
pub mod notify;
pub mod offer;
pub mod order;
pub mod platform;
#[cfg(test)]
pub(crate) mod testing;
pub mod wallet;
pub mod web;
pub use platform::state::AppState;
