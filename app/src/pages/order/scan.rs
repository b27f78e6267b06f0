//! "Scan QR code": where the browser can read barcodes (`BarcodeDetector`)
//! the seller points the camera at the buyer's QR code and the handover
//! code field fills itself. Elsewhere (and before hydration) there is no
//! button; typing the six digits always works.

use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn ScanButton(code: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let can_scan = RwSignal::new(false);
    let scanning = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let video = NodeRef::<leptos::html::Video>::new();
    // Only the browser scans.
    #[cfg(not(feature = "hydrate"))]
    let _ = code;
    #[cfg(feature = "hydrate")]
    {
        Effect::new(move |_| can_scan.set(camera::supported()));
        on_cleanup(camera::stop);
    }
    let toggle = move |_| {
        failed.set(false);
        if scanning.get_untracked() {
            #[cfg(feature = "hydrate")]
            camera::stop();
            scanning.set(false);
        } else {
            #[cfg(feature = "hydrate")]
            if let Some(el) = video.get_untracked() {
                scanning.set(true);
                camera::start(
                    el.into(),
                    move |read| {
                        code.set(read);
                        scanning.set(false);
                    },
                    move || {
                        scanning.set(false);
                        failed.set(true);
                    },
                );
            }
        }
    };
    view! {
        <Show when=move || can_scan.get()>
            <button type="button" class="button-ghost" on:click=toggle data-testid="scan-qr"
                aria-pressed=move || scanning.get().to_string()>
                {move || if scanning.get() {
                    t!(i18n, order_scan_stop).into_any()
                } else {
                    t!(i18n, order_scan).into_any()
                }}
            </button>
        </Show>
        <video node_ref=video class="scan-video" hidden=move || !scanning.get() muted=true playsinline=true></video>
        {move || failed.get().then(|| view! {
            <p class="field-error" role="alert">{t!(i18n, order_camera_failed)}</p>
        })}
    }
}

/// The camera and the detector, reached through `Reflect` so the crate
/// needs no unstable `web-sys` features.
#[cfg(feature = "hydrate")]
mod camera {
    use js_sys::{Array, Function, Object, Reflect};
    use leptos::prelude::{IntervalHandle, set_interval_with_handle};
    use std::{cell::RefCell, rc::Rc, time::Duration};
    use wasm_bindgen::{JsCast, JsValue, closure::Closure};

    /// One scan at a time: the camera's stream, the video showing it, the
    /// timer asking the detector.
    struct Session {
        stream: Option<JsValue>,
        video: JsValue,
        timer: Option<IntervalHandle>,
    }

    thread_local! {
        static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
    }

    fn get(target: &JsValue, key: &str) -> Option<JsValue> {
        Reflect::get(target, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    }

    fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Option<JsValue> {
        let f: Function = get(target, method)?.dyn_into().ok()?;
        f.apply(target, &args.iter().collect::<Array>()).ok()
    }

    /// Runs `ok` with what `promise` resolves to, or `err` if it fails.
    fn then(promise: &JsValue, ok: impl FnOnce(JsValue) + 'static, err: impl FnOnce() + 'static) {
        let ok = Closure::once_into_js(ok);
        let err = Closure::once_into_js(move |_: JsValue| err());
        call(promise, "then", &[ok, err]);
    }

    fn object(pairs: &[(&str, JsValue)]) -> JsValue {
        let o = Object::new();
        for (k, v) in pairs {
            let _ = Reflect::set(&o, &JsValue::from_str(k), v);
        }
        o.into()
    }

    fn media_devices() -> Option<JsValue> {
        get(&get(&js_sys::global(), "navigator")?, "mediaDevices")
    }

    pub fn supported() -> bool {
        get(&js_sys::global(), "BarcodeDetector").is_some()
            && media_devices().is_some_and(|m| get(&m, "getUserMedia").is_some())
    }

    /// Opens the back camera into `video` and reads QR codes until one
    /// holds a code: `found` gets its digits. `failed` when the camera
    /// cannot open (refused, absent).
    pub fn start(
        video: JsValue,
        found: impl Fn(String) + 'static,
        failed: impl FnOnce() + 'static,
    ) {
        stop();
        let detector = get(&js_sys::global(), "BarcodeDetector")
            .and_then(|c| c.dyn_into::<Function>().ok())
            .and_then(|c| {
                let formats: Array = std::iter::once(JsValue::from_str("qr_code")).collect();
                let options = object(&[("formats", formats.into())]);
                Reflect::construct(&c, &std::iter::once(options).collect::<Array>()).ok()
            });
        let (Some(detector), Some(devices)) = (detector, media_devices()) else {
            return failed();
        };
        let constraints = object(&[
            (
                "video",
                object(&[("facingMode", JsValue::from_str("environment"))]),
            ),
            ("audio", JsValue::FALSE),
        ]);
        let Some(request) = call(&devices, "getUserMedia", &[constraints]) else {
            return failed();
        };
        SESSION.with(|s| {
            *s.borrow_mut() = Some(Session {
                stream: None,
                video: video.clone(),
                timer: None,
            })
        });
        let found = Rc::new(found);
        then(
            &request,
            move |stream| {
                let live = SESSION.with(|s| {
                    s.borrow_mut().as_mut().map(|session| {
                        session.stream = Some(stream.clone());
                    })
                });
                if live.is_none() {
                    // Stopped while the browser asked for the camera.
                    stop_tracks(&stream);
                    return;
                }
                let _ = Reflect::set(&video, &JsValue::from_str("srcObject"), &stream);
                call(&video, "play", &[]);
                let busy = Rc::new(RefCell::new(false));
                let tick = move || {
                    if *busy.borrow() {
                        return;
                    }
                    let Some(asked) = call(&detector, "detect", std::slice::from_ref(&video))
                    else {
                        return;
                    };
                    *busy.borrow_mut() = true;
                    let (busy_ok, busy_err, found) = (busy.clone(), busy.clone(), found.clone());
                    then(
                        &asked,
                        move |codes| {
                            *busy_ok.borrow_mut() = false;
                            if let Some(read) = first_code(&codes) {
                                stop();
                                found(read);
                            }
                        },
                        move || *busy_err.borrow_mut() = false,
                    );
                };
                if let Ok(timer) = set_interval_with_handle(tick, Duration::from_millis(300)) {
                    SESSION.with(|s| match s.borrow_mut().as_mut() {
                        Some(session) => session.timer = Some(timer),
                        None => timer.clear(),
                    });
                }
            },
            move || {
                stop();
                failed();
            },
        );
    }

    /// The first detected code that holds a handover code: its digits.
    fn first_code(codes: &JsValue) -> Option<String> {
        let codes: Array = codes.clone().dyn_into().ok()?;
        codes.iter().find_map(|c| {
            let raw = get(&c, "rawValue")?.as_string()?;
            let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
            (!digits.is_empty()).then_some(digits)
        })
    }

    fn stop_tracks(stream: &JsValue) {
        if let Some(tracks) =
            call(stream, "getTracks", &[]).and_then(|t| t.dyn_into::<Array>().ok())
        {
            for track in tracks.iter() {
                call(&track, "stop", &[]);
            }
        }
    }

    /// Turns the camera off (if a scan is running).
    pub fn stop() {
        let Some(session) = SESSION.with(|s| s.borrow_mut().take()) else {
            return;
        };
        if let Some(timer) = session.timer {
            timer.clear();
        }
        if let Some(stream) = &session.stream {
            stop_tracks(stream);
        }
        let _ = Reflect::set(
            &session.video,
            &JsValue::from_str("srcObject"),
            &JsValue::NULL,
        );
    }
}
