//! Money in the room: how the order is paid, the buyer's "Pay" into
//! escrow, and the seller's way out of a won auction's unpaid order.

use super::RoomState;
use crate::{
    api::order::{CancelUnpaidOrder, PayOrder},
    components::time::When,
    domain::{
        form::{Field, Problem},
        order::DealState,
        wallet::HoldState,
    },
    error::AppError,
    i18n::*,
    model::Payment,
    pages::order::{
        rules::{may_pay, shown_payment},
        text::ErrorText,
    },
};
use leptos::prelude::*;

/// "Paid into escrow" (how much, and where the hold stands) or "Cash at
/// the meet-up".
#[component]
pub(super) fn PaymentText(state: RoomState) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let order_state = state.live.with(|l| l.state);
        match shown_payment(state.payment.get(), order_state) {
            Payment::Cash => {
                view! { <span data-testid="order-payment">{t!(i18n, order_cash)}</span> }.into_any()
            }
            Payment::Escrow { amount, state } => {
                let hold = match state {
                    HoldState::Pending => t!(i18n, order_escrow_held).into_any(),
                    HoldState::Posted => t!(i18n, order_escrow_released).into_any(),
                    HoldState::Voided => t!(i18n, order_escrow_refunded).into_any(),
                };
                view! {
                    <span data-testid="order-payment">
                        <strong>{t!(i18n, order_paid_escrow)}</strong> " · " {amount.to_string()} " · " {hold}
                    </span>
                }
                .into_any()
            }
        }
    }
}

/// A fresh idempotency key: made once per page view, before the first
/// attempt, so a retry (a lost answer, a second press) reuses it and the
/// server moves the money once.
#[cfg(feature = "hydrate")]
fn new_key() -> String {
    use wasm_bindgen::JsCast;
    let uuid = || -> Option<String> {
        let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).ok()?;
        let make = js_sys::Reflect::get(&crypto, &"randomUUID".into())
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()?;
        make.call0(&crypto).ok()?.as_string()
    };
    // `crypto.randomUUID` is only there in secure contexts; the key need
    // only be unlikely to repeat among one member's requests of a day.
    uuid().unwrap_or_else(|| {
        (0..32)
            .map(|_| {
                let digit = (js_sys::Math::random() * 16.0) as u32 % 16;
                char::from_digit(digit, 16).unwrap_or('0')
            })
            .collect()
    })
}

/// Never pressed on the server (the button acts once hydrated).
#[cfg(not(feature = "hydrate"))]
fn new_key() -> String {
    String::new()
}

/// Why paying was refused: too little in the wallet (with the way to top
/// up), or the general reason.
#[component]
fn PayFailure(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    match error.problem_with(Field::Amount) {
        Some(Problem::OutOfRange { .. }) => view! {
            <p class="field-error" role="alert" data-testid="pay-error">
                {t!(i18n, order_not_enough)} " " <a href="/wallet">{t!(i18n, order_go_to_wallet)}</a>
            </p>
        }
        .into_any(),
        _ => view! {
            <p class="field-error" role="alert" data-testid="pay-error"><ErrorText error /></p>
        }
        .into_any(),
    }
}

/// The buyer's "Pay" on an established order or a won auction's, while
/// nothing is in escrow for it.
#[component]
pub(super) fn PayPanel(state: RoomState, pay_by: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<PayOrder>::new();
    let key = StoredValue::new(String::new());
    let shown =
        Memo::new(move |_| may_pay(state.you, state.live.with(|l| l.state), state.payment.get()));
    Effect::new(move |_| {
        if let Some(Ok(payment)) = action.value().get() {
            state.payment.set(payment);
            // A won auction's order is in its room now: the handover code
            // and the meet-up come with a fresh one.
            state.refetch();
        }
    });
    let pay = move |_| {
        if key.with_value(String::is_empty) {
            key.set_value(new_key());
        }
        let order = state.live.with_untracked(|l| l.order.clone());
        action.dispatch(PayOrder {
            order,
            key: key.get_value(),
        });
    };
    move || {
        shown.get().then(|| {
            view! {
                <section class="panel pay-panel" data-testid="pay-panel">
                    <p class="muted small">{t!(i18n, order_pay_hint)}</p>
                    {pay_by.map(|ms| view! {
                        <p class="small" data-testid="pay-by">{t!(i18n, order_pay_by)} " " <When ms /></p>
                    })}
                    <button type="button" class="button" data-testid="pay" on:click=pay
                        disabled=move || action.pending().get()>
                        {t!(i18n, order_pay)}
                    </button>
                    {move || action.value().get().and_then(Result::err).map(|error| view! { <PayFailure error /> })}
                </section>
            }
        })
    }
}

/// The seller's "Cancel unpaid order" once a won auction's winner let the
/// deadline pass: an unpaid strike for the winner, the item offered to the
/// runner-up.
#[component]
pub(super) fn UnpaidPanel(state: RoomState) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<CancelUnpaidOrder>::new();
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            state.unpaid.set(false);
        }
    });
    let cancel = move |_| {
        let order = state.live.with_untracked(|l| l.order.clone());
        action.dispatch(CancelUnpaidOrder { order });
    };
    let shown =
        move || state.unpaid.get() && state.live.with(|l| l.state) == DealState::AwaitingPayment;
    view! {
        {move || shown().then(|| view! {
            <section class="panel unpaid" data-testid="unpaid">
                <p class="small">{t!(i18n, order_unpaid_hint)}</p>
                <button type="button" class="button-ghost danger" data-testid="cancel-unpaid"
                    on:click=cancel disabled=move || action.pending().get()>
                    {t!(i18n, order_cancel_unpaid)}
                </button>
                {move || action.value().get().and_then(Result::err).map(|error| view! {
                    <p class="field-error" role="alert"><ErrorText error /></p>
                })}
            </section>
        })}
        {move || action.value().get().and_then(Result::ok).map(|offer| view! {
            <p class="notice notice-ok" role="status" data-testid="unpaid-done">
                {t!(i18n, order_unpaid_done)}
                {offer.map(|_| view! { " " {t!(i18n, order_runner_up_offered)} })}
            </p>
        })}
    }
}
