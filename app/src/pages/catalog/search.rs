//! `/search`: the URL is the whole state, so the page renders on the server,
//! works without JavaScript (a GET form), and can be shared. With JavaScript,
//! results follow typing.

use crate::{
    api::catalog::search_listings,
    components::{
        catalog_labels::{CategoryOptions, SortName},
        form::debounced,
        listing_card::{ListingGrid, SaleModeLabel},
        page_title::PageTitle,
    },
    domain::catalog::{
        SaleMode,
        search::{Availability, SearchQuery, Sort, page_count},
    },
    i18n::*,
};
use leptos::{either::EitherOf3, prelude::*};
use leptos_router::{
    NavigateOptions,
    components::Form,
    hooks::{use_navigate, use_query_map},
};

/// The search described by the current URL.
fn current_query() -> Memo<SearchQuery> {
    let params = use_query_map();
    Memo::new(move |_| {
        params.with(|p| {
            let pairs: Vec<(String, String)> = p
                .clone()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            SearchQuery::from_params(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        })
    })
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = current_query();
    let results = Resource::new(move || query.get(), search_listings);

    // Typing: follow the words after a pause, replacing the history entry so
    // Back leaves the page rather than stepping through keystrokes.
    let typed = RwSignal::new(query.get_untracked().q);
    let settled = debounced(typed, 300);
    let navigate = use_navigate();
    Effect::new(move |first: Option<()>| {
        let words = settled.get();
        let current = query.get_untracked();
        if first.is_some() && words.trim() != current.q {
            let next = SearchQuery {
                q: words.trim().to_string(),
                page: 1,
                ..current
            };
            navigate(
                &next.url(),
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                },
            );
        }
    });

    let pick = move |f: fn(&SearchQuery) -> String| Signal::derive(move || query.with(f));
    let category = pick(|q| q.category.clone().unwrap_or_default());
    let mode = pick(|q| q.mode.map(SaleMode::as_str).unwrap_or_default().to_string());
    let status = pick(|q| q.status.as_str().to_string());
    let sort = pick(|q| q.sort.map(Sort::as_str).unwrap_or_default().to_string());

    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, search_title)) />
        <div class="search-page">
            <Form method="GET" action="/search" attr:class="search-filters" attr:data-testid="search-form">
                <div class="field search-words">
                    <label for="q">{t!(i18n, search_words)}</label>
                    <input id="q" name="q" type="search" autocomplete="off"
                        placeholder=move || t_string!(i18n, search_placeholder)
                        value=move || query.with(|q| q.q.clone())
                        on:input=move |ev| typed.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="category">{t!(i18n, field_category)}</label>
                    <select id="category" name="category">
                        <option value="">{t!(i18n, any_category)}</option>
                        <CategoryOptions selected=category />
                    </select>
                </div>
                <div class="field">
                    <label for="mode">{t!(i18n, field_sale_mode)}</label>
                    <select id="mode" name="mode">
                        <option value="">{t!(i18n, any_mode)}</option>
                        {SaleMode::ALL.iter().map(|m| {
                            let value = m.as_str();
                            view! { <option value=value selected=move || mode.get() == value><SaleModeLabel mode=*m /></option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field-pair">
                    <div class="field">
                        <label for="min">{t!(i18n, price_min)}</label>
                        <input id="min" name="min" inputmode="decimal" value=move || query.with(|q| q.min.clone()) />
                    </div>
                    <div class="field">
                        <label for="max">{t!(i18n, price_max)}</label>
                        <input id="max" name="max" inputmode="decimal" value=move || query.with(|q| q.max.clone()) />
                    </div>
                </div>
                <div class="field">
                    <label for="area">{t!(i18n, field_area)}</label>
                    <input id="area" name="area" value=move || query.with(|q| q.area.clone()) />
                </div>
                <div class="field">
                    <label for="tag">{t!(i18n, field_tag)}</label>
                    <input id="tag" name="tag" value=move || query.with(|q| q.tag.clone().unwrap_or_default()) />
                </div>
                <div class="field">
                    <label for="stock">{t!(i18n, min_stock)}</label>
                    <input id="stock" name="stock" type="number" min="1" inputmode="numeric"
                        value=move || query.with(|q| q.stock.map(|n| n.to_string()).unwrap_or_default()) />
                </div>
                <div class="field">
                    <label for="status">{t!(i18n, field_status)}</label>
                    <select id="status" name="status">
                        {Availability::ALL.iter().map(|a| {
                            let value = a.as_str();
                            let label = match a {
                                Availability::Available => t!(i18n, avail_available).into_any(),
                                Availability::Sold => t!(i18n, avail_sold).into_any(),
                                Availability::Any => t!(i18n, avail_any).into_any(),
                            };
                            view! { <option value=value selected=move || status.get() == value>{label}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="sort">{t!(i18n, sort_by)}</label>
                    <select id="sort" name="sort">
                        <option value="">{t!(i18n, sort_default)}</option>
                        {Sort::ALL.iter().map(|s| {
                            let value = s.as_str();
                            view! { <option value=value selected=move || sort.get() == value><SortName sort=*s /></option> }
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button">{t!(i18n, search_apply)}</button>
            </Form>
            <section class="search-results" aria-live="polite">
                <Transition fallback=|| view! { <div class="grid-loading" aria-busy="true"></div> }>
                    {move || Suspend::new(async move {
                        let q = query.get_untracked();
                        match results.await {
                            Ok(found) if found.cards.is_empty() => EitherOf3::A(view! {
                                <p class="notice" data-testid="no-results">{t!(i18n, search_nothing)}</p>
                            }),
                            Ok(found) => {
                                let pages = page_count(found.total);
                                EitherOf3::B(view! {
                                    <p class="muted" data-testid="result-count">{t!(i18n, search_count, count = found.total)}</p>
                                    <ListingGrid cards=found.cards />
                                    <Pager query=q pages />
                                })
                            }
                            Err(_) => EitherOf3::C(view! {
                                <p class="notice notice-error" role="alert">{t!(i18n, listings_failed)}</p>
                            }),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

/// Previous/next and nearby page numbers, as plain links.
#[component]
fn Pager(query: SearchQuery, pages: u32) -> impl IntoView {
    let i18n = use_i18n();
    let here = query.page.min(pages);
    let first = here.saturating_sub(2).max(1);
    let last = (first + 4).min(pages);
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label=move || t_string!(i18n, pages_label)>
                {(here > 1).then(|| view! { <a rel="prev" href=query.with_page(here - 1).url()>{t!(i18n, page_prev)}</a> })}
                {(first..=last).map(|n| {
                    if n == here {
                        view! { <span aria-current="page" class="current">{n}</span> }.into_any()
                    } else {
                        view! { <a href=query.with_page(n).url()>{n}</a> }.into_any()
                    }
                }).collect_view()}
                {(here < pages).then(|| view! { <a rel="next" href=query.with_page(here + 1).url()>{t!(i18n, page_next)}</a> })}
            </nav>
        }
    })
}
