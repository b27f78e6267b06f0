//! The router tests: a real Haggle server on an ephemeral loopback port, driven
//! by HTTP and WebSocket clients. One test binary: each area is a module.

mod common;

mod account;
mod auction;
mod auth;
mod call;
mod catalog;
mod chat;
mod chat_pages;
mod http;
mod identity;
mod offer;
mod order;
mod order_pages;
mod wallet;
mod websocket;
