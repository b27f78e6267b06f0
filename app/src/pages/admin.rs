//! `/admin`: the moderation console (ID reviews for now).

use crate::{
    api::admin::{DecideIdReview, ReviewListing, RevokeIdentity, fetch_admin_overview},
    components::{
        catalog_labels::CategoryName,
        form::{FormFailure, LogInFirst, ProblemText, problem_of},
        page_title::PageTitle,
        time::When,
    },
    domain::form::Field,
    error::AppError,
    i18n::*,
    model::PendingListing,
};
use leptos::prelude::*;

#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let decide = ServerAction::<DecideIdReview>::new();
    let review = ServerAction::<ReviewListing>::new();
    let revoke = ServerAction::<RevokeIdentity>::new();
    let decide_problem = problem_of(decide.value(), Field::IdNumber);
    let overview = Resource::new(
        move || {
            (
                decide.version().get(),
                review.version().get(),
                revoke.version().get(),
            )
        },
        |_| fetch_admin_overview(),
    );
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, admin_title)) />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! {
                        <div class="admin" data-testid="admin-console">
                            <h1>{t!(i18n, admin_title)}</h1>
                            <p class="muted">{t!(i18n, admin_counts, users = o.users, listings = o.listings)}</p>
                            <ListingQueue listings=o.pending_listings review />
                            <h2>{t!(i18n, admin_id_reviews)}</h2>
                            <FormFailure outcome=decide.value() />
                            <FormFailure outcome=revoke.value() />
                            {move || decide_problem.get().map(|problem| view! {
                                <p class="notice notice-error" role="alert"><ProblemText problem /></p>
                            })}
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
                                                    <p class="muted"><When ms=r.created_at date_only=true /> " · "
                                                        {t!(i18n, admin_id_recent_attempts, n = r.recent_attempts)}</p>
                                                    {r.held_by.clone().map(|holder| {
                                                        let who = holder.clone();
                                                        view! {
                                                            <p class="notice notice-error" data-testid="id-collision">
                                                                {t!(i18n, admin_id_held_by, username = who)}
                                                            </p>
                                                            <ActionForm action=revoke attr:class="inline-form">
                                                                <input type="hidden" name="username" value=holder />
                                                                <button type="submit" class="button-ghost small">{t!(i18n, admin_revoke_identity)}</button>
                                                            </ActionForm>
                                                        }
                                                    })}
                                                    {(r.others_waiting > 0).then(|| view! {
                                                        <p class="notice" data-testid="id-collision">
                                                            {t!(i18n, admin_id_others_waiting, n = r.others_waiting)}
                                                        </p>
                                                    })}
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

/// Pending listings with their photos. Keyboard: J/K move, A approves the
/// focused one, R jumps to its rejection reason.
#[component]
fn ListingQueue(
    listings: Vec<PendingListing>,
    review: ServerAction<ReviewListing>,
) -> impl IntoView {
    let i18n = use_i18n();
    let problem = problem_of(review.value(), Field::Reason);
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        use wasm_bindgen::JsCast;
        let typing = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "TEXTAREA" | "INPUT"));
        if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let Some(item) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("[data-review-item]").ok().flatten())
        else {
            return;
        };
        let focus = |el: Option<web_sys::Element>| {
            if let Some(el) = el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = el.focus();
            }
        };
        match ev.key().as_str() {
            "j" => focus(item.next_element_sibling()),
            "k" => focus(item.previous_element_sibling()),
            "a" => focus(item.query_selector("[data-approve]").ok().flatten()),
            "r" => {
                ev.prevent_default();
                focus(item.query_selector("textarea").ok().flatten())
            }
            _ => {}
        }
    };
    view! {
        <h2>{t!(i18n, admin_listing_reviews)} " (" {listings.len()} ")"</h2>
        <FormFailure outcome=review.value() />
        {if listings.is_empty() {
            view! { <p class="muted">{t!(i18n, admin_queue_empty)}</p> }.into_any()
        } else {
            view! {
                <p class="muted small">{t!(i18n, admin_keys_hint)}</p>
                <ul class="reviews" on:keydown=on_key data-testid="listing-queue">
                    {listings.into_iter().map(|l| {
                        let id = l.id;
                        let version = l.updated_at;
                        let reason_id = format!("reason-{id}");
                        view! {
                            <li class="panel review listing-review" tabindex="0" data-review-item data-testid="listing-review">
                                <ul class="review-photos">
                                    {l.images.iter().map(|img| view! { <li><img src=img.thumb_url.clone() alt="" loading="lazy" /></li> }).collect_view()}
                                </ul>
                                <div>
                                    <h3><a href=format!("/l/{id}")>{l.title.clone()}</a></h3>
                                    <p><strong>{l.price.to_string()}</strong> " · " <CategoryName slug=l.category.clone() />
                                        " · " {l.seller_nickname.clone()} " @" {l.seller_username.clone()}</p>
                                    {(!l.tags.is_empty()).then(|| view! { <p class="muted">{l.tags.iter().map(|t| format!("#{t}")).collect::<Vec<_>>().join(" ")}</p> })}
                                    <p class="description clamp">{l.description.clone()}</p>
                                    <p class="muted small"><When ms=l.updated_at date_only=true /></p>
                                    <div class="row">
                                        <ActionForm action=review attr:class="inline-form">
                                            <input type="hidden" name="listing" value=id />
                                            <input type="hidden" name="approve" value="true" />
                                            <input type="hidden" name="version" value=version />
                                            <input type="hidden" name="reason" value="" />
                                            <button type="submit" class="button small" data-approve>{t!(i18n, admin_approve_listing)}</button>
                                        </ActionForm>
                                        <ActionForm action=review attr:class="inline-form reject-form">
                                            <input type="hidden" name="listing" value=id />
                                            <input type="hidden" name="approve" value="false" />
                                            <input type="hidden" name="version" value=version />
                                            <label for=reason_id.clone() class="visually-hidden">{t!(i18n, admin_reject_reason)}</label>
                                            <textarea id=reason_id name="reason" rows="1" required
                                                placeholder=move || t_string!(i18n, admin_reject_reason)></textarea>
                                            <button type="submit" class="button-ghost small">{t!(i18n, admin_reject_listing)}</button>
                                        </ActionForm>
                                    </div>
                                </div>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <p class="field-error">{move || problem.get().map(|problem| view! { <ProblemText problem /> })}</p>
            }.into_any()
        }}
    }
}
