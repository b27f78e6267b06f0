//! The logged-in viewer and the actions that change who it is, shared by the
//! header and the account pages.

use crate::{
    api::account::auth::{LogIn, LogOut, SignUp, current_viewer},
    error::AppError,
    model::Viewer,
};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Auth {
    pub sign_up: ServerAction<SignUp>,
    pub log_in: ServerAction<LogIn>,
    pub log_out: ServerAction<LogOut>,
    /// Bumped by pages that change what the header shows (nickname, avatar…).
    pub changed: RwSignal<u32>,
    /// Reloads whenever one of the actions above completes or `changed` moves.
    pub viewer: Resource<Result<Option<Viewer>, AppError>>,
}

pub fn provide_auth() -> Auth {
    let sign_up = ServerAction::<SignUp>::new();
    let log_in = ServerAction::<LogIn>::new();
    let log_out = ServerAction::<LogOut>::new();
    let changed = RwSignal::new(0);
    let viewer = Resource::new(
        move || {
            (
                sign_up.version().get(),
                log_in.version().get(),
                log_out.version().get(),
                changed.get(),
            )
        },
        |_| current_viewer(),
    );
    let auth = Auth {
        sign_up,
        log_in,
        log_out,
        changed,
        viewer,
    };
    provide_context(auth);
    auth
}
