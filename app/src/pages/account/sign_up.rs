use crate::{
    api::account::auth::{nickname_free, username_free},
    auth::Auth,
    components::{
        form::{Captcha, FormFailure, TextField, action_outcome, debounced, problem_of},
        page_title::PageTitle,
    },
    domain::{
        account::{check_email, check_nickname, check_password, check_username},
        form::{Field, Problem},
    },
    i18n::*,
};
use leptos::prelude::*;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = expect_context::<Auth>().sign_up;
    let username = RwSignal::new(String::new());
    let nickname = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());

    // What the server said about the last submission (also when it came
    // back from a plain form post, before the page hydrated).
    let outcome = action_outcome(action);
    let server = move |field: Field| {
        outcome.with(|v| match v {
            Some(Err(e)) => e.problem_with(field),
            _ => None,
        })
    };
    // The same rules the server applies, run while the user types.
    let local = move |field: Field, value: RwSignal<String>, check: fn(&str) -> Option<Problem>| {
        Signal::derive(move || {
            let v = value.get();
            if v.is_empty() {
                server(field)
            } else {
                check(&v).or_else(|| server(field))
            }
        })
    };
    let username_problem = local(Field::Username, username, |v| check_username(v).err());
    let nickname_problem = local(Field::Nickname, nickname, |v| check_nickname(v).err());
    let email_problem = local(Field::Email, email, |v| check_email(v, &[]).err());
    let password_problem = local(Field::Password, password, |v| check_password(v).err());

    // Availability, asked once the user pauses typing a valid name.
    let username_settled = debounced(username, 300);
    let nickname_settled = debounced(nickname, 300);
    let username_available = Resource::new(
        move || username_settled.get(),
        |name| async move {
            if check_username(&name).is_err() {
                None
            } else {
                username_free(name).await.ok()
            }
        },
    );
    let nickname_available = Resource::new(
        move || nickname_settled.get(),
        |name| async move {
            if check_nickname(&name).is_err() {
                None
            } else {
                nickname_free(name).await.ok()
            }
        },
    );
    let with_availability = move |problem: Signal<Option<Problem>>,
                                  free: Resource<Option<bool>>| {
        Signal::derive(move || {
            problem
                .get()
                .or_else(|| (free.get().flatten() == Some(false)).then_some(Problem::Taken))
        })
    };
    let username_problem = with_availability(username_problem, username_available);
    let nickname_problem = with_availability(nickname_problem, nickname_available);
    let free_note = move |problem: Signal<Option<Problem>>, free: Resource<Option<bool>>| {
        move || {
            (problem.get().is_none() && free.get().flatten() == Some(true))
                .then(|| view! { <p class="field-ok">{t!(i18n, available)}</p> })
        }
    };

    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, nav_sign_up)) />
        <section class="auth-card">
            <h1>{t!(i18n, sign_up_title)}</h1>
            <p class="lead">{t!(i18n, sign_up_intro)}</p>
            <ActionForm action=action attr:class="form" attr:data-testid="sign-up-form">
                <TextField name="username" label=move || t!(i18n, field_username) autocomplete="username"
                    hint=move || t!(i18n, hint_username) problem=username_problem value=username>
                    {free_note(username_problem, username_available)}
                </TextField>
                <TextField name="nickname" label=move || t!(i18n, field_nickname) autocomplete="nickname"
                    hint=move || t!(i18n, hint_nickname) problem=nickname_problem value=nickname>
                    {free_note(nickname_problem, nickname_available)}
                </TextField>
                <TextField name="email" kind="email" label=move || t!(i18n, field_email) autocomplete="email"
                    problem=email_problem value=email />
                <TextField name="password" kind="password" label=move || t!(i18n, field_password)
                    autocomplete="new-password" hint=move || t!(i18n, hint_password) problem=password_problem
                    value=password />
                <Captcha problem=problem_of(outcome, Field::Captcha)
                    hint=move || t!(i18n, hint_captcha_sign_up) />
                <FormFailure outcome />
                <button type="submit" class="button wide" disabled=move || action.pending().get()>
                    {t!(i18n, submit_sign_up)}
                </button>
            </ActionForm>
            <p class="switch">{t!(i18n, have_account)} " " <a href="/login">{t!(i18n, nav_log_in)}</a></p>
        </section>
    }
}
