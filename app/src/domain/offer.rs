//! Offers on listings that take them, as pure rules: who may answer an
//! offer, and how. A buyer proposes a unit price and a quantity; the seller
//! accepts, declines or counters (which closes the offer and opens the
//! counter); the buyer accepts or withdraws a counter; an offer nobody
//! answered within [`OFFER_LIFETIME_MS`] expires.

use crate::domain::{
    form::{Field, Problem},
    order::{DealRefusal, MAX_QUANTITY, MAX_TOTAL, Party, Refusal},
};
use serde::{Deserialize, Serialize};

#[cfg(test)]
mod tests;

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

/// Who proposed an offer, from its stored flag.
pub fn made_by(by_seller: bool) -> Party {
    if by_seller {
        Party::Seller
    } else {
        Party::Buyer
    }
}

/// When an offer (or counter) made at `now` expires unanswered.
pub fn expires_at(now: i64) -> i64 {
    now.saturating_add(OFFER_LIFETIME_MS)
}

/// Whether a pending offer has run out of time at `now` (the moment
/// [`answer`] starts refusing it as expired).
pub fn due(state: OfferState, expires_at: i64, now: i64) -> bool {
    state == OfferState::Pending && now >= expires_at
}

/// A buyer's offer of `amount` per unit for `quantity` of the `stock` units
/// a listing has left.
pub fn check_offer(amount: i64, quantity: u32, stock: u32) -> Result<(), Refusal> {
    if amount <= 0 {
        return Err(Refusal::Field(Field::Amount, Problem::MustBePositive));
    }
    let most = stock.min(MAX_QUANTITY);
    if !(1..=most).contains(&quantity) {
        return Err(Refusal::Field(
            Field::Quantity,
            Problem::OutOfRange {
                min: 1,
                max: i64::from(most.max(1)),
            },
        ));
    }
    check_total(amount, quantity)
}

/// The seller's counter of `amount` per unit to an offer of `current` per
/// unit for `quantity` units: a different price, above zero.
pub fn check_counter(current: i64, amount: i64, quantity: u32) -> Result<(), Refusal> {
    if amount <= 0 {
        return Err(Refusal::Field(Field::Amount, Problem::MustBePositive));
    }
    if amount == current {
        return Err(Refusal::Field(Field::Amount, Problem::Unchanged));
    }
    check_total(amount, quantity)
}

fn check_total(amount: i64, quantity: u32) -> Result<(), Refusal> {
    match amount.checked_mul(i64::from(quantity)) {
        Some(total) if total <= MAX_TOTAL => Ok(()),
        _ => Err(Refusal::Field(Field::Amount, Problem::AmountTooHigh)),
    }
}

/// Whether a pending offer for `quantity` units can still be accepted once
/// only `left` units remain: the rest are declined when an acceptance takes
/// the units they need.
pub fn covered(quantity: u32, left: u32) -> bool {
    quantity <= left
}
