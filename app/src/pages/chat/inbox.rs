//! `/messages`: the signed-in member's conversations, the most recently
//! active first, with what is unread in each.

use crate::{
    api::chat::fetch_inbox,
    components::{page_title::PageTitle, time::When},
    error::AppError,
    i18n::*,
    live::Live,
    model::InboxLine,
};
use leptos::{either::EitherOf3, prelude::*};

#[component]
pub fn InboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let live = expect_context::<Live>();
    // A new message anywhere moves the header's count: the list follows it.
    let inbox = Resource::new(move || live.messages_unread.get(), |_| fetch_inbox());
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, messages_title)) />
        <div class="inbox-page">
            <h1>{t!(i18n, messages_title)}</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match inbox.await {
                        Ok(inbox) if inbox.lines.is_empty() => EitherOf3::A(view! {
                            <p class="muted" data-testid="inbox-empty">{t!(i18n, inbox_empty)}</p>
                        }),
                        Ok(inbox) => EitherOf3::B(view! {
                            <ul class="inbox" data-testid="inbox">
                                {inbox.lines.into_iter().map(|line| view! { <Line line /> }).collect_view()}
                            </ul>
                        }),
                        Err(AppError::Unauthenticated) => EitherOf3::C(view! {
                            <p class="notice" role="alert">
                                {t!(i18n, log_in_first)} " " <a href="/login?next=/messages">{t!(i18n, nav_log_in)}</a>
                            </p>
                        }.into_any()),
                        Err(_) => EitherOf3::C(view! {
                            <p class="notice notice-error">{t!(i18n, err_generic)}</p>
                        }.into_any()),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Line(line: InboxLine) -> impl IntoView {
    let i18n = use_i18n();
    let InboxLine {
        id,
        listing,
        other,
        last,
        last_at,
        unread,
    } = line;
    view! {
        <li class="inbox-line" class:unread={unread > 0} data-testid="inbox-line">
            <a href=format!("/messages/{id}")>
                {match listing.thumb_url {
                    Some(src) => view! { <img class="chat-thumb" src=src alt="" width="56" height="56" /> }.into_any(),
                    None => view! { <span class="chat-thumb" aria-hidden="true"></span> }.into_any(),
                }}
                <span class="inbox-text">
                    <strong class="inbox-title">{listing.title}</strong>
                    <span class="inbox-other muted small">{other.name}</span>
                    <span class="inbox-last">{last.unwrap_or_default()}</span>
                </span>
                <span class="inbox-side">
                    <span class="muted small"><When ms=last_at /></span>
                    {(unread > 0).then(|| view! {
                        <span class="badge-count" data-testid="inbox-unread">
                            {unread}
                            <span class="visually-hidden">" " {t!(i18n, inbox_unread)}</span>
                        </span>
                    })}
                </span>
            </a>
        </li>
    }
}
