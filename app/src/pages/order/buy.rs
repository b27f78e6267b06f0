//! `/l/<id>/buy`: ordering from a fixed-price or offers-welcome listing. A
//! plain form on a server function: it works without JavaScript, and the
//! server's answer is the new order's negotiation room.

use super::{
    rules::buy_refusal,
    text::{DealFailure, DealRefusalText, TermName},
};
use crate::{
    api::{catalog::fetch_listing, order::PlaceOrder},
    auth::Auth,
    components::form::{ProblemText, action_outcome, problem_of},
    domain::{
        form::Field,
        order::{MAX_QUANTITY, MAX_REMARK, Term},
    },
    error::AppError,
    i18n::*,
    model::ListingDetail,
    pages::not_found::NotFoundPage,
};
use leptos::{either::EitherOf4, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn BuyPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    let listing = Resource::new(id, |id| async move {
        match id {
            Some(id) => fetch_listing(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let signed_in = matches!(auth.viewer.await, Ok(Some(_)));
                match listing.await {
                    Ok(detail) if signed_in => EitherOf4::A(view! {
                        <Title text=format!("{} · {} · Haggle", t_string!(i18n, buy_title), detail.title) />
                        <BuyForm detail />
                    }),
                    Ok(detail) => EitherOf4::B(view! {
                        <div class="buy-card">
                            <h1>{t!(i18n, buy_title)}</h1>
                            <p class="notice" role="alert">
                                {t!(i18n, log_in_first)} " "
                                <a href=format!("/login?next=/l/{}/buy", detail.id)>{t!(i18n, nav_log_in)}</a>
                            </p>
                        </div>
                    }),
                    Err(AppError::NotFound) => EitherOf4::C(view! { <NotFoundPage /> }),
                    Err(_) => EitherOf4::D(view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn BuyForm(detail: ListingDetail) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<PlaceOrder>::new();
    let outcome = action_outcome(action);
    let quantity = problem_of(outcome, Field::Quantity);
    let remark = problem_of(outcome, Field::Remark);
    let refusal = buy_refusal(detail.mine, detail.status, detail.sale_mode, detail.stock);
    let id = detail.id;
    let most = detail.stock.clamp(1, i64::from(MAX_QUANTITY));
    view! {
        <div class="buy-card" data-testid="buy-page">
            <h1>{t!(i18n, buy_title)}</h1>
            <div class="buy-listing">
                {detail.images.first().map(|img| view! {
                    <img src=img.thumb_url.clone() alt="" width="72" height="72" />
                })}
                <div>
                    <a class="buy-listing-title" href=format!("/l/{id}")>{detail.title.clone()}</a>
                    <dl class="order-facts">
                        <dt>{t!(i18n, buy_unit_price)}</dt>
                        <dd data-testid="unit-price">{detail.price.to_string()}</dd>
                        <dt>{t!(i18n, buy_units_left)}</dt>
                        <dd data-testid="units-left">{detail.stock}</dd>
                    </dl>
                </div>
            </div>
            {match refusal {
                Some(refusal) => view! {
                    <p class="notice notice-error" role="alert" data-testid="deal-refusal">
                        <DealRefusalText refusal />
                    </p>
                }.into_any(),
                None => view! {
                    <ActionForm action attr:class="form" attr:data-testid="buy-form">
                        <input type="hidden" name="listing" value=id />
                        <div class="field">
                            <label for="buy-quantity"><TermName term=Term::Quantity /></label>
                            <input id="buy-quantity" name="quantity" type="number" min="1" max=most step="1"
                                value="1" inputmode="numeric" required aria-describedby="buy-quantity-error"
                                aria-invalid=move || quantity.get().is_some().to_string() />
                            <p class="field-error" id="buy-quantity-error" aria-live="polite">
                                {move || quantity.get().map(|problem| view! { <ProblemText problem /> })}
                            </p>
                        </div>
                        <div class="field">
                            <label for="buy-remark">{t!(i18n, buy_remark)}</label>
                            <textarea id="buy-remark" name="remark" rows="3" maxlength=MAX_REMARK
                                aria-describedby="buy-remark-hint buy-remark-error"
                                aria-invalid=move || remark.get().is_some().to_string()></textarea>
                            <p class="field-hint" id="buy-remark-hint">{t!(i18n, buy_remark_hint)}</p>
                            <p class="field-error" id="buy-remark-error" aria-live="polite">
                                {move || remark.get().map(|problem| view! { <ProblemText problem /> })}
                            </p>
                        </div>
                        <p class="muted small">{t!(i18n, buy_next)} " " {t!(i18n, order_payment)} ": " {t!(i18n, order_cash)}</p>
                        <DealFailure outcome />
                        <button type="submit" class="button wide" data-testid="place-order">{t!(i18n, buy_place_order)}</button>
                    </ActionForm>
                }.into_any(),
            }}
        </div>
    }
}
