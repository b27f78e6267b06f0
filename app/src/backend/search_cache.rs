//! Recent search answers, shared by every request.
//!
//! Most searches are the same few words, categories and sorts, and the page a
//! shopper lands on is usually one somebody asked for seconds earlier. Keeping
//! answers for a few seconds turns those into a map lookup. Catalog changes that
//! decide what is public (review, edits, deletes, auction endings) clear the cache
//! at once; counters (favorites, views) and prices may lag by at most [`FRESH_FOR`].

use crate::{domain::search::SearchQuery, model::SearchResults};
use moka::future::Cache;
use std::{sync::Arc, time::Duration};

pub const FRESH_FOR: Duration = Duration::from_secs(5);
const CAPACITY: u64 = 10_000;

#[derive(Clone)]
pub struct SearchCache {
    answers: Cache<String, Arc<SearchResults>>,
}

impl Default for SearchCache {
    fn default() -> Self {
        SearchCache {
            answers: Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(FRESH_FOR)
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

    /// Forgets every answer: something public changed.
    pub fn clear(&self) {
        self.answers.invalidate_all();
    }
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
