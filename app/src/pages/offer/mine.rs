//! `/offers`: the offers the member answers ("received": offers on their
//! listings, counters to their offers) and those they made, open ones first.

use super::StateText;
use crate::components::form::LogInFirst;
use crate::{
    api::offer::fetch_my_offers,
    components::{page_title::PageTitle, time::When},
    domain::{offer::OfferState, order::Party},
    error::AppError,
    i18n::*,
    model::OfferView,
};
use leptos::{either::EitherOf3, prelude::*};

#[component]
pub fn MyOffersPage() -> impl IntoView {
    let i18n = use_i18n();
    let offers = Resource::new(|| (), |_| fetch_my_offers());
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, offers_title)) />
        <h1>{t!(i18n, offers_title)}</h1>
        <crate::pages::wallet::center::CenterNav />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match offers.await {
                    Ok(mine) => EitherOf3::A(view! {
                        <section aria-labelledby="offers-received">
                            <h2 id="offers-received">{t!(i18n, offers_received)}</h2>
                            <OfferList offers=mine.received testid="offers-received" />
                        </section>
                        <section aria-labelledby="offers-made">
                            <h2 id="offers-made">{t!(i18n, offers_made)}</h2>
                            <OfferList offers=mine.made testid="offers-made" />
                        </section>
                    }),
                    Err(AppError::Unauthenticated) => EitherOf3::B(view! { <LogInFirst next="/offers" /> }),
                    Err(_) => EitherOf3::C(view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OfferList(offers: Vec<OfferView>, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    if offers.is_empty() {
        return view! { <p class="muted" data-testid=testid>{t!(i18n, offers_none)}</p> }
            .into_any();
    }
    view! {
        <ul class="offer-list" data-testid=testid>
            {offers.into_iter().map(|o| {
                let other = match o.you {
                    Party::Buyer => o.seller.name.clone(),
                    Party::Seller => o.buyer.name.clone(),
                };
                let counter = (o.made_by == Party::Seller).then(|| view! {
                    <span class="badge">{t!(i18n, offer_counter)}</span> " "
                });
                view! {
                    <li data-state=o.state.as_str()>
                        {counter}
                        <a href=format!("/offers/{}", o.offer)>{o.listing.title.clone()}</a>
                        " · " {other}
                        " · " <span class="price">{o.amount.to_string()}</span> " × " {o.quantity}
                        " = " <span class="price">{o.total.to_string()}</span>
                        " · " <StateText state=o.state />
                        {(o.state == OfferState::Pending).then(|| view! { " · " <When ms=o.expires_at /> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
