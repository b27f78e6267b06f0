//! `/l/<id>/offer`: the buyer proposes a price per unit and a quantity.

use super::{OfferFailure, RefusalText};
use crate::components::form::LogInFirst;
use crate::{
    api::offer::{MakeOffer, fetch_offer_target},
    components::{
        form::{TextField, action_outcome, problem_of},
        page_title::PageTitle,
    },
    domain::{form::Field, order::DealRefusal},
    error::AppError,
    i18n::*,
    model::OfferTarget,
    pages::not_found::NotFoundPage,
};
use leptos::{either::EitherOf4, prelude::*};
use leptos_router::hooks::use_params_map;

#[component]
pub fn MakeOfferPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    let target = Resource::new(id, |id| async move {
        match id {
            Some(id) => fetch_offer_target(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, offer_make_title)) />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match target.await {
                    Ok(target) => EitherOf4::A(view! { <OfferForm target /> }),
                    Err(AppError::Unauthenticated) => EitherOf4::B(view! {
                        <h1>{t!(i18n, offer_make_title)}</h1>
                        <LogInFirst next=format!("/l/{}/offer", id().unwrap_or_default()) />
                    }),
                    Err(AppError::NotFound) => EitherOf4::C(view! { <NotFoundPage /> }),
                    Err(_) => EitherOf4::D(view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OfferForm(target: OfferTarget) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<MakeOffer>::new();
    // Also the error a plain form post brought back (no JavaScript).
    let outcome = action_outcome(action);
    let listing = target.listing.id;
    let price = target.listing.unit_price.to_string();
    let count = target.stock;
    let quantity = RwSignal::new("1".to_string());
    let blocked = target.refusal.map(|refusal| match (refusal, target.open.clone()) {
        (DealRefusal::OfferOpen, Some(open)) => view! {
            <p class="notice" role="status" data-testid="offer-refusal">
                <RefusalText refusal /> " "
                <a href=format!("/offers/{open}")>{t!(i18n, offer_see_open)}</a>
            </p>
        }
        .into_any(),
        (refusal, _) => view! {
            <p class="notice notice-error" role="alert" data-testid="offer-refusal"><RefusalText refusal /></p>
        }
        .into_any(),
    });
    let open = blocked.is_none();
    view! {
        <section class="offer-make" data-testid="make-offer">
            <header class="room-head">
                {target.listing.thumb_url.clone().map(|src| view! { <img class="room-thumb" src=src alt="" width="96" height="96" /> })}
                <div>
                    <h1>{t!(i18n, offer_make_title)}</h1>
                    <p><a href=format!("/l/{listing}")>{target.listing.title.clone()}</a></p>
                    <p class="price" data-testid="asking">{t!(i18n, offer_asking, price = price.clone())}</p>
                    <p class="muted small">{t!(i18n, offer_units_left, count)}</p>
                </div>
            </header>
            {blocked}
            {open.then(|| view! {
                <ActionForm action attr:class="form" attr:data-testid="offer-form">
                    <input type="hidden" name="listing" value=listing />
                    <TextField name="amount" label=move || t!(i18n, offer_field_amount) autocomplete="off"
                        hint=move || t!(i18n, offer_amount_hint)
                        problem=problem_of(outcome, Field::Amount) />
                    <TextField name="quantity" kind="number" label=move || t!(i18n, offer_field_quantity)
                        autocomplete="off" value=quantity
                        problem=problem_of(outcome, Field::Quantity) />
                    <OfferFailure outcome />
                    <button type="submit" class="button" disabled=move || action.pending().get()>
                        {t!(i18n, offer_send)}
                    </button>
                </ActionForm>
            })}
        </section>
    }
}
