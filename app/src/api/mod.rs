//! Server functions, one module per area. Each is an adapter: it takes the
//! caller from the session, calls one backend use case and returns its answer.

pub mod account;
pub mod admin;
pub mod auction;
pub mod call;
pub mod catalog;
pub mod chat;
pub mod codec;
pub mod offer;
pub mod order;
pub mod wallet;
