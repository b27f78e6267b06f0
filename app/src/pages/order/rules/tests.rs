use super::*;
use crate::{
    domain::{money::Money, order::Ticks},
    model::{DealListing, Participant},
};

fn live(state: DealState, ticks: Ticks) -> OrderLive {
    OrderLive {
        order: "o1".into(),
        seq: 5,
        state,
        quantity: 2,
        price: Money::new(1200, Currency::Twd),
        place: "Taipei Main Station".into(),
        time: Some(1_796_000_000_000),
        ticks,
        revs: [1, 2, 3, 4],
        cancelled_by: None,
        cancel_reason: None,
    }
}

fn all(flags: [bool; 4]) -> bool {
    flags.iter().all(|f| *f)
}

fn none(flags: [bool; 4]) -> bool {
    flags.iter().all(|f| !f)
}

#[test]
fn a_listing_is_bought_from_only_when_public_sold_outright_or_by_offer_in_stock_and_not_yours() {
    use DealRefusal as R;
    assert_eq!(
        buy_refusal(false, Status::Approved, SaleMode::Fixed, 1),
        None
    );
    assert_eq!(
        buy_refusal(false, Status::Approved, SaleMode::Offers, 3),
        None
    );
    assert_eq!(
        buy_refusal(true, Status::Approved, SaleMode::Fixed, 1),
        Some(R::OwnListing)
    );
    assert_eq!(
        buy_refusal(false, Status::Approved, SaleMode::Auction, 1),
        Some(R::NotForSale)
    );
    for status in [
        Status::Pending,
        Status::Rejected,
        Status::Delisted,
        Status::Sold,
    ] {
        assert_eq!(
            buy_refusal(false, status, SaleMode::Fixed, 1),
            Some(R::NotForSale)
        );
    }
    assert_eq!(
        buy_refusal(false, Status::Approved, SaleMode::Fixed, 0),
        Some(R::NotEnoughStock)
    );
}

#[test]
fn while_negotiating_the_buyer_ticks_and_the_seller_edits_every_term() {
    let l = live(DealState::Negotiating, Ticks::default());
    let buyer = controls(Some(Party::Buyer), &l);
    assert!(all(buyer.tick) && none(buyer.edit));
    assert!(!buyer.confirm && buyer.cancel && !buyer.code && !buyer.complete);
    let seller = controls(Some(Party::Seller), &l);
    assert!(all(seller.edit) && none(seller.tick));
    assert!(!seller.confirm && seller.cancel);
}

#[test]
fn the_buyer_confirms_once_all_four_are_ticked_then_the_seller() {
    let l = live(
        DealState::Negotiating,
        Ticks::default().with(Term::Price, true),
    );
    assert!(!controls(Some(Party::Buyer), &l).confirm);
    let l = live(DealState::Negotiating, Ticks::ALL);
    assert!(controls(Some(Party::Buyer), &l).confirm);
    assert!(!controls(Some(Party::Seller), &l).confirm);
    let l = live(DealState::BuyerConfirmed, Ticks::ALL);
    assert!(!controls(Some(Party::Buyer), &l).confirm);
    assert!(controls(Some(Party::Seller), &l).confirm);
}

#[test]
fn a_term_not_proposed_cannot_be_ticked_but_a_held_tick_can_be_taken_back() {
    let mut l = live(DealState::Negotiating, Ticks::default());
    l.time = None;
    l.place = " ".into();
    let c = controls(Some(Party::Buyer), &l);
    assert_eq!(c.tick, [true, true, false, false]);
    l.ticks = Ticks::default().with(Term::Place, true);
    assert!(controls(Some(Party::Buyer), &l).tick[slot(Term::Place)]);
}

#[test]
fn once_established_only_the_meet_up_moves_and_the_handover_shows() {
    let l = live(DealState::Established, Ticks::ALL);
    let buyer = controls(Some(Party::Buyer), &l);
    assert_eq!(buyer.tick, [false, false, true, true]);
    assert!(buyer.code && !buyer.complete && !buyer.confirm && buyer.cancel);
    let seller = controls(Some(Party::Seller), &l);
    assert_eq!(seller.edit, [false, false, true, true]);
    assert!(seller.complete && !seller.code && !seller.confirm && seller.cancel);
}

#[test]
fn a_closed_order_and_an_admin_get_no_controls() {
    for state in [
        DealState::Completed,
        DealState::Cancelled,
        DealState::AwaitingPayment,
    ] {
        for you in [Some(Party::Buyer), Some(Party::Seller)] {
            assert_eq!(
                controls(you, &live(state, Ticks::ALL)),
                Controls::default(),
                "{state:?}"
            );
        }
    }
    for state in DealState::ALL {
        assert_eq!(
            controls(None, &live(state, Ticks::ALL)),
            Controls::default()
        );
    }
}

#[test]
fn a_tick_names_the_revision_of_its_term_the_buyer_sees() {
    let l = live(DealState::Negotiating, Ticks::default());
    assert_eq!(
        tick_command(&l, Term::Place, true, 9),
        OrderCommand::Tick {
            order: "o1".into(),
            term: Term::Place,
            rev: 3,
            on: true,
            req: 9
        }
    );
    assert_eq!(slot(Term::Time), 3);
}

#[test]
fn the_sellers_fields_become_term_values() {
    let twd = Currency::Twd;
    assert_eq!(
        term_value(Term::Quantity, " 3 ", twd),
        Ok(TermValue::Quantity(3))
    );
    assert_eq!(term_value(Term::Quantity, "", twd), Err(Problem::Required));
    assert_eq!(
        term_value(Term::Quantity, "two", twd),
        Err(Problem::InvalidFormat)
    );
    assert!(matches!(
        term_value(Term::Quantity, "0", twd),
        Err(Problem::OutOfRange { .. })
    ));
    assert_eq!(
        term_value(Term::Price, "NT$1,500", twd),
        Ok(TermValue::Price(1500))
    );
    assert_eq!(
        term_value(Term::Price, "12.50", Currency::Usd),
        Ok(TermValue::Price(1250))
    );
    assert_eq!(term_value(Term::Price, "", twd), Err(Problem::Required));
    assert_eq!(
        term_value(Term::Place, "  Taipei 101 ", twd),
        Ok(TermValue::Place("Taipei 101".into()))
    );
    assert_eq!(term_value(Term::Place, "", twd), Err(Problem::Required));
    assert_eq!(
        term_value(Term::Time, "2026-12-08T14:30", twd),
        Ok(TermValue::Time(
            parse_local_input("2026-12-08T14:30").unwrap()
        ))
    );
    assert_eq!(term_value(Term::Time, "", twd), Err(Problem::Required));
    assert_eq!(
        term_value(Term::Time, "tomorrow", twd),
        Err(Problem::InvalidFormat)
    );
    assert_eq!(
        edit_command("o1", Term::Quantity, "4", twd, 7),
        Ok(OrderCommand::Edit {
            order: "o1".into(),
            value: TermValue::Quantity(4),
            req: 7
        })
    );
}

#[test]
fn the_sellers_fields_start_from_the_room() {
    let mut l = live(DealState::Negotiating, Ticks::default());
    let local = |ms: i64| format!("t{ms}");
    assert_eq!(input_value(&l, Term::Quantity, local), "2");
    assert_eq!(input_value(&l, Term::Price, local), "1200");
    assert_eq!(input_value(&l, Term::Place, local), "Taipei Main Station");
    assert_eq!(input_value(&l, Term::Time, local), "t1796000000000");
    l.time = None;
    assert_eq!(input_value(&l, Term::Time, local), "");
}

#[test]
fn a_snapshot_always_replaces_the_state_an_update_only_when_newer() {
    let current = live(DealState::Negotiating, Ticks::default());
    let mut older = current.clone();
    older.seq = 4;
    older.quantity = 9;
    assert_eq!(
        next_live(
            &current,
            &OrderEvent::Snapshot {
                live: older.clone()
            }
        ),
        Some(older.clone())
    );
    assert_eq!(
        next_live(&current, &OrderEvent::Update { live: older }),
        None
    );
    let same = current.clone();
    assert_eq!(
        next_live(&current, &OrderEvent::Update { live: same }),
        None
    );
    let mut newer = current.clone();
    newer.seq = 8;
    newer.ticks = Ticks::ALL;
    assert_eq!(
        next_live(
            &current,
            &OrderEvent::Update {
                live: newer.clone()
            }
        ),
        Some(newer.clone())
    );
    newer.order = "another".into();
    assert_eq!(
        next_live(&current, &OrderEvent::Update { live: newer }),
        None
    );
}

#[test]
fn the_room_is_fetched_again_when_the_handover_begins_or_ends() {
    use DealState as S;
    assert!(needs_refetch(S::BuyerConfirmed, S::Established));
    assert!(needs_refetch(S::Established, S::Completed));
    assert!(!needs_refetch(S::Established, S::Established));
    assert!(!needs_refetch(S::Negotiating, S::BuyerConfirmed));
    assert!(!needs_refetch(S::Established, S::Cancelled));
}

#[test]
fn deals_to_trade_come_soonest_first_and_those_without_a_time_last() {
    let line = |order: &str, time: Option<i64>, created_at: i64| OrderLine {
        order: order.into(),
        listing: DealListing {
            id: 1,
            title: "Lamp".into(),
            thumb_url: None,
            unit_price: Money::new(100, Currency::Twd),
        },
        you: Party::Buyer,
        other: Participant {
            id: 2,
            name: "Mei".into(),
        },
        state: DealState::Established,
        quantity: 1,
        price: Money::new(100, Currency::Twd),
        place: String::new(),
        time,
        created_at,
    };
    let mut lines = vec![
        line("none", None, 1),
        line("late", Some(300), 2),
        line("soon", Some(100), 3),
        line("soon-older", Some(100), 0),
    ];
    soonest_first(&mut lines);
    let order: Vec<_> = lines.iter().map(|l| l.order.as_str()).collect();
    assert_eq!(order, ["soon-older", "soon", "late", "none"]);
}

#[test]
fn a_payment_is_news_only_a_fresh_room_brings() {
    let before = live(DealState::Established, Ticks::ALL);
    let mut paid = before.clone();
    paid.seq += 1;
    assert!(only_seq_moved(&before, &paid));
    assert!(!only_seq_moved(&before, &before));
    let mut moved = paid.clone();
    moved.place = "Zhongshan".into();
    assert!(!only_seq_moved(&before, &moved));
}

#[test]
fn a_held_payment_reads_released_or_refunded_as_the_order_ends() {
    let amount = Money::new(1200, Currency::Twd);
    let held = Payment::Escrow {
        amount,
        state: HoldState::Pending,
    };
    let with = |state| Payment::Escrow { amount, state };
    assert_eq!(shown_payment(held, DealState::Established), held);
    assert_eq!(
        shown_payment(held, DealState::Completed),
        with(HoldState::Posted)
    );
    assert_eq!(
        shown_payment(held, DealState::Cancelled),
        with(HoldState::Voided)
    );
    assert_eq!(
        shown_payment(Payment::Cash, DealState::Completed),
        Payment::Cash
    );
}

#[test]
fn only_the_buyer_of_a_standing_unpaid_order_is_offered_pay() {
    let amount = Money::new(1200, Currency::Twd);
    let buyer = Some(Party::Buyer);
    assert!(may_pay(buyer, DealState::Established, Payment::Cash));
    assert!(may_pay(buyer, DealState::AwaitingPayment, Payment::Cash));
    let refunded = Payment::Escrow {
        amount,
        state: HoldState::Voided,
    };
    assert!(may_pay(buyer, DealState::Established, refunded));
    let held = Payment::Escrow {
        amount,
        state: HoldState::Pending,
    };
    assert!(!may_pay(buyer, DealState::Established, held));
    assert!(!may_pay(
        Some(Party::Seller),
        DealState::Established,
        Payment::Cash
    ));
    assert!(!may_pay(None, DealState::Established, Payment::Cash));
    for state in [
        DealState::Negotiating,
        DealState::BuyerConfirmed,
        DealState::Completed,
        DealState::Cancelled,
    ] {
        assert!(!may_pay(buyer, state, Payment::Cash), "{state:?}");
    }
}
