//! Browser-only code.

pub mod socket;
