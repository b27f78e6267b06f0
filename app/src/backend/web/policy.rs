//! The Content-Security-Policy of rendered pages.
//!
//! Scripts run only from Haggle's own files and from the inline scripts the
//! server wrote into this response (hydration and resource data), which carry
//! its nonce; WASM may be compiled (`'wasm-unsafe-eval'`). An injected
//! `<script>` or `onclick=` (were text ever to become HTML) does not run.
//! Other answers (files, JSON) get the router's static policy, which has no
//! script source at all.

use axum::http::{HeaderValue, header};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// The policy for a page whose inline scripts carry `nonce`.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
         media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; \
         form-action 'self'; base-uri 'self'; object-src 'none'"
    )
}

/// The policy every page served without a nonce (and every other answer)
/// carries: nothing may run inline, and nothing may frame it.
pub const STATIC_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; \
     connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; \
     object-src 'none'";

/// Called while the document is rendered: sends this response's nonce in
/// its policy (leptos_axum makes one per render and puts it on the
/// hydration scripts).
pub fn send_script_policy() {
    let (Some(nonce), Some(response)) =
        (leptos::nonce::use_nonce(), use_context::<ResponseOptions>())
    else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&page_policy(&nonce)) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_nonced_inline_scripts_run_on_pages() {
        let policy = page_policy("abc123");
        assert!(policy.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        assert!(!STATIC_POLICY.contains("nonce") && !STATIC_POLICY.contains("script-src 'unsafe"));
        for directive in [
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'self'",
        ] {
            assert!(policy.contains(directive) && STATIC_POLICY.contains(directive));
        }
    }
}
