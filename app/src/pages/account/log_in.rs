use crate::{
    auth::Auth,
    components::{
        form::{Captcha, FormFailure, TextField, action_outcome, problem_of},
        page_title::PageTitle,
    },
    domain::form::{Field, Problem},
    i18n::*,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LogInPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = expect_context::<Auth>().log_in;
    // Also the error a plain form post brought back (no JavaScript yet).
    let outcome = action_outcome(action);
    // "Wrong" is said once above the form, not under a field, so the message
    // does not tell which of the two was wrong.
    let problem = move |field: Field| {
        let p = problem_of(outcome, field);
        Signal::derive(move || p.get().filter(|p| *p != Problem::Wrong))
    };
    let wrong = problem_of(outcome, Field::Password);
    let captcha_problem = problem_of(outcome, Field::Captcha);
    let next = move || use_query_map().with(|q| q.get("next")).unwrap_or_default();
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, nav_log_in)) />
        <section class="auth-card">
            <h1>{t!(i18n, log_in_title)}</h1>
            <ActionForm action=action attr:class="form" attr:data-testid="log-in-form">
                {move || (wrong.get() == Some(Problem::Wrong)).then(|| view! {
                    <p class="notice notice-error" role="alert">{t!(i18n, err_wrong_login)}</p>
                })}
                <input type="hidden" name="next" value=next />
                <TextField name="login" label=move || t!(i18n, field_login) autocomplete="username"
                    problem=problem(Field::Username) />
                <TextField name="password" kind="password" label=move || t!(i18n, field_password)
                    autocomplete="current-password" problem=problem(Field::Password) />
                <Captcha problem=captcha_problem hint=move || t!(i18n, hint_captcha) />
                <FormFailure outcome />
                <button type="submit" class="button wide" disabled=move || action.pending().get()>
                    {t!(i18n, submit_log_in)}
                </button>
            </ActionForm>
            <p class="switch">{t!(i18n, no_account)} " " <a href="/signup">{t!(i18n, nav_sign_up)}</a></p>
        </section>
    }
}
