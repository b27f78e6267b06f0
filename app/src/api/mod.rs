//! Server functions, one module per area: check the caller, call a service, map
//! errors.

pub mod account;
pub mod admin;
pub mod auctions;
pub mod auth;
pub mod identity;
pub mod listings;
pub mod profile;
