//! The full-text index and the search over it.

use super::store::{self, SearchFilter, into_cards};
use crate::domain::{
    catalog::{
        category, check_amount, normalize_tag,
        search::{PAGE_SIZE, SearchQuery},
        search_text::{index_text, match_query},
    },
    id::ListingId,
    money::Currency,
};
use crate::model::SearchResults;
use sqlx::{SqliteConnection, SqlitePool};

/// (Re)indexes one listing from its stored title, description and tags.
pub async fn index(conn: &mut SqliteConnection, listing: i64) -> Result<(), sqlx::Error> {
    let row = store::indexed_text(&mut *conn, ListingId(listing)).await?;
    unindex(&mut *conn, listing).await?;
    if let Some((title, description, tags)) = row {
        store::insert_search_row(
            &mut *conn,
            ListingId(listing),
            &index_text(&title),
            &index_text(&tags),
            &index_text(&description),
        )
        .await?;
    }
    Ok(())
}

pub async fn unindex(conn: &mut SqliteConnection, listing: i64) -> Result<(), sqlx::Error> {
    store::delete_search_row(conn, ListingId(listing)).await
}

/// Indexes listings written without the index (demo data, older databases).
pub async fn index_missing(pool: &SqlitePool) -> Result<usize, sqlx::Error> {
    let missing = store::unindexed_listings(pool).await?;
    for batch in missing.chunks(1000) {
        // `index` reads then writes: a deferred transaction would fail with
        // SQLITE_BUSY_SNAPSHOT when another writer commits in between.
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        for id in batch {
            index(&mut tx, id.get()).await?;
        }
        tx.commit().await?;
    }
    Ok(missing.len())
}

/// One page of public listings matching `query`, and how many match in all.
pub async fn search(
    pool: &SqlitePool,
    query: &SearchQuery,
    currency: Currency,
    now: i64,
) -> Result<SearchResults, sqlx::Error> {
    // FTS5 reads the expression as a C string: a NUL (`?q=a%00`) would cut it
    // short and fail the query, so control characters only separate words.
    let typed: String = query
        .q
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let filter = filter(query, match_query(&typed), currency);
    let total = store::count_matches(pool, &filter).await?;
    let rows = store::search_page(
        pool,
        &filter,
        query.effective_sort(),
        now,
        PAGE_SIZE,
        query.offset(),
    )
    .await?;
    Ok(SearchResults {
        cards: into_cards(rows, currency)?,
        total: total as u64,
    })
}

/// The filters of `query`, read from what was typed; a tag or an amount
/// that cannot be one filters nothing.
fn filter(query: &SearchQuery, words: Option<String>, currency: Currency) -> SearchFilter {
    let area = (!query.area.is_empty()).then(|| {
        let escaped = query
            .area
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    });
    SearchFilter {
        status: query.status,
        words,
        categories: query.category.as_deref().map(category::with_descendants),
        tag: query.tag.as_deref().and_then(|t| normalize_tag(t).ok()),
        area,
        min: check_amount(&query.min, currency).ok(),
        max: check_amount(&query.max, currency).ok(),
        stock: query.stock,
        mode: query.mode,
    }
}

#[cfg(test)]
mod tests;
