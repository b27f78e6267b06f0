//! Same-origin rules: who may open a socket and who may change state.
//!
//! Cookies authenticate browsers, so another site could make a visitor's browser
//! send requests carrying them (CSRF). Browsers say where a request comes from
//! (`Sec-Fetch-Site`, `Origin`); writes and socket handshakes from anywhere but
//! Haggle's own pages are refused. Clients that send neither header are not
//! browsers and carry no ambient cookies to abuse.

use axum::{
    extract::Request,
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// True unless `Origin` names a different host than the request was sent to.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let (Ok(origin), Some(host)) = (
        origin.to_str(),
        headers.get(header::HOST).and_then(|h| h.to_str().ok()),
    ) else {
        return false;
    };
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|authority| authority.eq_ignore_ascii_case(host))
}

/// True when a browser says the request was made by another site.
pub fn is_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    !same_origin(headers)
}

/// Middleware: refuses state-changing requests (anything but GET, HEAD,
/// OPTIONS, TRACE) made by other sites, including no-JS form posts.
pub async fn refuse_cross_site_writes(req: Request, next: Next) -> Response {
    if !req.method().is_safe() && is_cross_site(req.headers()) {
        tracing::warn!(method = %req.method(), uri = %req.uri(), "refused a cross-site write");
        return (
            StatusCode::FORBIDDEN,
            "Cross-site requests cannot change anything on Haggle.",
        )
            .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn origin_must_match_host() {
        assert!(same_origin(&headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(same_origin(&headers(&[
            ("origin", "https://Haggle.example"),
            ("host", "haggle.example")
        ])));
        assert!(same_origin(&headers(&[("host", "haggle.example")])));
        assert!(!same_origin(&headers(&[
            ("origin", "http://evil.example"),
            ("host", "haggle.example")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "null"),
            ("host", "haggle.example")
        ])));
        assert!(!same_origin(&headers(&[(
            "origin",
            "http://haggle.example"
        )])));
    }

    #[test]
    fn fetch_metadata_wins_over_origin() {
        assert!(!is_cross_site(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "none")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(is_cross_site(&headers(&[
            ("origin", "http://evil.example"),
            ("host", "haggle.example")
        ])));
        assert!(
            !is_cross_site(&headers(&[])),
            "no browser headers: not a browser"
        );
    }
}
