//! `/messages/<id>`: one conversation. Its history is rendered on the server
//! (it reads without JavaScript); the panel then follows it live.

use super::panel::ChatPanel;
use crate::{
    api::chat::fetch_conversation, error::AppError, i18n::*, model::Conversation,
    pages::not_found::members_only,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ConversationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id"));
    let conversation = Resource::new(id, |id| async move {
        match id {
            Some(id) => fetch_conversation(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let back = format!("/messages/{}", id().unwrap_or_default());
                members_only(conversation.await, back, |conversation| view! {
                    <Title text=format!("{} · {} · Haggle", conversation.other.name, conversation.listing.title) />
                    <ConversationView conversation />
                }.into_any())
            })}
        </Suspense>
    }
}

#[component]
fn ConversationView(conversation: Conversation) -> impl IntoView {
    let i18n = use_i18n();
    let listing = conversation.listing.clone();
    let other = conversation.other.name.clone();
    view! {
        <article class="chat-page" data-testid="conversation">
            <p class="small"><a href="/messages">"← " {t!(i18n, chat_all)}</a></p>
            <header class="chat-head">
                {listing.thumb_url.clone().map(|src| view! { <img class="chat-thumb" src=src alt="" width="56" height="56" /> })}
                <div>
                    <h1><a href=format!("/l/{}", listing.id)>{listing.title}</a></h1>
                    <p class="muted small" data-testid="chat-other">{other}</p>
                </div>
            </header>
            <ChatPanel conversation />
        </article>
    }
}
