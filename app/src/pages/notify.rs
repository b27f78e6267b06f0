//! `/notifications`: what happened while you were away (and since).

use crate::{
    api::auction::my_notifications,
    components::{form::LogInFirst, notice::NoticeText, page_title::PageTitle, time::When},
    error::AppError,
    i18n::*,
    live::Live,
};
use leptos::{either::EitherOf4, prelude::*};

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let live = expect_context::<Live>();
    let list = Resource::new(|| (), |_| my_notifications());
    // Opening the page reads them all.
    Effect::new(move |_| {
        if let Some(Ok(_)) = list.get() {
            live.unread.set(Some(0));
        }
    });
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, notifications_title)) />
        <h1>{t!(i18n, notifications_title)}</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(n) if n.items.is_empty() => EitherOf4::A(view! { <p class="notice">{t!(i18n, notifications_empty)}</p> }),
                    Ok(n) => EitherOf4::B(view! {
                        <ul class="notifications" data-testid="notifications">
                            {n.items.into_iter().map(|item| {
                                let at = item.at;
                                let unread = !item.read;
                                view! {
                                    <li class:unread=unread>
                                        <NoticeText notification=item />
                                        <span class="muted small"><When ms=at /></span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }),
                    Err(AppError::Unauthenticated) => EitherOf4::C(view! { <LogInFirst next="/notifications" /> }),
                    Err(_) => EitherOf4::D(view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }),
                }
            })}
        </Suspense>
    }
}
