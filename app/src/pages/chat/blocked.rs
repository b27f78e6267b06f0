//! Settings' "Blocked members": whom the viewer blocked, each with
//! "Unblock". A plain form each, so it also works without JavaScript.

use crate::{
    api::chat::{SetBlock, fetch_blocked},
    components::{form::FormFailure, time::When},
    i18n::*,
};
use leptos::prelude::*;

#[component]
pub fn BlockedSection() -> impl IntoView {
    let i18n = use_i18n();
    let unblock = ServerAction::<SetBlock>::new();
    let blocked = Resource::new(move || unblock.version().get(), |_| fetch_blocked());
    view! {
        <section class="panel" id="blocked" aria-labelledby="blocked-h" data-testid="blocked">
            <h2 id="blocked-h">{t!(i18n, blocked_title)}</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let list = blocked.await.unwrap_or_default();
                    if list.is_empty() {
                        view! { <p class="muted">{t!(i18n, blocked_none)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="blocked-list">
                                {list.into_iter().map(|b| view! {
                                    <li>
                                        <span class="blocked-name">{b.member.name.clone()}</span>
                                        <span class="muted small">
                                            {t!(i18n, blocked_since, date = move || view! { <When ms=b.at date_only=true /> })}
                                        </span>
                                        <ActionForm action=unblock attr:class="inline-form">
                                            <input type="hidden" name="member" value=b.member.id />
                                            <input type="hidden" name="on" value="false" />
                                            <button type="submit" class="button-ghost small"
                                                disabled=move || unblock.pending().get()>
                                                {t!(i18n, blocked_unblock)}
                                            </button>
                                        </ActionForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                })}
            </Transition>
            <FormFailure outcome=unblock.value() />
        </section>
    }
}
