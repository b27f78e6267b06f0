//! Server-only code: database, services, the live hub, storage.

pub mod accounts;
pub mod captcha;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod hub;
pub mod listings;
pub mod login_guard;
pub mod logins;
pub mod media;
pub mod origin;
pub mod outbox;
pub mod secret;
pub mod session;
pub mod state;
pub mod verification;
pub mod ws;

pub use state::AppState;
