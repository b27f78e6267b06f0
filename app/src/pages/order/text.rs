//! The order area's words: states, terms, and why a step was refused.

use crate::{
    components::form::{FormFailure, Outcome, ProblemText},
    domain::order::{DealRefusal, DealState, Term},
    error::AppError,
    i18n::*,
};
use leptos::prelude::*;

/// Where an order stands, in words.
#[component]
pub fn StatusText(state: DealState) -> impl IntoView {
    let i18n = use_i18n();
    match state {
        DealState::AwaitingPayment => t!(i18n, order_status_awaiting_payment).into_any(),
        DealState::Negotiating => t!(i18n, order_status_negotiating).into_any(),
        DealState::BuyerConfirmed => t!(i18n, order_status_buyer_confirmed).into_any(),
        DealState::Established => t!(i18n, order_status_established).into_any(),
        DealState::Completed => t!(i18n, order_status_completed).into_any(),
        DealState::Cancelled => t!(i18n, order_status_cancelled).into_any(),
    }
}

/// A term's name: the label of its tick and of the seller's field.
#[component]
pub fn TermName(term: Term) -> impl IntoView {
    let i18n = use_i18n();
    match term {
        Term::Quantity => t!(i18n, order_term_quantity).into_any(),
        Term::Price => t!(i18n, order_term_price).into_any(),
        Term::Place => t!(i18n, order_term_place).into_any(),
        Term::Time => t!(i18n, order_term_time).into_any(),
    }
}

/// One sentence saying why an order or offer step was refused.
#[component]
pub fn DealRefusalText(refusal: DealRefusal) -> impl IntoView {
    let i18n = use_i18n();
    match refusal {
        DealRefusal::OwnListing => t!(i18n, deal_own_listing).into_any(),
        DealRefusal::NotForSale => t!(i18n, deal_not_for_sale).into_any(),
        DealRefusal::NotEnoughStock => t!(i18n, deal_not_enough_stock).into_any(),
        DealRefusal::NoOffers => t!(i18n, deal_no_offers).into_any(),
        DealRefusal::NotYourTurn => t!(i18n, deal_not_your_turn).into_any(),
        DealRefusal::Closed => t!(i18n, deal_closed).into_any(),
        DealRefusal::TermsNotAccepted => t!(i18n, deal_terms_not_accepted).into_any(),
        DealRefusal::TermChanged => t!(i18n, deal_term_changed).into_any(),
        DealRefusal::TermLocked => t!(i18n, deal_term_locked).into_any(),
        DealRefusal::Expired => t!(i18n, deal_expired).into_any(),
        DealRefusal::OfferOpen => t!(i18n, deal_offer_open).into_any(),
    }
}

/// Any refusal in one sentence: a deal's reason, a field's problem (for a
/// control with no field of its own), or the generic words.
#[component]
pub fn ErrorText(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    match error {
        AppError::Deal(refusal) => view! { <DealRefusalText refusal /> }.into_any(),
        AppError::Validation(errors) => match errors.first() {
            Some(e) => view! { <ProblemText problem=e.problem /> }.into_any(),
            None => t!(i18n, err_generic).into_any(),
        },
        AppError::Unauthenticated => t!(i18n, log_in_first).into_any(),
        AppError::RateLimited => t!(i18n, err_rate_limited).into_any(),
        AppError::Busy => t!(i18n, err_busy).into_any(),
        AppError::Conflict => t!(i18n, err_conflict).into_any(),
        _ => t!(i18n, err_generic).into_any(),
    }
}

/// A form's failure that belongs to no field: a deal's refusal as a
/// sentence, anything else as the forms' usual notice. Field problems are
/// left to the fields.
#[component]
pub fn DealFailure<T: Send + Sync + 'static>(#[prop(into)] outcome: Outcome<T>) -> impl IntoView {
    move || {
        outcome.with(|v| match v {
            Some(Err(AppError::Deal(refusal))) => Some(
                view! {
                    <p class="notice notice-error" role="alert" data-testid="deal-refusal">
                        <DealRefusalText refusal=*refusal />
                    </p>
                }
                .into_any(),
            ),
            Some(Err(AppError::Unauthenticated)) => Some(
                view! { <p class="notice notice-error" role="alert"><ErrorText error=AppError::Unauthenticated /></p> }
                    .into_any(),
            ),
            Some(Err(AppError::Validation(_))) | Some(Ok(_)) | None => None,
            Some(Err(_)) => Some(view! { <FormFailure outcome /> }.into_any()),
        })
    }
}
