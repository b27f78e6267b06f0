//! `/orders`: deals waiting for their meet-up ("to trade"), then what the
//! viewer bought and sold, each line leading to its room.

use super::{rules::soonest_first, text::StatusText};
use crate::{
    api::order::fetch_my_orders,
    components::{form::LogInFirst, page_title::PageTitle, time::When},
    domain::order::Party,
    error::AppError,
    i18n::*,
    model::{MyOrders, OrderLine},
};
use leptos::{either::EitherOf3, prelude::*};

#[component]
pub fn OrdersPage() -> impl IntoView {
    let i18n = use_i18n();
    let orders = Resource::new(|| (), |_| fetch_my_orders());
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, orders_title)) />
        <h1>{t!(i18n, orders_title)}</h1>
        <crate::pages::wallet::center::CenterNav />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match orders.await {
                    Ok(orders) => EitherOf3::A(view! { <Lists orders /> }),
                    Err(AppError::Unauthenticated) => EitherOf3::B(view! { <LogInFirst next="/orders" /> }),
                    Err(_) => EitherOf3::C(view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Lists(orders: MyOrders) -> impl IntoView {
    let i18n = use_i18n();
    let MyOrders {
        mut to_trade,
        history,
    } = orders;
    soonest_first(&mut to_trade);
    let (bought, sold): (Vec<_>, Vec<_>) = history.into_iter().partition(|l| l.you == Party::Buyer);
    view! {
        <section class="order-section" aria-labelledby="to-trade-heading">
            <h2 id="to-trade-heading">{t!(i18n, orders_to_trade)}</h2>
            <Lines lines=to_trade testid="to-trade" meetup=true
                empty=ViewFn::from(move || t!(i18n, orders_to_trade_empty)) />
        </section>
        <section class="order-section" aria-labelledby="bought-heading">
            <h2 id="bought-heading">{t!(i18n, orders_bought)}</h2>
            <Lines lines=bought testid="bought" meetup=false
                empty=ViewFn::from(move || t!(i18n, orders_bought_empty)) />
        </section>
        <section class="order-section" aria-labelledby="sold-heading">
            <h2 id="sold-heading">{t!(i18n, orders_sold)}</h2>
            <Lines lines=sold testid="sold" meetup=false
                empty=ViewFn::from(move || t!(i18n, orders_sold_empty)) />
        </section>
    }
}

#[component]
fn Lines(
    lines: Vec<OrderLine>,
    testid: &'static str,
    meetup: bool,
    empty: ViewFn,
) -> impl IntoView {
    if lines.is_empty() {
        return view! { <p class="muted" data-testid=testid>{empty.run()}</p> }.into_any();
    }
    view! {
        <ul class="order-list" data-testid=testid>
            {lines.into_iter().map(|line| view! { <Line line meetup /> }).collect_view()}
        </ul>
    }
    .into_any()
}

/// One order: what, with whom, for how much, where it stands; for a deal
/// ahead of its meet-up, where and when.
#[component]
fn Line(line: OrderLine, meetup: bool) -> impl IntoView {
    let i18n = use_i18n();
    let OrderLine {
        order,
        listing,
        you,
        other,
        state,
        quantity,
        price,
        place,
        time,
        created_at,
    } = line;
    let role = match you {
        Party::Buyer => t_string!(i18n, order_seller),
        Party::Seller => t_string!(i18n, order_buyer),
    };
    view! {
        <li class="order-row" data-testid="order-line">
            {listing.thumb_url.map(|src| view! { <img src=src alt="" width="56" height="56" loading="lazy" /> })}
            <div class="order-row-main">
                <a href=format!("/o/{order}")>{listing.title}</a>
                <p class="muted small">
                    {role} ": " {other.name} " · × " {quantity} " · " {price.to_string()}
                </p>
                {if meetup {
                    view! {
                        <p class="small order-meetup">
                            {(!place.is_empty()).then(|| view! { {place} " · " })}
                            {match time {
                                Some(ms) => view! { <When ms /> }.into_any(),
                                None => t!(i18n, order_not_proposed).into_any(),
                            }}
                        </p>
                    }.into_any()
                } else {
                    view! { <p class="muted small">{t!(i18n, order_ordered_at)} " " <When ms=created_at /></p> }.into_any()
                }}
            </div>
            <span class=format!("badge order-state state-{}", state.as_str())><StatusText state /></span>
        </li>
    }
}
