use crate::{i18n::*, live::Live};
use leptos::{either::EitherOf3, prelude::*};

/// "3 online": live count of open tabs, updated over the WebSocket.
#[component]
pub fn OnlineBadge() -> impl IntoView {
    let i18n = use_i18n();
    let live = expect_context::<Live>();
    view! {
        <span class="online" data-testid="online" aria-live="polite">
            {move || match (live.connected.get(), live.online.get()) {
                (true, Some(count)) => EitherOf3::A(view! {
                    <span class="dot" aria-hidden="true"></span>
                    {t!(i18n, online, count)}
                }),
                (false, Some(_)) => EitherOf3::B(view! {
                    <span class="dot dot-off" aria-hidden="true"></span>
                    {t!(i18n, reconnecting)}
                }),
                (_, None) => EitherOf3::C(()),
            }}
        </span>
    }
}
