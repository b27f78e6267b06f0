//! Browser-only code.

pub mod socket;
pub mod upload;
