//! The signed-in member's own collections: favorites and their listings.

use crate::{
    api::catalog::{my_favorites, my_listings},
    components::{form::LogInFirst, listing_card::ListingGrid, page_title::PageTitle},
    error::AppError,
    i18n::*,
    model::ListingCard,
};
use leptos::{either::EitherOf4, prelude::*};

#[component]
pub fn FavoritesPage() -> impl IntoView {
    let i18n = use_i18n();
    let cards = Resource::new(|| (), |_| my_favorites());
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, favorites_title)) />
        <h1>{t!(i18n, favorites_title)}</h1>
        <crate::pages::wallet::center::CenterNav />
        <Cards cards next="/favorites" empty=ViewFn::from(move || t!(i18n, favorites_empty)) />
    }
}

#[component]
pub fn MyListingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let cards = Resource::new(|| (), |_| my_listings());
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, my_listings_title)) />
        <div class="row-head">
            <h1>{t!(i18n, my_listings_title)}</h1>
            <a class="button-ghost" href="/my/auctions">{t!(i18n, my_auctions_title)}</a>
            <a class="button" href="/sell">{t!(i18n, nav_sell)}</a>
        </div>
        <crate::pages::wallet::center::CenterNav />
        <Cards cards next="/my/listings" empty=ViewFn::from(move || t!(i18n, my_listings_empty)) />
    }
}

#[component]
fn Cards(
    cards: Resource<Result<Vec<ListingCard>, AppError>>,
    next: &'static str,
    empty: ViewFn,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Suspense fallback=|| view! { <div class="grid-loading" aria-busy="true"></div> }>
            {move || {
                let empty = empty.clone();
                Suspend::new(async move {
                    match cards.await {
                        Ok(cards) if cards.is_empty() => EitherOf4::A(view! { <p class="notice">{empty.run()}</p> }),
                        Ok(cards) => EitherOf4::B(view! { <ListingGrid cards /> }),
                        Err(AppError::Unauthenticated) => EitherOf4::C(view! { <LogInFirst next /> }),
                        Err(_) => EitherOf4::D(view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }),
                    }
                })
            }}
        </Suspense>
    }
}
