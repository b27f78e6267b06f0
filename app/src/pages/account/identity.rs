//! `/settings/identity`: verify one's real name with an ID-card photo.

use crate::{
    api::account::identity::verify_identity,
    auth::Auth,
    components::{
        form::{LogInFirst, ProblemText, form_data},
        page_title::PageTitle,
    },
    domain::form::Field,
    error::AppError,
    i18n::*,
    model::IdCheck,
};
use leptos::prelude::*;

#[component]
pub fn IdentityPage() -> impl IntoView {
    let i18n = use_i18n();
    let check = Action::new_local(|data: &web_sys::FormData| verify_identity(data.clone().into()));
    let outcome = check.value();
    let auth = expect_context::<Auth>();
    Effect::new(move |_| {
        if outcome.with(|v| matches!(v, Some(Ok(IdCheck::Verified)))) {
            auth.changed.update(|n| *n += 1);
        }
    });
    let problem = move |field: Field| {
        move || {
            outcome
                .with(|v| match v {
                    Some(Err(e)) => e.problem_with(field),
                    _ => None,
                })
                .map(|problem| view! { <ProblemText problem /> })
        }
    };
    let failed = move || {
        outcome.with(|v| match v {
            Some(Err(AppError::Unauthenticated)) => {
                Some(view! { <LogInFirst next="/settings/identity" /> }.into_any())
            }
            Some(Err(AppError::Validation(_))) | Some(Ok(_)) | None => None,
            Some(Err(_)) => Some(
                view! { <p class="notice notice-error" role="alert">{t!(i18n, err_generic)}</p> }
                    .into_any(),
            ),
        })
    };
    let done = move || {
        outcome.with(|v| match v {
            Some(Ok(IdCheck::Verified)) => Some(view! {
                <p class="notice notice-ok" role="status" data-testid="id-verified">{t!(i18n, id_verified_done)}</p>
            }.into_any()),
            Some(Ok(IdCheck::InReview)) => Some(view! {
                <p class="notice notice-ok" role="status" data-testid="id-in-review">{t!(i18n, id_in_review)}</p>
            }.into_any()),
            _ => None,
        })
    };
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, settings_identity)) />
        <section class="auth-card">
            <h1>{t!(i18n, settings_identity)}</h1>
            <p class="lead">{t!(i18n, id_explain)}</p>
            <p class="muted">{t!(i18n, id_privacy)}</p>
            {done}
            <form class="form" method="post" enctype="multipart/form-data" action="/api/identity/verify"
                on:submit=move |ev| { if let Some(data) = form_data(&ev) { check.dispatch_local(data); } }
                data-testid="identity-form">
                <div class="field">
                    <label for="number">{t!(i18n, field_id_number)}</label>
                    <input id="number" name="number" type="text" autocomplete="off" required
                        aria-describedby="number-hint number-error" />
                    <p class="field-hint" id="number-hint">{t!(i18n, hint_id_number)}</p>
                    <p class="field-error" id="number-error" aria-live="polite">{problem(Field::IdNumber)}</p>
                </div>
                <div class="field">
                    <label for="photo">{t!(i18n, field_id_photo)}</label>
                    <input id="photo" name="photo" type="file" accept="image/jpeg,image/png,image/webp" required
                        aria-describedby="photo-error" />
                    <p class="field-error" id="photo-error" aria-live="polite">{problem(Field::IdPhoto)}</p>
                </div>
                // A check needs a verified e-mail first; the daily limit
                // answers 429, which `failed` reports. (Said through the
                // per-field path: a page-specific notice here moved ~90 KB
                // of WASM into every first visit, by the splitter's choice.)
                <p class="field-error" role="alert">{problem(Field::Email)}</p>
                {failed}
                <button type="submit" class="button wide" disabled=move || check.pending().get()>
                    {move || if check.pending().get() { t!(i18n, id_checking).into_any() } else { t!(i18n, id_submit).into_any() }}
                </button>
            </form>
        </section>
    }
}
