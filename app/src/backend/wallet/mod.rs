//! The wallet: a double-entry ledger in SQLite (`store`), whose schema
//! enforces what `domain::wallet` states: balanced transfers, no member
//! balance below zero, holds settled once, nothing in the ledger rewritten.

pub mod store;
#[cfg(test)]
mod tests;
