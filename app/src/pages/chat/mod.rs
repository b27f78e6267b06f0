//! Conversations between two members about a listing: the inbox, one
//! conversation, the chat panel the negotiation room embeds, and the
//! members one has blocked.

pub mod blocked;
pub mod conversation;
pub mod inbox;
pub mod panel;
mod rules;

use leptos::{either::Either, prelude::*};
use leptos_router::hooks::use_params_map;

/// `/messages` and `/messages/<id>`: one route, so the inbox and a
/// conversation (the way from one to the other) share one lazily loaded
/// chunk, and the first-load file carries one route less.
#[component]
pub fn MessagesPage() -> impl IntoView {
    let params = use_params_map();
    let open = Memo::new(move |_| params.with(|p| p.get("id").is_some()));
    move || {
        if open.get() {
            Either::Left(conversation::ConversationPage())
        } else {
            Either::Right(inbox::InboxPage())
        }
    }
}
