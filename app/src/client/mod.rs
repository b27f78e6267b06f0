//! Browser-only code.

pub mod upload;
