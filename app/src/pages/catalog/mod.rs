//! Reading the catalog (home, search, a listing, collections) and the
//! listing editor.

pub mod collections;
pub mod home;
pub mod listing;
pub mod search;
pub mod sell;
