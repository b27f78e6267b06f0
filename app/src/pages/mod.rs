//! One folder per area, one module per route; the few pages that belong to no
//! area (about, errors) stand beside them.

pub mod about;
pub mod account;
pub mod admin;
pub mod auction;
pub mod call;
pub mod catalog;
pub mod chat;
pub mod error;
pub mod lazy;
pub mod not_found;
pub mod notify;
pub mod offer;
pub mod order;
pub mod wallet;
