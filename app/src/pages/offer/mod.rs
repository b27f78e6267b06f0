//! Offers: the make-an-offer form (`/l/<id>/offer`), an offer's page
//! (`/offers/<id>`) and the lists of offers received and made (`/offers`).

pub mod make;
pub mod mine;
pub mod page;

use crate::{
    components::form::{FormFailure, Outcome},
    domain::{offer::OfferState, order::DealRefusal},
    error::AppError,
    i18n::*,
};
use leptos::prelude::*;

/// An offer's state in words.
#[component]
fn StateText(state: OfferState) -> impl IntoView {
    let i18n = use_i18n();
    match state {
        OfferState::Pending => t!(i18n, offer_state_pending).into_any(),
        OfferState::Accepted => t!(i18n, offer_state_accepted).into_any(),
        OfferState::Declined => t!(i18n, offer_state_declined).into_any(),
        OfferState::Countered => t!(i18n, offer_state_countered).into_any(),
        OfferState::Withdrawn => t!(i18n, offer_state_withdrawn).into_any(),
        OfferState::Expired => t!(i18n, offer_state_expired).into_any(),
    }
}

/// Why an offer step was refused, in words.
#[component]
fn RefusalText(refusal: DealRefusal) -> impl IntoView {
    let i18n = use_i18n();
    match refusal {
        DealRefusal::OwnListing => t!(i18n, offer_err_own).into_any(),
        DealRefusal::NoOffers => t!(i18n, offer_err_no_offers).into_any(),
        DealRefusal::NotEnoughStock => t!(i18n, offer_err_not_enough).into_any(),
        DealRefusal::NotYourTurn => t!(i18n, offer_err_not_your_turn).into_any(),
        DealRefusal::Closed => t!(i18n, offer_err_closed).into_any(),
        DealRefusal::Expired => t!(i18n, offer_err_expired).into_any(),
        DealRefusal::OfferOpen => t!(i18n, offer_err_open).into_any(),
        // The rest are the order room's; an offer meets them only when its
        // listing is gone.
        _ => t!(i18n, offer_err_not_for_sale).into_any(),
    }
}

/// The last answer's failure that belongs to no field: a refused step, a
/// restricted account, or what any form may meet.
#[component]
fn OfferFailure<T: Send + Sync + 'static>(#[prop(into)] outcome: Outcome<T>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        outcome.with(|v| match v {
            Some(Err(AppError::Deal(refusal))) => Some(
                view! {
                    <p class="notice notice-error" role="alert" data-testid="offer-refusal">
                        <RefusalText refusal=*refusal />
                    </p>
                }
                .into_any(),
            ),
            Some(Err(AppError::Forbidden)) => Some(
                view! { <p class="notice notice-error" role="alert">{t!(i18n, offer_err_restricted)}</p> }
                    .into_any(),
            ),
            Some(Err(AppError::Unauthenticated)) => Some(
                view! { <p class="notice notice-error" role="alert">{t!(i18n, log_in_first)}</p> }
                    .into_any(),
            ),
            Some(Err(_)) => Some(view! { <FormFailure outcome /> }.into_any()),
            _ => None,
        })
    }
}
