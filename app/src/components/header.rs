use super::{
    account_menu::{AccountMenu, MemberLinks},
    language::LanguageSelect,
    notice::NoticeToast,
    online::OnlineBadge,
    ring::RingNotice,
};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a class="skip-link" href="#main">{t!(i18n, skip_to_content)}</a>
        <header class="site-header">
            <div class="container header-inner">
                <a class="brand" href="/" aria-label="Haggle">
                    <Logo />
                    <span class="brand-name">"Haggle"</span>
                </a>
                <nav class="main-nav" aria-label=move || t_string!(i18n, nav_label)>
                    <A href="/" exact=true>{t!(i18n, nav_discover)}</A>
                    <A href="/favorites">{t!(i18n, nav_favorites)}</A>
                    <MemberLinks />
                    <A href="/about">{t!(i18n, nav_how)}</A>
                </nav>
                // A plain GET form: searching works before (and without) hydration.
                <form class="header-search" method="get" action="/search" role="search">
                    <label for="header-q" class="visually-hidden">{t!(i18n, nav_search)}</label>
                    <input id="header-q" name="q" type="search" placeholder=move || t_string!(i18n, search_placeholder) />
                </form>
                <div class="header-tools">
                    <OnlineBadge />
                    <LanguageSelect />
                    <a class="button small sell-button" href="/sell">{t!(i18n, nav_sell)}</a>
                    <AccountMenu />
                </div>
            </div>
        </header>
        <NoticeToast />
        <RingNotice />
    }
}

/// Two overlapping price tags: the brand mark.
#[component]
fn Logo() -> impl IntoView {
    view! {
        <svg class="logo" viewBox="0 0 32 32" width="32" height="32" aria-hidden="true">
            <rect x="2" y="2" width="28" height="28" rx="8" fill="var(--brand)" />
            <path d="M10 9v14M22 9v14M10 16h12" stroke="#fff" stroke-width="3.2" stroke-linecap="round" />
        </svg>
    }
}
