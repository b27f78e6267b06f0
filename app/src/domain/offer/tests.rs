use super::*;
use proptest::prelude::*;

const NOW: i64 = 1_000_000;

#[test]
fn the_other_side_answers_and_the_maker_withdraws() {
    use OfferState::*;
    use Party::*;
    let at = |made_by, who, a| answer(Pending, made_by, NOW + 1, who, a, NOW);
    // A buyer's offer: the seller accepts, declines or counters; the buyer withdraws.
    assert_eq!(at(Buyer, Seller, Answer::Accept), Ok(Accepted));
    assert_eq!(at(Buyer, Seller, Answer::Decline), Ok(Declined));
    assert_eq!(
        at(Buyer, Seller, Answer::Counter { amount: 5 }),
        Ok(Countered)
    );
    assert_eq!(at(Buyer, Buyer, Answer::Withdraw), Ok(Withdrawn));
    for a in [
        Answer::Accept,
        Answer::Decline,
        Answer::Counter { amount: 5 },
    ] {
        assert_eq!(at(Buyer, Buyer, a), Err(DealRefusal::NotYourTurn), "{a:?}");
    }
    assert_eq!(
        at(Buyer, Seller, Answer::Withdraw),
        Err(DealRefusal::NotYourTurn)
    );
    // A seller's counter: the buyer accepts or declines (a new price is a new
    // offer, not a counter to a counter); the seller withdraws it.
    assert_eq!(at(Seller, Buyer, Answer::Accept), Ok(Accepted));
    assert_eq!(at(Seller, Buyer, Answer::Decline), Ok(Declined));
    assert_eq!(at(Seller, Seller, Answer::Withdraw), Ok(Withdrawn));
    assert_eq!(
        at(Seller, Buyer, Answer::Counter { amount: 5 }),
        Err(DealRefusal::NotYourTurn)
    );
    assert_eq!(
        at(Seller, Seller, Answer::Accept),
        Err(DealRefusal::NotYourTurn)
    );
}

#[test]
fn a_closed_or_expired_offer_takes_no_answer() {
    for state in OfferState::ALL
        .into_iter()
        .filter(|s| *s != OfferState::Pending)
    {
        assert_eq!(
            answer(
                state,
                Party::Buyer,
                NOW + 1,
                Party::Seller,
                Answer::Accept,
                NOW
            ),
            Err(DealRefusal::Closed)
        );
    }
    // At its expiry time exactly, it is over (as `due` says).
    let late = answer(
        OfferState::Pending,
        Party::Buyer,
        NOW,
        Party::Seller,
        Answer::Accept,
        NOW,
    );
    assert_eq!(late, Err(DealRefusal::Expired));
    assert!(due(OfferState::Pending, NOW, NOW));
    assert!(!due(OfferState::Pending, NOW + 1, NOW));
    assert!(!due(OfferState::Declined, NOW, NOW));
    assert_eq!(expires_at(NOW), NOW + 48 * 3_600_000);
}

#[test]
fn states_round_trip_through_their_names() {
    for state in OfferState::ALL {
        assert_eq!(OfferState::parse(state.as_str()), Some(state));
    }
    assert_eq!(OfferState::parse("open"), None);
    assert_eq!(made_by(true), Party::Seller);
    assert_eq!(made_by(false), Party::Buyer);
}

#[test]
fn offers_and_counters_are_checked() {
    let field = |f, p| Err(Refusal::Field(f, p));
    assert_eq!(check_offer(500, 2, 3), Ok(()));
    assert_eq!(
        check_offer(0, 1, 3),
        field(Field::Amount, Problem::MustBePositive)
    );
    assert_eq!(
        check_offer(500, 4, 3),
        field(Field::Quantity, Problem::OutOfRange { min: 1, max: 3 })
    );
    assert_eq!(
        check_offer(500, 0, 3),
        field(Field::Quantity, Problem::OutOfRange { min: 1, max: 3 })
    );
    assert_eq!(
        check_offer(MAX_TOTAL, 2, 3),
        field(Field::Amount, Problem::AmountTooHigh)
    );
    assert_eq!(check_counter(500, 450, 2), Ok(()));
    assert_eq!(
        check_counter(500, 500, 2),
        field(Field::Amount, Problem::Unchanged)
    );
    assert_eq!(
        check_counter(500, -1, 2),
        field(Field::Amount, Problem::MustBePositive)
    );
    assert_eq!(
        check_counter(500, i64::MAX, 2),
        field(Field::Amount, Problem::AmountTooHigh)
    );
    assert!(covered(2, 2) && !covered(3, 2));
}

// ------------------------------------------------------------ one listing, many offers

/// Who acts: buyers 0..=2, the seller, and somebody else.
const SELLER: u8 = 7;
const STRANGER: u8 = 8;

#[derive(Debug, Clone, PartialEq)]
struct Offer {
    buyer: u8,
    made_by: Party,
    quantity: u32,
    amount: i64,
    state: OfferState,
    expires_at: i64,
    parent: Option<usize>,
}

#[derive(Debug, Clone)]
enum Action {
    Make {
        buyer: u8,
        quantity: u32,
        amount: i64,
    },
    Answer {
        offer: usize,
        actor: u8,
        answer: Answer,
    },
    Wait(i64),
    Expire,
}

/// A listing's offers as the backend keeps them, each step decided by the
/// rules above (the same calls the backend makes).
struct Listing {
    stock: u32,
    offers: Vec<Offer>,
    now: i64,
}

#[derive(Debug, PartialEq)]
enum Refused {
    NotFound,
    Deal(DealRefusal),
    Field,
}

impl From<Refusal> for Refused {
    fn from(r: Refusal) -> Refused {
        match r {
            Refusal::Deal(d) => Refused::Deal(d),
            Refusal::Field(..) => Refused::Field,
        }
    }
}

impl Listing {
    fn act(&mut self, action: &Action) -> Result<(), Refused> {
        match *action {
            Action::Make {
                buyer,
                quantity,
                amount,
            } => {
                if self.stock == 0 {
                    return Err(Refused::Deal(DealRefusal::NotForSale));
                }
                if buyer == SELLER {
                    return Err(Refused::Deal(DealRefusal::OwnListing));
                }
                check_offer(amount, quantity, self.stock)?;
                if self
                    .offers
                    .iter()
                    .any(|o| o.buyer == buyer && o.state == OfferState::Pending)
                {
                    return Err(Refused::Deal(DealRefusal::OfferOpen));
                }
                self.offers.push(Offer {
                    buyer,
                    made_by: Party::Buyer,
                    quantity,
                    amount,
                    state: OfferState::Pending,
                    expires_at: expires_at(self.now),
                    parent: None,
                });
                Ok(())
            }
            Action::Answer {
                offer,
                actor,
                answer: a,
            } => {
                if self.offers.is_empty() {
                    return Err(Refused::NotFound);
                }
                let i = offer % self.offers.len();
                let o = self.offers[i].clone();
                let who = if actor == SELLER {
                    Party::Seller
                } else if actor == o.buyer {
                    Party::Buyer
                } else {
                    return Err(Refused::NotFound);
                };
                let next = answer(o.state, o.made_by, o.expires_at, who, a, self.now)
                    .map_err(Refused::Deal)?;
                match (next, a) {
                    (OfferState::Accepted, _) => {
                        if !covered(o.quantity, self.stock) {
                            return Err(Refused::Deal(DealRefusal::NotEnoughStock));
                        }
                        self.stock -= o.quantity;
                        self.offers[i].state = OfferState::Accepted;
                        for other in &mut self.offers {
                            if other.state == OfferState::Pending
                                && !covered(other.quantity, self.stock)
                            {
                                other.state = OfferState::Declined;
                            }
                        }
                    }
                    (OfferState::Countered, Answer::Counter { amount }) => {
                        check_counter(o.amount, amount, o.quantity)?;
                        self.offers[i].state = OfferState::Countered;
                        self.offers.push(Offer {
                            made_by: Party::Seller,
                            amount,
                            state: OfferState::Pending,
                            expires_at: expires_at(self.now),
                            parent: Some(i),
                            ..o
                        });
                    }
                    (state, _) => self.offers[i].state = state,
                }
                Ok(())
            }
            Action::Wait(ms) => {
                self.now += ms;
                Ok(())
            }
            Action::Expire => {
                let now = self.now;
                for o in &mut self.offers {
                    if due(o.state, o.expires_at, now) {
                        o.state = OfferState::Expired;
                    }
                }
                Ok(())
            }
        }
    }
}

fn an_answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        Just(Answer::Accept),
        Just(Answer::Decline),
        Just(Answer::Withdraw),
        (-2i64..1_000).prop_map(|amount| Answer::Counter { amount }),
    ]
}

fn an_action() -> impl Strategy<Value = Action> {
    let someone = prop_oneof![0u8..3, Just(SELLER), Just(STRANGER)];
    prop_oneof![
        3 => (prop_oneof![0u8..3, Just(SELLER)], 0u32..5, -2i64..1_000)
            .prop_map(|(buyer, quantity, amount)| Action::Make { buyer, quantity, amount }),
        6 => (any::<usize>(), someone, an_answer())
            .prop_map(|(offer, actor, answer)| Action::Answer { offer, actor, answer }),
        1 => prop_oneof![0i64..60_000, Just(OFFER_LIFETIME_MS / 2), Just(OFFER_LIFETIME_MS)]
            .prop_map(Action::Wait),
        1 => Just(Action::Expire),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_sequence_breaks_the_offer_rules(
        stock in 1u32..5,
        actions in proptest::collection::vec(an_action(), 0..60),
    ) {
        let mut listing = Listing { stock, offers: Vec::new(), now: NOW };
        for action in &actions {
            let before = listing.offers.clone();
            let stock_before = listing.stock;
            let result = listing.act(action);
            let after = &listing.offers;
            if result.is_err() {
                prop_assert_eq!(&before, after, "a refusal changes nothing");
                prop_assert_eq!(stock_before, listing.stock);
            }
            for (i, (was, now)) in before.iter().zip(after).enumerate() {
                // A closed offer never changes.
                if was.state != OfferState::Pending {
                    prop_assert_eq!(was, now, "closed offer {} changed", i);
                    continue;
                }
                if was.state == now.state {
                    continue;
                }
                // Only the right party moves an offer; the rest is the
                // clock (expiry) or an acceptance taking the units it needed.
                match (action, now.state) {
                    (Action::Expire, OfferState::Expired) => {
                        prop_assert!(listing.now >= was.expires_at)
                    }
                    (Action::Answer { actor, answer: a, .. }, state) => {
                        let answered = matches!(action, Action::Answer { offer, .. }
                            if offer % before.len() == i);
                        if !answered {
                            // Declined because an acceptance left too few units.
                            prop_assert_eq!(state, OfferState::Declined);
                            prop_assert!(matches!(a, Answer::Accept));
                            prop_assert!(!covered(was.quantity, listing.stock));
                            continue;
                        }
                        let who = if *actor == SELLER { Party::Seller } else { Party::Buyer };
                        prop_assert!(*actor == SELLER || *actor == was.buyer);
                        match state {
                            OfferState::Withdrawn => prop_assert_eq!(who, was.made_by),
                            OfferState::Countered => {
                                prop_assert_eq!(who, Party::Seller);
                                prop_assert_eq!(was.made_by, Party::Buyer);
                            }
                            OfferState::Accepted | OfferState::Declined => {
                                prop_assert_ne!(who, was.made_by)
                            }
                            other => prop_assert!(false, "an answer made it {:?}", other),
                        }
                    }
                    (other, state) => prop_assert!(false, "{:?} made it {:?}", other, state),
                }
            }
            // Accepted units never exceed the stock, and are exactly what left it.
            let accepted: u32 = after
                .iter()
                .filter(|o| o.state == OfferState::Accepted)
                .map(|o| o.quantity)
                .sum();
            prop_assert!(accepted <= stock);
            prop_assert_eq!(accepted + listing.stock, stock);
            // An accepted counter's parent was countered, never also accepted.
            for o in after.iter().filter(|o| o.state == OfferState::Accepted) {
                if let Some(p) = o.parent {
                    prop_assert_eq!(after[p].state, OfferState::Countered);
                }
            }
            // One open offer per buyer.
            for buyer in 0..3 {
                let open = after
                    .iter()
                    .filter(|o| o.buyer == buyer && o.state == OfferState::Pending)
                    .count();
                prop_assert!(open <= 1);
            }
        }
    }
}
