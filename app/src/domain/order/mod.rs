//! A deal between a buyer and a seller, as pure rules: the four terms on the
//! table, the buyer's ticks, and who may move the order from one state to the
//! next. The backend stores what [`apply`] decides, in one transaction with
//! the stock it reserves or returns; the browser shows the same rules so a
//! button that cannot work is not offered.

use crate::domain::form::{Field, Problem};
use serde::{Deserialize, Serialize};

#[cfg(test)]
mod tests;

/// Units one order may take.
pub const MAX_QUANTITY: u32 = 999;
/// Characters of a meet-up place.
pub const MAX_PLACE: usize = 120;
/// Characters of a buyer's remark and of a cancellation reason.
pub const MAX_REMARK: usize = 500;
/// The highest total price, in minor units (far above any second-hand deal,
/// far below overflow when multiplied out).
pub const MAX_TOTAL: i64 = 1_000_000_000_000;
/// How far ahead a meet-up may be set.
pub const MAX_MEET_AHEAD_MS: i64 = 90 * 24 * 60 * 60 * 1000;

/// One of the four terms on the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Term {
    Quantity,
    Price,
    Place,
    Time,
}

impl Term {
    pub const ALL: [Term; 4] = [Term::Quantity, Term::Price, Term::Place, Term::Time];

    fn index(self) -> usize {
        self as usize
    }

    /// The form field a problem with this term is reported on.
    pub fn field(self) -> Field {
        match self {
            Term::Quantity => Field::Quantity,
            Term::Price => Field::Price,
            Term::Place => Field::MeetupPlace,
            Term::Time => Field::MeetAt,
        }
    }

    /// Whether the term can still change once the order is established:
    /// the deal (what and for how much) is binding, the meet-up can move.
    pub fn movable_after_deal(self) -> bool {
        matches!(self, Term::Place | Term::Time)
    }
}

/// The buyer's ticks, one bit per term (stored as this integer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ticks(pub u8);

impl Ticks {
    pub const ALL: Ticks = Ticks(0b1111);

    pub fn has(self, term: Term) -> bool {
        self.0 & (1 << term.index()) != 0
    }

    pub fn with(self, term: Term, on: bool) -> Ticks {
        let bit = 1 << term.index();
        Ticks(if on { self.0 | bit } else { self.0 & !bit })
    }

    pub fn all(self) -> bool {
        self.0 & Ticks::ALL.0 == Ticks::ALL.0
    }
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DealState {
    /// An auction's winner has yet to pay (the wallet arrives later).
    AwaitingPayment,
    /// The seller edits terms, the buyer ticks them.
    Negotiating,
    /// The buyer accepted all four terms; the seller's confirmation is due.
    BuyerConfirmed,
    /// Both confirmed: the deal stands, the meet-up is ahead.
    Established,
    /// The seller took the buyer's handover code.
    Completed,
    Cancelled,
}

impl DealState {
    pub const ALL: [DealState; 6] = [
        DealState::AwaitingPayment,
        DealState::Negotiating,
        DealState::BuyerConfirmed,
        DealState::Established,
        DealState::Completed,
        DealState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DealState::AwaitingPayment => "awaiting_payment",
            DealState::Negotiating => "negotiating",
            DealState::BuyerConfirmed => "buyer_confirmed",
            DealState::Established => "established",
            DealState::Completed => "completed",
            DealState::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<DealState> {
        DealState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the order still holds its units out of the listing's stock
    /// and may still change.
    pub fn open(self) -> bool {
        !matches!(self, DealState::Completed | DealState::Cancelled)
    }
}

/// Which side of the deal someone is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Buyer,
    Seller,
}

/// The four terms. Money is in the currency's minor unit; times are Unix ms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    pub quantity: u32,
    /// The total price for `quantity` units.
    pub price: i64,
    pub place: String,
    /// Not set until the seller proposes one.
    pub time: Option<i64>,
}

/// A seller's new value for one term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "term", content = "value", rename_all = "snake_case")]
pub enum TermValue {
    Quantity(u32),
    Price(i64),
    Place(String),
    Time(i64),
}

impl TermValue {
    pub fn term(&self) -> Term {
        match self {
            TermValue::Quantity(_) => Term::Quantity,
            TermValue::Price(_) => Term::Price,
            TermValue::Place(_) => Term::Place,
            TermValue::Time(_) => Term::Time,
        }
    }
}

/// An order's negotiable state: what [`apply`] reads and returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deal {
    pub state: DealState,
    pub terms: Terms,
    pub ticks: Ticks,
    /// The update number at which each term was last set (indexed like
    /// [`Term::ALL`]): a tick names the revision the buyer saw, so a tick
    /// sent before a seller's edit arrived cannot accept the new value.
    pub revs: [i64; 4],
    /// The order's update number; every applied step adds one.
    pub seq: i64,
}

impl Deal {
    pub fn rev(&self, term: Term) -> i64 {
        self.revs[term.index()]
    }
}

/// What someone does to an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The seller sets a term.
    Edit(TermValue),
    /// The buyer accepts (or withdraws acceptance of) a term as of revision `rev`.
    Tick { term: Term, rev: i64, on: bool },
    /// The buyer, then the seller, confirms the terms.
    Confirm,
    /// Either side calls the deal off (before the handover).
    Cancel,
    /// The seller took the right handover code (checked by the caller).
    Complete,
}

/// Why a step was refused; nothing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DealRefusal {
    /// Your own listing.
    OwnListing,
    /// The listing is not public, or not sold at a fixed price or by offer.
    NotForSale,
    /// Fewer units are left than asked for.
    NotEnoughStock,
    /// The listing does not take offers.
    NoOffers,
    /// The other side acts now (or nobody may, in this state).
    NotYourTurn,
    /// The order (or offer) is past the point where this can happen.
    Closed,
    /// Every term must be ticked first.
    TermsNotAccepted,
    /// The seller changed this term since you saw it; look again.
    TermChanged,
    /// This term is settled once the order is established.
    TermLocked,
    /// The offer ran out of time.
    Expired,
    /// You already have an open offer on this listing.
    OfferOpen,
}

/// A refused step: the deal's reason, or a term's value that is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Deal(DealRefusal),
    Field(Field, Problem),
}

/// An applied step: the new state, and the units it takes from the
/// listing's stock (negative: units it gives back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub deal: Deal,
    pub stock_delta: i64,
}

/// Applies `step` by `who` to `deal` at `now`, with `spare` units left in
/// the listing's stock (beyond what this order holds).
pub fn apply(
    deal: &Deal,
    who: Party,
    step: &Step,
    spare: u32,
    now: i64,
) -> Result<Applied, Refusal> {
    use DealState as S;
    let refuse = |r| Err(Refusal::Deal(r));
    if !matches!(
        deal.state,
        S::Negotiating | S::BuyerConfirmed | S::Established
    ) {
        return refuse(DealRefusal::Closed);
    }
    let mut next = deal.clone();
    next.seq = deal.seq + 1;
    let mut stock_delta = 0;
    match (who, step) {
        (Party::Seller, Step::Edit(value)) => {
            let term = value.term();
            if deal.state == S::Established && !term.movable_after_deal() {
                return refuse(DealRefusal::TermLocked);
            }
            check_value(value, now).map_err(|p| Refusal::Field(term.field(), p))?;
            let terms = &mut next.terms;
            let changed = match value {
                TermValue::Quantity(q) => {
                    let delta = i64::from(*q) - i64::from(terms.quantity);
                    if delta > i64::from(spare) {
                        return refuse(DealRefusal::NotEnoughStock);
                    }
                    stock_delta = delta;
                    std::mem::replace(&mut terms.quantity, *q) != *q
                }
                TermValue::Price(p) => std::mem::replace(&mut terms.price, *p) != *p,
                TermValue::Place(p) => {
                    std::mem::replace(&mut terms.place, p.trim().into()) != p.trim()
                }
                TermValue::Time(t) => terms.time.replace(*t) != Some(*t),
            };
            if !changed {
                return Err(Refusal::Field(term.field(), Problem::Unchanged));
            }
            next.ticks = deal.ticks.with(term, false);
            next.revs[term.index()] = next.seq;
            if deal.state == S::BuyerConfirmed {
                next.state = S::Negotiating;
            }
        }
        (Party::Buyer, Step::Tick { term, rev, on }) => {
            if *rev != deal.rev(*term) {
                return refuse(DealRefusal::TermChanged);
            }
            if deal.state == S::Established && !term.movable_after_deal() {
                return refuse(DealRefusal::TermLocked);
            }
            if deal.ticks.has(*term) == *on {
                return Err(Refusal::Field(term.field(), Problem::Unchanged));
            }
            if *on {
                let unset = match term {
                    Term::Place => deal.terms.place.is_empty(),
                    Term::Time => deal.terms.time.is_none(),
                    _ => false,
                };
                if unset {
                    return Err(Refusal::Field(term.field(), Problem::Required));
                }
            }
            next.ticks = deal.ticks.with(*term, *on);
            if deal.state == S::BuyerConfirmed {
                next.state = S::Negotiating;
            }
        }
        (Party::Buyer, Step::Confirm) if deal.state == S::Negotiating => {
            if !deal.ticks.all() {
                return refuse(DealRefusal::TermsNotAccepted);
            }
            next.state = S::BuyerConfirmed;
        }
        (Party::Seller, Step::Confirm) if deal.state == S::BuyerConfirmed => {
            next.state = S::Established;
        }
        (_, Step::Confirm) if deal.state == S::Established => return refuse(DealRefusal::Closed),
        (_, Step::Cancel) => {
            next.state = S::Cancelled;
            stock_delta = -i64::from(deal.terms.quantity);
        }
        (Party::Seller, Step::Complete) if deal.state == S::Established => {
            next.state = S::Completed;
        }
        _ => return refuse(DealRefusal::NotYourTurn),
    }
    Ok(Applied {
        deal: next,
        stock_delta,
    })
}

/// The buyer pays the deal into escrow: an established order stays as it
/// is (the deal already stands; its quantity and price are locked), a won
/// auction's order waiting for payment opens as an established one, its
/// quantity and price accepted, the meet-up left to settle in the room
/// (as an accepted offer opens). Both take an update number, so both
/// rooms hear of the payment. Whether the order is paid already is the
/// caller's to check (the hold is not part of the deal).
pub fn pay(deal: &Deal, who: Party) -> Result<Deal, Refusal> {
    if who != Party::Buyer {
        return Err(Refusal::Deal(DealRefusal::NotYourTurn));
    }
    let mut next = deal.clone();
    next.seq = deal.seq + 1;
    match deal.state {
        DealState::Established => {}
        DealState::AwaitingPayment => {
            next.state = DealState::Established;
            next.ticks = Ticks::default()
                .with(Term::Quantity, true)
                .with(Term::Price, true);
        }
        // Still negotiating: the price may change yet, so nothing is paid
        // before the deal stands.
        DealState::Negotiating | DealState::BuyerConfirmed => {
            return Err(Refusal::Deal(DealRefusal::NotYourTurn));
        }
        DealState::Completed | DealState::Cancelled => {
            return Err(Refusal::Deal(DealRefusal::Closed));
        }
    }
    Ok(next)
}

/// Whether the seller may cancel a won auction's order as unpaid at `now`:
/// only while it still waits for payment, and only once `pay_by` passed.
pub fn may_cancel_unpaid(
    state: DealState,
    pay_by: Option<i64>,
    now: i64,
) -> Result<(), DealRefusal> {
    match (state, pay_by) {
        (DealState::AwaitingPayment, Some(by)) if now >= by => Ok(()),
        // The winner still has time to pay.
        (DealState::AwaitingPayment, _) => Err(DealRefusal::NotYourTurn),
        _ => Err(DealRefusal::Closed),
    }
}

/// Whether a seller's value for a term is one a deal can have.
pub fn check_value(value: &TermValue, now: i64) -> Result<(), Problem> {
    match value {
        TermValue::Quantity(q) => check_quantity(*q),
        TermValue::Price(p) if *p < 0 => Err(Problem::MustBePositive),
        TermValue::Price(p) if *p > MAX_TOTAL => Err(Problem::AmountTooHigh),
        TermValue::Price(_) => Ok(()),
        TermValue::Place(p) => check_place(p),
        TermValue::Time(t) if *t <= now => Err(Problem::InThePast),
        TermValue::Time(t) if *t > now + MAX_MEET_AHEAD_MS => Err(Problem::TooFarAhead {
            days: (MAX_MEET_AHEAD_MS / 86_400_000) as u32,
        }),
        TermValue::Time(_) => Ok(()),
    }
}

pub fn check_quantity(q: u32) -> Result<(), Problem> {
    if (1..=MAX_QUANTITY).contains(&q) {
        Ok(())
    } else {
        Err(Problem::OutOfRange {
            min: 1,
            max: i64::from(MAX_QUANTITY),
        })
    }
}

pub fn check_place(place: &str) -> Result<(), Problem> {
    let place = place.trim();
    if place.is_empty() {
        Err(Problem::Required)
    } else if place.chars().count() > MAX_PLACE {
        Err(Problem::TooLong {
            max: MAX_PLACE as u32,
        })
    } else if place.chars().any(char::is_control) {
        Err(Problem::InvalidChars)
    } else {
        Ok(())
    }
}

/// A remark or a reason: optional, bounded, one paragraph of plain text.
pub fn check_remark(text: &str) -> Result<(), Problem> {
    if text.chars().count() > MAX_REMARK {
        Err(Problem::TooLong {
            max: MAX_REMARK as u32,
        })
    } else if text.chars().any(|c| c.is_control() && c != '\n') {
        Err(Problem::InvalidChars)
    } else {
        Ok(())
    }
}
