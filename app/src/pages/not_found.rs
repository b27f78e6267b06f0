use crate::{
    components::{form::LogInFirst, page_title::PageTitle},
    error::AppError,
    i18n::*,
};
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

/// A page only its members may open (a negotiation room, a conversation, a
/// call): `page` when `outcome` has it; a way to log in that comes back to
/// `back` for visitors; 404 for anyone else, whatever the id, so an outsider
/// cannot tell a wrong id from someone else's.
pub fn members_only<T>(
    outcome: Result<T, AppError>,
    back: String,
    page: impl FnOnce(T) -> AnyView,
) -> AnyView {
    match outcome {
        Ok(shown) => page(shown),
        Err(AppError::Unauthenticated) => view! { <LogInFirst next=back /> }.into_any(),
        Err(AppError::NotFound) => view! { <NotFoundPage /> }.into_any(),
        Err(_) => {
            let i18n = use_i18n();
            view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }.into_any()
        }
    }
}
