//! One module per route.

pub mod about;
pub mod admin;
pub mod auction;
pub mod auction_center;
pub mod collections;
pub mod error;
pub mod home;
pub mod identity;
pub mod listing;
pub mod log_in;
pub mod member;
pub mod not_found;
pub mod notifications;
pub mod search;
pub mod sell;
pub mod settings;
pub mod sign_up;
pub mod verify;
