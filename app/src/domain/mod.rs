//! Pure rules: no I/O, no Leptos. The same code runs in the browser (instant
//! feedback) and on the server (the authority). One folder per area; what every
//! area shares (money, dates) stands beside them.

pub mod account;
pub mod auction;
pub mod backoff;
pub mod call;
pub mod catalog;
pub mod chat;
pub mod date;
pub mod form;
pub mod id;
pub mod money;
pub mod offer;
pub mod order;
pub mod tagged;
pub mod wallet;
