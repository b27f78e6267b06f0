//! The live auction room and the buyer and seller centers' auction lists.

pub mod center;
pub mod room;
