//! One module per route.

pub mod about;
pub mod admin;
pub mod error;
pub mod home;
pub mod identity;
pub mod log_in;
pub mod member;
pub mod not_found;
pub mod settings;
pub mod sign_up;
pub mod verify;
