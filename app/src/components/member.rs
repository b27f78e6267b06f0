//! How a member appears wherever their name is shown.

use crate::i18n::*;
use leptos::prelude::*;

/// The mark of an identity-verified member.
#[component]
pub fn VerifiedBadge() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class="verified" title=move || t_string!(i18n, verified_title) data-testid="verified-badge">
            <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                <path d="M8 1l1.9 1.4 2.3-.1.7 2.2 1.9 1.3-.8 2.2.8 2.2-1.9 1.3-.7 2.2-2.3-.1L8 15l-1.9-1.4-2.3.1-.7-2.2L1.2 10.2 2 8l-.8-2.2 1.9-1.3.7-2.2 2.3.1z" fill="currentColor" />
                <path d="M5.2 8.2l1.9 1.9 3.7-3.9" stroke="#fff" stroke-width="1.6" fill="none" stroke-linecap="round" stroke-linejoin="round" />
            </svg>
            <span class="verified-text">{t!(i18n, verified)}</span>
        </span>
    }
}

/// A round avatar: the picture, or the nickname's first letter.
#[component]
pub fn Avatar(
    url: Option<String>,
    nickname: String,
    #[prop(default = 40)] size: u32,
) -> impl IntoView {
    let initial: String = nickname
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    let style = format!(
        "width:{size}px;height:{size}px;font-size:{}px",
        size * 2 / 5
    );
    match url {
        Some(url) => view! { <img class="avatar" src=url alt="" width=size height=size style=style /> }.into_any(),
        None => view! { <span class="avatar avatar-initial" aria-hidden="true" style=style>{initial}</span> }.into_any(),
    }
}

/// Nickname plus badge.
#[component]
pub fn MemberName(nickname: String, verified: bool) -> impl IntoView {
    view! {
        <span class="member-name">{nickname}{verified.then(|| view! { " " <VerifiedBadge /> })}</span>
    }
}
