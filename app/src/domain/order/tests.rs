use super::*;
use proptest::prelude::*;

const NOW: i64 = 1_000;
const LATER: i64 = NOW + 3_600_000;

fn deal() -> Deal {
    Deal {
        state: DealState::Negotiating,
        terms: Terms {
            quantity: 1,
            price: 500,
            place: "Taipei Main Station".into(),
            time: Some(10_000),
        },
        ticks: Ticks::default(),
        revs: [0; 4],
        seq: 0,
    }
}

fn in_state(state: DealState) -> Deal {
    Deal {
        state,
        ticks: if state == DealState::Negotiating {
            Ticks::default()
        } else {
            Ticks::ALL
        },
        ..deal()
    }
}

fn tick(term: Term, rev: i64, on: bool) -> Step {
    Step::Tick { term, rev, on }
}

fn refused(r: DealRefusal) -> Result<Applied, Refusal> {
    Err(Refusal::Deal(r))
}

/// The deal after `step`, which must be allowed.
fn after(deal: &Deal, who: Party, step: Step) -> Deal {
    apply(deal, who, &step, 0, NOW).unwrap().deal
}

fn all_ticked(deal: &Deal) -> Deal {
    Term::ALL.into_iter().fold(deal.clone(), |d, t| {
        after(&d, Party::Buyer, tick(t, d.rev(t), true))
    })
}

#[test]
fn a_seller_edit_clears_the_buyers_tick_on_that_term() {
    let ticked = apply(
        &deal(),
        Party::Buyer,
        &Step::Tick {
            term: Term::Price,
            rev: 0,
            on: true,
        },
        0,
        0,
    )
    .unwrap()
    .deal;
    assert!(ticked.ticks.has(Term::Price));
    let edited = apply(
        &ticked,
        Party::Seller,
        &Step::Edit(TermValue::Price(600)),
        0,
        0,
    )
    .unwrap()
    .deal;
    assert!(!edited.ticks.has(Term::Price));
    assert_eq!(edited.rev(Term::Price), edited.seq);
    let stale = apply(
        &edited,
        Party::Buyer,
        &Step::Tick {
            term: Term::Price,
            rev: 0,
            on: true,
        },
        0,
        0,
    );
    assert_eq!(stale.unwrap_err(), Refusal::Deal(DealRefusal::TermChanged));
}

#[test]
fn an_edit_touches_only_its_term_and_numbers_the_change() {
    let ticked = all_ticked(&deal());
    let edited = after(
        &ticked,
        Party::Seller,
        Step::Edit(TermValue::Place("  Songshan  ".into())),
    );
    assert_eq!(edited.terms.place, "Songshan", "stored trimmed");
    assert_eq!(edited.seq, ticked.seq + 1);
    assert_eq!(edited.rev(Term::Place), edited.seq);
    for term in [Term::Quantity, Term::Price, Term::Time] {
        assert!(edited.ticks.has(term), "{term:?} stays ticked");
        assert_eq!(edited.rev(term), ticked.rev(term));
    }
    assert!(!edited.ticks.has(Term::Place));
    // A tick changes no revision, only the number of the change.
    let t = after(&deal(), Party::Buyer, tick(Term::Quantity, 0, true));
    assert_eq!((t.seq, t.revs), (1, [0; 4]));
}

#[test]
fn only_the_seller_edits_and_only_the_buyer_ticks() {
    let d = deal();
    let edit = Step::Edit(TermValue::Price(600));
    assert_eq!(
        apply(&d, Party::Buyer, &edit, 0, NOW),
        refused(DealRefusal::NotYourTurn)
    );
    assert_eq!(
        apply(&d, Party::Seller, &tick(Term::Price, 0, true), 0, NOW),
        refused(DealRefusal::NotYourTurn)
    );
}

#[test]
fn the_buyer_confirms_all_four_terms_then_the_seller_establishes() {
    let d = deal();
    assert_eq!(
        apply(&d, Party::Buyer, &Step::Confirm, 0, NOW),
        refused(DealRefusal::TermsNotAccepted)
    );
    // Three of four is not enough.
    let three = [Term::Quantity, Term::Price, Term::Place]
        .into_iter()
        .fold(d.clone(), |d, t| after(&d, Party::Buyer, tick(t, 0, true)));
    assert_eq!(
        apply(&three, Party::Buyer, &Step::Confirm, 0, NOW),
        refused(DealRefusal::TermsNotAccepted)
    );
    let ticked = all_ticked(&d);
    // The seller cannot confirm first.
    assert_eq!(
        apply(&ticked, Party::Seller, &Step::Confirm, 0, NOW),
        refused(DealRefusal::NotYourTurn)
    );
    let confirmed = apply(&ticked, Party::Buyer, &Step::Confirm, 0, NOW).unwrap();
    assert_eq!(confirmed.deal.state, DealState::BuyerConfirmed);
    assert_eq!(confirmed.stock_delta, 0);
    // Nor the buyer twice.
    assert_eq!(
        apply(&confirmed.deal, Party::Buyer, &Step::Confirm, 0, NOW),
        refused(DealRefusal::NotYourTurn)
    );
    let established = apply(&confirmed.deal, Party::Seller, &Step::Confirm, 0, NOW).unwrap();
    assert_eq!(established.deal.state, DealState::Established);
    assert_eq!(established.stock_delta, 0);
    for who in [Party::Buyer, Party::Seller] {
        assert_eq!(
            apply(&established.deal, who, &Step::Confirm, 0, NOW),
            refused(DealRefusal::Closed)
        );
    }
}

#[test]
fn a_change_after_the_buyer_confirmed_reopens_the_negotiation() {
    let confirmed = after(&all_ticked(&deal()), Party::Buyer, Step::Confirm);
    let edited = after(&confirmed, Party::Seller, Step::Edit(TermValue::Price(450)));
    assert_eq!(edited.state, DealState::Negotiating);
    assert!(!edited.ticks.has(Term::Price));
    let unticked = after(
        &confirmed,
        Party::Buyer,
        tick(Term::Time, confirmed.rev(Term::Time), false),
    );
    assert_eq!(unticked.state, DealState::Negotiating);
    assert!(!unticked.ticks.all());
}

#[test]
fn once_established_only_the_meet_up_moves() {
    let d = in_state(DealState::Established);
    for value in [TermValue::Quantity(2), TermValue::Price(1)] {
        assert_eq!(
            apply(&d, Party::Seller, &Step::Edit(value), 9, NOW),
            refused(DealRefusal::TermLocked)
        );
    }
    for term in [Term::Quantity, Term::Price] {
        assert_eq!(
            apply(&d, Party::Buyer, &tick(term, 0, false), 0, NOW),
            refused(DealRefusal::TermLocked)
        );
    }
    let moved = after(&d, Party::Seller, Step::Edit(TermValue::Time(LATER)));
    assert_eq!(moved.state, DealState::Established);
    assert!(!moved.ticks.has(Term::Time));
    let retick = after(
        &moved,
        Party::Buyer,
        tick(Term::Time, moved.rev(Term::Time), true),
    );
    assert!(retick.ticks.all());
    assert_eq!(retick.state, DealState::Established);
}

#[test]
fn the_seller_completes_an_established_order_and_nobody_else_does() {
    let d = in_state(DealState::Established);
    assert_eq!(
        apply(&d, Party::Buyer, &Step::Complete, 0, NOW),
        refused(DealRefusal::NotYourTurn)
    );
    for state in [DealState::Negotiating, DealState::BuyerConfirmed] {
        assert_eq!(
            apply(&in_state(state), Party::Seller, &Step::Complete, 0, NOW),
            refused(DealRefusal::NotYourTurn)
        );
    }
    let done = apply(&d, Party::Seller, &Step::Complete, 0, NOW).unwrap();
    assert_eq!(done.deal.state, DealState::Completed);
    assert_eq!(done.stock_delta, 0, "sold units stay sold");
}

#[test]
fn either_side_cancels_an_open_order_and_its_units_return() {
    for state in [
        DealState::Negotiating,
        DealState::BuyerConfirmed,
        DealState::Established,
    ] {
        for who in [Party::Buyer, Party::Seller] {
            let d = Deal {
                terms: Terms {
                    quantity: 3,
                    ..deal().terms
                },
                ..in_state(state)
            };
            let cancelled = apply(&d, who, &Step::Cancel, 0, NOW).unwrap();
            assert_eq!(cancelled.deal.state, DealState::Cancelled);
            assert_eq!(cancelled.stock_delta, -3, "{state:?} by {who:?}");
        }
    }
}

#[test]
fn a_closed_order_refuses_every_step() {
    let steps = [
        Step::Edit(TermValue::Place("Elsewhere".into())),
        tick(Term::Price, 0, false),
        Step::Confirm,
        Step::Cancel,
        Step::Complete,
    ];
    for state in [
        DealState::AwaitingPayment,
        DealState::Completed,
        DealState::Cancelled,
    ] {
        for step in &steps {
            for who in [Party::Buyer, Party::Seller] {
                assert_eq!(
                    apply(&in_state(state), who, step, 9, NOW),
                    refused(DealRefusal::Closed),
                    "{state:?} {step:?} by {who:?}"
                );
            }
        }
    }
}

#[test]
fn the_quantity_moves_the_stock_within_what_is_left() {
    let d = deal();
    let raised = apply(
        &d,
        Party::Seller,
        &Step::Edit(TermValue::Quantity(3)),
        2,
        NOW,
    )
    .unwrap();
    assert_eq!((raised.deal.terms.quantity, raised.stock_delta), (3, 2));
    assert_eq!(
        apply(
            &d,
            Party::Seller,
            &Step::Edit(TermValue::Quantity(4)),
            2,
            NOW
        ),
        refused(DealRefusal::NotEnoughStock)
    );
    let lowered = apply(
        &raised.deal,
        Party::Seller,
        &Step::Edit(TermValue::Quantity(1)),
        0,
        NOW,
    )
    .unwrap();
    assert_eq!(lowered.stock_delta, -2);
}

#[test]
fn a_value_a_deal_cannot_have_is_refused_on_its_field() {
    let d = deal();
    let cases = [
        (TermValue::Quantity(0), Field::Quantity),
        (TermValue::Price(-1), Field::Price),
        (TermValue::Price(MAX_TOTAL + 1), Field::Price),
        (TermValue::Place("   ".into()), Field::MeetupPlace),
        (
            TermValue::Place("x".repeat(MAX_PLACE + 1)),
            Field::MeetupPlace,
        ),
        (TermValue::Time(NOW), Field::MeetAt),
        (TermValue::Time(NOW + MAX_MEET_AHEAD_MS + 1), Field::MeetAt),
        // The same value again changes nothing.
        (TermValue::Price(500), Field::Price),
    ];
    for (value, field) in cases {
        let result = apply(&d, Party::Seller, &Step::Edit(value.clone()), 9, NOW);
        assert!(
            matches!(result, Err(Refusal::Field(f, _)) if f == field),
            "{value:?}: {result:?}"
        );
    }
    assert_eq!(
        apply(
            &d,
            Party::Seller,
            &Step::Edit(TermValue::Price(500)),
            0,
            NOW
        ),
        Err(Refusal::Field(Field::Price, Problem::Unchanged))
    );
}

#[test]
fn an_unset_meet_up_cannot_be_accepted_and_a_tick_must_change_something() {
    let open = Deal {
        terms: Terms {
            place: String::new(),
            time: None,
            ..deal().terms
        },
        ..deal()
    };
    for (term, field) in [
        (Term::Place, Field::MeetupPlace),
        (Term::Time, Field::MeetAt),
    ] {
        assert_eq!(
            apply(&open, Party::Buyer, &tick(term, 0, true), 0, NOW),
            Err(Refusal::Field(field, Problem::Required))
        );
    }
    assert_eq!(
        apply(&deal(), Party::Buyer, &tick(Term::Price, 0, false), 0, NOW),
        Err(Refusal::Field(Field::Price, Problem::Unchanged))
    );
}

#[test]
fn a_remark_is_bounded_plain_text() {
    assert_eq!(check_remark(""), Ok(()));
    assert_eq!(check_remark("Two please,\nafter six."), Ok(()));
    assert!(check_remark(&"x".repeat(MAX_REMARK + 1)).is_err());
    assert_eq!(check_remark("a\u{7}b"), Err(Problem::InvalidChars));
    assert!(check_quantity(0).is_err() && check_quantity(MAX_QUANTITY + 1).is_err());
}

// ---- Property: many orders on one listing's stock ----

#[derive(Debug, Clone)]
enum Act {
    /// The buyer's tab hears the order's current state.
    Look,
    Edit(TermValue),
    /// The buyer ticks as of the state their tab last heard.
    Tick(Term, bool),
    Confirm,
    Cancel,
    Complete,
}

fn act() -> impl Strategy<Value = Act> {
    let value = prop_oneof![
        (1u32..=4).prop_map(TermValue::Quantity),
        (0i64..=3).prop_map(|p| TermValue::Price(p * 100)),
        prop::sample::select(vec!["Zhongshan", "Daan", " Daan "])
            .prop_map(|p| TermValue::Place(p.into())),
        (1i64..=2).prop_map(|h| TermValue::Time(NOW + h * 3_600_000)),
    ];
    let term = prop::sample::select(Term::ALL.to_vec());
    prop_oneof![
        2 => Just(Act::Look),
        3 => value.prop_map(Act::Edit),
        4 => (term, any::<bool>()).prop_map(|(t, on)| Act::Tick(t, on)),
        2 => Just(Act::Confirm),
        1 => Just(Act::Cancel),
        1 => Just(Act::Complete),
    ]
}

fn value_of(terms: &Terms, term: Term) -> TermValue {
    match term {
        Term::Quantity => TermValue::Quantity(terms.quantity),
        Term::Price => TermValue::Price(terms.price),
        Term::Place => TermValue::Place(terms.place.clone()),
        Term::Time => TermValue::Time(terms.time.unwrap_or(0)),
    }
}

/// One simulated order: its deal, what the buyer's tab last heard, and
/// the value of each term as the buyer saw it when ticking it.
struct Sim {
    deal: Deal,
    seen: Deal,
    ticked: [Option<TermValue>; 4],
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn stock_and_ticks_hold_whatever_the_parties_do(
        stock in 1u32..=6,
        wanted in prop::collection::vec(1u32..=3, 1..=4),
        steps in prop::collection::vec((0usize..4, any::<bool>(), act()), 0..80),
    ) {
        let initial = stock;
        let mut stock = stock;
        // Placing: each order takes its units if they are there.
        let mut orders: Vec<Sim> = Vec::new();
        for q in wanted {
            if q <= stock {
                stock -= q;
                let d = Deal { terms: Terms { quantity: q, ..deal().terms }, ..deal() };
                orders.push(Sim { seen: d.clone(), deal: d, ticked: Default::default() });
            }
        }
        prop_assume!(!orders.is_empty());
        for (i, seller, act) in steps {
            let n = orders.len();
            let sim = &mut orders[i % n];
            let who = if seller { Party::Seller } else { Party::Buyer };
            let step = match act {
                Act::Look => {
                    sim.seen = sim.deal.clone();
                    continue;
                }
                Act::Edit(v) => Step::Edit(v),
                Act::Tick(term, on) => Step::Tick { term, rev: sim.seen.rev(term), on },
                Act::Confirm => Step::Confirm,
                Act::Cancel => Step::Cancel,
                Act::Complete => Step::Complete,
            };
            let Ok(applied) = apply(&sim.deal, who, &step, stock, NOW) else { continue };
            prop_assert_eq!(applied.deal.seq, sim.deal.seq + 1);
            // The backend takes a raise with a conditional update: it must
            // never be asked for more than is left.
            prop_assert!(applied.stock_delta <= i64::from(stock), "{:?}", step);
            stock = u32::try_from(i64::from(stock) - applied.stock_delta)
                .expect("stock never below zero");
            if let Step::Tick { term, on, .. } = step {
                sim.ticked[term as usize] = on.then(|| value_of(&sim.seen.terms, term));
            }
            sim.deal = applied.deal;
            // A tick stands only on the value the buyer saw when ticking.
            for term in Term::ALL {
                if sim.deal.ticks.has(term) {
                    prop_assert_eq!(
                        sim.ticked[term as usize].as_ref(),
                        Some(&value_of(&sim.deal.terms, term)),
                        "{:?} ticked on a value the buyer never saw", term
                    );
                }
            }
            let held: u32 = orders
                .iter()
                .filter(|o| o.deal.state != DealState::Cancelled)
                .map(|o| o.deal.terms.quantity)
                .sum();
            prop_assert_eq!(held + stock, initial, "units are neither lost nor made");
            let dealt: u32 = orders
                .iter()
                .filter(|o| matches!(o.deal.state, DealState::Established | DealState::Completed))
                .map(|o| o.deal.terms.quantity)
                .sum();
            prop_assert!(dealt <= initial);
            for o in &orders {
                if o.deal.state == DealState::BuyerConfirmed {
                    prop_assert!(o.deal.ticks.all(), "confirmed with a term unaccepted");
                }
            }
        }
    }
}

#[test]
fn paying_opens_a_won_auction_as_an_established_deal() {
    let waiting = in_state(DealState::AwaitingPayment);
    let paid = pay(&waiting, Party::Buyer).unwrap();
    assert_eq!(paid.state, DealState::Established);
    assert!(paid.ticks.has(Term::Quantity) && paid.ticks.has(Term::Price));
    assert!(!paid.ticks.has(Term::Place) && !paid.ticks.has(Term::Time));
    assert_eq!(paid.seq, waiting.seq + 1);
    assert_eq!(paid.terms, waiting.terms);
    // Once paid, the deal's quantity and price are locked like any
    // established deal's; the meet-up can still be set.
    assert_eq!(
        apply(
            &paid,
            Party::Seller,
            &Step::Edit(TermValue::Price(1)),
            0,
            NOW
        ),
        refused(DealRefusal::TermLocked)
    );
    assert!(
        apply(
            &paid,
            Party::Seller,
            &Step::Edit(TermValue::Place("Zhongshan".into())),
            0,
            NOW
        )
        .is_ok()
    );
}

#[test]
fn only_the_buyer_pays_and_only_a_standing_deal() {
    let established = in_state(DealState::Established);
    let paid = pay(&established, Party::Buyer).unwrap();
    assert_eq!(
        (paid.state, paid.ticks),
        (established.state, established.ticks)
    );
    assert_eq!(paid.seq, established.seq + 1);
    assert_eq!(
        pay(&established, Party::Seller),
        Err(Refusal::Deal(DealRefusal::NotYourTurn))
    );
    for state in [DealState::Negotiating, DealState::BuyerConfirmed] {
        assert_eq!(
            pay(&in_state(state), Party::Buyer),
            Err(Refusal::Deal(DealRefusal::NotYourTurn))
        );
    }
    for state in [DealState::Completed, DealState::Cancelled] {
        assert_eq!(
            pay(&in_state(state), Party::Buyer),
            Err(Refusal::Deal(DealRefusal::Closed))
        );
    }
}

#[test]
fn an_unpaid_order_is_cancelled_only_after_its_deadline() {
    let by = Some(LATER);
    assert_eq!(
        may_cancel_unpaid(DealState::AwaitingPayment, by, LATER - 1),
        Err(DealRefusal::NotYourTurn)
    );
    assert_eq!(
        may_cancel_unpaid(DealState::AwaitingPayment, by, LATER),
        Ok(())
    );
    assert_eq!(
        may_cancel_unpaid(DealState::AwaitingPayment, None, LATER),
        Err(DealRefusal::NotYourTurn)
    );
    for state in [
        DealState::Established,
        DealState::Cancelled,
        DealState::Completed,
    ] {
        assert_eq!(
            may_cancel_unpaid(state, by, LATER),
            Err(DealRefusal::Closed)
        );
    }
}
