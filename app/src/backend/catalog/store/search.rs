//! The full-text index (`listing_search`) and the search over listings.

use super::listings::{CARD_COLUMNS, CardRow, POPULARITY, SHOWN_PRICE};
use crate::domain::{
    catalog::{
        SaleMode,
        search::{Availability, Sort},
    },
    id::ListingId,
};
use sqlx::{QueryBuilder, Sqlite, SqliteExecutor};

/// A listing's title, description and tags (space-separated), if it exists.
pub(crate) async fn indexed_text(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<Option<(String, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.title, l.description,
                COALESCE((SELECT group_concat(t.name, ' ') FROM listing_tags lt
                            JOIN tags t ON t.id = lt.tag_id WHERE lt.listing_id = l.id), '')
           FROM listings l WHERE l.id = ?",
    )
    .bind(listing)
    .fetch_optional(db)
    .await
}

pub(crate) async fn insert_search_row(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
    title: &str,
    tags: &str,
    description: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO listing_search (rowid, title, tags, description) VALUES (?, ?, ?, ?)")
        .bind(listing)
        .bind(title)
        .bind(tags)
        .bind(description)
        .execute(db)
        .await?;
    Ok(())
}

pub(crate) async fn delete_search_row(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM listing_search WHERE rowid = ?")
        .bind(listing)
        .execute(db)
        .await?;
    Ok(())
}

/// Listings with no row in the index.
pub(crate) async fn unindexed_listings(
    db: impl SqliteExecutor<'_>,
) -> Result<Vec<ListingId>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM listings WHERE id NOT IN (SELECT rowid FROM listing_search)")
        .fetch_all(db)
        .await
}

/// What a search keeps, already read from what was typed.
pub(crate) struct SearchFilter {
    pub status: Availability,
    /// An FTS5 match expression.
    pub words: Option<String>,
    /// A category's slug and those of its descendants.
    pub categories: Option<Vec<&'static str>>,
    /// A normalized tag.
    pub tag: Option<String>,
    /// A `LIKE` pattern for the area, escaped with `\`.
    pub area: Option<String>,
    /// Bounds of the shown price, in minor units.
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub stock: Option<u32>,
    pub mode: Option<SaleMode>,
}

/// Weights of title, tags and description in the ranking.
const RANK: &str = "bm25(listing_search, 10.0, 4.0, 1.0)";

/// How many public listings match `filter`.
pub(crate) async fn count_matches(
    db: impl SqliteExecutor<'_>,
    filter: &SearchFilter,
) -> Result<i64, sqlx::Error> {
    let mut count = QueryBuilder::<Sqlite>::new("SELECT count(*)");
    push_filters(&mut count, filter);
    count.build_query_scalar().fetch_one(db).await
}

/// The public listings matching `filter` in the order `sort`, `limit` of
/// them from `offset`.
pub(crate) async fn search_page(
    db: impl SqliteExecutor<'_>,
    filter: &SearchFilter,
    sort: Sort,
    now: i64,
    limit: u32,
    offset: u32,
) -> Result<Vec<CardRow>, sqlx::Error> {
    let mut select = QueryBuilder::<Sqlite>::new(CARD_COLUMNS);
    push_filters(&mut select, filter);
    select.push(" ORDER BY ");
    match sort {
        Sort::Relevance if filter.words.is_some() => select.push(RANK).push(", l.id DESC"),
        Sort::Relevance | Sort::New => select.push("l.created_at DESC, l.id DESC"),
        // The price a card shows: an auction's current one.
        Sort::PriceLow => select.push(SHOWN_PRICE).push(", l.id DESC"),
        Sort::PriceHigh => select.push(SHOWN_PRICE).push(" DESC, l.id DESC"),
        Sort::Popular => select.push(POPULARITY).push(" DESC, l.id DESC"),
        Sort::EndingSoon => select
            .push("(a.ends_at IS NULL OR a.ends_at <= ")
            .push_bind(now)
            .push("), a.ends_at, l.created_at DESC, l.id DESC"),
    };
    select
        .push(" LIMIT ")
        .push_bind(i64::from(limit))
        .push(" OFFSET ")
        .push_bind(i64::from(offset));
    select.build_query_as().fetch_all(db).await
}

/// The tables, joins and conditions shared by the count and the page.
fn push_filters<'a>(sql: &mut QueryBuilder<'a, Sqlite>, filter: &'a SearchFilter) {
    // With words, the full-text match must drive the query (CROSS JOIN fixes
    // the order): the other way round SQLite reruns the match for every
    // listing, which took seconds with 50,000 of them.
    if filter.words.is_some() {
        sql.push(" FROM listing_search CROSS JOIN listings l ON l.id = listing_search.rowid");
    } else {
        sql.push(" FROM listings l");
    }
    sql.push(" LEFT JOIN auctions a ON a.listing_id = l.id");
    sql.push(match filter.status {
        Availability::Available => " WHERE l.status = 'approved'",
        Availability::Sold => " WHERE l.status = 'sold'",
        Availability::Any => " WHERE l.status IN ('approved', 'sold')",
    });
    if let Some(words) = &filter.words {
        sql.push(" AND listing_search MATCH ")
            .push_bind(words.as_str());
    }
    if let Some(categories) = &filter.categories {
        sql.push(" AND l.category_id IN (SELECT id FROM categories WHERE slug IN (");
        let mut slugs = sql.separated(", ");
        for slug in categories {
            slugs.push_bind(*slug);
        }
        sql.push("))");
    }
    if let Some(tag) = &filter.tag {
        sql.push(
            " AND l.id IN (SELECT lt.listing_id FROM listing_tags lt
                             JOIN tags t ON t.id = lt.tag_id WHERE t.name = ",
        )
        .push_bind(tag.as_str())
        .push(")");
    }
    if let Some(area) = &filter.area {
        sql.push(" AND l.area LIKE ")
            .push_bind(area.as_str())
            .push(" ESCAPE '\\'");
    }
    if let Some(min) = filter.min {
        sql.push(" AND ")
            .push(SHOWN_PRICE)
            .push(" >= ")
            .push_bind(min);
    }
    if let Some(max) = filter.max {
        sql.push(" AND ")
            .push(SHOWN_PRICE)
            .push(" <= ")
            .push_bind(max);
    }
    if let Some(stock) = filter.stock {
        sql.push(" AND l.stock >= ").push_bind(i64::from(stock));
    }
    if let Some(mode) = filter.mode {
        sql.push(" AND l.sale_mode = ").push_bind(mode.as_str());
    }
}
