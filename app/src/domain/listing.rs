//! Vocabulary of a listing shared by the database, the API and the views.

use serde::{Deserialize, Serialize};

/// How a listing is sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleMode {
    Fixed,
    Offers,
    Auction,
}

/// Physical state of the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    New,
    LikeNew,
    Good,
    Fair,
    ForParts,
}

/// Generates the string form used in the database and URLs, and its inverse.
macro_rules! string_enum {
    ($ty:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<$ty> {
                match text { $($text => Some($ty::$variant),)+ _ => None }
            }
        }
    };
}

string_enum!(SaleMode { Fixed => "fixed", Offers => "offers", Auction => "auction" });
string_enum!(Condition {
    New => "new",
    LikeNew => "like_new",
    Good => "good",
    Fair => "fair",
    ForParts => "for_parts",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_forms_round_trip_and_match_serde() {
        for mode in SaleMode::ALL {
            assert_eq!(SaleMode::parse(mode.as_str()), Some(*mode));
            assert_eq!(
                serde_json::to_string(mode).unwrap(),
                format!("\"{}\"", mode.as_str())
            );
        }
        for cond in Condition::ALL {
            assert_eq!(Condition::parse(cond.as_str()), Some(*cond));
            assert_eq!(
                serde_json::to_string(cond).unwrap(),
                format!("\"{}\"", cond.as_str())
            );
        }
        assert_eq!(SaleMode::parse("FIXED"), None);
        assert_eq!(Condition::parse(""), None);
    }
}
