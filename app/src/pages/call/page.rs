//! `/call/<conversation>`: a video call with the other member of a
//! conversation. The page follows the conversation's call topic: the
//! call's state comes from the server (ringing, connected, ended), the
//! WebRTC signals between the two browsers travel over the same socket.
//! Only the tab that started or answered a call takes part in it (opens
//! the camera, connects); any other tab of the same member shows the state
//! and can hang up. `?answer=1` (the ringing notice's "Answer") answers the
//! ringing call once the page is up.

use crate::{
    api::call::{CallPage as Room, fetch_call_page},
    error::AppError,
    i18n::*,
    live::Live,
    model::{CallOutcome, CallPhase, CallView},
    pages::not_found::members_only,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn CallPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("conversation"));
    let room = Resource::new(id, |id| async move {
        match id {
            Some(id) => fetch_call_page(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let back = format!("/call/{}", id().unwrap_or_default());
                members_only(room.await, back, |room| view! {
                    <Title text=format!("{} · {} · Haggle", t_string!(i18n, call_title), room.other.name) />
                    <CallRoom room />
                }.into_any())
            })}
        </Suspense>
    }
}

/// The call as this member's page tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// No call rings or runs.
    Idle,
    /// The viewer's call rings at the other member.
    Calling,
    /// The other member's call rings here.
    Ringing,
    Connected,
    Ended(Option<CallOutcome>),
}

pub fn shown(call: Option<&CallView>, me: i64) -> Shown {
    match call {
        None => Shown::Idle,
        Some(call) => match call.phase {
            CallPhase::Ringing if call.caller.id == me => Shown::Calling,
            CallPhase::Ringing => Shown::Ringing,
            CallPhase::Connected => Shown::Connected,
            CallPhase::Ended => Shown::Ended(call.outcome),
        },
    }
}

/// "m:ss" (or "h:mm:ss") of a call's length.
pub fn duration_text(ms: i64) -> String {
    let total = ms.max(0) / 1000;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// What went wrong, shown until the next attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Trouble {
    /// The browsers did not connect in time, or lost each other.
    CouldNotConnect,
    /// The camera or microphone would not open.
    NoMedia,
    /// The server refused a command.
    Refused(AppError),
}

#[component]
fn CallRoom(room: Room) -> impl IntoView {
    let i18n = use_i18n();
    let live = expect_context::<Live>();
    let me = room.me.id;
    let call = RwSignal::new(room.call.clone());
    let state = Memo::new(move |_| call.with(|c| shown(c.as_ref(), me)));
    let ui = Ui {
        call,
        owner: RwSignal::new(false),
        busy: RwSignal::new(false),
        muted: RwSignal::new(false),
        camera_off: RwSignal::new(false),
        remote_muted: RwSignal::new(false),
        remote_camera_off: RwSignal::new(false),
        trouble: RwSignal::new(None),
        local_video: NodeRef::new(),
        remote_video: NodeRef::new(),
    };
    // Commands travel over the socket: not ready before hydration (the
    // server rendered the controls disabled) nor while reconnecting.
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    let ready = Signal::derive(move || mounted.get() && live.connected.get() && !ui.busy.get());
    let answer_now = use_query_map().with_untracked(|q| q.get("answer").as_deref() == Some("1"));

    #[cfg(feature = "hydrate")]
    let engine = engine::Engine::start(live, ui, &room, answer_now, state);
    #[cfg(not(feature = "hydrate"))]
    let _ = (live, answer_now);

    let act = move |action: Act| {
        #[cfg(feature = "hydrate")]
        engine.act(action);
        #[cfg(not(feature = "hydrate"))]
        let _ = action;
    };

    let other = room.other.name.clone();
    let other_muted = other.clone();
    let other_camera = other.clone();
    let conversation = room.conversation.clone();
    let state_text = move || match state.get() {
        Shown::Idle => t_string!(i18n, call_state_idle).to_owned(),
        Shown::Calling => t_string!(i18n, call_state_calling).to_owned(),
        Shown::Ringing => t_string!(i18n, call_state_ringing).to_owned(),
        Shown::Connected => t_string!(i18n, call_state_connected).to_owned(),
        Shown::Ended(outcome) => {
            let how = match outcome {
                Some(CallOutcome::Completed { duration_ms }) => duration_text(duration_ms),
                Some(CallOutcome::Missed) => t_string!(i18n, call_outcome_missed).to_owned(),
                Some(CallOutcome::Declined) => t_string!(i18n, call_outcome_declined).to_owned(),
                Some(CallOutcome::Failed) => t_string!(i18n, call_could_not_connect).to_owned(),
                None => String::new(),
            };
            let ended = t_string!(i18n, call_state_ended);
            if how.is_empty() {
                ended.to_owned()
            } else {
                format!("{ended} · {how}")
            }
        }
    };
    let state_name = move || match state.get() {
        Shown::Idle => "idle",
        Shown::Calling => "calling",
        Shown::Ringing => "ringing",
        Shown::Connected => "connected",
        Shown::Ended(_) => "ended",
    };
    let trouble = move || {
        ui.trouble.get().map(|trouble| {
            let text = match trouble {
                Trouble::CouldNotConnect => t_string!(i18n, call_could_not_connect).to_owned(),
                Trouble::NoMedia => t_string!(i18n, call_no_media).to_owned(),
                Trouble::Refused(AppError::Forbidden) => t_string!(i18n, call_refused).to_owned(),
                Trouble::Refused(AppError::Conflict) => t_string!(i18n, call_busy).to_owned(),
                Trouble::Refused(_) => t_string!(i18n, err_generic).to_owned(),
            };
            view! { <p class="notice notice-error" role="alert" data-testid="call-trouble">{text}</p> }
        })
    };
    let in_call = move || ui.owner.get() && state.get() == Shown::Connected;
    view! {
        <article class="call-room" data-testid="call-room" data-state=state_name>
            <header class="call-head">
                <h1>{t!(i18n, call_with, name = other.clone())}</h1>
                <p class="muted small">
                    <a href=format!("/messages/{conversation}")>{room.title.clone()}</a>
                </p>
                <p class="call-state" role="status" data-testid="call-state">{state_text}</p>
            </header>
            {trouble}
            <div class="call-stage">
                {move || (state.get() != Shown::Connected).then(|| view! {
                    <p class="call-placeholder">{t!(i18n, call_stage_hint)}</p>
                })}
                <figure class="call-remote">
                    <video node_ref=ui.remote_video autoplay=true playsinline=true data-testid="remote-video"></video>
                    <figcaption>
                        {move || (state.get() == Shown::Connected && ui.remote_muted.get()).then(|| view! {
                            <span class="call-flag" data-testid="remote-muted">{t!(i18n, call_they_muted, name = other_muted.clone())}</span>
                        })}
                        {move || (state.get() == Shown::Connected && ui.remote_camera_off.get()).then(|| view! {
                            <span class="call-flag" data-testid="remote-camera-off">{t!(i18n, call_their_camera_off, name = other_camera.clone())}</span>
                        })}
                    </figcaption>
                </figure>
                <figure class="call-local">
                    <video node_ref=ui.local_video autoplay=true playsinline=true muted=true prop:muted=true data-testid="local-video"></video>
                    <figcaption class="visually-hidden">{t!(i18n, call_you)}</figcaption>
                </figure>
            </div>
            <div class="call-controls">
                {move || match state.get() {
                    Shown::Idle | Shown::Ended(_) => view! {
                        <button type="button" class="button" disabled=move || !ready.get()
                            on:click=move |_| act(Act::Call)>{t!(i18n, call_start)}</button>
                    }.into_any(),
                    Shown::Ringing => view! {
                        <button type="button" class="button" disabled=move || !ready.get()
                            on:click=move |_| act(Act::Answer)>{t!(i18n, call_answer)}</button>
                        <button type="button" class="button-ghost" disabled=move || !ready.get()
                            on:click=move |_| act(Act::Decline)>{t!(i18n, call_decline)}</button>
                    }.into_any(),
                    Shown::Calling | Shown::Connected => view! {
                        {move || in_call().then(|| view! {
                            <button type="button" class="button-ghost" aria-pressed=move || ui.muted.get().to_string()
                                on:click=move |_| act(Act::Mute)>{t!(i18n, call_mute)}</button>
                            <button type="button" class="button-ghost" aria-pressed=move || ui.camera_off.get().to_string()
                                on:click=move |_| act(Act::CameraOff)>{t!(i18n, call_camera_off)}</button>
                        })}
                        {move || (state.get() == Shown::Connected && !ui.owner.get()).then(|| view! {
                            <p class="muted small">{t!(i18n, call_elsewhere)}</p>
                        })}
                        <button type="button" class="button button-danger" disabled=move || !mounted.get()
                            on:click=move |_| act(Act::HangUp)>{t!(i18n, call_hang_up)}</button>
                    }.into_any(),
                }}
            </div>
        </article>
    }
}

/// A click on one of the page's buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Call,
    Answer,
    Decline,
    HangUp,
    Mute,
    CameraOff,
}

/// What the view shows, written by the engine.
#[derive(Clone, Copy)]
struct Ui {
    // Written and read by the engine, in the browser only.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    call: RwSignal<Option<CallView>>,
    /// This tab started or answered the call: it holds the camera and the
    /// connection.
    owner: RwSignal<bool>,
    /// The camera is opening, or a command is on its way.
    busy: RwSignal<bool>,
    muted: RwSignal<bool>,
    camera_off: RwSignal<bool>,
    remote_muted: RwSignal<bool>,
    remote_camera_off: RwSignal<bool>,
    trouble: RwSignal<Option<Trouble>>,
    local_video: NodeRef<leptos::html::Video>,
    remote_video: NodeRef<leptos::html::Video>,
}

/// The browser's half: the socket, the camera, the peer connection.
#[cfg(feature = "hydrate")]
mod engine {
    use super::{Act, Room, Shown, Trouble, Ui};
    use crate::{
        domain::call::{CONNECT_TIMEOUT_MS, IceServer, RESTART_AFTER_MS},
        error::AppError,
        live::Live,
        model::CallView,
        pages::call::rtc::{self, Link, Peer},
        protocol::{CallCommand, CallEvent, ClientMsg, ServerMsg, Signal, Topic},
    };
    use futures::{StreamExt, channel::mpsc};
    use leptos::prelude::*;
    use std::time::Duration;
    use web_sys::MediaStream;

    /// Commands still waiting for their `Ack` (at most a few).
    const PENDING: usize = 16;
    /// Signals kept for a peer connection not made yet: an offer and its
    /// candidates are a handful.
    const EARLY_SIGNALS: usize = 64;

    #[derive(Clone, Copy)]
    pub struct Engine {
        live: Live,
        ui: Ui,
        me: i64,
        conversation: StoredValue<String>,
        ice_servers: StoredValue<Vec<IceServer>>,
        media: StoredValue<Option<MediaStream>, LocalStorage>,
        peer: StoredValue<Option<Peer>, LocalStorage>,
        /// Counts peer connections, so a late timer or event of an old
        /// one does nothing to the next.
        generation: StoredValue<u32>,
        linked: StoredValue<bool>,
        /// Whether this connection was given its one fresh negotiation.
        restarted: StoredValue<bool>,
        /// The other side's signals, in order; `None` says the peer
        /// connection now exists.
        signals: StoredValue<Option<mpsc::UnboundedSender<Option<Signal>>>>,
        /// Signals that came before this side's peer connection did (the
        /// other side got "connected" first and offered at once): kept for
        /// it, since a lost offer would cost the call an ICE restart.
        early: StoredValue<Vec<Signal>>,
        next_req: StoredValue<u32>,
        pending: StoredValue<Vec<(u32, Act)>>,
    }

    impl Engine {
        pub fn start(
            live: Live,
            ui: Ui,
            room: &Room,
            answer_now: bool,
            state: Memo<Shown>,
        ) -> Engine {
            let (tx, mut rx) = mpsc::unbounded::<Option<Signal>>();
            let engine = Engine {
                live,
                ui,
                me: room.me.id,
                conversation: StoredValue::new(room.conversation.clone()),
                ice_servers: StoredValue::new(room.ice_servers.clone()),
                media: StoredValue::new_local(None),
                peer: StoredValue::new_local(None),
                generation: StoredValue::new(0),
                linked: StoredValue::new(false),
                restarted: StoredValue::new(false),
                signals: StoredValue::new(Some(tx)),
                early: StoredValue::new(Vec::new()),
                next_req: StoredValue::new(0),
                pending: StoredValue::new(Vec::new()),
            };
            // Signals are taken one at a time, in the order they came.
            leptos::task::spawn_local(async move {
                while let Some(signal) = rx.next().await {
                    let Some(peer) = engine.peer.try_with_value(|p| p.clone()).flatten() else {
                        if let Some(signal) = signal {
                            engine.early.try_update_value(|early| {
                                if early.len() < EARLY_SIGNALS {
                                    early.push(signal);
                                }
                            });
                        }
                        continue;
                    };
                    let early = engine.early.try_update_value(std::mem::take);
                    for signal in early.into_iter().flatten().chain(signal) {
                        peer.receive(signal).await;
                    }
                }
            });
            let topic = Topic::Call {
                conversation: room.conversation.clone(),
            };
            let follower = live.follow(topic, move |msg| engine.heard(msg));
            // Answer once, when the notice sent us here to.
            let auto = StoredValue::new(answer_now);
            // Commands queued before the socket is up are dropped: wait for it.
            Effect::new(move |_| {
                if state.get() == Shown::Ringing && live.connected.get() && auto.get_value() {
                    auto.set_value(false);
                    engine.act(Act::Answer);
                }
            });
            on_cleanup(move || {
                live.unfollow(follower);
                // Leaving the page leaves the call.
                if engine.ui.owner.get_untracked() {
                    engine.command(Act::HangUp);
                }
                engine.teardown();
                engine.signals.set_value(None);
            });
            engine
        }

        fn conversation(&self) -> String {
            self.conversation.get_value()
        }

        fn heard(&self, msg: &ServerMsg) {
            match msg {
                ServerMsg::Ack { req, result } => self.acked(*req, result.clone().map(|_| ())),
                ServerMsg::Call(CallEvent::State { call, .. }) => self.changed(call.clone()),
                ServerMsg::Call(CallEvent::Signal { from, signal, .. }) if *from != self.me => {
                    if self.ui.owner.get_untracked() {
                        self.signals.with_value(|tx| {
                            if let Some(tx) = tx {
                                let _ = tx.unbounded_send(Some(signal.clone()));
                            }
                        });
                    }
                }
                ServerMsg::Call(CallEvent::Media {
                    user,
                    muted,
                    camera_off,
                    ..
                }) if *user != self.me => {
                    self.ui.remote_muted.set(*muted);
                    self.ui.remote_camera_off.set(*camera_off);
                }
                _ => {}
            }
        }

        /// The call's state as the server says.
        fn changed(&self, call: Option<CallView>) {
            let before = self.ui.call.with_untracked(|c| c.as_ref().map(|c| c.id));
            let now = call.as_ref().map(|c| c.id);
            if before != now {
                self.ui.remote_muted.set(false);
                self.ui.remote_camera_off.set(false);
            }
            let shown = super::shown(call.as_ref(), self.me);
            let polite = call.as_ref().is_some_and(|c| c.polite == self.me);
            self.ui.call.set(call);
            self.ui.busy.set(false);
            match shown {
                Shown::Connected if self.ui.owner.get_untracked() => self.connect(polite),
                Shown::Ended(_) | Shown::Idle => self.teardown(),
                _ => {}
            }
        }

        /// Opens the peer connection once the call is connected (the
        /// impolite side offers first; perfect negotiation sorts out any
        /// later offers that cross).
        fn connect(&self, polite: bool) {
            if self.peer.with_value(Option::is_some) {
                return;
            }
            let Some(stream) = self.media.with_value(|m| m.clone()) else {
                return self.fail();
            };
            let generation = self.generation.get_value() + 1;
            self.generation.set_value(generation);
            self.linked.set_value(false);
            let (live, conversation, engine) = (self.live, self.conversation(), *self);
            let remote_video = self.ui.remote_video;
            let peer = Peer::new(
                &self.ice_servers.get_value(),
                &stream,
                polite,
                move |signal| {
                    live.send(&ClientMsg::Call(CallCommand::Signal {
                        conversation: conversation.clone(),
                        signal,
                    }))
                },
                move |remote: MediaStream| {
                    if let Some(video) = remote_video.get_untracked() {
                        rtc::show(&video, Some(&remote));
                    }
                },
                move |link| {
                    if engine.generation.try_get_value() != Some(generation) {
                        return;
                    }
                    match link {
                        Link::Connected => {
                            engine.linked.set_value(true);
                            engine.ui.trouble.set(None);
                        }
                        // The impolite side tries once more with a fresh
                        // negotiation before the call is given up.
                        Link::Failed if !polite && !engine.restarted.get_value() => {
                            engine.restart()
                        }
                        Link::Failed => engine.fail(),
                    }
                },
            );
            match peer {
                Ok(peer) => self.peer.set_value(Some(peer)),
                Err(_) => return self.fail(),
            }
            // Hands it what the other side sent meanwhile.
            self.signals.with_value(|tx| {
                if let Some(tx) = tx {
                    let _ = tx.unbounded_send(None);
                }
            });
            self.restarted.set_value(false);
            let engine = *self;
            if !polite {
                set_timeout(
                    move || {
                        if engine.generation.try_get_value() == Some(generation)
                            && engine.linked.try_get_value() == Some(false)
                        {
                            engine.restart();
                        }
                    },
                    Duration::from_millis(RESTART_AFTER_MS as u64),
                );
            }
            set_timeout(
                move || {
                    if engine.generation.try_get_value() == Some(generation)
                        && engine.linked.try_get_value() == Some(false)
                        && engine.peer.try_with_value(Option::is_some) == Some(true)
                    {
                        engine.fail();
                    }
                },
                Duration::from_millis(CONNECT_TIMEOUT_MS as u64),
            );
        }

        /// A fresh negotiation (an ICE restart), once per connection.
        fn restart(&self) {
            if self.restarted.get_value() {
                return;
            }
            self.restarted.set_value(true);
            self.peer.with_value(|peer| {
                if let Some(peer) = peer {
                    peer.restart();
                }
            });
        }

        /// The browsers could not connect: say so and end the call as failed.
        fn fail(&self) {
            self.ui.trouble.set(Some(Trouble::CouldNotConnect));
            if self.ui.owner.get_untracked() {
                let req = self.req(None);
                self.live.send(&ClientMsg::Call(CallCommand::Failed {
                    conversation: self.conversation(),
                    req,
                }));
            }
            self.teardown();
        }

        /// Closes the connection, stops the camera and microphone.
        fn teardown(&self) {
            self.generation.update_value(|g| *g += 1);
            self.early.try_update_value(Vec::clear);
            if let Some(Some(peer)) = self.peer.try_update_value(Option::take) {
                peer.close();
            }
            if let Some(Some(stream)) = self.media.try_update_value(Option::take) {
                rtc::stop_media(&stream);
            }
            for video in [self.ui.local_video, self.ui.remote_video] {
                if let Some(video) = video.get_untracked() {
                    rtc::show(&video, None);
                }
            }
            self.ui.owner.try_set(false);
            self.ui.muted.try_set(false);
            self.ui.camera_off.try_set(false);
        }

        fn req(&self, act: Option<Act>) -> u32 {
            let req = self.next_req.get_value() + 1;
            self.next_req.set_value(req);
            if let Some(act) = act {
                self.pending.update_value(|p| {
                    p.push((req, act));
                    if p.len() > PENDING {
                        p.remove(0);
                    }
                });
            }
            req
        }

        /// Sends the command for `act` (none for the media toggles).
        fn command(&self, act: Act) -> Option<u32> {
            let conversation = self.conversation();
            // Media changes are not answered: nothing to wait for.
            let req = self.req((!matches!(act, Act::Mute | Act::CameraOff)).then_some(act));
            let command = match act {
                Act::Call => CallCommand::Call { conversation, req },
                Act::Answer => CallCommand::Answer { conversation, req },
                Act::Decline => CallCommand::Decline { conversation, req },
                Act::HangUp => CallCommand::HangUp { conversation, req },
                Act::Mute | Act::CameraOff => CallCommand::Media {
                    conversation,
                    muted: self.ui.muted.get_untracked(),
                    camera_off: self.ui.camera_off.get_untracked(),
                },
            };
            self.live.send(&ClientMsg::Call(command));
            Some(req)
        }

        fn acked(&self, req: u32, result: Result<(), AppError>) {
            let mut act = None;
            self.pending.update_value(|p| {
                if let Some(i) = p.iter().position(|(r, _)| *r == req) {
                    act = Some(p.remove(i).1);
                }
            });
            let Some(act) = act else { return };
            self.ui.busy.set(false);
            if let Err(error) = result {
                self.ui.trouble.set(Some(Trouble::Refused(error)));
                if matches!(act, Act::Call | Act::Answer) {
                    self.teardown();
                }
            }
        }

        pub fn act(&self, act: Act) {
            match act {
                Act::Call | Act::Answer => self.with_media(act),
                Act::Decline => {
                    self.ui.trouble.set(None);
                    self.command(act);
                }
                Act::HangUp => {
                    self.command(act);
                    self.teardown();
                }
                Act::Mute => {
                    let muted = !self.ui.muted.get_untracked();
                    self.ui.muted.set(muted);
                    self.media.with_value(|m| {
                        if let Some(stream) = m {
                            rtc::set_enabled(stream, "audio", !muted);
                        }
                    });
                    self.command(act);
                }
                Act::CameraOff => {
                    let off = !self.ui.camera_off.get_untracked();
                    self.ui.camera_off.set(off);
                    self.media.with_value(|m| {
                        if let Some(stream) = m {
                            rtc::set_enabled(stream, "video", !off);
                        }
                    });
                    self.command(act);
                }
            }
        }

        /// Opens the camera and microphone (the preview shows them), then
        /// rings or answers: a call never starts without them.
        fn with_media(&self, act: Act) {
            let engine = *self;
            self.ui.trouble.set(None);
            self.ui.busy.set(true);
            leptos::task::spawn_local(async move {
                let opened = rtc::open_media().await;
                let Ok(stream) = opened else {
                    engine.ui.busy.try_set(false);
                    engine.ui.trouble.try_set(Some(Trouble::NoMedia));
                    return;
                };
                if engine.media.try_set_value(Some(stream.clone())).is_some() {
                    // The page is gone meanwhile.
                    rtc::stop_media(&stream);
                    return;
                }
                if let Some(video) = engine.ui.local_video.get_untracked() {
                    video.set_muted(true);
                    rtc::show(&video, Some(&stream));
                }
                engine.ui.owner.set(true);
                engine.command(act);
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Participant;

    fn call(phase: CallPhase, outcome: Option<CallOutcome>) -> CallView {
        let who = |id| Participant {
            id,
            name: format!("m{id}"),
        };
        CallView {
            id: 1,
            conversation: "c".into(),
            caller: who(1),
            callee: who(2),
            phase,
            polite: 2,
            outcome,
            started_at: 0,
            answered_at: None,
        }
    }

    #[test]
    fn the_caller_sees_calling_and_the_callee_ringing() {
        let ringing = call(CallPhase::Ringing, None);
        assert_eq!(shown(Some(&ringing), 1), Shown::Calling);
        assert_eq!(shown(Some(&ringing), 2), Shown::Ringing);
        assert_eq!(shown(None, 1), Shown::Idle);
        let connected = call(CallPhase::Connected, None);
        assert_eq!(shown(Some(&connected), 1), Shown::Connected);
        assert_eq!(shown(Some(&connected), 2), Shown::Connected);
        let ended = call(CallPhase::Ended, Some(CallOutcome::Missed));
        assert_eq!(
            shown(Some(&ended), 2),
            Shown::Ended(Some(CallOutcome::Missed))
        );
    }

    #[test]
    fn durations_read_as_a_clock() {
        assert_eq!(duration_text(0), "0:00");
        assert_eq!(duration_text(65_400), "1:05");
        assert_eq!(duration_text(3_600_000 + 61_000), "1:01:01");
        assert_eq!(duration_text(-5), "0:00");
    }
}
