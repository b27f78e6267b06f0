use crate::{components::page_title::PageTitle, i18n::*};
use leptos::prelude::*;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, not_found_title)) />
        <section class="status-page" data-testid="not-found">
            <p class="status-code" aria-hidden="true">"404"</p>
            <h1>{t!(i18n, not_found_title)}</h1>
            <p>{t!(i18n, not_found_body)}</p>
            <a class="button" href="/">{t!(i18n, back_home)}</a>
        </section>
    }
}
