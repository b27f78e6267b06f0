use crate::i18n::*;
use leptos::prelude::*;

/// Each UI language with its name written in itself.
const LANGUAGES: [(Locale, &str); 4] = [
    (Locale::en, "English"),
    (Locale::zh_TW, "繁體中文"),
    (Locale::zh_CN, "简体中文"),
    (Locale::ko, "한국어"),
];

/// The cookie the server reads the chosen locale from (leptos_i18n's name).
const LOCALE_COOKIE: &str = "i18n_pref_locale";

/// Switches the UI language; the choice is kept in a cookie so the server renders
/// the next page in it.
#[component]
pub fn LanguageSelect() -> impl IntoView {
    let i18n = use_i18n();
    let on_change = move |ev| {
        let value = event_target_value(&ev);
        if let Some((locale, _)) = LANGUAGES.iter().find(|(l, _)| l.as_str() == value) {
            i18n.set_locale(*locale);
            remember(*locale);
        }
    };
    view! {
        <label class="language">
            <span class="visually-hidden">{t!(i18n, language)}</span>
            <svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                <circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="1.8" />
                <path d="M3 12h18M12 3c3 3.5 3 14.5 0 18M12 3c-3 3.5-3 14.5 0 18" fill="none" stroke="currentColor" stroke-width="1.8" />
            </svg>
            <select name="lang" on:change=on_change>
                {LANGUAGES
                    .iter()
                    .map(|(locale, name)| {
                        let locale = *locale;
                        view! {
                            <option value=locale.as_str() selected=move || i18n.get_locale() == locale>
                                {*name}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// Keeps the choice for a year, for every path. The browser writes the cookie
/// itself: leptos_i18n's own cookie support would ship a cookie parser and a
/// date library to every first visit for this one line.
fn remember(locale: Locale) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let cookie = format!(
            "{LOCALE_COOKIE}={}; path=/; max-age=31536000; SameSite=Lax",
            locale.as_str()
        );
        if let Some(doc) = document().dyn_ref::<web_sys::HtmlDocument>() {
            // A browser that refuses the cookie keeps the choice for this tab.
            let _ = doc.set_cookie(&cookie);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (locale, LOCALE_COOKIE);
}
