use super::*;

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
