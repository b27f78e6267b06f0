//! Server-only code, the one gate: nothing below compiles into the browser.
//!
//! Infrastructure without business rules (`platform`, `web`, `live`) stands apart
//! from the areas (`account`, `catalog`, `auction`, `notify`, `order`), each of
//! which holds its use cases.

pub mod account;
pub mod auction;
pub mod catalog;
pub mod demo;
pub mod live;
pub mod notify;
pub mod order;
pub mod platform;
pub mod web;
pub use platform::state::AppState;
