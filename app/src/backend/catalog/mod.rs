//! Reading listings: grids, the listing page, the edit form, the review queue.

pub mod categories;
pub mod edit;
pub mod favorites;
pub mod review;
pub mod search;
pub mod search_cache;

pub(crate) mod store;

use crate::backend::platform::{media, vault::Vault};
use crate::domain::{
    catalog::{AuctionTerms, ListingInput, SaleMode, Status},
    id::{ListingId, UserId},
    money::{Currency, Money},
};
use crate::error::AppError;
use crate::model::{
    ImageRef, ListingCard, ListingDetail, ListingForEdit, PendingListing, SellerCard,
};
use sqlx::{SqliteConnection, SqlitePool};
use store::ListingRow;

// The card query is shared with the auction lists.
pub(crate) use store::{CARD_COLUMNS, CardRow, into_cards};

/// The newest public listings still for sale.
pub async fn newest_cards(
    pool: &SqlitePool,
    currency: Currency,
    limit: u32,
) -> Result<Vec<ListingCard>, sqlx::Error> {
    into_cards(store::newest_listings(pool, limit).await?, currency)
}

/// The most favorited and viewed listings for sale.
pub async fn popular_cards(
    pool: &SqlitePool,
    currency: Currency,
    limit: u32,
) -> Result<Vec<ListingCard>, sqlx::Error> {
    into_cards(store::popular_listings(pool, limit).await?, currency)
}

/// Auctions not yet ended, the closest to their end first.
pub async fn ending_soon_cards(
    pool: &SqlitePool,
    currency: Currency,
    now: i64,
    limit: u32,
) -> Result<Vec<ListingCard>, sqlx::Error> {
    into_cards(
        store::ending_soon_listings(pool, now, limit).await?,
        currency,
    )
}

/// For `user`: listings for sale sharing tags or categories with what they
/// favorited or looked at lately, best overlap first. Empty without history.
pub async fn recommended_cards(
    pool: &SqlitePool,
    currency: Currency,
    user: i64,
    limit: u32,
) -> Result<Vec<ListingCard>, sqlx::Error> {
    let viewer = viewer_key(user);
    let rows = store::recommended_listings(pool, UserId(user), &viewer, limit).await?;
    into_cards(rows, currency)
}

/// What `listing_views` calls a signed-in viewer.
pub fn viewer_key(user: i64) -> String {
    format!("u:{user}")
}

/// A seller's public listings, newest first, optionally leaving one out.
pub async fn seller_cards(
    pool: &SqlitePool,
    currency: Currency,
    seller: i64,
    except: i64,
    limit: u32,
) -> Result<Vec<ListingCard>, sqlx::Error> {
    let rows = store::seller_listings(pool, UserId(seller), ListingId(except), limit).await?;
    into_cards(rows, currency)
}

/// Everything `seller` has listed, in every state, newest first.
pub async fn own_cards(
    pool: &SqlitePool,
    currency: Currency,
    seller: i64,
) -> Result<Vec<ListingCard>, sqlx::Error> {
    into_cards(store::own_listings(pool, UserId(seller)).await?, currency)
}

/// What `user` favorited, most recent first (only what is still public).
pub async fn favorite_cards(
    pool: &SqlitePool,
    currency: Currency,
    user: i64,
) -> Result<Vec<ListingCard>, sqlx::Error> {
    into_cards(
        store::favorite_listings(pool, UserId(user)).await?,
        currency,
    )
}

/// A listing's stored facts, whatever its state.
pub(crate) struct Stored {
    row: ListingRow,
    pub tags: Vec<String>,
    pub images: Vec<ImageRef>,
}

impl Stored {
    pub fn seller(&self) -> i64 {
        self.row.seller_id
    }
    pub fn status(&self) -> Result<Status, sqlx::Error> {
        self.row.status()
    }
    pub fn sale_mode(&self) -> Result<SaleMode, sqlx::Error> {
        self.row.sale_mode()
    }
    pub fn price(&self) -> i64 {
        self.row.price
    }
    pub fn auction(&self) -> Option<AuctionTerms> {
        self.row.auction()
    }
    pub fn title(&self) -> &str {
        &self.row.title
    }
    pub fn description(&self) -> &str {
        &self.row.description
    }
    pub fn category(&self) -> &str {
        &self.row.category
    }
    pub fn updated_at(&self) -> i64 {
        self.row.updated_at
    }
}

pub(crate) async fn load(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<Option<Stored>, sqlx::Error> {
    let listing = ListingId(id);
    let Some(row) = store::load_listing(&mut *conn, listing).await? else {
        return Ok(None);
    };
    let tags = store::listing_tags(&mut *conn, listing).await?;
    let images = store::listing_images(&mut *conn, listing).await?;
    Ok(Some(Stored { row, tags, images }))
}

/// Who is looking at a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Looker {
    pub user: Option<i64>,
    pub admin: bool,
}

/// The listing page for `looker`: public listings for all, others only for
/// their seller and admins (anyone else is told it does not exist).
pub async fn detail(
    pool: &SqlitePool,
    currency: Currency,
    id: i64,
    looker: Looker,
) -> Result<ListingDetail, AppError> {
    let mut conn = pool.acquire().await?;
    let stored = load(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let status = stored.status()?;
    let mine = looker.user == Some(stored.seller());
    if !status.is_public() && !mine && !looker.admin {
        return Err(AppError::NotFound);
    }
    let seller = store::seller_row(&mut *conn, UserId(stored.seller())).await?;
    let favorited = match looker.user {
        Some(user) => store::is_favorite(&mut *conn, UserId(user), ListingId(id)).await?,
        None => false,
    };
    drop(conn);
    let more_from_seller = seller_cards(pool, currency, stored.seller(), id, 6).await?;
    let sale_mode = stored.sale_mode()?;
    // A reserve's amount is the seller's secret: bidders learn only that there
    // is one (and, in the room, whether it is met). It must not reach anyone
    // else's browser, not even inside the page's hydration data.
    let mut auction = stored.auction();
    let has_reserve = auction.is_some_and(|a| a.reserve.is_some());
    if !mine
        && !looker.admin
        && let Some(terms) = auction.as_mut()
    {
        terms.reserve = None;
    }
    let Stored { row, tags, images } = stored;
    Ok(ListingDetail {
        id,
        condition: row.condition()?,
        title: row.title,
        description: row.description,
        price: Money::new(row.price, currency),
        stock: row.stock,
        category: row.category,
        tags,
        meetup: row.meetup,
        area: row.area,
        meetup_place: row.meetup_place,
        shipping: row.shipping,
        sale_mode,
        auction,
        has_reserve,
        status,
        reject_reason: if mine || looker.admin {
            row.reject_reason
        } else {
            None
        },
        images,
        seller: SellerCard {
            username: seller.0,
            nickname: seller.1,
            avatar_url: seller.2.as_deref().map(media::url),
            id_verified: seller.3.is_some(),
            member_since: seller.4,
        },
        favorites: row.favorites,
        views: row.views,
        created_at: row.created_at,
        favorited,
        mine,
        more_from_seller,
    })
}

/// The seller's own listing as the edit form needs it, secrets opened.
pub async fn for_edit(
    pool: &SqlitePool,
    currency: Currency,
    vault: &Vault,
    seller: i64,
    id: i64,
) -> Result<ListingForEdit, AppError> {
    let mut conn = pool.acquire().await?;
    let stored = load(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    if stored.seller() != seller {
        return Err(AppError::Forbidden);
    }
    let status = stored.status()?;
    let auction = stored.auction();
    let amount = |minor: i64| Money::new(minor, currency).plain();
    let Stored { row, tags, images } = stored;
    let secret = row
        .secret
        .as_deref()
        .and_then(|sealed| vault.open(seller, sealed))
        .unwrap_or_default();
    Ok(ListingForEdit {
        id,
        status,
        input: ListingInput {
            price: amount(row.price),
            stock: row.stock.to_string(),
            category: row.category,
            tags,
            condition: row.condition,
            meetup: row.meetup,
            area: row.area,
            meetup_place: row.meetup_place,
            shipping: row.shipping,
            sale_mode: row.sale_mode,
            starts_at: auction.map(|a| a.starts_at),
            ends_at: auction.map(|a| a.ends_at),
            start_price: auction.map(|a| amount(a.start_price)).unwrap_or_default(),
            reserve: auction
                .and_then(|a| a.reserve)
                .map(amount)
                .unwrap_or_default(),
            buy_now: auction
                .and_then(|a| a.buy_now)
                .map(amount)
                .unwrap_or_default(),
            secret,
            images: images.iter().map(|i| i.id).collect(),
            title: row.title,
            description: row.description,
        },
        images,
    })
}

/// The review queue, oldest first.
pub async fn pending(
    pool: &SqlitePool,
    currency: Currency,
    limit: u32,
) -> Result<Vec<PendingListing>, sqlx::Error> {
    let rows = store::pending_listings(pool, limit).await?;
    let mut conn = pool.acquire().await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, title, description, price, category, username, nickname, updated_at) in rows {
        let tags = store::listing_tags(&mut *conn, ListingId(id)).await?;
        out.push(PendingListing {
            id,
            title,
            description,
            price: Money::new(price, currency),
            category,
            tags,
            seller_username: username,
            seller_nickname: nickname,
            images: store::listing_images(&mut *conn, ListingId(id)).await?,
            updated_at,
        });
    }
    Ok(out)
}

/// Tags in use starting with `prefix` (as typed), most used first; none when
/// it cannot start a tag.
pub async fn suggest_tags(pool: &SqlitePool, prefix: &str) -> Result<Vec<String>, sqlx::Error> {
    let Ok(prefix) = crate::domain::catalog::normalize_tag(prefix) else {
        return Ok(Vec::new());
    };
    let escaped = prefix
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    store::popular_tags_like(pool, &format!("{escaped}%")).await
}

#[cfg(test)]
mod tests;
