//! Infrastructure with no business rules: configuration, the database, the
//! clock, secrets, files and images, outgoing messages, OCR and CAPTCHA.

pub mod captcha;
pub mod client;
pub mod clock;
pub mod config;
pub mod db;
pub mod group;
pub mod images;
pub mod limits;
pub mod media;
pub mod ocr;
pub mod outbox;
pub mod secret;
pub mod state;
pub mod upload;
pub mod vault;
