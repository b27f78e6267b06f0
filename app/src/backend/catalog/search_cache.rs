//! Recent search answers, and the public pages built from them, shared by
//! every request.
//!
//! Most searches are the same few words, categories and sorts, and the page a
//! shopper lands on is usually one somebody asked for seconds earlier. Keeping
//! answers for a few seconds turns those into a map lookup. Catalog changes that
//! decide what is public (review, edits, deletes, auction endings) clear the cache
//! at once; counters (favorites, views) and prices may lag by at most [`FRESH_FOR`].
//!
//! The home and search pages as a visitor without a session gets them are the
//! same for everyone with the same address, language and cookies, so they are
//! kept too, for [`PAGE_FRESH_FOR`]: a crowd arriving at once (a shared link, a
//! campaign) costs one render a second instead of one each. Signed-in members
//! always get a fresh page; theirs carries their name and favorites.

use crate::{domain::catalog::search::SearchQuery, model::SearchResults};
use axum::{
    body::{Body, Bytes, to_bytes},
    extract::{Request, State},
    http::{HeaderMap, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use moka::future::Cache;
use std::{sync::Arc, time::Duration};

pub const FRESH_FOR: Duration = Duration::from_secs(5);
pub const PAGE_FRESH_FOR: Duration = Duration::from_secs(1);
/// Keys are attacker text (search words, cookies, languages), so both caches
/// are bounded by the bytes they hold, not by how many entries: a few huge
/// keys cannot hold more memory than many small ones.
const ANSWER_BYTES: u64 = 32 << 20;
/// Pages are a few dozen KB each.
const PAGE_BYTES: u64 = 16 << 20;
/// The pages that may be kept: public, and the same for every anonymous visitor.
const PAGE_PATHS: &[&str] = &["/", "/search"];
/// The cookie that marks a visitor with a session (see the router).
const SESSION_COOKIE: &str = "haggle_session=";

#[derive(Clone)]
pub struct SearchCache {
    answers: Cache<String, Arc<SearchResults>>,
    pages: Cache<String, Arc<Page>>,
}

/// A rendered page, as sent.
struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Page {
    fn response(&self) -> Response {
        (
            self.status,
            self.headers.clone(),
            Body::from(self.body.clone()),
        )
            .into_response()
    }
}

impl Default for SearchCache {
    fn default() -> Self {
        SearchCache {
            answers: Cache::builder()
                .max_capacity(ANSWER_BYTES)
                .weigher(|key: &String, answer: &Arc<SearchResults>| {
                    weight(key.len() + answer_bytes(answer))
                })
                .time_to_live(FRESH_FOR)
                .build(),
            pages: Cache::builder()
                .max_capacity(PAGE_BYTES)
                .weigher(|key: &String, page: &Arc<Page>| {
                    let headers: usize = page
                        .headers
                        .iter()
                        .map(|(name, value)| name.as_str().len() + value.len())
                        .sum();
                    weight(key.len() + headers + page.body.len())
                })
                .time_to_live(PAGE_FRESH_FOR)
                .build(),
        }
    }
}

impl SearchCache {
    /// The cached answer to `query`, or `run`'s, which is kept when it succeeds.
    /// Concurrent misses for the same query run it once.
    pub async fn get_or_run<E, F>(
        &self,
        query: &SearchQuery,
        run: F,
    ) -> Result<Arc<SearchResults>, Arc<E>>
    where
        F: Future<Output = Result<SearchResults, E>>,
        E: Send + Sync + 'static,
    {
        self.answers
            .try_get_with(query.url(), async { run.await.map(Arc::new) })
            .await
    }

    /// Forgets every answer and page: something public changed.
    pub fn clear(&self) {
        self.answers.invalidate_all();
        self.pages.invalidate_all();
    }
}

/// An entry's weight for moka (u32), with a floor for the map's own overhead.
fn weight(bytes: usize) -> u32 {
    u32::try_from(bytes + 128).unwrap_or(u32::MAX)
}

/// About what an answer holds: its cards as JSON (the same strings, a
/// similar size), which is measured once, when it is kept.
fn answer_bytes(answer: &SearchResults) -> usize {
    serde_json::to_vec(answer).map_or(0, |json| json.len())
}

/// Middleware: answers an anonymous visitor's request for a public page
/// from the cache, or renders it and keeps it when it may be shared.
pub async fn pages(State(cache): State<SearchCache>, req: Request, next: Next) -> Response {
    let Some(key) = page_key(&req) else {
        return next.run(req).await;
    };
    if let Some(page) = cache.pages.get(&key).await {
        return page.response();
    }
    let (parts, body) = next.run(req).await.into_parts();
    // A page is a few dozen KB; one that cannot be read whole is not kept.
    let Ok(body) = to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let page = Page {
        status: parts.status,
        headers: parts.headers,
        body,
    };
    let response = page.response();
    // Nothing that starts a session or varies from one visitor to the next.
    if page.status == StatusCode::OK && !page.headers.contains_key(header::SET_COOKIE) {
        cache.pages.insert(key, Arc::new(page)).await;
    }
    response
}

/// What makes two requests get the same page, or `None` when this one's
/// may be personal.
fn page_key(req: &Request) -> Option<String> {
    if req.method() != Method::GET || !PAGE_PATHS.contains(&req.uri().path()) {
        return None;
    }
    let header = |name| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let cookies = header(header::COOKIE);
    if cookies.contains(SESSION_COOKIE) || req.headers().contains_key(header::AUTHORIZATION) {
        return None;
    }
    Some(format!(
        "{}\n{}\n{cookies}",
        req.uri(),
        header(header::ACCEPT_LANGUAGE)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(q: &str) -> SearchQuery {
        SearchQuery {
            q: q.into(),
            page: 1,
            ..SearchQuery::default()
        }
    }

    fn answer(total: u64) -> SearchResults {
        SearchResults {
            cards: Vec::new(),
            total,
        }
    }

    #[tokio::test]
    async fn answers_are_reused_until_cleared() {
        let cache = SearchCache::default();
        let first = cache
            .get_or_run(&query("lamp"), async { Ok::<_, ()>(answer(1)) })
            .await
            .unwrap();
        let again = cache
            .get_or_run(&query("lamp"), async { Ok::<_, ()>(answer(2)) })
            .await
            .unwrap();
        assert_eq!((first.total, again.total), (1, 1));
        let other = cache
            .get_or_run(&query("desk"), async { Ok::<_, ()>(answer(3)) })
            .await
            .unwrap();
        assert_eq!(other.total, 3);

        cache.clear();
        let fresh = cache
            .get_or_run(&query("lamp"), async { Ok::<_, ()>(answer(4)) })
            .await
            .unwrap();
        assert_eq!(fresh.total, 4);
    }

    #[tokio::test]
    async fn answers_are_bounded_by_bytes_not_entries() {
        let cache = SearchCache::default();
        // 20 answers to 3 MB queries: 60 MB of keys if entries were counted.
        for i in 0..20 {
            let huge = format!("{i}{}", "x".repeat(3 << 20));
            cache
                .get_or_run(&query(&huge), async { Ok::<_, ()>(answer(1)) })
                .await
                .unwrap();
        }
        cache.answers.run_pending_tasks().await;
        assert!(
            cache.answers.weighted_size() <= ANSWER_BYTES,
            "{} bytes kept",
            cache.answers.weighted_size()
        );
        assert!(cache.answers.entry_count() < 20);
    }

    #[tokio::test]
    async fn failures_are_not_kept() {
        let cache = SearchCache::default();
        let failed = cache
            .get_or_run(&query("lamp"), async { Err::<SearchResults, _>("down") })
            .await;
        assert_eq!(failed.unwrap_err().as_ref(), &"down");
        let ok = cache
            .get_or_run(&query("lamp"), async { Ok::<_, &str>(answer(5)) })
            .await
            .unwrap();
        assert_eq!(ok.total, 5);
    }
}
