use crate::{
    auth::Auth,
    components::{form::TextField, page_title::PageTitle},
    domain::account::{Field, Problem},
    error::AppError,
    i18n::*,
    pages::sign_up::FormFailure,
};
use leptos::prelude::*;

#[component]
pub fn LogInPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = expect_context::<Auth>().log_in;
    let problem = move |field: Field| {
        Signal::derive(move || {
            action.value().with(|v| match v {
                Some(Err(e)) => e.problem_with(field).filter(|p| *p != Problem::Wrong),
                _ => None,
            })
        })
    };
    let wrong = move || {
        action.value().with(|v| matches!(v, Some(Err(e)) if e.problem_with(Field::Password) == Some(Problem::Wrong)))
    };
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, nav_log_in)) />
        <section class="auth-card">
            <h1>{t!(i18n, log_in_title)}</h1>
            <ActionForm action=action attr:class="form" attr:data-testid="log-in-form">
                {move || wrong().then(|| view! {
                    <p class="notice notice-error" role="alert">{t!(i18n, err_wrong_login)}</p>
                })}
                <TextField name="login" label=move || t!(i18n, field_login) autocomplete="username"
                    problem=problem(Field::Username) />
                <TextField name="password" kind="password" label=move || t!(i18n, field_password)
                    autocomplete="current-password" problem=problem(Field::Password) />
                <FormFailure action_failed=Signal::derive(move || {
                    action.value().with(|v| matches!(v, Some(Err(e)) if !matches!(e, AppError::Validation(_))))
                }) />
                <button type="submit" class="button wide" disabled=move || action.pending().get()>
                    {t!(i18n, submit_log_in)}
                </button>
            </ActionForm>
            <p class="switch">{t!(i18n, no_account)} " " <a href="/signup">{t!(i18n, nav_sign_up)}</a></p>
        </section>
    }
}
