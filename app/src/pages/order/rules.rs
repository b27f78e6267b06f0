//! What the order pages decide without drawing anything: which controls a
//! party gets in which state, how a form's text becomes a command, which
//! room message replaces the state a tab shows. The server checks all of it
//! again (`domain::order::apply`); these only keep a button that cannot work
//! off the screen.

use crate::{
    components::time::parse_local_input,
    domain::wallet::HoldState,
    domain::{
        catalog::{SaleMode, Status, check_amount},
        form::Problem,
        money::Currency,
        order::{DealRefusal, DealState, Party, Term, TermValue, check_place, check_quantity},
    },
    model::{OrderLine, OrderLive, Payment},
    protocol::{OrderCommand, OrderEvent},
};

/// Why a listing cannot be ordered from, judged from its page (the server
/// judges again, with the stock as it is then).
pub fn buy_refusal(mine: bool, status: Status, mode: SaleMode, stock: i64) -> Option<DealRefusal> {
    if mine {
        Some(DealRefusal::OwnListing)
    } else if status != Status::Approved || mode == SaleMode::Auction {
        Some(DealRefusal::NotForSale)
    } else if stock < 1 {
        Some(DealRefusal::NotEnoughStock)
    } else {
        None
    }
}

/// The position of `term` in [`Term::ALL`] (and in `OrderLive::revs`).
pub fn slot(term: Term) -> usize {
    Term::ALL
        .iter()
        .position(|t| *t == term)
        .expect("every term is in Term::ALL")
}

/// Whether `term` can still be set (by the seller) or ticked (by the buyer)
/// in `state`: all four while negotiating, only the meet-up once the deal
/// stands.
pub fn term_open(state: DealState, term: Term) -> bool {
    match state {
        DealState::Negotiating | DealState::BuyerConfirmed => true,
        DealState::Established => term.movable_after_deal(),
        _ => false,
    }
}

/// Whether the seller has put a value on the table for `term` (place and
/// time start empty).
pub fn term_set(live: &OrderLive, term: Term) -> bool {
    match term {
        Term::Place => !live.place.trim().is_empty(),
        Term::Time => live.time.is_some(),
        Term::Quantity | Term::Price => true,
    }
}

/// The controls one viewer gets for the room's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Controls {
    /// The buyer's tick per term (in [`Term::ALL`] order) can be changed.
    pub tick: [bool; 4],
    /// The seller's field per term can be saved.
    pub edit: [bool; 4],
    pub confirm: bool,
    pub cancel: bool,
    /// The seller's handover-code field and "Complete".
    pub complete: bool,
    /// The buyer's handover code and its QR code.
    pub code: bool,
}

pub fn controls(you: Option<Party>, live: &OrderLive) -> Controls {
    let Some(you) = you else {
        return Controls::default();
    };
    let state = live.state;
    let mut c = Controls {
        confirm: match you {
            Party::Buyer => state == DealState::Negotiating && live.ticks.all(),
            Party::Seller => state == DealState::BuyerConfirmed,
        },
        cancel: matches!(
            state,
            DealState::Negotiating | DealState::BuyerConfirmed | DealState::Established
        ),
        complete: you == Party::Seller && state == DealState::Established,
        code: you == Party::Buyer && state == DealState::Established,
        ..Controls::default()
    };
    for term in Term::ALL {
        let open = term_open(state, term);
        match you {
            // A term not proposed yet cannot be accepted, but a tick the
            // buyer holds can always be taken back while the term is open.
            Party::Buyer => {
                c.tick[slot(term)] = open && (term_set(live, term) || live.ticks.has(term))
            }
            Party::Seller => c.edit[slot(term)] = open,
        }
    }
    c
}

/// The buyer's tick (`on`) of `term`, naming the revision the buyer sees.
pub fn tick_command(live: &OrderLive, term: Term, on: bool, req: u32) -> OrderCommand {
    OrderCommand::Tick {
        order: live.order.clone(),
        term,
        rev: live.revs[slot(term)],
        on,
        req,
    }
}

/// The seller's input for `term` as the value to propose: a count, money
/// as typed in the currency's notation, a place, a local date and time.
pub fn term_value(term: Term, input: &str, currency: Currency) -> Result<TermValue, Problem> {
    let input = input.trim();
    match term {
        Term::Quantity => {
            let q = input.parse::<u32>().map_err(|_| match input {
                "" => Problem::Required,
                _ => Problem::InvalidFormat,
            })?;
            check_quantity(q)?;
            Ok(TermValue::Quantity(q))
        }
        Term::Price => check_amount(input, currency).map(TermValue::Price),
        Term::Place => {
            check_place(input)?;
            Ok(TermValue::Place(input.to_owned()))
        }
        Term::Time if input.is_empty() => Err(Problem::Required),
        Term::Time => parse_local_input(input)
            .map(TermValue::Time)
            .ok_or(Problem::InvalidFormat),
    }
}

/// The seller's `Edit` of `term` from what the field holds.
pub fn edit_command(
    order: &str,
    term: Term,
    input: &str,
    currency: Currency,
    req: u32,
) -> Result<OrderCommand, Problem> {
    Ok(OrderCommand::Edit {
        order: order.to_owned(),
        value: term_value(term, input, currency)?,
        req,
    })
}

/// What the seller's field for `term` shows for the room's state.
pub fn input_value(live: &OrderLive, term: Term, local: impl Fn(i64) -> String) -> String {
    match term {
        Term::Quantity => live.quantity.to_string(),
        Term::Price => live.price.plain(),
        Term::Place => live.place.clone(),
        Term::Time => live.time.map(local).unwrap_or_default(),
    }
}

/// The state a tab should show after `event`, or `None` to keep `current`:
/// a snapshot always replaces it; an update (which carries the whole
/// state) only when it is newer, so one that arrives late changes nothing.
pub fn next_live(current: &OrderLive, event: &OrderEvent) -> Option<OrderLive> {
    match event {
        OrderEvent::Snapshot { live } if live.order == current.order => Some(live.clone()),
        OrderEvent::Update { live } if live.order == current.order && live.seq > current.seq => {
            Some(live.clone())
        }
        _ => None,
    }
}

/// Whether moving from `before` to `after` brings something only a fresh
/// room has: the buyer's handover code once established, the end of code
/// entry once completed.
pub fn needs_refetch(before: DealState, after: DealState) -> bool {
    before != after && matches!(after, DealState::Established | DealState::Completed)
}

/// Whether an update moved nothing but the order's number: a payment into
/// escrow, which only a fresh room shows.
pub fn only_seq_moved(before: &OrderLive, after: &OrderLive) -> bool {
    after.seq > before.seq
        && OrderLive {
            seq: before.seq,
            ..after.clone()
        } == *before
}

/// Where the payment stands once the order is `state`: a hold still shown
/// in escrow was released with the handover or refunded with the
/// cancellation (in the same transaction), whatever the room last fetched.
pub fn shown_payment(payment: Payment, state: DealState) -> Payment {
    match (payment, state) {
        (
            Payment::Escrow {
                amount,
                state: HoldState::Pending,
            },
            DealState::Completed | DealState::Cancelled,
        ) => Payment::Escrow {
            amount,
            state: if state == DealState::Completed {
                HoldState::Posted
            } else {
                HoldState::Voided
            },
        },
        _ => payment,
    }
}

/// Whether the buyer is offered "Pay": an established order, or a won
/// auction's waiting for payment, not paid yet (or refunded).
pub fn may_pay(you: Option<Party>, state: DealState, payment: Payment) -> bool {
    let unpaid = match payment {
        Payment::Cash => true,
        Payment::Escrow { state, .. } => state == HoldState::Voided,
    };
    you == Some(Party::Buyer)
        && matches!(state, DealState::Established | DealState::AwaitingPayment)
        && unpaid
}

/// Established orders with the soonest meet-up first (one with no time yet
/// last), then by when they were placed.
pub fn soonest_first(lines: &mut [OrderLine]) {
    lines.sort_by_key(|l| (l.time.is_none(), l.time, l.created_at));
}

#[cfg(test)]
mod tests;
