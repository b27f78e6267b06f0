//! HTTP glue shared by every area: who is logged in, same-origin rules, the
//! admin gate.

pub mod admin_gate;
pub mod origin;
pub mod policy;
pub mod session;
