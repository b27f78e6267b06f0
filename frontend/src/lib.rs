//! The browser entry point: hydrates the server-rendered page.
// Release builds keep Leptos' concrete view types, whose layout queries nest deeply.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Lazy: a route split out of the main file is fetched before it hydrates.
    leptos::mount::hydrate_lazy(app::App);
}
