//! The rules of a live auction: who may bid, what a bid does to the
//! proxy-bidding book, the visible price, buy-it-now, soft close and how it
//! ends. The server applies them as the authority; the browser runs the same
//! code to explain a refusal without a round trip.
//!
//! Each bid is a bidder's maximum. The book keeps only the two highest maxima:
//! they alone decide the visible price, so nobody's maximum is ever revealed
//! beyond what the runner-up forces.

pub mod increment;
pub mod price_chart;

use super::{form::Problem, money::Currency};
use crate::domain::{auction::increment::IncrementTable, catalog::check_amount};
use serde::{Deserialize, Serialize};

/// An accepted bid in the last this-many milliseconds extends the auction, so a
/// bid at the final second cannot snipe a bidder who has no time to answer.
pub const DEFAULT_SOFT_CLOSE_MS: i64 = 2 * 60 * 1_000;

/// Where an auction is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Scheduled,
    Live,
    Ended,
    Cancelled,
}

impl Phase {
    pub const ALL: &'static [Phase] = &[
        Phase::Scheduled,
        Phase::Live,
        Phase::Ended,
        Phase::Cancelled,
    ];

    /// The form stored in the database and sent in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Scheduled => "scheduled",
            Phase::Live => "live",
            Phase::Ended => "ended",
            Phase::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Phase> {
        Phase::ALL.iter().copied().find(|p| p.as_str() == text)
    }
}

/// How an ended auction came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Sold,
    Unsold,
}

impl Outcome {
    pub const ALL: &'static [Outcome] = &[Outcome::Sold, Outcome::Unsold];

    /// The form stored in the database and sent in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Sold => "sold",
            Outcome::Unsold => "unsold",
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        Outcome::ALL.iter().copied().find(|o| o.as_str() == text)
    }
}

/// The seller's terms, in minor units of the listing's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    pub start_price: i64,
    /// Hidden from bidders; they only learn whether it is met.
    pub reserve: Option<i64>,
    pub buy_now: Option<i64>,
}

/// The top bidder and their secret maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lead {
    pub bidder: i64,
    pub max: i64,
}

/// The proxy-bidding state. `price` is what everyone sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Book {
    pub leader: Option<Lead>,
    /// The highest maximum of anyone but the leader.
    pub second_max: Option<i64>,
    pub price: i64,
    pub bids: u32,
}

impl Book {
    pub fn opening(terms: &Terms) -> Book {
        Book {
            leader: None,
            second_max: None,
            price: terms.start_price,
            bids: 0,
        }
    }
}

/// Everything the rules need about one auction at the moment of a bid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Auction {
    pub seller: i64,
    pub phase: Phase,
    /// Unix milliseconds.
    pub ends_at: i64,
    pub terms: Terms,
    pub book: Book,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bidder {
    pub id: i64,
    pub restricted: bool,
}

/// A chat line that is a bid: `#` and an amount in the currency's usual
/// notation (`#12500`, `#12,500`). `None` for ordinary chat, including
/// hashtags (`#vintage`).
pub fn chat_bid(text: &str, currency: Currency) -> Option<Result<i64, Problem>> {
    let rest = text.trim().strip_prefix('#')?.trim_start();
    if !rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some(check_amount(rest, currency))
}

/// Why a bid or a buy-it-now was refused; the bidder is shown the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum BidRefusal {
    /// Not started, already over, or cancelled.
    NotLive,
    OwnAuction,
    Restricted,
    /// Bidding needs a verified email address (decided by the service).
    VerifyEmail,
    TooLow {
        minimum: i64,
    },
    /// The leader raising their maximum must go above it.
    NotAboveYourMax {
        max: i64,
    },
    BuyNowGone,
}

// Read by tag_first! (the tag is the first key): no buffered copy of the
// message, see domain::tagged.
crate::domain::tagged::tag_first!(
    BidRefusal,
    "reason",
    "not_live" => NotLive,
    "own_auction" => OwnAuction,
    "restricted" => Restricted,
    "verify_email" => VerifyEmail,
    "too_low" => TooLow { minimum: i64 },
    "not_above_your_max" => NotAboveYourMax { max: i64 },
    "buy_now_gone" => BuyNowGone,
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepted {
    pub book: Book,
    /// The previous leader, when this bid took the lead from someone else (they must be told "outbid").
    pub outbid: Option<i64>,
    /// Whether the bidder leads after the bid (false: someone's proxy max beat it at once).
    pub leading: bool,
    /// The auction's end after soft close.
    pub ends_at: i64,
}

/// The lowest amount a bid may have: start price when nobody has bid, else price + step(price).
pub fn minimum_bid(terms: &Terms, book: &Book, table: &IncrementTable) -> i64 {
    match book.leader {
        None => terms.start_price,
        Some(_) => book.price.saturating_add(table.step(book.price)),
    }
}

/// The visible price from the two highest maxima. The runner-up's maximum plus
/// one step is what the leader would have had to bid to beat them, capped at
/// what the leader is willing to pay. A met reserve lifts the price to it:
/// the seller accepted that amount, so showing less would be a lie about what
/// the item will sell for. Never below the start price.
pub fn price_for(terms: &Terms, table: &IncrementTable, top: i64, second: Option<i64>) -> i64 {
    let contested = match second {
        None => terms.start_price,
        Some(second) => top.min(second.saturating_add(table.step(second))),
    };
    let reserve_floor = terms.reserve.filter(|&reserve| top >= reserve);
    contested
        .max(reserve_floor.unwrap_or(i64::MIN))
        .max(terms.start_price)
}

/// Without a reserve any bid at or above the start price is enough.
pub fn reserve_met(terms: &Terms, book: &Book) -> bool {
    let needed = terms.reserve.unwrap_or(terms.start_price);
    book.leader.is_some_and(|lead| lead.max >= needed)
}

/// The buy-it-now price while it is still offered. It disappears once bidding
/// reaches the reserve (with no reserve: at the first bid), because from then on
/// the bidders have a deal that buying outright would take from them.
pub fn buy_now_price(auction: &Auction, now: i64) -> Option<i64> {
    let price = auction.terms.buy_now?;
    let open = is_open(auction, now) && !reserve_met(&auction.terms, &auction.book);
    open.then_some(price)
}

/// Checks a buy-it-now by `buyer` and returns the price to pay.
pub fn buy_now(auction: &Auction, buyer: Bidder, now: i64) -> Result<i64, BidRefusal> {
    admit(auction, buyer, now)?;
    buy_now_price(auction, now).ok_or(BidRefusal::BuyNowGone)
}

/// Soft close: a bid accepted at `now` within the last `window_ms` before
/// `ends_at` moves the end to `now + window_ms`, so a window always remains
/// after a late bid; otherwise the end is unchanged.
pub fn soft_close(ends_at: i64, now: i64, window_ms: i64) -> i64 {
    let in_window = now < ends_at && ends_at.saturating_sub(now) <= window_ms;
    if in_window {
        now.saturating_add(window_ms).max(ends_at)
    } else {
        ends_at
    }
}

/// Places a bid of `amount` as the bidder's maximum (a plain bid is a maximum
/// equal to the amount). A refusal leaves nothing to undo: the caller keeps its
/// book.
///
/// The leader may only raise their own maximum, which never moves the price
/// against them (only a newly met reserve does). Anyone else must bid at least
/// [`minimum_bid`]; a bid that does not beat the leader's maximum only pushes
/// the price up, and ties go to the earlier maximum.
pub fn place(
    auction: &Auction,
    table: &IncrementTable,
    bidder: Bidder,
    amount: i64,
    now: i64,
    soft_close_ms: i64,
) -> Result<Accepted, BidRefusal> {
    admit(auction, bidder, now)?;
    let Auction { terms, book, .. } = *auction;
    let (leader, second_max, outbid) = match book.leader {
        Some(lead) if lead.bidder == bidder.id => {
            if amount <= lead.max {
                return Err(BidRefusal::NotAboveYourMax { max: lead.max });
            }
            (
                Lead {
                    bidder: bidder.id,
                    max: amount,
                },
                book.second_max,
                None,
            )
        }
        current => {
            let minimum = minimum_bid(&terms, &book, table);
            if amount < minimum {
                return Err(BidRefusal::TooLow { minimum });
            }
            match current {
                Some(lead) if amount <= lead.max => (lead, Some(amount), None),
                _ => (
                    Lead {
                        bidder: bidder.id,
                        max: amount,
                    },
                    current.map(|lead| lead.max),
                    current.map(|lead| lead.bidder),
                ),
            }
        }
    };
    Ok(Accepted {
        book: Book {
            leader: Some(leader),
            second_max,
            price: price_for(&terms, table, leader.max, second_max),
            bids: book.bids.saturating_add(1),
        },
        outbid,
        leading: leader.bidder == bidder.id,
        ends_at: soft_close(auction.ends_at, now, soft_close_ms),
    })
}

/// How the auction ends: sold when there is a leader and the reserve is met.
/// A seller who ends early to sell to the leader waives their own reserve.
pub fn outcome(terms: &Terms, book: &Book, seller_ended_early: bool) -> Outcome {
    let sold = book.leader.is_some() && (seller_ended_early || reserve_met(terms, book));
    if sold { Outcome::Sold } else { Outcome::Unsold }
}

/// The end time is checked as well as the phase: the scheduler may not have
/// marked the auction ended yet when the clock has already run out.
fn is_open(auction: &Auction, now: i64) -> bool {
    auction.phase == Phase::Live && now < auction.ends_at
}

/// The checks a bid and a buy-it-now share, in the order their refusals are reported.
fn admit(auction: &Auction, who: Bidder, now: i64) -> Result<(), BidRefusal> {
    if !is_open(auction, now) {
        Err(BidRefusal::NotLive)
    } else if who.id == auction.seller {
        Err(BidRefusal::OwnAuction)
    } else if who.restricted {
        Err(BidRefusal::Restricted)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
