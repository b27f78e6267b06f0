//! `/offers/<id>`: one offer as its two parties see it, with the answers
//! the viewer may give. Every answer is a plain form (it works without
//! JavaScript); with it, the page follows the other side's answers live.

use super::{OfferFailure, StateText};
use crate::{
    api::offer::{AnswerOffer, fetch_offer},
    components::form::LogInFirst,
    components::{
        form::{TextField, action_outcome, problem_of},
        page_title::PageTitle,
        time::When,
    },
    domain::{form::Field, offer::OfferState, order::Party},
    error::AppError,
    i18n::*,
    live::Live,
    model::OfferView,
    pages::not_found::NotFoundPage,
};
use leptos::{either::EitherOf4, prelude::*};
use leptos_router::hooks::use_params_map;

#[component]
pub fn OfferPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let answer = ServerAction::<AnswerOffer>::new();
    // A notification about this offer (or another on its listing: a counter,
    // a decline because the units went) means it may have changed: read it
    // again.
    let changed = RwSignal::new(0u32);
    let offer = Resource::new(
        move || (id(), answer.version().get(), changed.get()),
        |(id, _, _)| fetch_offer(id),
    );
    let live = expect_context::<Live>();
    // Only what arrives from now on: the notice that brought the viewer here
    // is already in what the page loads.
    Effect::watch(
        move || live.notice.get(),
        move |notice, _, _| {
            let Some(notice) = notice else {
                return;
            };
            let Some(link) = notice.link.as_deref() else {
                return;
            };
            let this = format!("/offers/{}", id());
            let same_listing = offer.with_untracked(|o| match o {
                Some(Ok(o)) => notice.listing == Some(o.listing.id),
                _ => false,
            });
            if link == this || (link.starts_with("/offers/") && same_listing) {
                changed.update(|n| *n += 1);
            }
        },
        false,
    );
    // A refetch keeps the page in place until the new state arrives.
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, offers_title)) />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match offer.await {
                    Ok(offer) => EitherOf4::A(view! { <Offer offer answer /> }),
                    Err(AppError::Unauthenticated) => EitherOf4::B(view! { <LogInFirst next=format!("/offers/{}", id()) /> }),
                    Err(AppError::NotFound) => EitherOf4::C(view! { <NotFoundPage /> }),
                    Err(_) => EitherOf4::D(view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }),
                }
            })}
        </Transition>
    }
}

#[component]
fn Offer(offer: OfferView, answer: ServerAction<AnswerOffer>) -> impl IntoView {
    let i18n = use_i18n();
    let outcome = action_outcome(answer);
    let id = offer.offer.clone();
    let you = |party: Party| (offer.you == party).then(|| view! { " " {t!(i18n, offer_you)} });
    let heading = match offer.made_by {
        Party::Buyer => t!(i18n, offer_title_buyer).into_any(),
        Party::Seller => t!(i18n, offer_title_seller).into_any(),
    };
    let pending = offer.state == OfferState::Pending;
    let mine = offer.you == offer.made_by;
    // Only the seller counters, and only a buyer's offer.
    let may_counter = pending && offer.you == Party::Seller && offer.made_by == Party::Buyer;
    let button = move |answer_name: &'static str,
                       text: AnyView,
                       class: &'static str,
                       testid: &'static str| {
        let id = id.clone();
        view! {
            <ActionForm action=answer attr:class="inline-form">
                <input type="hidden" name="offer" value=id />
                <input type="hidden" name="answer" value=answer_name />
                <button type="submit" class=class data-testid=testid>{text}</button>
            </ActionForm>
        }
    };
    let answers = pending.then(|| {
        let accept = (!mine).then(|| button("accept", t!(i18n, offer_accept).into_any(), "button", "accept"));
        let decline = (!mine).then(|| button("decline", t!(i18n, offer_decline).into_any(), "button-ghost", "decline"));
        let withdraw = mine.then(|| button("withdraw", t!(i18n, offer_withdraw).into_any(), "button-ghost", "withdraw"));
        view! { <div class="seller-controls" data-testid="offer-answers">{accept}{decline}{withdraw}</div> }
    });
    let id_for_counter = offer.offer.clone();
    view! {
        <article class="offer-page" data-testid="offer" data-state=offer.state.as_str()>
            <header class="room-head">
                {offer.listing.thumb_url.clone().map(|src| view! { <img class="room-thumb" src=src alt="" width="96" height="96" /> })}
                <div>
                    <p class="muted">{heading}</p>
                    <h1><a href=format!("/l/{}", offer.listing.id)>{offer.listing.title.clone()}</a></h1>
                </div>
            </header>
            <dl class="room-facts">
                <dt>{t!(i18n, offer_buyer)}</dt>
                <dd data-testid="offer-buyer">{offer.buyer.name.clone()}{you(Party::Buyer)}</dd>
                <dt>{t!(i18n, offer_seller)}</dt>
                <dd data-testid="offer-seller">{offer.seller.name.clone()}{you(Party::Seller)}</dd>
                <dt>{t!(i18n, offer_asking_label)}</dt>
                <dd>{offer.listing.unit_price.to_string()}</dd>
                <dt>{t!(i18n, offer_amount_label)}</dt>
                <dd data-testid="offer-amount">{offer.amount.to_string()}</dd>
                <dt>{t!(i18n, offer_quantity_label)}</dt>
                <dd data-testid="offer-quantity">{offer.quantity}</dd>
                <dt>{t!(i18n, offer_total_label)}</dt>
                <dd data-testid="offer-total">{offer.total.to_string()}</dd>
                <dt>{t!(i18n, offer_state_label)}</dt>
                <dd data-testid="offer-state" aria-live="polite"><StateText state=offer.state /></dd>
                {pending.then(|| view! {
                    <dt>{t!(i18n, offer_expires_label)}</dt>
                    <dd data-testid="offer-expires"><When ms=offer.expires_at /></dd>
                })}
            </dl>
            {offer.counters.clone().map(|parent| view! {
                <p class="muted">
                    {t!(i18n, offer_counters)} " "
                    <a href=format!("/offers/{parent}")>{t!(i18n, offer_counters_link)}</a>
                </p>
            })}
            {offer.countered_by.clone().map(|counter| view! {
                <p class="notice">
                    {t!(i18n, offer_countered_by)} " "
                    <a href=format!("/offers/{counter}") data-testid="counter-link">{t!(i18n, offer_countered_by_link)}</a>
                </p>
            })}
            {offer.order.clone().map(|order| view! {
                <p class="notice notice-ok" role="status">{t!(i18n, offer_accepted_note)}</p>
                <p><a class="button" href=format!("/o/{order}") data-testid="order-link">{t!(i18n, offer_order_link)}</a></p>
            })}
            {(pending && mine).then(|| view! { <p class="muted">{t!(i18n, offer_waiting)}</p> })}
            {answers}
            {may_counter.then(|| view! {
                <ActionForm action=answer attr:class="form" attr:data-testid="counter-form">
                    <input type="hidden" name="offer" value=id_for_counter />
                    <input type="hidden" name="answer" value="counter" />
                    <TextField name="counter_amount" label=move || t!(i18n, offer_field_counter) autocomplete="off"
                        hint=move || t!(i18n, offer_counter_hint)
                        problem=problem_of(outcome, Field::Amount) />
                    <button type="submit" class="button-ghost" data-testid="counter">{t!(i18n, offer_counter)}</button>
                </ActionForm>
            })}
            <OfferFailure outcome />
        </article>
    }
}
