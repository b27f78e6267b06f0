//! Signing up and in, verifying, settings and public member pages.

pub mod identity;
pub mod log_in;
pub mod member;
pub mod settings;
pub mod sign_up;
pub mod verify;
