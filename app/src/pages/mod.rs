//! One module per route.

pub mod about;
pub mod error;
pub mod home;
pub mod not_found;
