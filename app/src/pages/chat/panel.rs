//! A conversation in a page: its history (rendered on the server, so it
//! reads without JavaScript), then, in the browser, live over the socket:
//! new messages, the other member typing, receipts, older messages as the
//! list is scrolled up, and the message box with its photos.

use super::rules::{MAX_PHOTOS, TYPING_SHOWN_MS, merge, read_mark_of, seen_message, sendable};
use crate::{
    api::chat::{fetch_conversation, fetch_order_conversation, set_block},
    components::{form::ProblemText, time::When},
    domain::{
        chat::links::{Segment, segments},
        form::{Field, Problem},
    },
    error::AppError,
    i18n::*,
    live::Live,
    model::{BlockState, CallOutcome, ChatImage, Conversation, ImageRef, MessageView},
    pages::order::text::ErrorText,
    protocol::{ChatCommand, ChatEvent, ClientMsg},
};
use leptos::{either::EitherOf3, prelude::*};

/// Request numbers of this panel's messages start here, far from those of
/// the negotiation room sharing the page: every follower sees every `Ack`.
const FIRST_REQ: u32 = 1 << 30;

/// A photo on its way into the next message.
// Only the browser starts uploads.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Debug, PartialEq)]
enum Photo {
    Sending {
        key: u32,
        name: String,
    },
    Stored {
        key: u32,
        image: ImageRef,
    },
    Failed {
        key: u32,
        name: String,
        problem: Option<Problem>,
    },
}

impl Photo {
    fn key(&self) -> u32 {
        match self {
            Photo::Sending { key, .. } | Photo::Stored { key, .. } | Photo::Failed { key, .. } => {
                *key
            }
        }
    }

    /// Changes whenever what is drawn for the photo changes.
    fn render_key(&self) -> (u32, u8) {
        match self {
            Photo::Sending { key, .. } => (*key, 0),
            Photo::Stored { key, .. } => (*key, 1),
            Photo::Failed { key, .. } => (*key, 2),
        }
    }
}

/// The conversation in this tab.
// What only the browser does (read marks, typing, uploads) leaves fields
// the server never reads.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Copy)]
struct ChatState {
    id: StoredValue<String>,
    me: i64,
    other: i64,
    other_name: StoredValue<String>,
    messages: RwSignal<Vec<MessageView>>,
    more: RwSignal<bool>,
    other_read: RwSignal<i64>,
    blocks: RwSignal<BlockState>,
    /// The other member is typing (for a few seconds after their signal).
    typing: RwSignal<bool>,
    typing_round: StoredValue<u32>,
    /// The read mark this tab last sent.
    read_sent: StoredValue<i64>,
    /// When this tab last said its user is typing (browser ms).
    typing_sent: StoredValue<Option<f64>>,
    draft: RwSignal<String>,
    photos: RwSignal<Vec<Photo>>,
    next_photo: StoredValue<u32>,
    /// The message on its way, until its `Ack`.
    pending: RwSignal<Option<u32>>,
    next_req: StoredValue<u32>,
    failure: RwSignal<Option<AppError>>,
    loading_older: RwSignal<bool>,
}

impl ChatState {
    fn new(c: &Conversation) -> ChatState {
        ChatState {
            id: StoredValue::new(c.id.clone()),
            me: c.me,
            other: c.other.id,
            other_name: StoredValue::new(c.other.name.clone()),
            messages: RwSignal::new(c.messages.clone()),
            more: RwSignal::new(c.more),
            other_read: RwSignal::new(c.other_read),
            blocks: RwSignal::new(c.blocks),
            typing: RwSignal::new(false),
            typing_round: StoredValue::new(0),
            read_sent: StoredValue::new(0),
            typing_sent: StoredValue::new(None),
            draft: RwSignal::new(String::new()),
            photos: RwSignal::new(Vec::new()),
            next_photo: StoredValue::new(0),
            pending: RwSignal::new(None),
            next_req: StoredValue::new(FIRST_REQ),
            failure: RwSignal::new(None),
            loading_older: RwSignal::new(false),
        }
    }

    /// Takes one of the conversation's events.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn receive(&self, event: &ChatEvent) {
        match event {
            ChatEvent::Snapshot {
                messages, reads, ..
            } => {
                self.messages.update(|l| {
                    merge(l, messages.iter().cloned());
                });
                if let Some(mark) = read_mark_of(reads, self.other) {
                    self.seen_up_to(mark);
                }
            }
            ChatEvent::Message { message, .. } => {
                if message.from == self.other {
                    self.typing.set(false);
                }
                let message = message.clone();
                self.messages.update(|l| {
                    merge(l, [message]);
                });
            }
            ChatEvent::Typing { user, .. } if *user == self.other => self.show_typing(),
            ChatEvent::Seen { user, up_to, .. } if *user == self.other => self.seen_up_to(*up_to),
            ChatEvent::Typing { .. } | ChatEvent::Seen { .. } => {}
        }
    }

    fn seen_up_to(&self, mark: i64) {
        if mark > self.other_read.get_untracked() {
            self.other_read.set(mark);
        }
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn show_typing(&self) {
        self.typing.set(true);
        let round = self.typing_round.get_value() + 1;
        self.typing_round.set_value(round);
        let state = *self;
        set_timeout(
            move || {
                if state.typing_round.try_get_value() == Some(round) {
                    state.typing.try_set(false);
                }
            },
            std::time::Duration::from_millis(TYPING_SHOWN_MS),
        );
    }

    /// The answer to this tab's message, if it is one.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn acked(&self, req: u32, result: Result<(), AppError>) {
        if self.pending.get_untracked() != Some(req) {
            return;
        }
        self.pending.set(None);
        match result {
            Ok(()) => {
                self.draft.set(String::new());
                self.photos.set(Vec::new());
                self.failure.set(None);
            }
            Err(error) => {
                // Refused for who the two are now (a block since the page
                // loaded): the conversation's fresh state says which, and
                // the box gives way to the sentence saying so.
                let blocked = matches!(
                    error.problem_with(Field::Message),
                    Some(Problem::BlockedYou | Problem::YouBlocked)
                );
                if blocked
                    || !matches!(
                        error,
                        AppError::Validation(_) | AppError::RateLimited | AppError::Transport(_)
                    )
                {
                    self.refresh_blocks();
                }
                self.failure.set(Some(error));
            }
        }
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn refresh_blocks(&self) {
        let state = *self;
        let id = self.id.get_value();
        leptos::task::spawn_local(async move {
            if let Ok(c) = fetch_conversation(id).await {
                state.blocks.try_set(c.blocks);
            }
        });
    }

    fn uploading(&self) -> bool {
        self.photos
            .with(|p| p.iter().any(|p| matches!(p, Photo::Sending { .. })))
    }

    /// Sends the message in the box, with its stored photos.
    fn send(&self, live: Live) {
        if self.pending.get_untracked().is_some() || self.uploading() {
            return;
        }
        let text = self.draft.get_untracked().trim().to_owned();
        let images: Vec<i64> = self.photos.with_untracked(|p| {
            p.iter()
                .filter_map(|p| match p {
                    Photo::Stored { image, .. } => Some(image.id),
                    _ => None,
                })
                .collect()
        });
        if !sendable(&text, images.len()) {
            return;
        }
        let req = self.next_req.get_value().wrapping_add(1).max(FIRST_REQ);
        self.next_req.set_value(req);
        self.pending.set(Some(req));
        self.failure.set(None);
        live.send(&ClientMsg::Chat(ChatCommand::Send {
            conversation: self.id.get_value(),
            text,
            images,
            req,
        }));
    }

    /// Tells the other member this tab's user is typing, now and then.
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    fn typed(&self, live: Live) {
        #[cfg(feature = "hydrate")]
        {
            let now = js_sys::Date::now();
            if live.connected.get_untracked()
                && super::rules::typing_due(self.typing_sent.get_value(), now)
            {
                self.typing_sent.set_value(Some(now));
                live.send(&ClientMsg::Chat(ChatCommand::Typing {
                    conversation: self.id.get_value(),
                }));
            }
        }
    }

    /// Says what this tab has shown, when its user can see it: the tab is
    /// in front and focused.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code, unused_variables))]
    fn mark_read(&self, live: Live) {
        #[cfg(feature = "hydrate")]
        {
            let doc = document();
            if doc.hidden() || !doc.has_focus().unwrap_or(false) {
                return;
            }
            if !live.connected.get_untracked() {
                return;
            }
            let Some(up_to) = self.messages.with_untracked(|l| {
                super::rules::read_up_to(l, self.me, self.read_sent.get_value())
            }) else {
                return;
            };
            self.read_sent.set_value(up_to);
            live.send(&ClientMsg::Chat(ChatCommand::Read {
                conversation: self.id.get_value(),
                up_to,
            }));
        }
    }

    /// Loads the messages before the first shown. The list is anchored at
    /// its bottom (CSS `column-reverse`), so what was on screen stays put
    /// as they go in above it.
    fn load_older(&self) {
        if self.loading_older.get_untracked() || !self.more.get_untracked() {
            return;
        }
        let Some(before) = self.messages.with_untracked(|l| l.first().map(|m| m.id)) else {
            return;
        };
        self.loading_older.set(true);
        let state = *self;
        let id = self.id.get_value();
        leptos::task::spawn_local(async move {
            let page = crate::api::chat::fetch_older_messages(id, before).await;
            if let Ok(page) = page {
                state.messages.try_update(|l| {
                    merge(l, page.messages);
                });
                state.more.try_set(page.more);
            }
            state.loading_older.try_set(false);
        });
    }
}

/// A conversation: its history, live, and the box to write in. Used by
/// the conversation page and the negotiation room.
#[component]
pub fn ChatPanel(conversation: Conversation) -> impl IntoView {
    let i18n = use_i18n();
    let live = expect_context::<Live>();
    let state = ChatState::new(&conversation);
    // Not ready before this view is hydrated, as the server rendered it
    // (see the negotiation room): the box is disabled until then.
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    let ready = Signal::derive(move || mounted.get() && live.connected.get());

    #[cfg(feature = "hydrate")]
    {
        let topic = crate::protocol::Topic::Conversation {
            conversation: conversation.id.clone(),
        };
        let handler = move |msg: &crate::protocol::ServerMsg| {
            use crate::protocol::ServerMsg;
            match msg {
                ServerMsg::Ack { req, result } => state.acked(*req, result.clone().map(|_| ())),
                ServerMsg::Chat(event) => state.receive(event),
                _ => {}
            }
        };
        let follower = live.follow(topic, handler);
        // A message whose answer was lost with the socket is not waited for.
        Effect::new(move |_| {
            if !live.connected.get() {
                state.pending.set(None);
            }
        });
        // Shown and seen: new messages, the socket back, the tab in front.
        Effect::new(move |_| {
            state.messages.track();
            live.connected.track();
            state.mark_read(live);
        });
        let focus = window_event_listener(leptos::ev::focus, move |_| state.mark_read(live));
        let visible =
            window_event_listener_untyped("visibilitychange", move |_| state.mark_read(live));
        on_cleanup(move || {
            live.unfollow(follower);
            focus.remove();
            visible.remove();
        });
    }

    let Conversation { id, other, .. } = conversation;
    let seen = Memo::new(move |_| {
        let read = state.other_read.get();
        state.messages.with(|l| seen_message(l, state.me, read))
    });
    let on_scroll = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(el) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        // Anchored at the bottom, the top is where the distance scrolled
        // (negative in `column-reverse`) reaches the whole overflow.
        let overflow = el.scroll_height() - el.client_height();
        if overflow - el.scroll_top().abs() <= 48 {
            state.load_older();
        }
    };
    let other_name = other.name.clone();
    view! {
        <section class="chat" data-testid="chat" aria-label=move || t_string!(i18n, chat_title)>
            <div class="chat-bar">
                <span class="muted small">{t!(i18n, chat_with, name = other_name.clone())}</span>
                <a class="button-ghost small" href=format!("/call/{id}") data-testid="video-call">
                    {t!(i18n, chat_video_call)}
                </a>
                <BlockControl state />
            </div>
            <div class="chat-log" on:scroll=on_scroll data-testid="chat-log">
                <div class="chat-log-inner">
                    {move || state.more.get().then(|| view! {
                        <p class="chat-older">
                            <button type="button" class="button-ghost small" on:click=move |_| state.load_older()
                                disabled=move || state.loading_older.get()>
                                {move || if state.loading_older.get() {
                                    t_string!(i18n, chat_loading)
                                } else {
                                    t_string!(i18n, chat_older)
                                }}
                            </button>
                        </p>
                    })}
                    {move || state.messages.with(Vec::is_empty).then(|| view! {
                        <p class="muted chat-empty">{t!(i18n, chat_empty)}</p>
                    })}
                    <ol class="chat-messages" role="log" aria-live="polite" data-testid="messages">
                        <For each=move || state.messages.get() key=|m| m.id let(message)>
                            <MessageItem message state seen />
                        </For>
                    </ol>
                </div>
            </div>
            <p class="chat-typing muted small" aria-live="polite" data-testid="typing">
                {move || state.typing.get().then(|| view! {
                    <span>{t!(i18n, chat_typing, name = state.other_name.get_value())}</span>
                })}
            </p>
            {move || {
                let blocks = state.blocks.get();
                if blocks.by_you {
                    EitherOf3::A(view! {
                        <p class="notice" role="status" data-testid="chat-blocked">
                            {t!(i18n, chat_blocked_by_you, name = state.other_name.get_value())} " "
                            <a href="/settings#blocked">{t!(i18n, chat_open_settings)}</a>
                        </p>
                    })
                } else if blocks.by_them {
                    EitherOf3::B(view! {
                        <p class="notice notice-error" role="status" data-testid="chat-blocked">
                            {t!(i18n, chat_blocked_by_them, name = state.other_name.get_value())}
                        </p>
                    })
                } else {
                    EitherOf3::C(view! { <Composer state ready /> })
                }
            }}
        </section>
    }
}

/// One message, on the sender's side.
#[component]
fn MessageItem(message: MessageView, state: ChatState, seen: Memo<Option<i64>>) -> impl IntoView {
    let i18n = use_i18n();
    let MessageView {
        id,
        from,
        body,
        images,
        call,
        at,
    } = message;
    let mine = from == state.me;
    let who = if mine {
        t_string!(i18n, chat_you).to_owned()
    } else {
        state.other_name.get_value()
    };
    view! {
        <li class="chat-msg" class:mine=mine class:theirs=!mine class:call-line=call.is_some()
            data-testid="message" data-id=id>
            <span class="visually-hidden">{who} ": "</span>
            <div class="bubble">
                {call.map(|outcome| view! { <p class="chat-call"><CallLine outcome /></p> })}
                {(!body.is_empty()).then(|| view! { <p class="chat-text"><Body body /></p> })}
                {(!images.is_empty()).then(|| view! { <Photos images /> })}
            </div>
            <p class="chat-meta"><When ms=at /></p>
            {move || (seen.get() == Some(id)).then(|| view! {
                <p class="chat-seen" data-testid="seen">{t!(i18n, chat_seen)}</p>
            })}
        </li>
    }
}

/// A message's text: never markup; addresses as safe links with their
/// host set apart.
#[component]
fn Body(body: String) -> impl IntoView {
    segments(&body)
        .into_iter()
        .map(|segment| match segment {
            Segment::Text(text) => text.into_any(),
            Segment::Link { href, host, text } => {
                let start = text.find("://").map_or(0, |i| i + 3);
                let (scheme, rest) = text.split_at(start);
                let (shown_host, tail) = rest.split_at(host.len().min(rest.len()));
                view! {
                    <a class="chat-link" href=href rel="nofollow noopener noreferrer" target="_blank">
                        {scheme.to_owned()}<strong class="chat-host">{shown_host.to_owned()}</strong>{tail.to_owned()}
                    </a>
                }
                .into_any()
            }
        })
        .collect_view()
}

#[component]
fn Photos(images: Vec<ChatImage>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="chat-photos">
            {images.into_iter().map(|image| view! {
                <li>
                    <a href=image.url target="_blank" rel="noopener">
                        <img src=image.thumb_url alt=move || t_string!(i18n, chat_photo) loading="lazy"
                            data-testid="message-photo" />
                    </a>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// A call's log line.
#[component]
fn CallLine(outcome: CallOutcome) -> impl IntoView {
    let i18n = use_i18n();
    match outcome {
        CallOutcome::Completed { duration_ms } => {
            let seconds = duration_ms.max(0) / 1000;
            let duration = format!("{}:{:02}", seconds / 60, seconds % 60);
            t!(i18n, chat_call_completed, duration = duration).into_any()
        }
        CallOutcome::Missed => t!(i18n, chat_call_missed).into_any(),
        CallOutcome::Declined => t!(i18n, chat_call_declined).into_any(),
        CallOutcome::Failed => t!(i18n, chat_call_failed).into_any(),
    }
}

/// "Block", then a confirmation.
#[component]
fn BlockControl(state: ChatState) -> impl IntoView {
    let i18n = use_i18n();
    let asking = RwSignal::new(false);
    let block = Action::new(move |_: &()| set_block(state.other, true));
    Effect::new(move |_| {
        if matches!(block.value().get(), Some(Ok(()))) {
            asking.set(false);
            state.blocks.update(|b| b.by_you = true);
        }
    });
    move || {
        if state.blocks.with(|b| b.by_you) {
            None
        } else if asking.get() {
            Some(
                view! {
                    <div class="chat-confirm" role="alertdialog" aria-labelledby="block-q" data-testid="block-confirm">
                        <p id="block-q">{t!(i18n, chat_block_confirm, name = state.other_name.get_value())}</p>
                        <button type="button" class="button small danger" data-testid="block-yes"
                            disabled=move || block.pending().get() on:click=move |_| { block.dispatch(()); }>
                            {t!(i18n, chat_block_yes)}
                        </button>
                        <button type="button" class="button-ghost small" on:click=move |_| asking.set(false)>
                            {t!(i18n, chat_keep)}
                        </button>
                        {move || matches!(block.value().get(), Some(Err(_))).then(|| view! {
                            <p class="field-error" role="alert">{t!(i18n, err_generic)}</p>
                        })}
                    </div>
                }
                .into_any(),
            )
        } else {
            Some(
                view! {
                    <button type="button" class="button-ghost small danger" data-testid="block"
                        on:click=move |_| asking.set(true)>
                        {t!(i18n, chat_block)}
                    </button>
                }
                .into_any(),
            )
        }
    }
}

/// The message box: Enter sends, Shift+Enter starts a new line; photos
/// upload as they are chosen and go with the next message.
#[component]
fn Composer(state: ChatState, ready: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let live = expect_context::<Live>();
    let box_id = format!("chat-box-{}", state.id.get_value());
    let error_id = format!("{box_id}-error");
    let photos_error_id = format!("{box_id}-photos-error");
    let text_problem = Signal::derive(move || {
        state
            .failure
            .with(|f| f.as_ref().and_then(|e| e.problem_with(Field::Message)))
    });
    let photos_problem = Signal::derive(move || {
        state
            .failure
            .with(|f| f.as_ref().and_then(|e| e.problem_with(Field::Images)))
    });
    // Refusals that belong to no field (rate, blocked, offline…).
    let other_failure = move || {
        state.failure.with(|f| {
            f.as_ref()
                .filter(|e| e.problem_with(Field::Message).is_none())
                .filter(|e| e.problem_with(Field::Images).is_none())
                .cloned()
        })
    };
    let full = move || state.photos.with(|p| p.len() >= MAX_PHOTOS);
    let busy = move || !ready.get() || state.pending.get().is_some() || state.uploading();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if ready.get_untracked() {
            state.send(live);
        }
    };
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        // Not while an input method is composing (Enter picks a word there).
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            if ready.get_untracked() {
                state.send(live);
            }
        }
    };
    view! {
        <form class="chat-compose" on:submit=submit data-testid="chat-compose">
            {move || (!ready.get()).then(|| view! {
                <p class="muted small" data-testid="chat-offline">{t!(i18n, chat_offline)}</p>
            })}
            <label for=box_id.clone() class="visually-hidden">{t!(i18n, chat_message)}</label>
            <textarea id=box_id name="text" rows="2" bind:value=state.draft
                placeholder=move || t_string!(i18n, chat_placeholder)
                disabled=move || !ready.get()
                on:keydown=keydown on:input=move |_| state.typed(live)
                aria-describedby=format!("{error_id} {photos_error_id}")
                aria-invalid=move || text_problem.get().is_some().to_string()></textarea>
            <p class="field-error" id=error_id aria-live="polite">
                {move || text_problem.get().map(|problem| view! { <ProblemText problem /> })}
            </p>
            <ol class="chat-picked" data-testid="picked-photos">
                <For each=move || state.photos.get() key=Photo::render_key let(photo)>
                    <PickedPhoto photo state />
                </For>
            </ol>
            <p class="field-error" id=photos_error_id aria-live="polite">
                {move || photos_problem.get().map(|problem| view! { <ProblemText problem /> })}
            </p>
            {move || other_failure().map(|error| view! {
                <p class="notice notice-error" role="alert" data-testid="chat-failure"><ErrorText error /></p>
            })}
            <div class="chat-tools">
                <label class="button-ghost small chat-pick" class:disabled=full>
                    {t!(i18n, chat_add_photos)}
                    <input type="file" class="visually-hidden" accept="image/jpeg,image/png,image/webp" multiple
                        data-testid="chat-photo-input" disabled=move || full() || !ready.get()
                        on:change=move |ev| {
                            use wasm_bindgen::JsCast;
                            let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
                            if let Some(files) = input.as_ref().and_then(|i| i.files()) {
                                start_uploads(files, state);
                            }
                            if let Some(input) = input { input.set_value(""); }
                        } />
                </label>
                <span class="muted small">{t!(i18n, chat_photos_hint, max = MAX_PHOTOS)}</span>
                <button type="submit" class="button" disabled=busy>{t!(i18n, chat_send)}</button>
            </div>
        </form>
    }
}

#[component]
fn PickedPhoto(photo: Photo, state: ChatState) -> impl IntoView {
    let i18n = use_i18n();
    let key = photo.key();
    let remove = move |_| state.photos.update(|p| p.retain(|x| x.key() != key));
    let shown = match photo {
        Photo::Sending { name, .. } => EitherOf3::A(view! {
            <span class="chat-picked-slot sending" aria-busy="true">
                <span class="photo-name">{name}</span>
            </span>
        }),
        Photo::Stored { image, .. } => EitherOf3::B(view! {
            <img class="chat-picked-slot" src=image.thumb_url alt=move || t_string!(i18n, chat_photo)
                data-testid="picked-photo" />
        }),
        Photo::Failed { name, problem, .. } => EitherOf3::C(view! {
            <span class="chat-picked-slot failed" role="alert">
                <span class="photo-name">{name}</span>
                <span class="field-error">{match problem {
                    Some(problem) => view! { <ProblemText problem /> }.into_any(),
                    None => t!(i18n, err_generic).into_any(),
                }}</span>
            </span>
        }),
    };
    view! {
        <li class="chat-picked-photo">
            {shown}
            <button type="button" class="icon" aria-label=move || t_string!(i18n, chat_remove_photo)
                on:click=remove>"×"</button>
        </li>
    }
}

/// Starts one upload per chosen file, as many as fit in a message.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
fn start_uploads(files: web_sys::FileList, state: ChatState) {
    #[cfg(feature = "hydrate")]
    {
        let room = super::rules::photo_room(
            state.photos.with_untracked(Vec::len),
            files.length() as usize,
        );
        // The rest stay behind, and the picker says why.
        if room < files.length() as usize {
            state.failure.set(Some(AppError::field(
                Field::Images,
                Problem::TooMany {
                    max: MAX_PHOTOS as u32,
                },
            )));
        }
        for i in 0..room as u32 {
            let Some(file) = files.get(i) else { continue };
            let key = state.next_photo.get_value();
            state.next_photo.set_value(key + 1);
            let name = file.name();
            state.photos.update(|p| {
                p.push(Photo::Sending {
                    key,
                    name: name.clone(),
                })
            });
            leptos::task::spawn_local(async move {
                let result = crate::client::upload::send_file::<ImageRef>(
                    "/api/listing/image",
                    "image",
                    &file,
                    |_| {},
                )
                .await;
                let photo = match result {
                    Ok(image) => Photo::Stored { key, image },
                    Err(e) => Photo::Failed {
                        key,
                        name,
                        problem: e.problem_with(Field::Images),
                    },
                };
                state.photos.try_update(|p| {
                    if let Some(slot) = p.iter_mut().find(|x| x.key() == key) {
                        *slot = photo;
                    }
                });
            });
        }
    }
}

/// A negotiation room's conversation, for its buyer and seller.
#[component]
pub fn OrderChat(order: String) -> impl IntoView {
    let i18n = use_i18n();
    let conversation = Resource::new(move || order.clone(), fetch_order_conversation);
    view! {
        <section class="panel order-chat" aria-labelledby="order-chat-h" data-testid="order-chat">
            <h2 id="order-chat-h">{t!(i18n, chat_title)}</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match conversation.await {
                        Ok(conversation) => view! { <ChatPanel conversation /> }.into_any(),
                        // Nothing to talk about here (no longer a party).
                        Err(AppError::NotFound) => ().into_any(),
                        Err(_) => view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[cfg(test)]
mod tests;
