//! Reusable views.

pub mod footer;
pub mod header;
pub mod language;
pub mod listing_card;
pub mod online;
pub mod page_title;
