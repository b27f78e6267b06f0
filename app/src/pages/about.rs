use crate::{components::page_title::PageTitle, i18n::*};
use leptos::prelude::*;

#[component]
pub fn AboutPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, nav_how)) />
        <section class="page-intro">
            <h1>{t!(i18n, how_title)}</h1>
            <p class="lead">{t!(i18n, how_intro)}</p>
        </section>
        <ol class="steps">
            <li class="step">
                <h2>{t!(i18n, how_fixed_title)}</h2>
                <p>{t!(i18n, how_fixed_body)}</p>
            </li>
            <li class="step">
                <h2>{t!(i18n, how_offers_title)}</h2>
                <p>{t!(i18n, how_offers_body)}</p>
            </li>
            <li class="step">
                <h2>{t!(i18n, how_auction_title)}</h2>
                <p>{t!(i18n, how_auction_body)}</p>
            </li>
            <li class="step">
                <h2>{t!(i18n, how_safety_title)}</h2>
                <p>{t!(i18n, how_safety_body)}</p>
            </li>
        </ol>
    }
}
