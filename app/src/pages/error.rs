use crate::{components::page_title::PageTitle, i18n::*};
use leptos::prelude::*;

/// Shown when a page fails to render; details stay in the server log.
#[component]
pub fn ErrorPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    }
    let i18n = use_i18n();
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, error_title)) />
        <section class="status-page" role="alert">
            <p class="status-code" aria-hidden="true">"!"</p>
            <h1>{t!(i18n, error_title)}</h1>
            <p>{t!(i18n, error_body)}</p>
            <a class="button" href="/">{t!(i18n, back_home)}</a>
        </section>
    }
}
