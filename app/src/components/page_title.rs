use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;

/// The document title in the current language.
///
/// On the server the title is rendered into `<head>` after the page's reactive
/// owner may already be gone, so it must not read signals then: it is computed
/// once from the request's locale. In the browser it follows language switches.
#[component]
pub fn PageTitle(text: fn(Locale) -> String) -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    let title = text(i18n.get_locale_untracked());
    #[cfg(not(feature = "ssr"))]
    let title = move || text(i18n.get_locale());
    view! { <Title text=title /> }
}
