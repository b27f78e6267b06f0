//! Notifications in words, the header bell with its unread badge, and the
//! toast that shows one the moment it arrives.

use crate::{
    i18n::*,
    live::Live,
    model::{NoticeKind, Notification},
};
use leptos::prelude::*;

/// One notification as a sentence with a link to what it is about.
#[component]
pub fn NoticeText(notification: Notification) -> impl IntoView {
    let i18n = use_i18n();
    let title = notification.title.clone();
    let price = notification
        .amount
        .map(|m| m.to_string())
        .unwrap_or_default();
    let text = move || match notification.kind {
        NoticeKind::Outbid => t_string!(i18n, notice_outbid).to_owned(),
        NoticeKind::AuctionStarted => t_string!(i18n, notice_started).to_owned(),
        NoticeKind::AuctionWon => t_string!(i18n, notice_won).to_owned(),
        NoticeKind::AuctionSold => t_string!(i18n, notice_sold).to_owned(),
        NoticeKind::AuctionUnsold => t_string!(i18n, notice_unsold).to_owned(),
        NoticeKind::ReserveNotMet => t_string!(i18n, notice_reserve_not_met).to_owned(),
        NoticeKind::OrderPlaced => t_string!(i18n, notice_order_placed).to_owned(),
        NoticeKind::OrderUpdated => t_string!(i18n, notice_order_updated).to_owned(),
        NoticeKind::OrderBuyerConfirmed => t_string!(i18n, notice_order_buyer_confirmed).to_owned(),
        NoticeKind::OrderEstablished => t_string!(i18n, notice_order_established).to_owned(),
        NoticeKind::OrderCancelled => t_string!(i18n, notice_order_cancelled).to_owned(),
        NoticeKind::OrderCompleted => t_string!(i18n, notice_order_completed).to_owned(),
        NoticeKind::OrderPaid => t_string!(i18n, notice_order_paid).to_owned(),
        NoticeKind::UnpaidStrike => t_string!(i18n, notice_unpaid_strike).to_owned(),
        NoticeKind::SecondChance => t_string!(i18n, notice_second_chance).to_owned(),
        NoticeKind::OfferReceived => t_string!(i18n, notice_offer_received).to_owned(),
        NoticeKind::OfferCountered => t_string!(i18n, notice_offer_countered).to_owned(),
        NoticeKind::OfferAccepted => t_string!(i18n, notice_offer_accepted).to_owned(),
        NoticeKind::OfferDeclined => t_string!(i18n, notice_offer_declined).to_owned(),
        NoticeKind::OfferWithdrawn => t_string!(i18n, notice_offer_withdrawn).to_owned(),
        NoticeKind::OfferExpired => t_string!(i18n, notice_offer_expired).to_owned(),
        NoticeKind::TopUpSucceeded => t_string!(i18n, notice_top_up_succeeded).to_owned(),
        NoticeKind::TopUpDeclined => t_string!(i18n, notice_top_up_declined).to_owned(),
        NoticeKind::WithdrawalSent => t_string!(i18n, notice_withdrawal_sent).to_owned(),
    };
    // An order or offer notice leads to its room or page; an auction's to its room.
    let href = notification
        .link
        .clone()
        .or_else(|| notification.listing.map(|id| format!("/a/{id}")))
        .unwrap_or_else(|| "/notifications".into());
    // A wallet notice has no listing: its sentence is the link.
    let wallet = notification.kind.is_wallet();
    view! {
        <span class="notice-kind" data-kind=notification.kind.as_str()>{(!wallet).then_some(text)}</span>
        " "
        <a href=href>{if wallet { text().into_any() } else { title.into_any() }}</a>
        {(!price.is_empty()).then(|| view! { " · " <span class="price">{price.clone()}</span> })}
    }
}

/// The bell: a link to the notifications page with the unread count, which
/// the WebSocket brings (on connect, and with every new notification).
#[component]
pub fn Bell() -> impl IntoView {
    let i18n = use_i18n();
    let live = expect_context::<Live>();
    let count = move || live.unread.get().unwrap_or(0);
    view! {
        <a class="bell" href="/notifications" data-testid="bell"
            aria-label=move || format!("{} ({})", t_string!(i18n, notifications_title), count())>
            <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
                <path d="M12 3a6 6 0 0 0-6 6v3.5L4.5 16h15L18 12.5V9a6 6 0 0 0-6-6zM9.5 19a2.5 2.5 0 0 0 5 0"
                    fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" />
            </svg>
            {move || (count() > 0).then(|| view! { <span class="badge-count" data-testid="unread">{count()}</span> })}
        </a>
    }
}

/// "Messages": a link to the inbox with the unread chat messages, which
/// the WebSocket brings like the bell's count.
#[component]
pub fn MessagesLink() -> impl IntoView {
    let i18n = use_i18n();
    let live = expect_context::<Live>();
    let count = move || live.messages_unread.get().unwrap_or(0);
    view! {
        <a class="messages-link" href="/messages" data-testid="messages-link">
            {t!(i18n, nav_messages)}
            {move || (count() > 0).then(|| view! { " " <span class="badge-count" data-testid="messages-unread">{count()}</span> })}
        </a>
    }
}

/// The newest notification, as it arrives, until dismissed.
#[component]
pub fn NoticeToast() -> impl IntoView {
    let i18n = use_i18n();
    let live = expect_context::<Live>();
    move || {
        live.notice.get().map(|notification| {
            view! {
                <div class="toast" role="status" data-testid="toast">
                    <NoticeText notification />
                    <button type="button" class="button-ghost small" on:click=move |_| live.notice.set(None)
                        aria-label=move || t_string!(i18n, dismiss)>"×"</button>
                </div>
            }
        })
    }
}
