use crate::{
    api::listings::newest_listings,
    components::listing_card::{ListingGrid, SaleModeLabel},
    components::page_title::PageTitle,
    domain::listing::SaleMode,
    i18n::*,
};
use leptos::{either::EitherOf3, prelude::*};

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let listings = Resource::new(|| (), |_| newest_listings());
    view! {
        <PageTitle text=|l| format!("Haggle · {}", td_string!(l, tagline)) />
        <section class="hero">
            <h1>{t!(i18n, hero_title)}</h1>
            <p class="lead">{t!(i18n, hero_body)}</p>
            <ul class="modes">
                {SaleMode::ALL
                    .iter()
                    .map(|mode| {
                        view! {
                            <li class=format!("mode mode-{}", mode.as_str())>
                                <SaleModeLabel mode=*mode />
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
        <section class="listings" aria-labelledby="fresh-heading">
            <h2 id="fresh-heading">{t!(i18n, fresh_listings)}</h2>
            <Suspense fallback=|| view! { <div class="grid-loading" aria-busy="true"></div> }>
                {move || Suspend::new(async move {
                    match listings.await {
                        Ok(cards) if cards.is_empty() => EitherOf3::A(view! {
                            <p class="notice">{t!(i18n, no_listings)}</p>
                        }),
                        Ok(cards) => EitherOf3::B(view! { <ListingGrid cards /> }),
                        Err(_) => EitherOf3::C(view! {
                            <p class="notice notice-error" role="alert">{t!(i18n, listings_failed)}</p>
                        }),
                    }
                })}
            </Suspense>
        </section>
    }
}
