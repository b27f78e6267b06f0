use crate::{
    api::catalog::fetch_home_feed,
    components::{
        listing_card::{ListingGrid, SaleModeLabel},
        page_title::PageTitle,
    },
    domain::catalog::SaleMode,
    i18n::*,
    model::ListingCard,
};
use leptos::{either::Either, prelude::*};

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let feed = Resource::new(|| (), |_| fetch_home_feed());
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
                                <a href=format!("/search?mode={}", mode.as_str())>
                                    <SaleModeLabel mode=*mode />
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
        <Suspense fallback=|| view! { <div class="grid-loading" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match feed.await {
                    Ok(feed) if feed.newest.is_empty() => Either::Left(view! {
                        <p class="notice">{t!(i18n, no_listings)}</p>
                    }.into_any()),
                    Ok(feed) => Either::Left(view! {
                        {(feed.personal).then(|| view! {
                            <Row id="recommended" cards=feed.recommended.clone() more="/search?sort=popular">
                                {t!(i18n, home_recommended)}
                            </Row>
                        })}
                        <Row id="fresh" cards=feed.newest more="/search?sort=new">
                            {t!(i18n, fresh_listings)}
                        </Row>
                        <Row id="ending" cards=feed.ending_soon more="/search?mode=auction&sort=ending_soon">
                            {t!(i18n, home_ending_soon)}
                        </Row>
                        {(!feed.personal).then(|| view! {
                            <Row id="popular" cards=feed.popular more="/search?sort=popular">
                                {t!(i18n, home_popular)}
                            </Row>
                        })}
                    }.into_any()),
                    Err(_) => Either::Right(view! {
                        <p class="notice notice-error" role="alert">{t!(i18n, listings_failed)}</p>
                    }),
                }
            })}
        </Suspense>
    }
}

/// A titled row of cards with a link to see more; nothing when empty.
#[component]
fn Row(
    id: &'static str,
    cards: Vec<ListingCard>,
    more: &'static str,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let heading = format!("{id}-heading");
    let labelled_by = heading.clone();
    (!cards.is_empty()).then(move || {
        view! {
            <section class="listings" aria-labelledby=labelled_by data-testid=format!("row-{id}")>
                <div class="row-head">
                    <h2 id=heading>{children()}</h2>
                    <a class="more" href=more>{t!(i18n, see_all)}</a>
                </div>
                <ListingGrid cards />
            </section>
        }
    })
}
