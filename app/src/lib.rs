//! Haggle's isomorphic app: compiled natively for server rendering (`ssr`) and to
//! WASM for hydration (`hydrate`).
#![recursion_limit = "256"]

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub mod api;
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
    SsrMode,
    components::{Route, Router, Routes},
    path,
};
use pages::{about::AboutPage, error::ErrorPage, home::HomePage, not_found::NotFoundPage};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
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
                            <Route path=path!("/about") view=AboutPage />
                        </Routes>
                    </ErrorBoundary>
                </main>
                <Footer />
            </Router>
        </I18nContextProvider>
    }
}
