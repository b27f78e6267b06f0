//! Offers as their two sides see them.

use crate::domain::{
    money::Money,
    offer::OfferState,
    order::{DealRefusal, Party},
};
use crate::model::{DealListing, Participant};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferView {
    /// Public id (its page is `/offers/<id>`).
    pub offer: String,
    pub listing: DealListing,
    pub buyer: Participant,
    pub seller: Participant,
    /// The viewer's side.
    pub you: Party,
    /// Who proposed it: the buyer, or the seller for a counter.
    pub made_by: Party,
    pub quantity: u32,
    /// Price per unit.
    pub amount: Money,
    /// `amount × quantity`.
    pub total: Money,
    pub state: OfferState,
    pub expires_at: i64,
    pub created_at: i64,
    /// The offer this one counters.
    pub counters: Option<String>,
    /// The counter that replaced this one.
    pub countered_by: Option<String>,
    /// The order an accepted offer became.
    pub order: Option<String>,
}

/// The viewer's offers: those they can answer or that were made to them,
/// and those they made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyOffers {
    pub received: Vec<OfferView>,
    pub made: Vec<OfferView>,
}

/// What the make-an-offer page shows about a listing, for the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferTarget {
    pub listing: DealListing,
    /// Units left.
    pub stock: u32,
    /// Why the caller cannot make an offer here, if they cannot.
    pub refusal: Option<DealRefusal>,
    /// The caller's open offer on this listing (or the seller's counter to
    /// one), which they answer before making another.
    pub open: Option<String>,
}
