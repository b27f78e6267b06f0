//! Offers on listings that take them, as pure rules: who may answer an
//! offer, and how. A buyer proposes a unit price and a quantity; the seller
//! accepts, declines or counters (which closes the offer and opens the
//! counter); the buyer accepts or withdraws a counter; an offer nobody
//! answered within [`OFFER_LIFETIME_MS`] expires.

use crate::domain::order::{DealRefusal, Party};
use serde::{Deserialize, Serialize};

/// How long an offer (or a counter) stands unanswered.
pub const OFFER_LIFETIME_MS: i64 = 48 * 60 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferState {
    /// Waiting for the other side's answer.
    Pending,
    /// Accepted: an established order exists for it.
    Accepted,
    Declined,
    /// Answered with a counter, which replaces it (it is declined).
    Countered,
    /// Taken back by whoever made it.
    Withdrawn,
    Expired,
}

impl OfferState {
    pub const ALL: [OfferState; 6] = [
        OfferState::Pending,
        OfferState::Accepted,
        OfferState::Declined,
        OfferState::Countered,
        OfferState::Withdrawn,
        OfferState::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OfferState::Pending => "pending",
            OfferState::Accepted => "accepted",
            OfferState::Declined => "declined",
            OfferState::Countered => "countered",
            OfferState::Withdrawn => "withdrawn",
            OfferState::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<OfferState> {
        OfferState::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// An answer to a pending offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    Accept,
    Decline,
    /// The seller proposes this unit price instead (minor units).
    Counter {
        amount: i64,
    },
    /// Whoever made the offer takes it back.
    Withdraw,
}

/// The state an offer moves to when `who` gives `answer` at `now`. `made_by`
/// is who proposed it (the buyer, or the seller for a counter).
pub fn answer(
    state: OfferState,
    made_by: Party,
    expires_at: i64,
    who: Party,
    answer: Answer,
    now: i64,
) -> Result<OfferState, DealRefusal> {
    if state != OfferState::Pending {
        return Err(DealRefusal::Closed);
    }
    if now >= expires_at {
        return Err(DealRefusal::Expired);
    }
    let mine = who == made_by;
    match answer {
        Answer::Withdraw if mine => Ok(OfferState::Withdrawn),
        Answer::Accept if !mine => Ok(OfferState::Accepted),
        Answer::Decline if !mine => Ok(OfferState::Declined),
        // Only the seller counters; a buyer answers a counter with a new offer.
        Answer::Counter { .. } if !mine && who == Party::Seller => Ok(OfferState::Countered),
        _ => Err(DealRefusal::NotYourTurn),
    }
}
