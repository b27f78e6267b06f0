//! Server-only code: database, services, the live hub, storage.

pub mod accounts;
pub mod admin_gate;
pub mod captcha;
pub mod categories;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod favorites;
pub mod hub;
pub mod identity;
pub mod images;
pub mod listing_edit;
pub mod listings;
pub mod login_guard;
pub mod logins;
pub mod media;
pub mod ocr;
pub mod origin;
pub mod outbox;
pub mod review;
pub mod search;
pub mod search_cache;
pub mod secret;
pub mod session;
pub mod state;
pub mod upload;
pub mod vault;
pub mod verification;
pub mod ws;

pub use state::AppState;
