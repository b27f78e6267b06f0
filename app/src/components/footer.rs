use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn Footer() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <footer class="site-footer">
            <div class="container footer-inner">
                <p class="footer-brand">
                    <strong>{t!(i18n, site_name)}</strong>
                    " · "
                    {t!(i18n, tagline)}
                </p>
                <p class="footer-note">{t!(i18n, footer_note)}</p>
            </div>
        </footer>
    }
}
