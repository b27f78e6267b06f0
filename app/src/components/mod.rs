//! Reusable views.

pub mod account_menu;
pub mod catalog_labels;
pub mod footer;
pub mod form;
pub mod header;
pub mod language;
pub mod listing_card;
pub mod member;
pub mod notice;
pub mod online;
pub mod page_title;
pub mod ring;
pub mod time;
