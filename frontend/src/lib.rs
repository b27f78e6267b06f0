//! The browser entry point: hydrates the server-rendered page.
// Release builds keep Leptos' concrete view types, whose layout queries nest deeply.
#![recursion_limit = "256"]

/// When this tab last reloaded itself after a panic (Unix ms, session storage).
const RELOADED_AT: &str = "haggle-reloaded-at";
/// At most one reload per this many ms: a page that panics on every load
/// stays visible (with its server-rendered content) instead of looping.
const RELOAD_GAP_MS: i64 = 30_000;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        reload_once();
    }));
    // Lazy: a route split out of the main file is fetched before it hydrates.
    leptos::mount::hydrate_lazy(app::App);
}

/// A panic stops the app for the rest of the visit. The usual cause is a tab
/// opened before a deploy fetching a route's chunk from the new build, which
/// does not fit its old main file (a failed chunk load panics): loading the
/// page again brings one build's files.
fn reload_once() {
    let Some(window) = web_sys::window() else {
        return;
    };
    // Whole milliseconds: printing and parsing an f64 would add ~13 KB
    // (brotli) of float formatting code to the main file.
    let now = js_sys::Date::now() as i64;
    let storage = window.session_storage().ok().flatten();
    let last = storage
        .as_ref()
        .and_then(|s| s.get_item(RELOADED_AT).ok().flatten())
        .and_then(|at| at.parse::<i64>().ok());
    if last.is_some_and(|at| now - at < RELOAD_GAP_MS) {
        return;
    }
    if let Some(storage) = &storage {
        let _ = storage.set_item(RELOADED_AT, &now.to_string());
    }
    let _ = window.location().reload();
}

/// Room for wasm-split (`cargo leptos --split`) to re-lay out the read-only
/// data. The splitter moves each route's constant data (its strings, in
/// every language) into that route's chunk only when the re-laid-out data
/// fits the original segment; alignment padding and strings two chunks share
/// make it a few bytes longer, and then it gives up and leaves all of it in
/// the first-load file (a known splitter bug). Nothing refers to these bytes,
/// so the splitter drops them and the data fits; they reach no file it writes.
#[cfg(target_arch = "wasm32")]
#[used]
static SPLIT_SLACK: [u8; 16384] = [0x5a; 16384];
