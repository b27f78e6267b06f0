use crate::i18n::*;
use leptos::prelude::*;

/// Each UI language with its name written in itself.
const LANGUAGES: [(Locale, &str); 4] = [
    (Locale::en, "English"),
    (Locale::zh_TW, "繁體中文"),
    (Locale::zh_CN, "简体中文"),
    (Locale::ko, "한국어"),
];

/// Switches the UI language; the choice is kept in a cookie so the server renders
/// the next page in it.
#[component]
pub fn LanguageSelect() -> impl IntoView {
    let i18n = use_i18n();
    let on_change = move |ev| {
        let value = event_target_value(&ev);
        if let Some((locale, _)) = LANGUAGES.iter().find(|(l, _)| l.as_str() == value) {
            i18n.set_locale(*locale);
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
