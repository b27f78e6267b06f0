//! The ringing notice: a call for the signed-in member, wherever they are
//! in the app. Part of the first-load file, so it stays small: "Answer"
//! goes to the call page (whose lazily loaded chunk holds the WebRTC
//! code) and answers there; "Decline" writes its one command by hand
//! rather than through the call area's command types.

use crate::{i18n::*, live::Live};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};

#[component]
pub fn RingNotice() -> impl IntoView {
    let i18n = use_i18n();
    let live = expect_context::<Live>();
    let location = use_location();
    let navigate = use_navigate();
    move || {
        let ring = live.ring.get()?;
        // The call page has its own Answer and Decline.
        let here = format!("/call/{}", ring.conversation);
        if location.pathname.get() == here {
            return None;
        }
        let answer = {
            let navigate = navigate.clone();
            let to = format!("{here}?answer=1");
            move |_| navigate(&to, Default::default())
        };
        let conversation = ring.conversation.clone();
        let decline = move |_| {
            let id = serde_json::to_string(&conversation).unwrap_or_default();
            live.send_text(format!(
                r#"{{"type":"decline","conversation":{id},"req":0}}"#
            ));
            live.ring.set(None);
        };
        Some(view! {
            <div class="ring" role="alertdialog" aria-labelledby="ring-text" data-testid="ring">
                <p id="ring-text">{t!(i18n, ring_incoming, name = ring.caller.name.clone(), title = ring.title.clone())}</p>
                <button type="button" class="button small" on:click=answer>{t!(i18n, call_answer)}</button>
                <button type="button" class="button-ghost small" on:click=decline>{t!(i18n, call_decline)}</button>
            </div>
        })
    }
}
