use super::*;

fn valid() -> ListingInput {
    ListingInput {
        title: "  Kindle   Paperwhite ".into(),
        description: "Warm light.\r\nLike new.".into(),
        price: "2,300".into(),
        stock: "1".into(),
        category: "computers".into(),
        tags: vec![
            "#Kindle".into(),
            "e-reader".into(),
            "kindle".into(),
            " ".into(),
        ],
        condition: "like_new".into(),
        meetup: true,
        area: "Taipei".into(),
        meetup_place: "MRT Daan exit 2".into(),
        shipping: false,
        sale_mode: "fixed".into(),
        images: vec![3, 1, 2],
        ..ListingInput::default()
    }
}

fn problems(input: &ListingInput) -> Vec<(Field, Problem)> {
    check_listing(input, Currency::Twd, NOW)
        .unwrap_err()
        .into_iter()
        .map(|e| (e.field, e.problem))
        .collect()
}

const NOW: i64 = 1_800_000_000_000;
const HOUR: i64 = 3_600_000;

#[test]
fn a_valid_form_is_cleaned_up() {
    let draft = check_listing(&valid(), Currency::Twd, NOW).unwrap();
    assert_eq!(draft.title, "Kindle Paperwhite");
    assert_eq!(draft.description, "Warm light.\nLike new.");
    assert_eq!(draft.price, 2300);
    assert_eq!(draft.tags, vec!["kindle", "e-reader"]);
    assert_eq!(draft.category.slug, "computers");
    assert_eq!(draft.images, vec![3, 1, 2]);
    assert_eq!(draft.auction, None);
    assert_eq!(draft.secret, None);
}

#[test]
fn every_problem_is_reported_at_once() {
    let input = ListingInput {
        title: "x".into(),
        price: "12.5".into(),
        stock: "0".into(),
        category: "spaceships".into(),
        condition: "mint".into(),
        meetup: false,
        shipping: false,
        sale_mode: "fixed".into(),
        tags: (0..11).map(|i| format!("t{i}")).collect(),
        images: (0..11).collect(),
        secret: "password: hunter2".into(),
        ..ListingInput::default()
    };
    let found = problems(&input);
    for expected in [
        (Field::Title, Problem::TooShort { min: 2 }),
        (Field::Price, Problem::TooManyDecimals { allowed: 0 }),
        (Field::Stock, Problem::OutOfRange { min: 1, max: 9999 }),
        (Field::Category, Problem::Required),
        (Field::Condition, Problem::Required),
        (Field::TradeMethods, Problem::NoTradeMethod),
        (Field::Tags, Problem::TooMany { max: 10 }),
        (Field::Images, Problem::TooMany { max: 10 }),
    ] {
        assert!(
            found.contains(&expected),
            "{expected:?} missing from {found:?}"
        );
    }
    let mut meetup_without_area = valid();
    meetup_without_area.area = " ".into();
    assert_eq!(
        problems(&meetup_without_area),
        vec![(Field::Area, Problem::Required)]
    );
}

#[test]
fn secrets_only_for_digital_categories() {
    let mut input = valid();
    input.secret = "login: a / pw: b".into();
    assert_eq!(
        problems(&input),
        vec![(Field::Secret, Problem::NotForThisCategory)]
    );
    input.category = "game_accounts".into();
    let draft = check_listing(&input, Currency::Twd, NOW).unwrap();
    assert_eq!(draft.secret.as_deref(), Some("login: a / pw: b"));
}

fn auction() -> ListingInput {
    ListingInput {
        sale_mode: "auction".into(),
        price: String::new(),
        start_price: "100".into(),
        reserve: "300".into(),
        buy_now: "900".into(),
        starts_at: Some(NOW + HOUR),
        ends_at: Some(NOW + 25 * HOUR),
        ..valid()
    }
}

#[test]
fn auction_terms_are_checked() {
    let draft = check_listing(&auction(), Currency::Twd, NOW).unwrap();
    assert_eq!(draft.price, 100);
    assert_eq!(
        draft.auction,
        Some(AuctionTerms {
            starts_at: NOW + HOUR,
            ends_at: NOW + 25 * HOUR,
            start_price: 100,
            reserve: Some(300),
            buy_now: Some(900),
        })
    );
    let with = |f: fn(&mut ListingInput)| {
        let mut input = auction();
        f(&mut input);
        problems(&input)
    };
    assert_eq!(
        with(|i| i.reserve = "50".into()),
        [(Field::Reserve, Problem::BelowStartPrice)]
    );
    assert_eq!(
        with(|i| i.buy_now = "100".into()),
        [(Field::BuyNow, Problem::BelowStartPrice)]
    );
    assert_eq!(
        with(|i| i.buy_now = "200".into()),
        [(Field::BuyNow, Problem::BelowReserve)]
    );
    assert_eq!(
        with(|i| i.starts_at = Some(NOW - HOUR)),
        [(Field::StartsAt, Problem::InThePast)]
    );
    assert_eq!(
        with(|i| i.starts_at = Some(NOW + 31 * 24 * HOUR)),
        [(Field::StartsAt, Problem::TooFarAhead { days: 30 })]
    );
    assert_eq!(
        with(|i| i.ends_at = Some(NOW + HOUR + 60_000)),
        [(Field::EndsAt, Problem::TooShortAuction { minutes: 5 })]
    );
    assert_eq!(
        with(|i| i.ends_at = Some(NOW + 32 * 24 * HOUR)),
        [(Field::EndsAt, Problem::TooLongAuction { days: 30 })]
    );
    assert_eq!(
        with(|i| i.start_price = "0.5".into()),
        [(Field::StartPrice, Problem::TooManyDecimals { allowed: 0 })]
    );
    // A start a moment ago (the form took a while) means "now".
    let draft = check_listing(
        &ListingInput {
            starts_at: Some(NOW - 60_000),
            ..auction()
        },
        Currency::Twd,
        NOW,
    )
    .unwrap();
    assert_eq!(draft.auction.unwrap().starts_at, NOW);
}

#[test]
fn amounts_follow_the_currency() {
    assert_eq!(check_amount("12.50", Currency::Usd), Ok(1250));
    assert_eq!(check_amount("NT$ 1,200", Currency::Twd), Ok(1200));
    assert_eq!(
        check_amount("abc", Currency::Twd),
        Err(Problem::NotAnAmount)
    );
    assert_eq!(check_amount("", Currency::Twd), Err(Problem::Required));
    assert_eq!(
        check_amount("1000000001", Currency::Twd),
        Err(Problem::AmountTooHigh)
    );
    assert_eq!(
        check_amount("99999999999999999999", Currency::Twd),
        Err(Problem::AmountTooHigh)
    );
}

#[test]
fn tags_are_normalized() {
    assert_eq!(normalize_tag("  #Switch  OLED "), Ok("switch oled".into()));
    assert_eq!(normalize_tag("芒果"), Ok("芒果".into()));
    assert_eq!(normalize_tag("a,b"), Err(Problem::InvalidChars));
    assert_eq!(normalize_tag("<b>"), Err(Problem::InvalidChars));
    assert_eq!(
        normalize_tag(&"x".repeat(21)),
        Err(Problem::TooLong { max: 20 })
    );
    assert_eq!(normalize_tag("a\u{200B}b"), Err(Problem::InvalidChars));
}

#[test]
fn reordering_images_is_not_a_material_change() {
    let before = Reviewed {
        title: "t".into(),
        description: "d".into(),
        category: "books".into(),
        tags: vec!["a".into(), "b".into()],
        images: vec![1, 2],
    };
    let same = Reviewed {
        images: vec![2, 1],
        tags: vec!["b".into(), "a".into()],
        ..before.clone()
    };
    assert!(!before.materially_differs(&same));
    for changed in [
        Reviewed {
            title: "T".into(),
            ..before.clone()
        },
        Reviewed {
            description: "e".into(),
            ..before.clone()
        },
        Reviewed {
            category: "comics".into(),
            ..before.clone()
        },
        Reviewed {
            tags: vec!["a".into()],
            ..before.clone()
        },
        Reviewed {
            images: vec![1, 3],
            ..before.clone()
        },
    ] {
        assert!(before.materially_differs(&changed), "{changed:?}");
    }
}

#[test]
fn bids_lock_exactly_the_material_fields_that_changed() {
    let before = Reviewed {
        title: "t".into(),
        description: "d".into(),
        category: "books".into(),
        tags: vec!["a".into(), "b".into()],
        images: vec![1, 2],
    };
    let reordered = Reviewed {
        images: vec![2, 1],
        ..before.clone()
    };
    assert_eq!(before.refuse_changes(&reordered, Problem::HasBids), vec![]);
    let rewritten = Reviewed {
        title: "T".into(),
        images: vec![1],
        ..before.clone()
    };
    assert_eq!(
        before.refuse_changes(&rewritten, Problem::HasBids),
        vec![
            FieldError {
                field: Field::Title,
                problem: Problem::HasBids
            },
            FieldError {
                field: Field::Images,
                problem: Problem::HasBids
            },
        ]
    );
}

#[test]
fn a_started_auction_can_be_edited_with_its_terms_kept() {
    let started = check_listing(&auction(), Currency::Twd, NOW)
        .unwrap()
        .auction;
    // Hours later the stored start is in the past, which a new listing
    // could not have; the edit keeps the stored terms instead.
    let later = NOW + 3 * HOUR;
    let edit = ListingInput {
        title: "Kindle, with cover".into(),
        starts_at: Some(NOW - HOUR),
        ..auction()
    };
    assert!(check_listing(&edit, Currency::Twd, later).is_err());
    let draft = check_listing_edit(&edit, Currency::Twd, later, started).unwrap();
    assert_eq!(draft.auction, started);
    assert_eq!(draft.title, "Kindle, with cover");
    assert_eq!(Some(draft.price), started.map(|t| t.start_price));
}

#[test]
fn sold_prices_and_started_auctions_are_locked() {
    let draft = check_listing(&valid(), Currency::Twd, NOW).unwrap();
    let current = Current {
        status: Status::Approved,
        price: 2000,
        sale_mode: SaleMode::Fixed,
        auction: None,
    };
    assert!(locked_changes(&current, &draft, NOW).is_empty());
    let sold = Current {
        status: Status::Sold,
        ..current
    };
    assert_eq!(
        locked_changes(&sold, &draft, NOW),
        vec![FieldError {
            field: Field::Price,
            problem: Problem::Locked
        }]
    );
    let same_price = Current {
        price: 2300,
        ..sold
    };
    assert!(locked_changes(&same_price, &draft, NOW).is_empty());

    let terms = check_listing(&auction(), Currency::Twd, NOW).unwrap();
    let running = Current {
        status: Status::Approved,
        price: 100,
        sale_mode: SaleMode::Auction,
        auction: terms.auction,
    };
    // Before it starts, everything may change.
    assert!(locked_changes(&running, &draft, NOW).is_empty());
    let later = NOW + 2 * HOUR;
    let fields: Vec<Field> = locked_changes(&running, &draft, later)
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, vec![Field::StartPrice, Field::SaleMode]);
    let longer = ListingDraft {
        auction: terms.auction.map(|a| AuctionTerms {
            ends_at: a.ends_at + HOUR,
            ..a
        }),
        ..terms.clone()
    };
    let fields: Vec<Field> = locked_changes(&running, &longer, later)
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, vec![Field::EndsAt]);
    assert!(locked_changes(&running, &terms, later).is_empty());
}

#[test]
fn only_approved_and_sold_are_public() {
    let public: Vec<Status> = Status::ALL
        .iter()
        .copied()
        .filter(|s| s.is_public())
        .collect();
    assert_eq!(public, vec![Status::Approved, Status::Sold]);
    for s in Status::ALL {
        assert_eq!(Status::parse(s.as_str()), Some(*s));
    }
}

#[test]
fn string_forms_round_trip_and_match_serde() {
    for mode in SaleMode::ALL {
        assert_eq!(SaleMode::parse(mode.as_str()), Some(*mode));
        assert_eq!(
            serde_json::to_string(mode).unwrap(),
            format!("\"{}\"", mode.as_str())
        );
    }
    for cond in Condition::ALL {
        assert_eq!(Condition::parse(cond.as_str()), Some(*cond));
        assert_eq!(
            serde_json::to_string(cond).unwrap(),
            format!("\"{}\"", cond.as_str())
        );
    }
    assert_eq!(SaleMode::parse("FIXED"), None);
    assert_eq!(Condition::parse(""), None);
}

#[test]
fn oversized_tag_lists_are_refused_before_any_work() {
    let too_many = Err(Problem::TooMany { max: MAX_TAGS });
    // A million copies of one tag: refused by count, not deduplicated.
    assert_eq!(check_tags(&vec!["lamp".to_string(); 1_000_000]), too_many);
    // Forty-one blanks and repeats are more than any form sends.
    assert_eq!(check_tags(&vec!["lamp".to_string(); 41]), too_many);
    assert_eq!(
        check_tags(&vec!["lamp".to_string(); 40]),
        Ok(vec!["lamp".to_string()])
    );
    // Eleven different tags stop at the eleventh.
    let eleven: Vec<String> = (0..11).map(|i| format!("tag{i}")).collect();
    assert_eq!(check_tags(&eleven), too_many);
    assert_eq!(check_tags(&eleven[..10]).map(|t| t.len()), Ok(10));
    // A megabyte in one tag is refused before it is normalised.
    assert_eq!(
        check_tags(&["x".repeat(1 << 20)]),
        Err(Problem::TooLong { max: TAG_LEN.1 })
    );
}
