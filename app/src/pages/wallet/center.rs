//! The buyer and seller centers: one navigation over the member's own
//! pages (orders, favorites, bids, offers, listings, auctions), shown on
//! each of them with the wallet's balance, and `/buying` and `/selling`,
//! which gather them.

use crate::{
    api::wallet::fetch_wallet,
    components::{form::LogInFirst, page_title::PageTitle},
    error::AppError,
    i18n::*,
};
use leptos::prelude::*;
use leptos_router::components::A;

/// The centers' navigation: what the member buys and what they sell. With
/// `balance`, the wallet's balance beside it (the wallet page shows its
/// own).
#[component]
pub fn CenterNav(#[prop(default = true)] balance: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="center-nav" aria-label=move || t_string!(i18n, center_label) data-testid="center-nav">
            <div class="center-group">
                <span class="center-group-name">{t!(i18n, center_buying)}</span>
                <A href="/orders#bought-heading">{t!(i18n, center_orders_bought)}</A>
                <A href="/favorites">{t!(i18n, center_favorites)}</A>
                <A href="/my/bids">{t!(i18n, center_bids)}</A>
                <A href="/offers#offers-made">{t!(i18n, center_offers_made)}</A>
            </div>
            <div class="center-group">
                <span class="center-group-name">{t!(i18n, center_selling)}</span>
                <A href="/my/listings">{t!(i18n, center_listings)}</A>
                <A href="/orders#sold-heading">{t!(i18n, center_sold)}</A>
                <A href="/my/auctions">{t!(i18n, center_bids_received)}</A>
                <A href="/offers#offers-received">{t!(i18n, center_offers_received)}</A>
            </div>
            {balance.then(|| view! { <BalanceLine /> })}
        </nav>
    }
}

/// The balance and a way to the wallet page; nothing for a visitor.
#[component]
fn BalanceLine() -> impl IntoView {
    let i18n = use_i18n();
    let wallet = Resource::new(|| (), |_| fetch_wallet());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                wallet.await.ok().map(|w| view! {
                    <p class="center-balance" data-testid="center-balance">
                        {t!(i18n, center_balance)} " "
                        <strong class="price">{w.balance.to_string()}</strong> " "
                        <a href="/wallet">{t!(i18n, center_to_wallet)}</a>
                    </p>
                })
            })}
        </Suspense>
    }
}

/// Which center a page gathers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Buying,
    Selling,
}

/// `/buying`: the buyer's pages.
#[component]
pub fn BuyingPage() -> impl IntoView {
    view! { <Center side=Side::Buying /> }
}

/// `/selling`: the seller's pages.
#[component]
pub fn SellingPage() -> impl IntoView {
    view! { <Center side=Side::Selling /> }
}

#[component]
fn Center(side: Side) -> impl IntoView {
    let i18n = use_i18n();
    let wallet = Resource::new(|| (), |_| fetch_wallet());
    let next = match side {
        Side::Buying => "/buying",
        Side::Selling => "/selling",
    };
    view! {
        {match side {
            Side::Buying => view! {
                <PageTitle text=|l| format!("{} · Haggle", td_string!(l, center_buying)) />
            }.into_any(),
            Side::Selling => view! {
                <PageTitle text=|l| format!("{} · Haggle", td_string!(l, center_selling)) />
            }.into_any(),
        }}
        <h1>
            {move || match side {
                Side::Buying => t!(i18n, center_buying).into_any(),
                Side::Selling => t!(i18n, center_selling).into_any(),
            }}
        </h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match wallet.await {
                    Ok(_) => view! {
                        <p class="muted">
                            {match side {
                                Side::Buying => t!(i18n, center_buying_intro).into_any(),
                                Side::Selling => t!(i18n, center_selling_intro).into_any(),
                            }}
                        </p>
                        <CenterNav />
                    }
                    .into_any(),
                    Err(AppError::Unauthenticated) => view! { <LogInFirst next=next /> }.into_any(),
                    Err(_) => view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
