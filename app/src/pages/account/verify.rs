//! `/verify`: confirm the email address with the code that was mailed.

use crate::{
    api::account::{ConfirmCode, ResendEmailCode, fetch_own_account},
    auth::Auth,
    components::{
        form::{FormFailure, LogInFirst, Saved, TextField, problem_of, succeeded},
        page_title::PageTitle,
    },
    domain::form::Field,
    error::AppError,
    i18n::*,
    model::CodeChannel,
};
use leptos::prelude::*;

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let i18n = use_i18n();
    let confirm = ServerAction::<ConfirmCode>::new();
    let resend = ServerAction::<ResendEmailCode>::new();
    let auth = expect_context::<Auth>();
    Effect::new(move |_| {
        if succeeded(confirm.value()).get() {
            auth.changed.update(|n| *n += 1);
        }
    });
    let account = Resource::new(move || confirm.version().get(), |_| fetch_own_account());
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, verify_title)) />
        <section class="auth-card">
            <h1>{t!(i18n, verify_title)}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match account.await {
                        Err(AppError::Unauthenticated) => view! { <LogInFirst next="/verify" /> }.into_any(),
                        Err(_) => view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }.into_any(),
                        Ok(me) if me.email_verified && me.email_pending.is_none() => view! {
                            <p class="notice notice-ok" role="status" data-testid="email-verified">
                                {t!(i18n, email_verified_now, email = me.email.clone())}
                            </p>
                            <p><a class="button" href="/">{t!(i18n, continue_shopping)}</a></p>
                        }.into_any(),
                        Ok(me) => {
                            let target = me.email_pending.clone().unwrap_or(me.email.clone());
                            view! {
                                <p class="lead">{t!(i18n, verify_sent_to, email = target)}</p>
                                <CodeForm action=confirm channel=CodeChannel::Email />
                                <ActionForm action=resend attr:class="inline-form">
                                    <button type="submit" class="button-ghost" disabled=move || resend.pending().get()>
                                        {t!(i18n, resend_code)}
                                    </button>
                                </ActionForm>
                                <p class="field-error" aria-live="polite">
                                    {move || problem_of(resend.value(), Field::Code).get().map(|problem| view! {
                                        <crate::components::form::ProblemText problem />
                                    })}
                                </p>
                                <Saved outcome=resend.value() text=move || t!(i18n, code_resent) />
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A six-digit code entry for the code sent on `channel`.
#[component]
pub fn CodeForm(action: ServerAction<ConfirmCode>, channel: CodeChannel) -> impl IntoView {
    let i18n = use_i18n();
    let channel = match channel {
        CodeChannel::Email => "email",
        CodeChannel::Phone => "phone",
    };
    view! {
        <ActionForm action=action attr:class="form" attr:data-testid=format!("{channel}-code-form")>
            <input type="hidden" name="channel" value=channel />
            <TextField name="code" id=format!("{channel}-code") label=move || t!(i18n, field_code) autocomplete="one-time-code"
                hint=move || t!(i18n, hint_code) problem=problem_of(action.value(), Field::Code) />
            <FormFailure outcome=action.value() />
            <button type="submit" class="button" disabled=move || action.pending().get()>
                {t!(i18n, submit_code)}
            </button>
        </ActionForm>
    }
}
