//! `/u/<username>`: a member's public page.

use crate::{
    api::{account::profile::fetch_public_profile, catalog::seller_listings},
    components::{
        listing_card::ListingGrid,
        member::{Avatar, MemberName},
        time::When,
    },
    error::AppError,
    i18n::*,
    pages::not_found::NotFoundPage,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn MemberPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let username = move || params.with(|p| p.get("username").unwrap_or_default());
    let profile = Resource::new(username, fetch_public_profile);
    let listings = Resource::new(username, seller_listings);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(p) => {
                        let member_since = p.member_since;
                        view! {
                            // A plain string: no signal is read when the server renders <head>.
                            <Title text=format!("{} · Haggle", p.nickname) />
                            <section class="member" data-testid="member-page">
                                <Avatar url=p.avatar_url.clone() nickname=p.nickname.clone() size=96 />
                                <div>
                                    <h1><MemberName nickname=p.nickname.clone() verified=p.id_verified /></h1>
                                    <p class="muted">"@" {p.username.clone()} " · " {t!(i18n, member_since, date = move || view! { <When ms=member_since date_only=true /> })}</p>
                                    {(!p.intro.is_empty()).then(|| view! { <p class="intro">{p.intro.clone()}</p> })}
                                </div>
                            </section>
                            <section class="listings" aria-labelledby="member-listings">
                                <h2 id="member-listings">{t!(i18n, member_listings)}</h2>
                                {match listings.await {
                                    Ok(cards) if !cards.is_empty() => view! { <ListingGrid cards /> }.into_any(),
                                    _ => view! { <p class="muted">{t!(i18n, member_no_listings)}</p> }.into_any(),
                                }}
                            </section>
                        }.into_any()
                    }
                    Err(AppError::NotFound) => view! { <NotFoundPage /> }.into_any(),
                    Err(_) => view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
