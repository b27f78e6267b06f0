use super::*;
use crate::{
    domain::{money::Money, order::Ticks},
    i18n::I18nContextProvider,
    model::{DealListing, Participant},
};

fn room(you: Option<Party>, state: DealState, ticks: Ticks) -> OrderRoom {
    OrderRoom {
        live: OrderLive {
            order: "abcdef0123456789".into(),
            seq: 7,
            state,
            quantity: 2,
            price: Money::new(2400, Currency::Twd),
            place: "MRT Daan exit 6".into(),
            time: Some(1_796_000_000_000),
            ticks,
            revs: [1, 3, 5, 6],
            cancelled_by: None,
            cancel_reason: None,
        },
        you,
        listing: DealListing {
            id: 42,
            title: "Brass desk lamp".into(),
            thumb_url: None,
            unit_price: Money::new(1200, Currency::Twd),
        },
        buyer: Participant {
            id: 1,
            name: "Junho".into(),
        },
        seller: Participant {
            id: 2,
            name: "Mei".into(),
        },
        remark: "Evenings <b>only</b>".into(),
        created_at: 1_795_000_000_000,
        spare: 3,
        handover: (you == Some(Party::Buyer) && state == DealState::Established).then(|| {
            Handover {
                code: "482913".into(),
                qr_svg: "<svg data-qr=\"1\"></svg>".into(),
            }
        }),
        code_paused_until: None,
        payment: Payment::Cash,
        pay_by: None,
        unpaid: false,
    }
}

/// The room as the server sends it (no socket: nothing is connected).
/// Called inside a Tokio runtime, where the page's effects are spawned.
fn html(room: OrderRoom) -> String {
    let _ = any_spawner::Executor::init_tokio();
    Owner::new().with(|| {
        crate::live::provide_live();
        view! { <I18nContextProvider><Room room /></I18nContextProvider> }.to_html()
    })
}

#[tokio::test]
async fn without_javascript_the_buyer_reads_the_terms_the_ticks_and_the_handover_code() {
    let page = html(room(Some(Party::Buyer), DealState::Established, Ticks::ALL));
    assert!(page.contains("data-testid=\"order-status\""), "{page}");
    assert!(page.contains(">Established<"));
    for (term, name) in [
        ("quantity", "Quantity"),
        ("price", "Total price"),
        ("place", "Meet-up place"),
        ("time", "Meet-up time"),
    ] {
        let tick = format!("type=\"checkbox\" id=\"tick-{term}\" checked");
        assert!(page.contains(&tick), "{tick}");
        assert!(
            page.contains(&format!("for=\"tick-{term}\"")) && page.contains(&format!(">{name}<"))
        );
    }
    // Nothing acts until the socket is up.
    assert!(!page.contains("data-testid=\"confirm\""));
    assert!(page.contains("NT$2,400") && page.contains("MRT Daan exit 6"));
    assert!(page.contains(
        "aria-label=\"Handover code\" data-testid=\"handover-code\" class=\"handover-code\">482913<"
    ));
    assert!(page.contains("<svg data-qr=\"1\"></svg>"));
    // What the buyer typed stays text.
    assert!(page.contains("Evenings &lt;b&gt;only&lt;/b&gt;"));
    assert!(page.contains(">Cash at the meet-up<"));
    assert!(page.contains(">Cancel order<") && page.contains("for=\"cancel-reason\""));
}

#[tokio::test]
async fn the_seller_gets_a_labelled_field_and_a_save_per_term_and_the_code_field() {
    let page = html(room(
        Some(Party::Seller),
        DealState::Negotiating,
        Ticks::default().with(Term::Price, true),
    ));
    assert!(page.contains(">Negotiating<"));
    for term in ["quantity", "price", "place", "time"] {
        assert!(
            page.contains(&format!("for=\"term-{term}-input\"")),
            "{term}"
        );
        assert!(
            page.contains(&format!("id=\"term-{term}-input\"")),
            "{term}"
        );
    }
    assert!(page.contains("value=\"MRT Daan exit 6\""));
    assert!(page.contains("type=\"datetime-local\""));
    assert_eq!(page.matches(">Save<").count(), 4);
    assert_eq!(page.matches(">Accepted<").count(), 1);
    assert_eq!(page.matches(">Not yet accepted<").count(), 3);
    assert!(!page.contains("handover-code"));

    let page = html(room(
        Some(Party::Seller),
        DealState::Established,
        Ticks::ALL,
    ));
    assert!(page.contains("for=\"handover-code\"") && page.contains(">Handover code<"));
    assert!(page.contains("action=\"/api/order/complete\""));
    assert!(page.contains(">Complete<"));
    assert!(!page.contains("482913"));
}

#[tokio::test]
async fn an_admin_reads_the_room_without_controls() {
    let page = html(room(None, DealState::BuyerConfirmed, Ticks::ALL));
    assert!(
        page.contains(">Waiting for the seller&#x27;s confirmation<")
            || page.contains(">Waiting for the seller's confirmation<")
    );
    assert!(!page.contains("type=\"checkbox\"") && !page.contains(">Save<"));
    assert!(!page.contains(">Cancel order<") && !page.contains(">Confirm<"));
    assert_eq!(page.matches(">Accepted<").count(), 4);
}

#[test]
fn a_refused_tick_is_shown_at_its_term_and_an_answer_for_another_tab_is_not() {
    Owner::new().with(|| {
        let state = RoomState::new(&room(
            Some(Party::Buyer),
            DealState::Negotiating,
            Ticks::default(),
        ));
        state
            .pending
            .set_value(vec![(1, Control::Term(Term::Price))]);
        state.acked(
            9,
            Err(AppError::Deal(crate::domain::order::DealRefusal::Closed)),
        );
        assert_eq!(state.failure.get_untracked(), None);
        let changed = AppError::Deal(crate::domain::order::DealRefusal::TermChanged);
        state.acked(1, Err(changed.clone()));
        assert_eq!(state.failure_at(Control::Term(Term::Price)), Some(changed));
        assert_eq!(state.failure_at(Control::Confirm), None);
        assert_eq!(
            state.resync.get_untracked(),
            1,
            "the checkbox shows the room again"
        );
        assert!(state.pending.with_value(Vec::is_empty));
    });
}

#[test]
fn reaching_the_handover_asks_for_a_fresh_room_and_a_stale_update_changes_nothing() {
    Owner::new().with(|| {
        let state = RoomState::new(&room(
            Some(Party::Buyer),
            DealState::BuyerConfirmed,
            Ticks::ALL,
        ));
        let mut stale = state.live.get_untracked();
        stale.seq = 6;
        stale.state = DealState::Negotiating;
        assert!(!state.receive(&OrderEvent::Update { live: stale }));
        assert_eq!(state.live.get_untracked().state, DealState::BuyerConfirmed);
        let mut next = state.live.get_untracked();
        next.seq = 8;
        next.state = DealState::Established;
        assert!(state.receive(&OrderEvent::Update { live: next }));
        assert_eq!(state.live.get_untracked().state, DealState::Established);
    });
}

#[tokio::test]
async fn the_buyer_of_an_unpaid_established_order_gets_pay_and_the_seller_does_not() {
    let page = html(room(Some(Party::Buyer), DealState::Established, Ticks::ALL));
    assert!(page.contains("data-testid=\"pay\""), "{page}");
    assert!(page.contains(">Pay<"));
    let page = html(room(
        Some(Party::Seller),
        DealState::Established,
        Ticks::ALL,
    ));
    assert!(!page.contains("data-testid=\"pay\""));
    assert!(page.contains(">Cash at the meet-up<"));
}

#[tokio::test]
async fn a_paid_order_reads_paid_into_escrow_with_no_pay_button() {
    let paid = OrderRoom {
        payment: Payment::Escrow {
            amount: Money::new(2400, Currency::Twd),
            state: crate::domain::wallet::HoldState::Pending,
        },
        ..room(Some(Party::Buyer), DealState::Established, Ticks::ALL)
    };
    let page = html(paid);
    assert!(page.contains(">Paid into escrow<"), "{page}");
    assert!(page.contains("held until the handover"));
    assert!(!page.contains("data-testid=\"pay\""));
    assert!(!page.contains(">Cash at the meet-up<"));
}

#[tokio::test]
async fn a_won_auction_waiting_for_payment_shows_pay_by_and_the_seller_may_cancel_when_overdue() {
    let waiting = OrderRoom {
        pay_by: Some(1_796_000_000_000),
        ..room(
            Some(Party::Buyer),
            DealState::AwaitingPayment,
            Ticks::default(),
        )
    };
    let page = html(waiting);
    assert!(
        page.contains(">Pay<") && page.contains("data-testid=\"pay-by\""),
        "{page}"
    );
    assert!(!page.contains(">Cancel unpaid order<"));
    let overdue = OrderRoom {
        unpaid: true,
        ..room(
            Some(Party::Seller),
            DealState::AwaitingPayment,
            Ticks::default(),
        )
    };
    let page = html(overdue);
    assert!(page.contains(">Cancel unpaid order<"), "{page}");
    assert!(!page.contains(">Pay<"));
}

#[test]
fn a_payment_on_an_established_order_asks_for_a_fresh_room() {
    Owner::new().with(|| {
        let state = RoomState::new(&room(
            Some(Party::Seller),
            DealState::Established,
            Ticks::ALL,
        ));
        let mut paid = state.live.get_untracked();
        paid.seq += 1;
        assert!(state.receive(&OrderEvent::Update { live: paid }));
    });
}
