use super::*;
use proptest::prelude::*;

#[test]
fn a_hash_and_an_amount_in_chat_is_a_bid() {
    assert_eq!(chat_bid("#12500", Currency::Twd), Some(Ok(12_500)));
    assert_eq!(chat_bid("  # 12,500 ", Currency::Twd), Some(Ok(12_500)));
    assert_eq!(chat_bid("#12.50", Currency::Usd), Some(Ok(1_250)));
    assert_eq!(chat_bid("#vintage lamp", Currency::Twd), None);
    assert_eq!(chat_bid("nice lamp #1", Currency::Twd), None);
    assert_eq!(chat_bid("#", Currency::Twd), None);
    assert!(matches!(chat_bid("#12.5.0", Currency::Twd), Some(Err(_))));
}

const SELLER: i64 = 99;
const A: i64 = 1;
const B: i64 = 2;
const C: i64 = 3;
const END: i64 = 1_800_000_000_000;
/// Well before the soft-close window.
const EARLY: i64 = END - 3_600_000;
const WINDOW: i64 = DEFAULT_SOFT_CLOSE_MS;

fn twd() -> IncrementTable {
    IncrementTable::default_for(Currency::Twd)
}

fn terms(start_price: i64, reserve: Option<i64>, buy_now: Option<i64>) -> Terms {
    Terms {
        start_price,
        reserve,
        buy_now,
    }
}

fn live(terms: Terms) -> Auction {
    Auction {
        seller: SELLER,
        phase: Phase::Live,
        ends_at: END,
        terms,
        book: Book::opening(&terms),
    }
}

fn who(id: i64) -> Bidder {
    Bidder {
        id,
        restricted: false,
    }
}

/// Places an early bid and, like the server, keeps the result only when accepted.
fn bid(auction: &mut Auction, id: i64, amount: i64) -> Result<Accepted, BidRefusal> {
    let result = place(auction, &twd(), who(id), amount, EARLY, WINDOW);
    if let Ok(accepted) = result {
        auction.book = accepted.book;
        auction.ends_at = accepted.ends_at;
    }
    result
}

fn lead(bidder: i64, max: i64) -> Option<Lead> {
    Some(Lead { bidder, max })
}

#[test]
fn strings_round_trip() {
    for &p in Phase::ALL {
        assert_eq!(Phase::parse(p.as_str()), Some(p));
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            format!("\"{}\"", p.as_str())
        );
    }
    for &o in Outcome::ALL {
        assert_eq!(Outcome::parse(o.as_str()), Some(o));
        assert_eq!(
            serde_json::to_string(&o).unwrap(),
            format!("\"{}\"", o.as_str())
        );
    }
    assert_eq!(Phase::Cancelled.as_str(), "cancelled");
    assert_eq!(Phase::parse("Live"), None);
    assert_eq!(Outcome::parse(""), None);
}

#[test]
fn refusals_serialize_with_their_reason() {
    let json = |r: BidRefusal| serde_json::to_string(&r).unwrap();
    assert_eq!(json(BidRefusal::NotLive), r#"{"reason":"not_live"}"#);
    assert_eq!(
        json(BidRefusal::TooLow { minimum: 120 }),
        r#"{"reason":"too_low","minimum":120}"#
    );
    assert_eq!(
        json(BidRefusal::NotAboveYourMax { max: 5 }),
        r#"{"reason":"not_above_your_max","max":5}"#
    );
    let back: BidRefusal = serde_json::from_str(r#"{"reason":"buy_now_gone"}"#).unwrap();
    assert_eq!(back, BidRefusal::BuyNowGone);
}

#[test]
fn first_bid_needs_the_start_price_and_shows_it() {
    let mut a = live(terms(100, None, None));
    assert_eq!(minimum_bid(&a.terms, &a.book, &twd()), 100);
    assert_eq!(bid(&mut a, A, 99), Err(BidRefusal::TooLow { minimum: 100 }));
    let accepted = bid(&mut a, A, 1_000).unwrap();
    assert!(accepted.leading);
    assert_eq!(accepted.outbid, None);
    assert_eq!(accepted.ends_at, END);
    assert_eq!(
        accepted.book,
        Book {
            leader: lead(A, 1_000),
            second_max: None,
            price: 100,
            bids: 1
        }
    );
    assert_eq!(minimum_bid(&a.terms, &a.book, &twd()), 110);
}

#[test]
fn a_bid_below_the_leaders_max_is_outbid_at_once() {
    let mut a = live(terms(100, None, None));
    bid(&mut a, A, 1_000).unwrap();
    assert_eq!(
        bid(&mut a, B, 109),
        Err(BidRefusal::TooLow { minimum: 110 })
    );
    let accepted = bid(&mut a, B, 500).unwrap();
    assert!(!accepted.leading);
    assert_eq!(accepted.outbid, None);
    assert_eq!(accepted.book.leader, lead(A, 1_000));
    assert_eq!(accepted.book.second_max, Some(500));
    assert_eq!(accepted.book.price, 520, "500 plus the 20 step of its band");
    assert_eq!(accepted.book.bids, 2);
}

#[test]
fn the_price_is_capped_by_the_leaders_max() {
    let mut a = live(terms(100, None, None));
    bid(&mut a, A, 1_000).unwrap();
    let accepted = bid(&mut a, B, 990).unwrap();
    assert_eq!(accepted.book.price, 1_000, "990 + 50 would exceed A's max");
    assert!(!accepted.leading);
}

#[test]
fn ties_go_to_the_earlier_max() {
    let mut a = live(terms(100, None, None));
    bid(&mut a, A, 1_000).unwrap();
    let accepted = bid(&mut a, B, 1_000).unwrap();
    assert!(!accepted.leading);
    assert_eq!(accepted.book.leader, lead(A, 1_000));
    assert_eq!(accepted.book.price, 1_000);
}

#[test]
fn beating_the_leaders_max_takes_the_lead_and_outbids_them() {
    let mut a = live(terms(100, None, None));
    bid(&mut a, A, 1_000).unwrap();
    let accepted = bid(&mut a, B, 3_000).unwrap();
    assert!(accepted.leading);
    assert_eq!(accepted.outbid, Some(A));
    assert_eq!(accepted.book.leader, lead(B, 3_000));
    assert_eq!(accepted.book.second_max, Some(1_000));
    assert_eq!(accepted.book.price, 1_050);
    let third = bid(&mut a, C, 2_000).unwrap();
    assert_eq!((third.outbid, third.leading), (None, false));
    assert_eq!(third.book.second_max, Some(2_000));
    assert_eq!(third.book.price, 2_050);
}

#[test]
fn the_leader_raising_their_max_does_not_move_the_price() {
    let mut a = live(terms(100, None, None));
    bid(&mut a, A, 1_000).unwrap();
    bid(&mut a, B, 500).unwrap();
    let accepted = bid(&mut a, A, 5_000).unwrap();
    assert!(accepted.leading);
    assert_eq!(accepted.outbid, None, "nobody outbids themselves");
    assert_eq!(accepted.book.leader, lead(A, 5_000));
    assert_eq!(accepted.book.second_max, Some(500));
    assert_eq!(accepted.book.price, 520);
    assert_eq!(accepted.book.bids, 3);
}

#[test]
fn the_leader_must_go_above_their_own_max() {
    let mut a = live(terms(100, None, None));
    bid(&mut a, A, 1_000).unwrap();
    let before = a;
    assert_eq!(
        bid(&mut a, A, 1_000),
        Err(BidRefusal::NotAboveYourMax { max: 1_000 })
    );
    assert_eq!(
        bid(&mut a, A, 200),
        Err(BidRefusal::NotAboveYourMax { max: 1_000 })
    );
    assert_eq!(a, before);
}

#[test]
fn meeting_the_reserve_lifts_the_price_to_it() {
    let mut a = live(terms(100, Some(2_000), None));
    bid(&mut a, A, 1_000).unwrap();
    assert!(!reserve_met(&a.terms, &a.book));
    bid(&mut a, B, 500).unwrap();
    assert_eq!(a.book.price, 520);
    let accepted = bid(&mut a, A, 2_500).unwrap();
    assert!(reserve_met(&a.terms, &a.book));
    assert_eq!(accepted.book.price, 2_000);
    assert_eq!(accepted.book.leader, lead(A, 2_500));

    let mut b = live(terms(100, Some(2_000), None));
    assert_eq!(
        bid(&mut b, A, 2_000).unwrap().book.price,
        2_000,
        "a lone first bid at the reserve"
    );
}

#[test]
fn the_contested_price_wins_over_a_lower_reserve() {
    let mut a = live(terms(100, Some(300), None));
    bid(&mut a, A, 5_000).unwrap();
    assert_eq!(a.book.price, 300);
    bid(&mut a, B, 1_000).unwrap();
    assert_eq!(a.book.price, 1_050);
}

#[test]
fn price_for_never_goes_below_the_start_price() {
    let t = terms(1_000, Some(500), None);
    assert_eq!(price_for(&t, &twd(), 5_000, None), 1_000);
    assert_eq!(price_for(&t, &twd(), 5_000, Some(10)), 1_000);
    assert_eq!(price_for(&t, &twd(), 5_000, Some(2_000)), 2_050);
    assert_eq!(price_for(&t, &twd(), i64::MAX, Some(i64::MAX)), i64::MAX);
}

#[test]
fn reserve_met_without_a_reserve_means_any_bid() {
    let t = terms(100, None, None);
    assert!(!reserve_met(&t, &Book::opening(&t)));
    let mut a = live(t);
    bid(&mut a, A, 100).unwrap();
    assert!(reserve_met(&a.terms, &a.book));
}

#[test]
fn buy_now_is_gone_once_the_reserve_is_met() {
    let mut a = live(terms(100, Some(2_000), Some(3_000)));
    assert_eq!(buy_now_price(&a, EARLY), Some(3_000));
    bid(&mut a, A, 1_500).unwrap();
    assert_eq!(
        buy_now(&a, who(B), EARLY),
        Ok(3_000),
        "bids below the reserve keep it"
    );
    bid(&mut a, B, 2_000).unwrap();
    assert_eq!(buy_now_price(&a, EARLY), None);
    assert_eq!(buy_now(&a, who(C), EARLY), Err(BidRefusal::BuyNowGone));
}

#[test]
fn without_a_reserve_buy_now_is_gone_after_the_first_bid() {
    let mut a = live(terms(100, None, Some(3_000)));
    assert_eq!(buy_now(&a, who(A), EARLY), Ok(3_000));
    bid(&mut a, A, 100).unwrap();
    assert_eq!(buy_now(&a, who(B), EARLY), Err(BidRefusal::BuyNowGone));
}

#[test]
fn buy_now_checks_who_and_when() {
    let a = live(terms(100, None, Some(3_000)));
    assert_eq!(buy_now(&a, who(SELLER), EARLY), Err(BidRefusal::OwnAuction));
    assert_eq!(
        buy_now(
            &a,
            Bidder {
                id: A,
                restricted: true
            },
            EARLY
        ),
        Err(BidRefusal::Restricted)
    );
    assert_eq!(buy_now(&a, who(A), END), Err(BidRefusal::NotLive));
    assert_eq!(buy_now_price(&a, END), None);
    let scheduled = Auction {
        phase: Phase::Scheduled,
        ..a
    };
    assert_eq!(buy_now(&scheduled, who(A), EARLY), Err(BidRefusal::NotLive));
    let none = live(terms(100, None, None));
    assert_eq!(buy_now(&none, who(A), EARLY), Err(BidRefusal::BuyNowGone));
}

#[test]
fn the_seller_cannot_bid() {
    let a = live(terms(100, None, None));
    assert_eq!(
        place(&a, &twd(), who(SELLER), 1_000, EARLY, WINDOW),
        Err(BidRefusal::OwnAuction)
    );
}

#[test]
fn restricted_bidders_are_refused() {
    let a = live(terms(100, None, None));
    let restricted = Bidder {
        id: A,
        restricted: true,
    };
    assert_eq!(
        place(&a, &twd(), restricted, 1_000, EARLY, WINDOW),
        Err(BidRefusal::Restricted)
    );
}

#[test]
fn only_live_auctions_before_their_end_take_bids() {
    let a = live(terms(100, None, None));
    assert_eq!(
        place(&a, &twd(), who(A), 1_000, END, WINDOW),
        Err(BidRefusal::NotLive)
    );
    assert_eq!(
        place(&a, &twd(), who(A), 1_000, END + 1, WINDOW),
        Err(BidRefusal::NotLive)
    );
    assert!(place(&a, &twd(), who(A), 1_000, END - 1, WINDOW).is_ok());
    for phase in [Phase::Scheduled, Phase::Ended, Phase::Cancelled] {
        let not_live = Auction { phase, ..a };
        assert_eq!(
            place(&not_live, &twd(), who(A), 1_000, EARLY, WINDOW),
            Err(BidRefusal::NotLive)
        );
    }
}

#[test]
fn refusals_are_reported_in_order() {
    let ended = Auction {
        phase: Phase::Ended,
        ..live(terms(100, None, None))
    };
    let seller_restricted = Bidder {
        id: SELLER,
        restricted: true,
    };
    assert_eq!(
        place(&ended, &twd(), seller_restricted, 1, EARLY, WINDOW),
        Err(BidRefusal::NotLive)
    );
    let a = live(terms(100, None, None));
    assert_eq!(
        place(&a, &twd(), seller_restricted, 1, EARLY, WINDOW),
        Err(BidRefusal::OwnAuction)
    );
    let restricted = Bidder {
        id: A,
        restricted: true,
    };
    assert_eq!(
        place(&a, &twd(), restricted, 1, EARLY, WINDOW),
        Err(BidRefusal::Restricted)
    );
}

#[test]
fn a_late_bid_extends_the_end() {
    let mut a = live(terms(100, None, None));
    let late = END - 30_000;
    let accepted = place(&a, &twd(), who(A), 500, late, WINDOW).unwrap();
    assert_eq!(accepted.ends_at, late + WINDOW);
    a.book = accepted.book;
    a.ends_at = accepted.ends_at;
    // The old end has passed, but the extension keeps the auction open.
    let again = place(&a, &twd(), who(B), 600, END + 1_000, WINDOW).unwrap();
    assert_eq!(again.ends_at, END + 1_000 + WINDOW);
}

#[test]
fn soft_close_boundaries() {
    assert_eq!(soft_close(END, END - WINDOW - 1, WINDOW), END);
    assert_eq!(soft_close(END, END - WINDOW, WINDOW), END);
    assert_eq!(soft_close(END, END - WINDOW + 1, WINDOW), END + 1);
    assert_eq!(soft_close(END, END - 1, WINDOW), END - 1 + WINDOW);
    assert_eq!(soft_close(END, END, WINDOW), END, "too late to extend");
    assert_eq!(soft_close(END, END - 1, 0), END, "soft close switched off");
}

#[test]
fn outcome_rules() {
    let no_reserve = terms(100, None, None);
    let nobody = Book::opening(&no_reserve);
    assert_eq!(outcome(&no_reserve, &nobody, false), Outcome::Unsold);
    assert_eq!(outcome(&no_reserve, &nobody, true), Outcome::Unsold);

    let mut a = live(no_reserve);
    bid(&mut a, A, 100).unwrap();
    assert_eq!(outcome(&a.terms, &a.book, false), Outcome::Sold);

    let mut r = live(terms(100, Some(2_000), None));
    bid(&mut r, A, 1_999).unwrap();
    assert_eq!(outcome(&r.terms, &r.book, false), Outcome::Unsold);
    assert_eq!(
        outcome(&r.terms, &r.book, true),
        Outcome::Sold,
        "ending early waives the reserve"
    );
    bid(&mut r, A, 2_000).unwrap();
    assert_eq!(outcome(&r.terms, &r.book, false), Outcome::Sold);
}

#[test]
fn huge_amounts_do_not_overflow() {
    let mut a = live(terms(0, None, None));
    bid(&mut a, A, i64::MAX - 1).unwrap();
    bid(&mut a, B, i64::MAX).unwrap();
    assert_eq!(a.book.price, i64::MAX);
    assert_eq!(minimum_bid(&a.terms, &a.book, &twd()), i64::MAX);
    assert_eq!(
        bid(&mut a, A, i64::MAX).unwrap().book.leader,
        lead(B, i64::MAX)
    );
}

// ------------------------------------------------------------ properties

/// The book recomputed from scratch from every accepted bid so far: each
/// bidder's maximum is the highest amount they bid, dated by the first bid
/// of that amount; the top maximum wins, the earliest on a tie.
fn replay(
    terms: &Terms,
    table: &IncrementTable,
    accepted: &[(i64, i64)],
) -> (Option<Lead>, Option<i64>, i64) {
    // (bidder, max, index of the bid that set it)
    let mut maxima: Vec<(i64, i64, usize)> = Vec::new();
    for (i, &(bidder, amount)) in accepted.iter().enumerate() {
        match maxima.iter_mut().find(|m| m.0 == bidder) {
            Some(m) if amount > m.1 => *m = (bidder, amount, i),
            Some(_) => {}
            None => maxima.push((bidder, amount, i)),
        }
    }
    let top = maxima
        .iter()
        .max_by(|x, y| x.1.cmp(&y.1).then(y.2.cmp(&x.2)))
        .map(|&(bidder, max, _)| Lead { bidder, max });
    let Some(top) = top else {
        return (None, None, terms.start_price);
    };
    let second = maxima
        .iter()
        .filter(|m| m.0 != top.bidder)
        .map(|m| m.1)
        .max();
    (Some(top), second, price_for(terms, table, top.max, second))
}

/// The refusal the rules promise, worked out independently of `place`.
fn expected_refusal(
    a: &Auction,
    table: &IncrementTable,
    who: Bidder,
    amount: i64,
    now: i64,
) -> Option<BidRefusal> {
    if a.phase != Phase::Live || now >= a.ends_at {
        return Some(BidRefusal::NotLive);
    }
    if who.id == a.seller {
        return Some(BidRefusal::OwnAuction);
    }
    if who.restricted {
        return Some(BidRefusal::Restricted);
    }
    match a.book.leader {
        Some(l) if l.bidder == who.id => {
            (amount <= l.max).then_some(BidRefusal::NotAboveYourMax { max: l.max })
        }
        Some(_) if amount < a.book.price + table.step(a.book.price) => Some(BidRefusal::TooLow {
            minimum: a.book.price + table.step(a.book.price),
        }),
        None if amount < a.terms.start_price => Some(BidRefusal::TooLow {
            minimum: a.terms.start_price,
        }),
        _ => None,
    }
}

#[derive(Debug, Clone)]
struct Attempt {
    /// 0..8: one of four bidders; 8: the seller; 9: a restricted user.
    who: u8,
    /// How the amount is derived from the state at the time of the bid, so
    /// that ties, raises and near-misses of the minimum all come up often.
    how: u8,
    delta: i64,
    /// Milliseconds since the previous attempt.
    dt: i64,
}

fn attempts() -> impl Strategy<Value = Vec<Attempt>> {
    prop::collection::vec(
        (0u8..10, 0u8..5, -40i64..3_000, 0i64..45_000).prop_map(|(who, how, delta, dt)| Attempt {
            who,
            how,
            delta,
            dt,
        }),
        1..48,
    )
}

fn any_terms() -> impl Strategy<Value = Terms> {
    (
        0i64..2_000,
        prop::option::of(0i64..6_000),
        prop::option::of(0i64..10_000),
    )
        .prop_map(|(start_price, reserve, buy_now)| Terms {
            start_price,
            reserve: reserve.map(|r| start_price + r),
            buy_now: buy_now.map(|b| start_price + b),
        })
}

fn any_table() -> impl Strategy<Value = IncrementTable> {
    prop::sample::select(Currency::ALL.to_vec()).prop_map(IncrementTable::default_for)
}

fn bidder_for(who: u8) -> Bidder {
    match who {
        8 => Bidder {
            id: SELLER,
            restricted: false,
        },
        9 => Bidder {
            id: 5,
            restricted: true,
        },
        n => Bidder {
            id: i64::from(n % 4) + 1,
            restricted: false,
        },
    }
}

fn amount_for(a: &Auction, table: &IncrementTable, how: u8, delta: i64) -> i64 {
    let minimum = minimum_bid(&a.terms, &a.book, table);
    let leader_max = a.book.leader.map_or(a.terms.start_price, |l| l.max);
    match how {
        0 => minimum + delta,
        1 => leader_max + delta / 20,
        2 => delta * 3,
        3 => minimum - i64::from(delta < 0),
        _ => a.book.price + delta / 2,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn bidding_keeps_every_invariant(
        terms in any_terms(),
        table in any_table(),
        start_before_end in 0i64..400_000,
        attempts in attempts(),
    ) {
        let mut a = Auction {
            seller: SELLER,
            phase: Phase::Live,
            ends_at: END,
            terms,
            book: Book::opening(&terms),
        };
        let mut now = END - start_before_end;
        let mut accepted_bids: Vec<(i64, i64)> = Vec::new();
        let mut buy_now_gone = buy_now_price(&a, now).is_none();

        for attempt in attempts {
            now += attempt.dt;
            let who = bidder_for(attempt.who);
            let amount = amount_for(&a, &table, attempt.how, attempt.delta);
            let before = a;
            let result = place(&a, &table, who, amount, now, WINDOW);

            // Pure: same answer twice, and the caller's auction untouched.
            prop_assert_eq!(a, before);
            prop_assert_eq!(place(&a, &table, who, amount, now, WINDOW), result);
            prop_assert_eq!(result.err(), expected_refusal(&a, &table, who, amount, now));

            let Ok(accepted) = result else { continue };
            let book = accepted.book;
            accepted_bids.push((who.id, amount));

            prop_assert!(book.price >= before.book.price, "price fell: {:?} -> {:?}", before.book, book);
            let leader = book.leader.expect("an accepted bid leaves a leader");
            prop_assert!(leader.max >= book.price);
            prop_assert!(book.price >= terms.start_price);
            if reserve_met(&terms, &book) {
                prop_assert!(book.price >= terms.reserve.unwrap_or(terms.start_price));
            }
            prop_assert_eq!(book.bids as usize, accepted_bids.len());
            prop_assert_eq!((book.leader, book.second_max, book.price), replay(&terms, &table, &accepted_bids));

            prop_assert_eq!(accepted.leading, leader.bidder == who.id);
            let previous = before.book.leader.map(|l| l.bidder);
            let expected_outbid = previous.filter(|&p| p != who.id && leader.bidder == who.id);
            prop_assert_eq!(accepted.outbid, expected_outbid);

            prop_assert!(accepted.ends_at >= before.ends_at);
            if before.ends_at - now <= WINDOW {
                prop_assert!(accepted.ends_at >= now + WINDOW);
            } else {
                prop_assert_eq!(accepted.ends_at, before.ends_at);
            }

            a.book = book;
            a.ends_at = accepted.ends_at;

            // Once withdrawn, buy-it-now never comes back.
            let offered = buy_now_price(&a, now).is_some();
            prop_assert!(!(buy_now_gone && offered));
            buy_now_gone |= !offered;
        }

        let sold = outcome(&terms, &a.book, false) == Outcome::Sold;
        prop_assert_eq!(sold, reserve_met(&terms, &a.book));
        prop_assert_eq!(outcome(&terms, &a.book, true) == Outcome::Sold, a.book.leader.is_some());
    }

    #[test]
    fn soft_close_never_shortens_and_always_leaves_a_window(
        ends_at in 0i64..1_000_000,
        now in 0i64..1_000_000,
        window in 0i64..200_000,
    ) {
        let end = soft_close(ends_at, now, window);
        prop_assert!(end >= ends_at);
        if now < ends_at && ends_at - now <= window {
            prop_assert_eq!(end, now + window);
        } else {
            prop_assert_eq!(end, ends_at);
        }
    }

    /// More willingness to pay never lowers the price.
    #[test]
    fn price_for_is_monotonic(
        terms in any_terms(),
        table in any_table(),
        second in 0i64..20_000,
        gap in 0i64..20_000,
        up_top in 0i64..5_000,
        up_second in 0i64..5_000,
    ) {
        let top = terms.start_price + second + gap;
        let price = price_for(&terms, &table, top, Some(second));
        prop_assert!(price <= top);
        prop_assert!(price >= terms.start_price);
        let raised_second = (second + up_second).min(top + up_top);
        prop_assert!(price_for(&terms, &table, top + up_top, Some(raised_second)) >= price);
        prop_assert!(price_for(&terms, &table, top + up_top, Some(second)) >= price);
        prop_assert!(price_for(&terms, &table, top, None) <= price);
    }
}
