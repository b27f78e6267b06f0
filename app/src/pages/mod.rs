//! One module per route.

pub mod about;
pub mod error;
pub mod home;
pub mod log_in;
pub mod not_found;
pub mod sign_up;
