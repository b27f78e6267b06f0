//! The browser's side of a call: the camera and microphone, and one
//! `RTCPeerConnection` negotiated with the other member's by "perfect
//! negotiation": either side offers whenever its tracks change
//! (`negotiationneeded`; the first offer is always the impolite side's);
//! when both offer at once, the impolite side
//! (the caller, as the server decided) ignores the other's offer and the
//! polite side rolls its own back and answers. Signals travel over the
//! socket; this module only hands them out and takes them in.

use crate::{domain::call::IceServer, protocol::Signal};
use js_sys::{Function, Promise, Reflect};
use std::{
    cell::{Cell, RefCell},
    rc::Rc,
};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use web_sys::{
    MediaStream, MediaStreamConstraints, MediaStreamTrack, RtcConfiguration, RtcIceCandidateInit,
    RtcPeerConnection, RtcPeerConnectionIceEvent, RtcPeerConnectionState, RtcSdpType,
    RtcSessionDescriptionInit, RtcSignalingState, RtcTrackEvent,
};

/// What a promise settled to, awaited (without pulling in another crate).
pub async fn settle(promise: Promise) -> Result<JsValue, JsValue> {
    let (tx, rx) = futures::channel::oneshot::channel();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let on_err = tx.clone();
    let ok = Closure::once_into_js(move |value: JsValue| {
        if let Some(tx) = tx.borrow_mut().take() {
            let _ = tx.send(Ok(value));
        }
    });
    let err = Closure::once_into_js(move |error: JsValue| {
        if let Some(tx) = on_err.borrow_mut().take() {
            let _ = tx.send(Err(error));
        }
    });
    let then = Reflect::get(&promise, &JsValue::from_str("then"))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok());
    match then {
        Some(then) => {
            let _ = then.call2(&promise, &ok, &err);
        }
        None => return Err(JsValue::NULL),
    }
    rx.await.unwrap_or(Err(JsValue::NULL))
}

/// The camera and microphone, once the browser (and the member) allow.
pub async fn open_media() -> Result<MediaStream, JsValue> {
    let devices = web_sys::window()
        .ok_or(JsValue::NULL)?
        .navigator()
        .media_devices()?;
    let constraints = MediaStreamConstraints::new();
    constraints.set_video(&JsValue::TRUE);
    constraints.set_audio(&JsValue::TRUE);
    let stream = settle(devices.get_user_media_with_constraints(&constraints)?).await?;
    stream.dyn_into()
}

fn tracks(stream: &MediaStream) -> Vec<MediaStreamTrack> {
    stream
        .get_tracks()
        .iter()
        .filter_map(|t| t.dyn_into().ok())
        .collect()
}

/// Stops the camera and microphone: the browser's indicator goes out.
pub fn stop_media(stream: &MediaStream) {
    for track in tracks(stream) {
        track.stop();
    }
}

/// Turns the stream's tracks of `kind` ("audio", "video") on or off: the
/// other side gets silence or black frames meanwhile.
pub fn set_enabled(stream: &MediaStream, kind: &str, on: bool) {
    for track in tracks(stream) {
        if track.kind() == kind {
            track.set_enabled(on);
        }
    }
}

/// How the connection between the two browsers stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Connected,
    Failed,
}

type Handler = Closure<dyn FnMut(JsValue)>;

struct Inner {
    pc: RtcPeerConnection,
    polite: bool,
    making_offer: Cell<bool>,
    ignore_offer: Cell<bool>,
    send: Box<dyn Fn(Signal)>,
    /// The event handlers, alive as long as the connection.
    handlers: RefCell<Vec<Handler>>,
}

/// One call's peer connection (cheap to clone: one connection).
#[derive(Clone)]
pub struct Peer(Rc<Inner>);

fn sdp_type(kind: RtcSdpType) -> Option<&'static str> {
    match kind {
        RtcSdpType::Offer => Some("offer"),
        RtcSdpType::Answer => Some("answer"),
        _ => None,
    }
}

impl Peer {
    /// A connection that sends `stream` and hands the other side's media to
    /// `remote`, its signals to `send`, and its fate to `link`.
    pub fn new(
        ice_servers: &[IceServer],
        stream: &MediaStream,
        polite: bool,
        send: impl Fn(Signal) + 'static,
        remote: impl Fn(MediaStream) + 'static,
        link: impl Fn(Link) + 'static,
    ) -> Result<Peer, JsValue> {
        let config = RtcConfiguration::new();
        let servers = serde_json::to_string(ice_servers).map_err(|_| JsValue::NULL)?;
        config.set_ice_servers(&js_sys::JSON::parse(&servers)?);
        let pc = RtcPeerConnection::new_with_configuration(&config)?;
        let peer = Peer(Rc::new(Inner {
            pc,
            polite,
            making_offer: Cell::new(false),
            ignore_offer: Cell::new(false),
            send: Box::new(send),
            handlers: RefCell::new(Vec::new()),
        }));
        let weak = Rc::downgrade(&peer.0);
        peer.on("negotiationneeded", move |_| {
            let Some(inner) = weak.upgrade() else { return };
            // The first negotiation is the impolite side's alone. Both sides
            // add their tracks at once, so both would offer, and the polite
            // side would roll its offer back while its candidates are being
            // gathered: Chromium then gathers none for the answer and the
            // connection never starts checking (seen in one call in three on
            // loopback). The polite side's tracks ride on its answer instead.
            if inner.polite && inner.pc.remote_description().is_none() {
                return;
            }
            leptos::task::spawn_local(Peer(inner).offer());
        });
        let weak = Rc::downgrade(&peer.0);
        peer.on("icecandidate", move |event| {
            let Some(inner) = weak.upgrade() else { return };
            let Some(candidate) = event
                .dyn_into::<RtcPeerConnectionIceEvent>()
                .ok()
                .and_then(|e| e.candidate())
            else {
                return;
            };
            if candidate.candidate().is_empty() {
                return;
            }
            (inner.send)(Signal::Candidate {
                candidate: candidate.candidate(),
                sdp_mid: candidate.sdp_mid(),
                sdp_m_line_index: candidate.sdp_m_line_index(),
            });
        });
        peer.on("track", move |event| {
            let Ok(event) = event.dyn_into::<RtcTrackEvent>() else {
                return;
            };
            let stream = match event.streams().get(0).dyn_into::<MediaStream>() {
                Ok(stream) => Some(stream),
                Err(_) => MediaStream::new()
                    .ok()
                    .inspect(|s| s.add_track(&event.track())),
            };
            if let Some(stream) = stream {
                remote(stream);
            }
        });
        let weak = Rc::downgrade(&peer.0);
        peer.on("connectionstatechange", move |_| {
            let Some(inner) = weak.upgrade() else { return };
            match inner.pc.connection_state() {
                RtcPeerConnectionState::Connected => link(Link::Connected),
                RtcPeerConnectionState::Failed => link(Link::Failed),
                _ => {}
            }
        });
        for track in tracks(stream) {
            peer.0.pc.add_track_0(&track, stream);
        }
        Ok(peer)
    }

    fn on(&self, event: &str, handler: impl FnMut(JsValue) + 'static) {
        let handler = Handler::new(handler);
        let _ = self
            .0
            .pc
            .add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
        self.0.handlers.borrow_mut().push(handler);
    }

    /// `setLocalDescription()` without a description: the browser makes
    /// the offer or answer the signaling state calls for (web-sys only has
    /// the form with one).
    async fn set_local(&self) -> Result<(), JsValue> {
        let pc: &JsValue = self.0.pc.as_ref();
        let method: Function =
            Reflect::get(pc, &JsValue::from_str("setLocalDescription"))?.dyn_into()?;
        let promise: Promise = method.call0(pc)?.dyn_into()?;
        settle(promise).await.map(|_| ())
    }

    /// Sends the local description as it stands.
    fn send_local(&self) {
        let Some(description) = self.0.pc.local_description() else {
            return;
        };
        if let Some(kind) = sdp_type(description.type_()) {
            (self.0.send)(Signal::Description {
                sdp_type: kind.to_owned(),
                sdp: description.sdp(),
            });
        }
    }

    async fn offer(self) {
        self.0.making_offer.set(true);
        let made = self.set_local().await;
        if made.is_ok() {
            self.send_local();
        }
        self.0.making_offer.set(false);
    }

    /// Takes one signal from the other side. Signals must be taken one at
    /// a time, in order (a candidate needs the description before it).
    pub async fn receive(&self, signal: Signal) {
        let inner = &self.0;
        match signal {
            Signal::Description { sdp_type, sdp } => {
                let offer = sdp_type == "offer";
                let kind = match sdp_type.as_str() {
                    "offer" => RtcSdpType::Offer,
                    "answer" => RtcSdpType::Answer,
                    _ => return,
                };
                let collision = offer
                    && (inner.making_offer.get()
                        || inner.pc.signaling_state() != RtcSignalingState::Stable);
                inner.ignore_offer.set(!inner.polite && collision);
                if inner.ignore_offer.get() {
                    return;
                }
                if collision && inner.pc.signaling_state() == RtcSignalingState::HaveLocalOffer {
                    // Polite: our own offer gives way.
                    let rollback = RtcSessionDescriptionInit::new(RtcSdpType::Rollback);
                    let _ = settle(inner.pc.set_local_description(&rollback)).await;
                }
                let description = RtcSessionDescriptionInit::new(kind);
                description.set_sdp(&sdp);
                if settle(inner.pc.set_remote_description(&description))
                    .await
                    .is_err()
                {
                    return;
                }
                if offer && self.set_local().await.is_ok() {
                    self.send_local();
                }
            }
            Signal::Candidate {
                candidate,
                sdp_mid,
                sdp_m_line_index,
            } => {
                let init = RtcIceCandidateInit::new(&candidate);
                init.set_sdp_mid(sdp_mid.as_deref());
                init.set_sdp_m_line_index(sdp_m_line_index);
                // A candidate of an offer we ignored fails; so be it.
                let _ = settle(
                    inner
                        .pc
                        .add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&init)),
                )
                .await;
            }
        }
    }

    /// Asks for a fresh negotiation with new ICE candidates: the
    /// connection's `negotiationneeded` then makes a new offer (web-sys has
    /// no binding for `restartIce()`).
    pub fn restart(&self) {
        let pc: &JsValue = self.0.pc.as_ref();
        if let Ok(method) = Reflect::get(pc, &JsValue::from_str("restartIce"))
            .and_then(|m| m.dyn_into::<Function>())
        {
            let _ = method.call0(pc);
        }
    }

    /// Ends the connection. The handlers go with the last clone: a closed
    /// connection fires no more events.
    pub fn close(&self) {
        self.0.pc.close();
    }
}

/// Sets (or clears) what a `<video>` shows, and starts it.
pub fn show(video: &web_sys::HtmlVideoElement, stream: Option<&MediaStream>) {
    video.set_src_object(stream);
    if stream.is_some()
        && let Ok(playing) = video.play()
    {
        leptos::task::spawn_local(async move {
            let _ = settle(playing).await;
        });
    }
}
