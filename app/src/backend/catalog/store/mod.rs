//! The catalog's SQL, by topic. Each function runs one statement on the
//! executor it is given (the pool, or the caller's transaction) and returns
//! rows or plain results; what to do with them is the use cases' business.
//! This is where another database plugs in.

mod categories;
mod favorites;
mod listings;
mod photos;
mod review;
mod search;
mod tags;

pub(crate) use categories::*;
pub(crate) use favorites::*;
pub(crate) use listings::*;
pub(crate) use photos::*;
pub(crate) use review::*;
pub(crate) use search::*;
pub(crate) use tags::*;
