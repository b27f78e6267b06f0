//! Server functions, one module per area: check the caller, call a service, map
//! errors.

pub mod auth;
pub mod listings;
