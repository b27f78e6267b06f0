//! Live state pushed by the server over the WebSocket, shared by every view.

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Live {
    /// Connected tabs site-wide; `None` until the server first says.
    pub online: RwSignal<Option<u32>>,
    /// Whether the socket is open right now.
    pub connected: RwSignal<bool>,
}

/// Provides [`Live`] to the app and, in the browser, starts the socket.
pub fn provide_live() -> Live {
    let live = Live {
        online: RwSignal::new(None),
        connected: RwSignal::new(false),
    };
    provide_context(live);
    // Effects run only in the browser, after hydration.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| crate::client::socket::run(live));
    live
}
