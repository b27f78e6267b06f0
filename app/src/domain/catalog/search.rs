//! A search as it appears in the URL (`/search?q=&category=…`): the URL is the
//! state, so a search can be shared, bookmarked and rendered by the server.

use super::category;
use crate::domain::catalog::SaleMode;
use serde::{Deserialize, Serialize};

/// Results per page.
pub const PAGE_SIZE: u32 = 24;
/// Deepest page served; beyond it, narrow the search.
pub const MAX_PAGE: u32 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best match first; the default when there are words to match.
    Relevance,
    /// Newest first; the default otherwise.
    #[default]
    New,
    PriceLow,
    PriceHigh,
    /// Auctions closest to their end first (others after).
    EndingSoon,
    /// Most favorited and viewed first.
    Popular,
}

impl Sort {
    pub const ALL: [Sort; 6] = [
        Sort::Relevance,
        Sort::New,
        Sort::PriceLow,
        Sort::PriceHigh,
        Sort::EndingSoon,
        Sort::Popular,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::New => "new",
            Sort::PriceLow => "price_low",
            Sort::PriceHigh => "price_high",
            Sort::EndingSoon => "ending_soon",
            Sort::Popular => "popular",
        }
    }

    pub fn parse(text: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Which public listings: still for sale, sold, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    #[default]
    Available,
    Sold,
    Any,
}

impl Availability {
    pub const ALL: [Availability; 3] = [
        Availability::Available,
        Availability::Sold,
        Availability::Any,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Availability::Available => "available",
            Availability::Sold => "sold",
            Availability::Any => "any",
        }
    }

    pub fn parse(text: &str) -> Option<Availability> {
        Availability::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    pub q: String,
    /// A category slug; its subcategories are included.
    pub category: Option<String>,
    pub tag: Option<String>,
    /// Part of the meet-up area ("Taipei", "大安").
    pub area: String,
    /// Price bounds as typed, in the currency's usual notation.
    pub min: String,
    pub max: String,
    /// Minimum stock.
    pub stock: Option<u32>,
    pub mode: Option<SaleMode>,
    pub status: Availability,
    /// `None`: relevance when there are words, newest otherwise.
    pub sort: Option<Sort>,
    /// 1-based.
    pub page: u32,
}

/// Longest value kept from any parameter.
const MAX_PARAM_CHARS: usize = 100;

impl SearchQuery {
    /// Reads URL parameters leniently: unknown or malformed values fall back
    /// to their defaults rather than failing the page.
    pub fn from_params<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> SearchQuery {
        let mut query = SearchQuery {
            page: 1,
            ..SearchQuery::default()
        };
        for (key, value) in params {
            let value: String = value.trim().chars().take(MAX_PARAM_CHARS).collect();
            let non_empty = || (!value.is_empty()).then(|| value.clone());
            match key {
                "q" => query.q = value,
                "category" => {
                    query.category = category::find(&value).map(|c| c.slug.to_string());
                }
                "tag" => query.tag = non_empty(),
                "area" => query.area = value,
                "min" => query.min = value,
                "max" => query.max = value,
                "stock" => query.stock = value.parse().ok().filter(|n| *n > 1),
                "mode" => query.mode = SaleMode::parse(&value),
                "status" => query.status = Availability::parse(&value).unwrap_or_default(),
                "sort" => query.sort = Sort::parse(&value),
                "page" => query.page = value.parse().unwrap_or(1).clamp(1, MAX_PAGE),
                _ => {}
            }
        }
        query
    }

    /// This query as a page's URL would be read, with the same caps (a
    /// query that arrived as JSON or a form skipped them).
    pub fn capped(&self) -> SearchQuery {
        let params = self.params();
        SearchQuery::from_params(params.iter().map(|(k, v)| (*k, v.as_str())))
    }

    /// The sort actually applied.
    pub fn effective_sort(&self) -> Sort {
        match self.sort {
            Some(Sort::Relevance) if self.q.trim().is_empty() => Sort::New,
            Some(sort) => sort,
            None if self.q.trim().is_empty() => Sort::New,
            None => Sort::Relevance,
        }
    }

    /// The parameters that differ from the defaults, in a fixed order.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut push = |key, value: &str| {
            if !value.is_empty() {
                out.push((key, value.to_string()));
            }
        };
        push("q", &self.q);
        push("category", self.category.as_deref().unwrap_or_default());
        push("tag", self.tag.as_deref().unwrap_or_default());
        push("area", &self.area);
        push("min", &self.min);
        push("max", &self.max);
        push(
            "stock",
            &self.stock.map(|n| n.to_string()).unwrap_or_default(),
        );
        push("mode", self.mode.map(SaleMode::as_str).unwrap_or_default());
        if self.status != Availability::Available {
            push("status", self.status.as_str());
        }
        push("sort", self.sort.map(Sort::as_str).unwrap_or_default());
        if self.page > 1 {
            push("page", &self.page.to_string());
        }
        out
    }

    /// `/search?…` for this query.
    pub fn url(&self) -> String {
        let mut encoder = form_urlencoded::Serializer::new(String::new());
        for (key, value) in self.params() {
            encoder.append_pair(key, &value);
        }
        let query = encoder.finish();
        if query.is_empty() {
            "/search".to_string()
        } else {
            format!("/search?{query}")
        }
    }

    /// The same search on another page.
    pub fn with_page(&self, page: u32) -> SearchQuery {
        SearchQuery {
            page: page.clamp(1, MAX_PAGE),
            ..self.clone()
        }
    }

    /// Rows to skip for this page.
    pub fn offset(&self) -> u32 {
        (self.page.clamp(1, MAX_PAGE) - 1) * PAGE_SIZE
    }
}

/// Pages for `total` results, at least one.
pub fn page_count(total: u64) -> u32 {
    (total.div_ceil(u64::from(PAGE_SIZE)) as u32).clamp(1, MAX_PAGE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_query_from_elsewhere_gets_the_same_caps_as_a_page() {
        let wild = SearchQuery {
            q: "lamp ".repeat(5_000),
            category: Some("no-such-category".into()),
            area: "x".repeat(1_000),
            page: 99_999,
            ..SearchQuery::default()
        };
        let capped = wild.capped();
        assert_eq!(capped.q.chars().count(), MAX_PARAM_CHARS);
        assert_eq!(capped.area.chars().count(), MAX_PARAM_CHARS);
        assert_eq!(capped.category, None);
        assert_eq!(capped.page, MAX_PAGE);
        let tame = parse("/search?q=lamp&category=books&page=3");
        assert_eq!(tame.capped(), tame);
    }

    fn parse(url: &str) -> SearchQuery {
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(url.trim_start_matches("/search?").as_bytes())
                .into_owned()
                .collect();
        SearchQuery::from_params(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    #[test]
    fn malformed_parameters_fall_back_to_defaults() {
        let q =
            parse("/search?category=warp&page=-3&mode=barter&sort=x&stock=zero&status=lost&evil=1");
        assert_eq!(
            q,
            SearchQuery {
                page: 1,
                ..SearchQuery::default()
            }
        );
        assert_eq!(parse("/search?page=99999").page, MAX_PAGE);
        assert_eq!(parse("/search?q=%20%20").effective_sort(), Sort::New);
        assert_eq!(parse("/search?q=kindle").effective_sort(), Sort::Relevance);
        assert_eq!(parse("/search?sort=relevance").effective_sort(), Sort::New);
        assert_eq!(
            parse("/search?q=a&sort=price_low").effective_sort(),
            Sort::PriceLow
        );
        assert_eq!(parse("/search?stock=1").stock, None, "1 is every listing");
    }

    #[test]
    fn urls_are_short_and_encoded() {
        assert_eq!(
            SearchQuery {
                page: 1,
                ..SearchQuery::default()
            }
            .url(),
            "/search"
        );
        let q = parse("/search?q=%E8%8A%92%E6%9E%9C+%26+cake&category=games&page=2");
        assert_eq!(q.q, "芒果 & cake");
        assert_eq!(
            q.url(),
            "/search?q=%E8%8A%92%E6%9E%9C+%26+cake&category=games&page=2"
        );
        assert_eq!(
            q.with_page(1).url(),
            "/search?q=%E8%8A%92%E6%9E%9C+%26+cake&category=games"
        );
        assert_eq!(q.offset(), PAGE_SIZE);
    }

    #[test]
    fn page_counts() {
        assert_eq!(page_count(0), 1);
        assert_eq!(page_count(24), 1);
        assert_eq!(page_count(25), 2);
        assert_eq!(page_count(1_000_000), MAX_PAGE);
    }

    fn any_query() -> impl Strategy<Value = SearchQuery> {
        (
            "\\PC{0,20}",
            proptest::option::of(proptest::sample::select(vec![
                "games", "phones", "desserts",
            ])),
            proptest::option::of("[a-z가-힣]{1,8}"),
            "[0-9]{0,5}",
            proptest::option::of(2u32..50),
            proptest::option::of(proptest::sample::select(SaleMode::ALL.to_vec())),
            proptest::sample::select(Availability::ALL.to_vec()),
            proptest::option::of(proptest::sample::select(Sort::ALL.to_vec())),
            1u32..=MAX_PAGE,
        )
            .prop_map(|(q, category, tag, min, stock, mode, status, sort, page)| {
                SearchQuery {
                    q: q.trim().to_string(),
                    category: category.map(String::from),
                    tag,
                    area: String::new(),
                    min,
                    max: String::new(),
                    stock,
                    mode,
                    status,
                    sort,
                    page,
                }
            })
    }

    proptest! {
        /// Sharing a URL gives the same search.
        #[test]
        fn urls_round_trip(query in any_query()) {
            prop_assert_eq!(parse(&query.url()), query);
        }
    }
}
