//! Haggle's isomorphic app: compiled natively for server rendering (`ssr`) and to
//! WASM for hydration (`hydrate`).
#![recursion_limit = "256"]

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub mod api;
pub mod auth;
pub mod components;
pub mod domain;
pub mod error;
pub mod live;
pub mod model;
pub mod pages;
pub mod protocol;

#[cfg(feature = "ssr")]
pub mod backend;
#[cfg(feature = "hydrate")]
pub mod client;

use components::{footer::Footer, header::Header};
use i18n::I18nContextProvider;
use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Stylesheet, provide_meta_context};
use leptos_router::{
    Lazy, SsrMode,
    components::{Route, Router, Routes},
    path,
};
use pages::{
    catalog::{home::HomePage, listing::ListingPage, search::SearchPage},
    error::ErrorPage,
    lazy::*,
    not_found::NotFoundPage,
};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    backend::web::policy::send_script_policy();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    live::provide_live();
    auth::provide_auth();
    #[cfg(feature = "ssr")]
    components::time::provide_deployment_zone();
    view! {
        <I18nContextProvider>
            <Stylesheet id="leptos" href="/pkg/haggle.css" />
            <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
            <Meta name="color-scheme" content="light dark" />
            <Meta name="theme-color" content="#e8590c" />
            <Router>
                <Header />
                <main id="main" class="container">
                    <ErrorBoundary fallback=|_| view! { <ErrorPage /> }>
                        <Routes fallback=NotFoundPage>
                            // Waits for its data before sending, so it reads fully without JavaScript.
                            <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                            <Route path=path!("/about") view={Lazy::<AboutRoute>::new()} />
                            <Route path=path!("/signup") view={Lazy::<SignUpRoute>::new()} />
                            <Route path=path!("/login") view={Lazy::<LogInRoute>::new()} />
                            // Async: these pages' forms work without JavaScript, so their
                            // data must be in the HTML; a missing member answers 404.
                            <Route path=path!("/verify") view={Lazy::<VerifyRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/settings") view={Lazy::<SettingsRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/settings/identity") view={Lazy::<IdentityRoute>::new()} />
                            <Route path=path!("/u/:username") view={Lazy::<MemberRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/admin") view={Lazy::<AdminRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/search") view=SearchPage ssr=SsrMode::Async />
                            <Route path=path!("/l/:id") view=ListingPage ssr=SsrMode::Async />
                            <Route path=path!("/l/:id/edit") view={Lazy::<EditListingRoute>::new()} />
                            <Route path=path!("/sell") view={Lazy::<SellRoute>::new()} />
                            <Route path=path!("/favorites") view={Lazy::<FavoritesRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/my/listings") view={Lazy::<MyListingsRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/a/:id") view={Lazy::<AuctionRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/my/bids") view={Lazy::<MyBidsRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/my/auctions") view={Lazy::<MyAuctionsRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/notifications") view={Lazy::<NotificationsRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/l/:id/buy") view={Lazy::<BuyRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/o/:id") view={Lazy::<OrderRoomRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/orders") view={Lazy::<OrdersRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/l/:id/offer") view={Lazy::<MakeOfferRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/offers") view={Lazy::<MyOffersRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/offers/:id") view={Lazy::<OfferRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/messages/:id?") view={Lazy::<MessagesRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/call/:conversation") view={Lazy::<CallRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/wallet") view={Lazy::<WalletRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/buying") view={Lazy::<BuyingRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/selling") view={Lazy::<SellingRoute>::new()} ssr=SsrMode::Async />
                        </Routes>
                    </ErrorBoundary>
                </main>
                <Footer />
            </Router>
        </I18nContextProvider>
    }
}

#[cfg(test)]
mod stylesheet_tests {
    /// The stylesheet uses no CSS nesting, so a rule left open (a merge that
    /// lost a closing brace) would quietly nest every later rule inside it:
    /// the build's minifier accepts that, and those pages lose their styles.
    /// Only at-rules (`@media`, `@keyframes`, …) may hold rules.
    #[test]
    fn rules_nest_only_inside_at_rules_and_every_block_closes() {
        let css = include_str!("../../style/main.css");
        let mut open: Vec<(bool, usize)> = Vec::new();
        let mut prelude = String::new();
        let (mut line, mut chars) = (1, css.chars().peekable());
        while let Some(c) = chars.next() {
            match c {
                '\n' => line += 1,
                '/' if chars.peek() == Some(&'*') => {
                    let mut last = ' ';
                    for c in chars.by_ref() {
                        if c == '\n' {
                            line += 1;
                        }
                        if last == '*' && c == '/' {
                            break;
                        }
                        last = c;
                    }
                    continue;
                }
                '{' => {
                    let at_rule = prelude.trim_start().starts_with('@');
                    assert!(
                        open.iter().all(|(at, _)| *at),
                        "line {line}: `{}` is inside the rule opened on line {}",
                        prelude.trim(),
                        open.last().map_or(0, |o| o.1)
                    );
                    open.push((at_rule, line));
                    prelude.clear();
                    continue;
                }
                '}' => {
                    assert!(open.pop().is_some(), "line {line}: a `}}` closes nothing");
                    prelude.clear();
                    continue;
                }
                ';' => {
                    prelude.clear();
                    continue;
                }
                _ => {}
            }
            prelude.push(c);
        }
        assert!(
            open.is_empty(),
            "blocks opened on lines {open:?} never close"
        );
    }
}

#[cfg(test)]
mod locale_tests {
    use std::collections::BTreeSet;

    const LOCALES: [(&str, &str); 4] = [
        ("en", include_str!("../locales/en.json")),
        ("zh-TW", include_str!("../locales/zh-TW.json")),
        ("zh-CN", include_str!("../locales/zh-CN.json")),
        ("ko", include_str!("../locales/ko.json")),
    ];

    fn keys(json: &str) -> BTreeSet<String> {
        let value: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
        value
            .as_object()
            .expect("a flat object")
            .keys()
            .cloned()
            .collect()
    }

    /// leptos_i18n only warns about a missing key and falls back to English;
    /// a half-translated page is a bug, so fail instead.
    #[test]
    fn every_locale_translates_every_key() {
        let english = keys(LOCALES[0].1);
        for (name, json) in &LOCALES[1..] {
            let theirs = keys(json);
            let missing: Vec<_> = english.difference(&theirs).collect();
            let extra: Vec<_> = theirs.difference(&english).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{name}: missing {missing:?}, extra {extra:?}"
            );
        }
    }

    #[test]
    fn placeholders_match_english() {
        let placeholders = |text: &str| -> BTreeSet<String> {
            text.split("{{")
                .skip(1)
                .filter_map(|s| s.split("}}").next())
                .map(|s| s.trim().to_string())
                .collect()
        };
        let english: serde_json::Value = serde_json::from_str(LOCALES[0].1).unwrap();
        for (name, json) in &LOCALES[1..] {
            let theirs: serde_json::Value = serde_json::from_str(json).unwrap();
            for (key, text) in english.as_object().unwrap() {
                let ours = placeholders(text.as_str().unwrap());
                let other = placeholders(theirs[key].as_str().unwrap_or_default());
                assert_eq!(ours, other, "{name}.{key}");
            }
        }
    }
}
