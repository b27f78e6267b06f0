//! Link flags for the browser build.
//!
//! wasm-split (cargo leptos `--split`) moves each route's constant data into
//! that route's chunk only when the re-laid-out data fits the original
//! segment; when it is a few bytes longer (padding, strings two chunks
//! share) it gives up and leaves every page's strings, in every language, in
//! the first-load file (a known splitter bug). Keeping each symbol in a
//! segment of its own gives it nothing to re-lay out.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-cdylib=--no-merge-data-segments");
    }
}
