//! `/admin`: the moderation console (ID reviews for now).

use crate::{
    api::admin::{DecideIdReview, fetch_admin_overview},
    components::{
        form::{FormFailure, LogInFirst},
        page_title::PageTitle,
    },
    domain::date::iso_date,
    error::AppError,
    i18n::*,
};
use leptos::prelude::*;

#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let decide = ServerAction::<DecideIdReview>::new();
    let overview = Resource::new(move || decide.version().get(), |_| fetch_admin_overview());
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, admin_title)) />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! {
                        <div class="admin" data-testid="admin-console">
                            <h1>{t!(i18n, admin_title)}</h1>
                            <p class="muted">{t!(i18n, admin_counts, users = o.users, listings = o.listings)}</p>
                            <h2>{t!(i18n, admin_id_reviews)}</h2>
                            <FormFailure outcome=decide.value() />
                            {if o.id_reviews.is_empty() {
                                view! { <p class="muted">{t!(i18n, admin_queue_empty)}</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="reviews">
                                        {o.id_reviews.into_iter().map(|r| view! {
                                            <li class="panel review" data-testid="id-review">
                                                <img src=format!("/admin/id-review/{}", r.id) alt=move || t_string!(i18n, admin_card_photo) loading="lazy" />
                                                <div>
                                                    <p><strong>{r.nickname.clone()}</strong> " @" {r.username.clone()}</p>
                                                    <p>{t!(i18n, admin_typed_number)} " " <code>{r.masked.clone()}</code> " (" {r.kind.clone()} ")"</p>
                                                    <p class="muted">{iso_date(r.created_at)}</p>
                                                    <div class="row">
                                                        <ActionForm action=decide attr:class="inline-form">
                                                            <input type="hidden" name="review" value=r.id />
                                                            <input type="hidden" name="approve" value="true" />
                                                            <button type="submit" class="button small">{t!(i18n, approve)}</button>
                                                        </ActionForm>
                                                        <ActionForm action=decide attr:class="inline-form">
                                                            <input type="hidden" name="review" value=r.id />
                                                            <input type="hidden" name="approve" value="false" />
                                                            <button type="submit" class="button-ghost">{t!(i18n, reject)}</button>
                                                        </ActionForm>
                                                    </div>
                                                </div>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </div>
                    }.into_any(),
                    Err(AppError::Forbidden) => view! { <ForbiddenPage /> }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <LogInFirst next="/admin" /> }.into_any(),
                    Err(_) => view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Shown to signed-in members who reach a page reserved for admins. The
/// router has already answered with status 403.
#[component]
pub fn ForbiddenPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=|l| format!("403 · {}", td_string!(l, forbidden_title)) />
        <section class="status-page" data-testid="forbidden">
            <p class="status-code" aria-hidden="true">"403"</p>
            <h1>{t!(i18n, forbidden_title)}</h1>
            <p>{t!(i18n, forbidden_body)}</p>
            <a class="button" href="/">{t!(i18n, back_home)}</a>
        </section>
    }
}
