//! Typed row ids. A bare `i64` lets a listing id pass where a user id is
//! expected (`end(listing, seller)` against `cancel(seller, listing)`); with
//! a wallet such a swap is a money bug, so new signatures take these instead.
//! On the wire and in the database they are the plain integer.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(pub i64);

        impl $name {
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }
    )*};
}

ids! {
    /// A member (`users.id`).
    UserId,
    /// A listing (`listings.id`); an auction shares its listing's id.
    ListingId,
    /// An order (`orders.id`).
    OrderId,
    /// An offer (`offers.id`).
    OfferId,
    /// A stored notification (`notifications.id`).
    NoticeId,
    /// A conversation (`conversations.id`).
    ConversationId,
    /// A chat message (`messages.id`).
    MessageId,
    /// A video call (`calls.id`).
    CallId,
    /// An escrow hold (`holds.id`).
    HoldId,
    /// A ledger transfer (`transfers.id`).
    TransferId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_travel_as_plain_integers() {
        assert_eq!(serde_json::to_string(&ListingId(42)).unwrap(), "42");
        assert_eq!(serde_json::from_str::<UserId>("7").unwrap(), UserId(7));
        assert_eq!(i64::from(OrderId(3)), 3);
        assert_eq!(NoticeId(9).to_string(), "9");
    }
}
