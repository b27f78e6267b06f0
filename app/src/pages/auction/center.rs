//! The buyer center's "my bids" and the seller center's "my auctions".

use crate::{
    api::auction::{my_auctions, my_bids},
    components::{form::LogInFirst, page_title::PageTitle, time::When},
    domain::auction::{Outcome, Phase},
    error::AppError,
    i18n::*,
    model::{BidStanding, MyAuction, OrderState},
};
use leptos::{either::EitherOf4, prelude::*};

#[component]
pub fn MyBidsPage() -> impl IntoView {
    let i18n = use_i18n();
    let rows = Resource::new(|| (), |_| my_bids());
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, my_bids_title)) />
        <h1>{t!(i18n, my_bids_title)}</h1>
        <crate::pages::wallet::center::CenterNav />
        <AuctionTable rows next="/my/bids" empty=ViewFn::from(move || t!(i18n, my_bids_empty)) />
    }
}

#[component]
pub fn MyAuctionsPage() -> impl IntoView {
    let i18n = use_i18n();
    let rows = Resource::new(|| (), |_| my_auctions());
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, my_auctions_title)) />
        <h1>{t!(i18n, my_auctions_title)}</h1>
        <crate::pages::wallet::center::CenterNav />
        <AuctionTable rows next="/my/auctions" empty=ViewFn::from(move || t!(i18n, my_auctions_empty)) />
    }
}

#[component]
fn AuctionTable(
    rows: Resource<Result<Vec<MyAuction>, AppError>>,
    next: &'static str,
    empty: ViewFn,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let empty = empty.clone();
                Suspend::new(async move {
                    match rows.await {
                        Ok(rows) if rows.is_empty() => EitherOf4::A(view! { <p class="notice">{empty.run()}</p> }),
                        Ok(rows) => EitherOf4::B(view! {
                            <ul class="auction-list" data-testid="auction-list">
                                {rows.into_iter().map(|row| view! { <AuctionRow row /> }).collect_view()}
                            </ul>
                        }),
                        Err(AppError::Unauthenticated) => EitherOf4::C(view! { <LogInFirst next /> }),
                        Err(_) => EitherOf4::D(view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn AuctionRow(row: MyAuction) -> impl IntoView {
    let i18n = use_i18n();
    let id = row.card.id;
    let standing = row.standing.map(|s| {
        let (class, text) = match s {
            BidStanding::Leading => ("badge badge-ok", t_string!(i18n, standing_leading)),
            BidStanding::Outbid => ("badge badge-warn", t_string!(i18n, standing_outbid)),
            BidStanding::Won => ("badge badge-ok", t_string!(i18n, standing_won)),
            BidStanding::Lost => ("badge", t_string!(i18n, standing_lost)),
        };
        view! { <span class=class data-testid="standing">{text}</span> }
    });
    let phase = match (row.phase, row.outcome) {
        (Phase::Scheduled, _) => t_string!(i18n, phase_scheduled),
        (Phase::Live, _) => t_string!(i18n, phase_live),
        (Phase::Ended, Some(Outcome::Sold)) => t_string!(i18n, auction_ended_sold),
        (Phase::Ended, _) => t_string!(i18n, auction_ended_unsold),
        (Phase::Cancelled, _) => t_string!(i18n, auction_cancelled),
    };
    view! {
        <li class="auction-row">
            {row.card.thumb_url.clone().map(|src| view! { <img src=src alt="" width="64" height="64" loading="lazy" /> })}
            <div class="auction-row-main">
                <a href=format!("/a/{id}")>{row.card.title.clone()}</a>
                <p class="muted small">
                    {phase} " · " {row.card.price.to_string()} " · " {t!(i18n, auction_bid_count, count = row.bids)}
                    {row.card.ends_at.map(|t| view! { " · " <When ms=t /> })}
                </p>
                {row.my_max.map(|m| view! { <p class="small">{t!(i18n, auction_your_max, price = m.to_string())}</p> })}
                {row.order.map(|o| {
                    let state = match o.state {
                        OrderState::AwaitingPayment => t_string!(i18n, order_awaiting_payment),
                        OrderState::Cancelled => t_string!(i18n, order_cancelled),
                        OrderState::Paid => t_string!(i18n, order_paid_escrow),
                    };
                    view! {
                        <p class="small" data-testid="order">
                            {t!(i18n, order_label)} " #" {o.public_id[..8].to_owned()} " · " {o.amount.to_string()} " · " {state}
                            {o.pay_by.map(|t| view! { " · " {t!(i18n, order_pay_by)} " " <When ms=t /> })}
                        </p>
                    }
                })}
            </div>
            {standing}
        </li>
    }
}
