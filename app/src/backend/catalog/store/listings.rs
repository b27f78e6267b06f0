//! Listings: the cards of the grids, a listing's row, the review queue, and
//! the writes of the seller's form (with its auction terms).

use crate::backend::platform::media;
use crate::domain::{
    catalog::{AuctionTerms, Condition, ListingDraft, SaleMode, Status},
    id::{ListingId, UserId},
    money::{Currency, Money},
};
use crate::model::ListingCard;
use sqlx::SqliteExecutor;

/// The columns of a card, from `listings l` with its auction `a`; an
/// auction's price is its current one.
pub(crate) const CARD_COLUMNS: &str = "SELECT l.id, l.title, COALESCE(a.price, l.price) AS price,
        l.area, l.sale_mode, l.status, l.favorites,
        a.ends_at,
        (SELECT i.thumb_name FROM images i WHERE i.listing_id = l.id
          ORDER BY i.position LIMIT 1) AS thumb";

/// The price a card shows and search sorts and filters by: an auction's
/// current price, otherwise the listing's. Must match `CARD_COLUMNS`.
pub(crate) const SHOWN_PRICE: &str = "COALESCE(a.price, l.price)";

/// How popular a listing is; the same expression as the index
/// `listings_by_status_and_popularity`, so sorting by it uses the index.
pub(crate) const POPULARITY: &str = "(l.favorites * 5 + l.views)";

/// Cards from listings and their auctions; callers add joins, conditions
/// and the order.
const CARD_SELECT: &str = "FROM listings l LEFT JOIN auctions a ON a.listing_id = l.id";

#[derive(sqlx::FromRow)]
pub(crate) struct CardRow {
    id: i64,
    title: String,
    price: i64,
    area: String,
    sale_mode: String,
    status: String,
    favorites: i64,
    ends_at: Option<i64>,
    thumb: Option<String>,
}

fn decode<T>(parsed: Option<T>, what: &str, text: &str) -> Result<T, sqlx::Error> {
    parsed.ok_or_else(|| sqlx::Error::Decode(format!("unknown {what} {text:?}").into()))
}

pub(crate) fn into_cards(
    rows: Vec<CardRow>,
    currency: Currency,
) -> Result<Vec<ListingCard>, sqlx::Error> {
    rows.into_iter()
        .map(|row| {
            Ok(ListingCard {
                sale_mode: decode(SaleMode::parse(&row.sale_mode), "sale mode", &row.sale_mode)?,
                status: decode(Status::parse(&row.status), "status", &row.status)?,
                id: row.id,
                title: row.title,
                price: Money::new(row.price, currency),
                area: row.area,
                favorites: row.favorites,
                ends_at: row.ends_at,
                thumb_url: row.thumb.as_deref().map(media::url),
            })
        })
        .collect()
}

async fn cards(
    db: impl SqliteExecutor<'_>,
    condition_and_order: &str,
    binds: &[i64],
) -> Result<Vec<CardRow>, sqlx::Error> {
    let sql = format!("{CARD_COLUMNS} {CARD_SELECT} {condition_and_order}");
    let mut query = sqlx::query_as::<_, CardRow>(&sql);
    for value in binds {
        query = query.bind(value);
    }
    query.fetch_all(db).await
}

/// The newest public listings still for sale.
pub(crate) async fn newest_listings(
    db: impl SqliteExecutor<'_>,
    limit: u32,
) -> Result<Vec<CardRow>, sqlx::Error> {
    cards(
        db,
        "WHERE l.status = 'approved' ORDER BY l.created_at DESC, l.id DESC LIMIT ?",
        &[i64::from(limit)],
    )
    .await
}

/// The most favorited and viewed listings for sale.
pub(crate) async fn popular_listings(
    db: impl SqliteExecutor<'_>,
    limit: u32,
) -> Result<Vec<CardRow>, sqlx::Error> {
    cards(
        db,
        &format!("WHERE l.status = 'approved' ORDER BY {POPULARITY} DESC, l.id DESC LIMIT ?"),
        &[i64::from(limit)],
    )
    .await
}

/// Auctions not yet ended, the closest to their end first.
pub(crate) async fn ending_soon_listings(
    db: impl SqliteExecutor<'_>,
    now: i64,
    limit: u32,
) -> Result<Vec<CardRow>, sqlx::Error> {
    cards(
        db,
        "WHERE l.status = 'approved' AND a.ends_at > ? ORDER BY a.ends_at, l.id LIMIT ?",
        &[now, i64::from(limit)],
    )
    .await
}

/// For `user` (`viewer` in `listing_views`): listings for sale sharing tags
/// or categories with what they favorited or looked at lately, best overlap
/// first.
pub(crate) async fn recommended_listings(
    db: impl SqliteExecutor<'_>,
    user: UserId,
    viewer: &str,
    limit: u32,
) -> Result<Vec<CardRow>, sqlx::Error> {
    let sql = format!(
        "WITH seen (id, category_id) AS (
              SELECT l.id, l.category_id FROM favorites f JOIN listings l ON l.id = f.listing_id
               WHERE f.user_id = ?1
              UNION
              SELECT l.id, l.category_id FROM listing_views v JOIN listings l ON l.id = v.listing_id
               WHERE v.viewer = ?2),
              seen_tags (tag_id) AS (
              SELECT DISTINCT lt.tag_id FROM listing_tags lt WHERE lt.listing_id IN (SELECT id FROM seen))
         {CARD_COLUMNS} {CARD_SELECT}
         WHERE l.status = 'approved' AND l.seller_id <> ?1
           AND l.id NOT IN (SELECT listing_id FROM favorites WHERE user_id = ?1)
           AND (l.category_id IN (SELECT category_id FROM seen)
                OR l.id IN (SELECT listing_id FROM listing_tags WHERE tag_id IN (SELECT tag_id FROM seen_tags)))
         ORDER BY (SELECT count(*) FROM listing_tags x
                    WHERE x.listing_id = l.id AND x.tag_id IN (SELECT tag_id FROM seen_tags)) * 2
                  + (l.category_id IN (SELECT category_id FROM seen)) DESC,
                  {POPULARITY} DESC, l.id DESC
         LIMIT ?3"
    );
    sqlx::query_as::<_, CardRow>(&sql)
        .bind(user)
        .bind(viewer)
        .bind(i64::from(limit))
        .fetch_all(db)
        .await
}

/// A seller's public listings, newest first, leaving out `except`.
pub(crate) async fn seller_listings(
    db: impl SqliteExecutor<'_>,
    seller: UserId,
    except: ListingId,
    limit: u32,
) -> Result<Vec<CardRow>, sqlx::Error> {
    cards(
        db,
        "WHERE l.seller_id = ? AND l.id <> ? AND l.status IN ('approved', 'sold')
         ORDER BY l.status = 'sold', l.created_at DESC, l.id DESC LIMIT ?",
        &[seller.get(), except.get(), i64::from(limit)],
    )
    .await
}

/// Everything `seller` has listed, in every state, newest first.
pub(crate) async fn own_listings(
    db: impl SqliteExecutor<'_>,
    seller: UserId,
) -> Result<Vec<CardRow>, sqlx::Error> {
    cards(
        db,
        "WHERE l.seller_id = ? ORDER BY l.created_at DESC, l.id DESC",
        &[seller.get()],
    )
    .await
}

/// What `user` favorited, most recent first (only what is still public).
pub(crate) async fn favorite_listings(
    db: impl SqliteExecutor<'_>,
    user: UserId,
) -> Result<Vec<CardRow>, sqlx::Error> {
    cards(
        db,
        "JOIN favorites f ON f.listing_id = l.id AND f.user_id = ?
         WHERE l.status IN ('approved', 'sold') ORDER BY f.created_at DESC, l.id DESC",
        &[user.get()],
    )
    .await
}

#[derive(sqlx::FromRow)]
pub(crate) struct ListingRow {
    pub seller_id: i64,
    pub title: String,
    pub description: String,
    pub price: i64,
    pub stock: i64,
    pub category: String,
    pub condition: String,
    pub meetup: bool,
    pub area: String,
    pub meetup_place: String,
    pub shipping: bool,
    pub sale_mode: String,
    pub status: String,
    pub reject_reason: Option<String>,
    pub secret: Option<Vec<u8>>,
    pub favorites: i64,
    pub views: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub start_price: Option<i64>,
    pub reserve: Option<i64>,
    pub buy_now: Option<i64>,
}

impl ListingRow {
    pub fn status(&self) -> Result<Status, sqlx::Error> {
        decode(Status::parse(&self.status), "status", &self.status)
    }

    pub fn sale_mode(&self) -> Result<SaleMode, sqlx::Error> {
        decode(
            SaleMode::parse(&self.sale_mode),
            "sale mode",
            &self.sale_mode,
        )
    }

    pub fn condition(&self) -> Result<Condition, sqlx::Error> {
        decode(
            Condition::parse(&self.condition),
            "condition",
            &self.condition,
        )
    }

    pub fn auction(&self) -> Option<AuctionTerms> {
        Some(AuctionTerms {
            starts_at: self.starts_at?,
            ends_at: self.ends_at?,
            start_price: self.start_price?,
            reserve: self.reserve,
            buy_now: self.buy_now,
        })
    }
}

/// A listing's row with its category's slug and its auction's terms.
pub(crate) async fn load_listing(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<Option<ListingRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.seller_id, l.title, l.description, l.price, l.stock, c.slug AS category,
                l.condition, l.meetup, l.area, l.meetup_place, l.shipping, l.sale_mode, l.status,
                l.reject_reason, l.secret, l.favorites, l.views, l.created_at, l.updated_at,
                a.starts_at, a.ends_at, a.start_price, a.reserve, a.buy_now
           FROM listings l
           JOIN categories c ON c.id = l.category_id
           LEFT JOIN auctions a ON a.listing_id = l.id
          WHERE l.id = ?",
    )
    .bind(listing)
    .fetch_optional(db)
    .await
}

/// Username, nickname, avatar, when the id was verified, member since.
pub(crate) type SellerRow = (String, String, Option<String>, Option<i64>, i64);

/// What the listing page shows of its seller.
pub(crate) async fn seller_row(
    db: impl SqliteExecutor<'_>,
    seller: UserId,
) -> Result<SellerRow, sqlx::Error> {
    sqlx::query_as(
        "SELECT username, nickname, avatar, id_verified_at, created_at FROM users WHERE id = ?",
    )
    .bind(seller)
    .fetch_one(db)
    .await
}

/// id, title, description, price, category, seller's username and nickname, updated.
pub(crate) type PendingRow = (i64, String, String, i64, String, String, String, i64);

/// Listings waiting for review, oldest first.
pub(crate) async fn pending_listings(
    db: impl SqliteExecutor<'_>,
    limit: u32,
) -> Result<Vec<PendingRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.id, l.title, l.description, l.price, c.slug, u.username, u.nickname, l.updated_at
           FROM listings l
           JOIN categories c ON c.id = l.category_id
           JOIN users u ON u.id = l.seller_id
          WHERE l.status = 'pending'
          ORDER BY l.updated_at, l.id
          LIMIT ?",
    )
    .bind(i64::from(limit))
    .fetch_all(db)
    .await
}

/// The columns of a listing the seller's form sets.
pub(crate) struct ListingColumns<'a> {
    pub category: i64,
    pub draft: &'a ListingDraft,
    /// The delivery secret, sealed.
    pub secret: Option<Vec<u8>>,
}

/// Inserts `seller`'s listing, waiting for review. Returns its id.
pub(crate) async fn insert_listing(
    db: impl SqliteExecutor<'_>,
    seller: UserId,
    columns: &ListingColumns<'_>,
    now: i64,
) -> Result<ListingId, sqlx::Error> {
    let draft = columns.draft;
    sqlx::query_scalar(
        "INSERT INTO listings (seller_id, category_id, title, description, price, stock, condition,
                               sale_mode, area, meetup, meetup_place, shipping, secret, status,
                               created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING id",
    )
    .bind(seller)
    .bind(columns.category)
    .bind(&draft.title)
    .bind(&draft.description)
    .bind(draft.price)
    .bind(draft.stock)
    .bind(draft.condition.as_str())
    .bind(draft.sale_mode.as_str())
    .bind(&draft.area)
    .bind(draft.meetup)
    .bind(&draft.meetup_place)
    .bind(draft.shipping)
    .bind(columns.secret.as_deref())
    .bind(now)
    .bind(now)
    .fetch_one(db)
    .await
}

/// What an edit read of the row, and expects it still to be.
pub(crate) struct Expected {
    pub status: Status,
    pub updated_at: i64,
}

/// Writes the seller's edit and `status` (a new one clears the reason of a
/// rejection), if the row is still as `expected`. Returns whether it was.
pub(crate) async fn update_listing(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
    seller: UserId,
    columns: &ListingColumns<'_>,
    status: Status,
    updated_at: i64,
    expected: Expected,
) -> Result<bool, sqlx::Error> {
    let draft = columns.draft;
    Ok(sqlx::query(
        "UPDATE listings
            SET category_id = ?, title = ?, description = ?, price = ?, stock = ?, condition = ?,
                sale_mode = ?, area = ?, meetup = ?, meetup_place = ?, shipping = ?, secret = ?,
                status = ?, reject_reason = CASE WHEN ? = 'pending' THEN NULL ELSE reject_reason END,
                updated_at = ?,
                -- The right side reads the row as it was: what the public saw.
                reviewed_title = CASE WHEN status IN ('approved', 'sold', 'delisted')
                                      THEN title ELSE reviewed_title END
          WHERE id = ? AND seller_id = ? AND status = ? AND updated_at = ?",
    )
    .bind(columns.category)
    .bind(&draft.title)
    .bind(&draft.description)
    .bind(draft.price)
    .bind(draft.stock)
    .bind(draft.condition.as_str())
    .bind(draft.sale_mode.as_str())
    .bind(&draft.area)
    .bind(draft.meetup)
    .bind(&draft.meetup_place)
    .bind(draft.shipping)
    .bind(columns.secret.as_deref())
    .bind(status.as_str())
    .bind(status.as_str())
    .bind(updated_at)
    .bind(listing)
    .bind(seller)
    .bind(expected.status.as_str())
    .bind(expected.updated_at)
    .execute(db)
    .await?
    .rows_affected()
        != 0)
}

/// Seller and status of a listing.
pub(crate) async fn listing_seller_and_status(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<Option<(UserId, String)>, sqlx::Error> {
    sqlx::query_as("SELECT seller_id, status FROM listings WHERE id = ?")
        .bind(listing)
        .fetch_optional(db)
        .await
}

/// Deletes `seller`'s listing unless it is sold; returns whether it did.
pub(crate) async fn delete_unsold_listing(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
    seller: UserId,
) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM listings WHERE id = ? AND seller_id = ? AND status <> 'sold'")
            .bind(listing)
            .bind(seller)
            .execute(db)
            .await?
            .rows_affected()
            != 0,
    )
}

/// Starts, end, start price, reserve and buy-now price of an auction.
pub(crate) type TermsRow = (i64, i64, i64, Option<i64>, Option<i64>);

/// The terms of `listing`'s auction if it started by `now` (or is past
/// its schedule).
pub(crate) async fn started_auction_terms(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
    now: i64,
) -> Result<Option<TermsRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT starts_at, ends_at, start_price, reserve, buy_now FROM auctions
          WHERE listing_id = ? AND (phase <> 'scheduled' OR starts_at <= ?)",
    )
    .bind(listing)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// Sets the terms of `listing`'s auction, creating it, unless it has left
/// the schedule.
pub(crate) async fn upsert_auction_terms(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
    terms: AuctionTerms,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        // Terms change only before the auction starts; afterwards the
        // row holds the live state, which an edit must not touch. A
        // change is numbered like any other, for those in the room.
        "INSERT INTO auctions (listing_id, starts_at, ends_at, start_price, reserve, buy_now, price)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (listing_id) DO UPDATE SET
            starts_at = excluded.starts_at, ends_at = excluded.ends_at,
            start_price = excluded.start_price, reserve = excluded.reserve,
            buy_now = excluded.buy_now, price = excluded.price, seq = seq + 1
         WHERE phase = 'scheduled'",
    )
    .bind(listing)
    .bind(terms.starts_at)
    .bind(terms.ends_at)
    .bind(terms.start_price)
    .bind(terms.reserve)
    .bind(terms.buy_now)
    .bind(terms.start_price)
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes `listing`'s auction if it is still scheduled.
pub(crate) async fn delete_scheduled_auction(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM auctions WHERE listing_id = ? AND phase = 'scheduled'")
        .bind(listing)
        .execute(db)
        .await?;
    Ok(())
}
