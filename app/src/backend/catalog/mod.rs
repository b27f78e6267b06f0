//! Reading listings: grids, the listing page, the edit form, the review queue.

pub mod categories;
pub mod edit;
pub mod favorites;
pub mod review;
pub mod search;
pub mod search_cache;

use crate::backend::platform::{media, vault::Vault};
use crate::domain::{
    catalog::{AuctionTerms, Condition, ListingInput, SaleMode, Status},
    money::{Currency, Money},
};
use crate::error::AppError;
use crate::model::{
    ImageRef, ListingCard, ListingDetail, ListingForEdit, PendingListing, SellerCard,
};
use sqlx::{SqliteConnection, SqlitePool};

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
    pool: &SqlitePool,
    currency: Currency,
    condition_and_order: &str,
    binds: &[i64],
) -> Result<Vec<ListingCard>, sqlx::Error> {
    let sql = format!("{CARD_COLUMNS} {CARD_SELECT} {condition_and_order}");
    let mut query = sqlx::query_as::<_, CardRow>(&sql);
    for value in binds {
        query = query.bind(value);
    }
    into_cards(query.fetch_all(pool).await?, currency)
}

/// The newest public listings still for sale.
pub async fn newest_cards(
    pool: &SqlitePool,
    currency: Currency,
    limit: u32,
) -> Result<Vec<ListingCard>, sqlx::Error> {
    cards(
        pool,
        currency,
        "WHERE l.status = 'approved' ORDER BY l.created_at DESC, l.id DESC LIMIT ?",
        &[i64::from(limit)],
    )
    .await
}

/// The most favorited and viewed listings for sale.
pub async fn popular_cards(
    pool: &SqlitePool,
    currency: Currency,
    limit: u32,
) -> Result<Vec<ListingCard>, sqlx::Error> {
    cards(
        pool,
        currency,
        &format!("WHERE l.status = 'approved' ORDER BY {POPULARITY} DESC, l.id DESC LIMIT ?"),
        &[i64::from(limit)],
    )
    .await
}

/// Auctions not yet ended, the closest to their end first.
pub async fn ending_soon_cards(
    pool: &SqlitePool,
    currency: Currency,
    now: i64,
    limit: u32,
) -> Result<Vec<ListingCard>, sqlx::Error> {
    cards(
        pool,
        currency,
        "WHERE l.status = 'approved' AND a.ends_at > ? ORDER BY a.ends_at, l.id LIMIT ?",
        &[now, i64::from(limit)],
    )
    .await
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
    let rows = sqlx::query_as::<_, CardRow>(&sql)
        .bind(user)
        .bind(viewer)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
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
    cards(
        pool,
        currency,
        "WHERE l.seller_id = ? AND l.id <> ? AND l.status IN ('approved', 'sold')
         ORDER BY l.status = 'sold', l.created_at DESC, l.id DESC LIMIT ?",
        &[seller, except, i64::from(limit)],
    )
    .await
}

/// Everything `seller` has listed, in every state, newest first.
pub async fn own_cards(
    pool: &SqlitePool,
    currency: Currency,
    seller: i64,
) -> Result<Vec<ListingCard>, sqlx::Error> {
    cards(
        pool,
        currency,
        "WHERE l.seller_id = ? ORDER BY l.created_at DESC, l.id DESC",
        &[seller],
    )
    .await
}

/// What `user` favorited, most recent first (only what is still public).
pub async fn favorite_cards(
    pool: &SqlitePool,
    currency: Currency,
    user: i64,
) -> Result<Vec<ListingCard>, sqlx::Error> {
    cards(
        pool,
        currency,
        "JOIN favorites f ON f.listing_id = l.id AND f.user_id = ?
         WHERE l.status IN ('approved', 'sold') ORDER BY f.created_at DESC, l.id DESC",
        &[user],
    )
    .await
}

#[derive(sqlx::FromRow)]
struct ListingRow {
    seller_id: i64,
    title: String,
    description: String,
    price: i64,
    stock: i64,
    category: String,
    condition: String,
    meetup: bool,
    area: String,
    meetup_place: String,
    shipping: bool,
    sale_mode: String,
    status: String,
    reject_reason: Option<String>,
    secret: Option<Vec<u8>>,
    favorites: i64,
    views: i64,
    created_at: i64,
    updated_at: i64,
    starts_at: Option<i64>,
    ends_at: Option<i64>,
    start_price: Option<i64>,
    reserve: Option<i64>,
    buy_now: Option<i64>,
}

impl ListingRow {
    fn status(&self) -> Result<Status, sqlx::Error> {
        decode(Status::parse(&self.status), "status", &self.status)
    }

    fn sale_mode(&self) -> Result<SaleMode, sqlx::Error> {
        decode(
            SaleMode::parse(&self.sale_mode),
            "sale mode",
            &self.sale_mode,
        )
    }

    fn auction(&self) -> Option<AuctionTerms> {
        Some(AuctionTerms {
            starts_at: self.starts_at?,
            ends_at: self.ends_at?,
            start_price: self.start_price?,
            reserve: self.reserve,
            buy_now: self.buy_now,
        })
    }
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
    let row: Option<ListingRow> = sqlx::query_as(
        "SELECT l.seller_id, l.title, l.description, l.price, l.stock, c.slug AS category,
                l.condition, l.meetup, l.area, l.meetup_place, l.shipping, l.sale_mode, l.status,
                l.reject_reason, l.secret, l.favorites, l.views, l.created_at, l.updated_at,
                a.starts_at, a.ends_at, a.start_price, a.reserve, a.buy_now
           FROM listings l
           JOIN categories c ON c.id = l.category_id
           LEFT JOIN auctions a ON a.listing_id = l.id
          WHERE l.id = ?",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let tags = tags_of(&mut *conn, id).await?;
    let images = images_of(&mut *conn, id).await?;
    Ok(Some(Stored { row, tags, images }))
}

/// A listing's tags in the seller's order.
async fn tags_of(conn: &mut SqliteConnection, listing: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT t.name FROM listing_tags lt JOIN tags t ON t.id = lt.tag_id
          WHERE lt.listing_id = ? ORDER BY lt.position",
    )
    .bind(listing)
    .fetch_all(conn)
    .await
}

#[derive(sqlx::FromRow)]
struct ImageRow {
    id: i64,
    file_name: String,
    thumb_name: String,
    width: i64,
    height: i64,
}

impl From<ImageRow> for ImageRef {
    fn from(row: ImageRow) -> ImageRef {
        ImageRef {
            id: row.id,
            url: media::url(&row.file_name),
            thumb_url: media::url(&row.thumb_name),
            width: u32::try_from(row.width).unwrap_or_default(),
            height: u32::try_from(row.height).unwrap_or_default(),
        }
    }
}

async fn images_of(
    conn: &mut SqliteConnection,
    listing: i64,
) -> Result<Vec<ImageRef>, sqlx::Error> {
    let rows: Vec<ImageRow> = sqlx::query_as(
        "SELECT id, file_name, thumb_name, width, height FROM images
          WHERE listing_id = ? ORDER BY position, id",
    )
    .bind(listing)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(ImageRef::from).collect())
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
    let seller: (String, String, Option<String>, Option<i64>, i64) = sqlx::query_as(
        "SELECT username, nickname, avatar, id_verified_at, created_at FROM users WHERE id = ?",
    )
    .bind(stored.seller())
    .fetch_one(&mut *conn)
    .await?;
    let favorited = match looker.user {
        Some(user) => {
            sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM favorites WHERE user_id = ? AND listing_id = ?)",
            )
            .bind(user)
            .bind(id)
            .fetch_one(&mut *conn)
            .await?
        }
        None => false,
    };
    drop(conn);
    let more_from_seller = seller_cards(pool, currency, stored.seller(), id, 6).await?;
    let sale_mode = stored.sale_mode()?;
    let auction = stored.auction();
    let Stored { row, tags, images } = stored;
    Ok(ListingDetail {
        id,
        condition: decode(
            Condition::parse(&row.condition),
            "condition",
            &row.condition,
        )?,
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

/// id, title, description, price, category, seller's username and nickname, updated.
type PendingRow = (i64, String, String, i64, String, String, String, i64);

/// The review queue, oldest first.
pub async fn pending(
    pool: &SqlitePool,
    currency: Currency,
    limit: u32,
) -> Result<Vec<PendingListing>, sqlx::Error> {
    let rows: Vec<PendingRow> = sqlx::query_as(
        "SELECT l.id, l.title, l.description, l.price, c.slug, u.username, u.nickname, l.updated_at
           FROM listings l
           JOIN categories c ON c.id = l.category_id
           JOIN users u ON u.id = l.seller_id
          WHERE l.status = 'pending'
          ORDER BY l.updated_at, l.id
          LIMIT ?",
    )
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    let mut conn = pool.acquire().await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, title, description, price, category, username, nickname, updated_at) in rows {
        let tags = tags_of(&mut conn, id).await?;
        out.push(PendingListing {
            id,
            title,
            description,
            price: Money::new(price, currency),
            category,
            tags,
            seller_username: username,
            seller_nickname: nickname,
            images: images_of(&mut conn, id).await?,
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
    sqlx::query_scalar(
        "SELECT t.name FROM tags t JOIN listing_tags lt ON lt.tag_id = t.id
          WHERE t.name LIKE ? ESCAPE '\\'
          GROUP BY t.id ORDER BY count(*) DESC, t.name LIMIT 8",
    )
    .bind(format!("{escaped}%"))
    .fetch_all(pool)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{
        catalog::{
            favorites,
            review::{self, Decision},
        },
        testing::*,
    };

    const ANYONE: Looker = Looker {
        user: None,
        admin: false,
    };

    fn member(user: i64) -> Looker {
        Looker {
            user: Some(user),
            admin: false,
        }
    }

    fn admin(user: i64) -> Looker {
        Looker {
            user: Some(user),
            admin: true,
        }
    }

    fn ids(cards: &[ListingCard]) -> Vec<i64> {
        cards.iter().map(|c| c.id).collect()
    }

    async fn show(pool: &SqlitePool, id: i64, looker: Looker) -> Result<ListingDetail, AppError> {
        detail(pool, Currency::Twd, id, looker).await
    }

    #[tokio::test]
    async fn the_listing_page_shows_public_listings_to_everyone() {
        let (pool, dir) = temp_db().await;
        let media = media(&dir);
        let mei = user(&pool, "mei").await;
        let kim = user(&pool, "kim").await;
        let photo = upload(&pool, &media, mei, NOW).await;
        let form = ListingInput {
            tags: vec!["kindle".into(), "e-reader".into()],
            images: vec![photo.id],
            meetup_place: "MRT Daan".into(),
            ..input("Kindle Paperwhite")
        };
        let id = listed(&pool, mei, &form, NOW).await;
        favorites::set(&pool, kim, id, true, NOW).await.unwrap();
        favorites::record_view(&pool, id, "a:visitor", NOW)
            .await
            .unwrap();

        let page = show(&pool, id, ANYONE).await.unwrap();
        assert_eq!(page.id, id);
        assert_eq!(page.title, "Kindle Paperwhite");
        assert_eq!(page.price, Money::new(1000, Currency::Twd));
        assert_eq!(page.category, "computers");
        assert_eq!(page.tags, vec!["kindle", "e-reader"]);
        assert_eq!(page.condition, Condition::Good);
        assert_eq!(page.status, Status::Approved);
        assert_eq!(page.meetup_place, "MRT Daan");
        assert_eq!(page.images, vec![photo]);
        assert_eq!(page.seller.username, "mei");
        assert_eq!(page.seller.nickname, "mei nick");
        assert!(!page.seller.id_verified);
        assert_eq!((page.favorites, page.views), (1, 1));
        assert_eq!(page.created_at, NOW);
        assert!(!page.favorited && !page.mine);
        assert_eq!(page.auction, None);

        let for_kim = show(&pool, id, member(kim)).await.unwrap();
        assert!(for_kim.favorited && !for_kim.mine);
        let for_mei = show(&pool, id, member(mei)).await.unwrap();
        assert!(for_mei.mine && !for_mei.favorited);

        // Sold listings stay visible, as a record.
        set_status(&pool, id, "sold").await;
        assert_eq!(show(&pool, id, ANYONE).await.unwrap().status, Status::Sold);
        assert_eq!(
            show(&pool, 9999, ANYONE).await.unwrap_err(),
            AppError::NotFound
        );
    }

    #[tokio::test]
    async fn listings_not_public_are_shown_to_their_seller_and_admins_only() {
        let (pool, _dir) = temp_db().await;
        let mei = user(&pool, "mei").await;
        let kim = user(&pool, "kim").await;
        let boss = user(&pool, "boss").await;
        let waiting = submitted(&pool, mei, &input("Kindle Paperwhite"), NOW).await;
        let rejected = submitted(&pool, mei, &input("Lamp"), NOW).await;
        review::decide(
            &pool,
            ListingId(rejected),
            Decision::Reject,
            "Blurry photos",
            NOW,
        )
        .await
        .unwrap();
        let delisted = listed(&pool, mei, &input("Chair"), NOW).await;
        review::delist(&pool, ListingId(delisted), "Counterfeit", NOW)
            .await
            .unwrap();

        for (id, reason) in [
            (waiting, None),
            (rejected, Some("Blurry photos")),
            (delisted, Some("Counterfeit")),
        ] {
            for stranger in [ANYONE, member(kim)] {
                assert_eq!(
                    show(&pool, id, stranger).await.unwrap_err(),
                    AppError::NotFound
                );
            }
            let for_seller = show(&pool, id, member(mei)).await.unwrap();
            assert!(for_seller.mine);
            assert_eq!(for_seller.reject_reason.as_deref(), reason);
            let for_admin = show(&pool, id, admin(boss)).await.unwrap();
            assert!(!for_admin.mine);
            assert_eq!(for_admin.reject_reason.as_deref(), reason);
        }
        // An admin flag without a user id still sees it (the gate decides who is admin).
        assert!(
            show(
                &pool,
                waiting,
                Looker {
                    user: None,
                    admin: true
                }
            )
            .await
            .is_ok()
        );

        // A reason left on a public listing is for the seller and admins only.
        let public = listed(&pool, mei, &input("Desk"), NOW).await;
        sqlx::query("UPDATE listings SET reject_reason = 'internal note' WHERE id = ?")
            .bind(public)
            .execute(&pool)
            .await
            .unwrap();
        for stranger in [ANYONE, member(kim)] {
            assert_eq!(
                show(&pool, public, stranger).await.unwrap().reject_reason,
                None
            );
        }
        for insider in [member(mei), admin(boss)] {
            assert_eq!(
                show(&pool, public, insider)
                    .await
                    .unwrap()
                    .reject_reason
                    .as_deref(),
                Some("internal note")
            );
        }
    }

    #[tokio::test]
    async fn more_from_the_seller_leaves_out_this_listing_and_hidden_ones() {
        let (pool, _dir) = temp_db().await;
        let mei = user(&pool, "mei").await;
        let kim = user(&pool, "kim").await;
        let this = listed(&pool, mei, &input("Kindle Paperwhite"), NOW).await;
        let older = listed(&pool, mei, &input("Lamp"), NOW + 1).await;
        let sold = listed(&pool, mei, &input("Chair"), NOW + 2).await;
        set_status(&pool, sold, "sold").await;
        let newer = listed(&pool, mei, &input("Desk"), NOW + 3).await;
        let _waiting = submitted(&pool, mei, &input("Sofa"), NOW + 4).await;
        let _someone_elses = listed(&pool, kim, &input("Rug"), NOW + 5).await;

        let page = show(&pool, this, ANYONE).await.unwrap();
        // For sale first (newest first), then sold.
        assert_eq!(ids(&page.more_from_seller), vec![newer, older, sold]);
        let page = show(&pool, newer, member(mei)).await.unwrap();
        assert_eq!(ids(&page.more_from_seller), vec![older, this, sold]);

        // At most six.
        for i in 0..8 {
            listed(&pool, mei, &input(&format!("Box {i}")), NOW + 10 + i).await;
        }
        let page = show(&pool, this, ANYONE).await.unwrap();
        assert_eq!(page.more_from_seller.len(), 6);
        assert!(!ids(&page.more_from_seller).contains(&this));
    }

    #[tokio::test]
    async fn recommendations_follow_what_was_favorited() {
        let (pool, _dir) = temp_db().await;
        let mei = user(&pool, "mei").await;
        let kim = user(&pool, "kim").await;
        let audio = |title: &str, tags: &[&str]| ListingInput {
            category: "audio".into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..input(title)
        };
        let liked = listed(
            &pool,
            mei,
            &audio("Sony WH-1000XM4", &["sony", "headphones"]),
            NOW,
        )
        .await;
        let same_category = listed(&pool, mei, &audio("Old speaker", &[]), NOW + 1).await;
        let one_tag = listed(
            &pool,
            mei,
            &ListingInput {
                category: "cameras".into(),
                tags: vec!["sony".into()],
                ..input("Sony a6000")
            },
            NOW + 2,
        )
        .await;
        let both = listed(
            &pool,
            mei,
            &audio("Sony WF earbuds", &["sony", "headphones"]),
            NOW + 3,
        )
        .await;
        let _unrelated = listed(&pool, mei, &input("Desk"), NOW + 4).await;
        let _hidden = submitted(&pool, mei, &audio("Sony amp", &["sony"]), NOW + 5).await;
        let kims = listed(
            &pool,
            kim,
            &audio("Kim's Sony headphones", &["sony", "headphones"]),
            NOW + 6,
        )
        .await;

        // Cold start: nothing to go on.
        let cards = recommended_cards(&pool, Currency::Twd, kim, 10)
            .await
            .unwrap();
        assert!(cards.is_empty());

        favorites::set(&pool, kim, liked, true, NOW).await.unwrap();
        let cards = recommended_cards(&pool, Currency::Twd, kim, 10)
            .await
            .unwrap();
        // Shared tags count double, the category once; the favorite itself, kim's
        // own listing, unrelated and hidden ones are left out.
        assert_eq!(ids(&cards), vec![both, one_tag, same_category]);
        let cards = recommended_cards(&pool, Currency::Twd, kim, 2)
            .await
            .unwrap();
        assert_eq!(ids(&cards), vec![both, one_tag]);

        // Looking at something counts too. The listing looked at is not left out
        // (only favorites are); equal overlap goes to the more popular.
        let sam = user(&pool, "sam").await;
        favorites::record_view(&pool, one_tag, &viewer_key(sam), NOW)
            .await
            .unwrap();
        let cards = recommended_cards(&pool, Currency::Twd, sam, 10)
            .await
            .unwrap();
        assert_eq!(ids(&cards), vec![one_tag, liked, kims, both]);
        // Anonymous views are not sam's.
        let lee = user(&pool, "lee").await;
        favorites::record_view(&pool, one_tag, &lee.to_string(), NOW)
            .await
            .unwrap();
        assert!(
            recommended_cards(&pool, Currency::Twd, lee, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn ending_soon_lists_running_auctions_by_their_end() {
        let (pool, _dir) = temp_db().await;
        let mei = user(&pool, "mei").await;
        let late = listed(&pool, mei, &auction("Late", NOW, 3 * HOUR), NOW).await;
        let soon = listed(&pool, mei, &auction("Soon", NOW, 2 * HOUR), NOW).await;
        let _ended = listed(&pool, mei, &auction("Ended", NOW, 10 * MINUTE), NOW).await;
        let scheduled = listed(&pool, mei, &auction("Scheduled", NOW + DAY, HOUR), NOW).await;
        let _fixed = listed(&pool, mei, &input("Fixed"), NOW).await;
        let _waiting = submitted(
            &pool,
            mei,
            &auction("Waiting", NOW, HOUR + 30 * MINUTE),
            NOW,
        )
        .await;
        let at = NOW + HOUR;
        let cards = ending_soon_cards(&pool, Currency::Twd, at, 10)
            .await
            .unwrap();
        assert_eq!(ids(&cards), vec![soon, late, scheduled]);
        assert_eq!(cards[0].ends_at, Some(NOW + 2 * HOUR));
        let cards = ending_soon_cards(&pool, Currency::Twd, at, 1)
            .await
            .unwrap();
        assert_eq!(ids(&cards), vec![soon]);
        let cards = ending_soon_cards(&pool, Currency::Twd, NOW + 2 * HOUR, 10)
            .await
            .unwrap();
        assert_eq!(
            ids(&cards),
            vec![late, scheduled],
            "an auction ending now has ended"
        );
    }

    #[tokio::test]
    async fn favorites_are_listed_newest_first_while_public() {
        let (pool, _dir) = temp_db().await;
        let mei = user(&pool, "mei").await;
        let kim = user(&pool, "kim").await;
        let lamp = listed(&pool, mei, &input("Lamp"), NOW).await;
        let chair = listed(&pool, mei, &input("Chair"), NOW).await;
        let desk = listed(&pool, mei, &input("Desk"), NOW).await;
        let _not_favorited = listed(&pool, mei, &input("Sofa"), NOW).await;
        favorites::set(&pool, kim, chair, true, NOW).await.unwrap();
        favorites::set(&pool, kim, lamp, true, NOW + 1)
            .await
            .unwrap();
        favorites::set(&pool, kim, desk, true, NOW + 2)
            .await
            .unwrap();
        let cards = favorite_cards(&pool, Currency::Twd, kim).await.unwrap();
        assert_eq!(ids(&cards), vec![desk, lamp, chair]);
        assert_eq!(cards[0].favorites, 1);

        set_status(&pool, lamp, "sold").await;
        review::delist(&pool, ListingId(desk), "Counterfeit", NOW)
            .await
            .unwrap();
        let cards = favorite_cards(&pool, Currency::Twd, kim).await.unwrap();
        assert_eq!(ids(&cards), vec![lamp, chair], "sold stays, delisted goes");
        assert_eq!(cards[0].status, Status::Sold);
        assert!(
            favorite_cards(&pool, Currency::Twd, mei)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn own_listings_show_every_state() {
        let (pool, _dir) = temp_db().await;
        let mei = user(&pool, "mei").await;
        let kim = user(&pool, "kim").await;
        let approved = listed(&pool, mei, &input("Approved"), NOW).await;
        let waiting = submitted(&pool, mei, &input("Pending"), NOW + 1).await;
        let rejected = submitted(&pool, mei, &input("Rejected"), NOW + 2).await;
        review::decide(&pool, ListingId(rejected), Decision::Reject, "Blurry", NOW)
            .await
            .unwrap();
        let delisted = listed(&pool, mei, &input("Delisted"), NOW + 3).await;
        review::delist(&pool, ListingId(delisted), "Counterfeit", NOW)
            .await
            .unwrap();
        let sold = listed(&pool, mei, &input("Sold"), NOW + 4).await;
        set_status(&pool, sold, "sold").await;
        let _kims = listed(&pool, kim, &input("Kim's"), NOW + 5).await;

        let cards = own_cards(&pool, Currency::Twd, mei).await.unwrap();
        assert_eq!(
            ids(&cards),
            vec![sold, delisted, rejected, waiting, approved]
        );
        let states: Vec<Status> = cards.iter().map(|c| c.status).collect();
        assert_eq!(
            states,
            vec![
                Status::Sold,
                Status::Delisted,
                Status::Rejected,
                Status::Pending,
                Status::Approved
            ]
        );
        assert_eq!(own_cards(&pool, Currency::Twd, kim).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn home_grids_and_the_review_queue() {
        let (pool, _dir) = temp_db().await;
        let mei = user(&pool, "mei").await;
        let kim = user(&pool, "kim").await;
        let lamp = listed(&pool, mei, &input("Lamp"), NOW).await;
        let chair = listed(&pool, mei, &input("Chair"), NOW + 1).await;
        let waiting = submitted(
            &pool,
            mei,
            &ListingInput {
                tags: vec!["oak".into()],
                ..input("Desk")
            },
            NOW + 2,
        )
        .await;
        let newest = newest_cards(&pool, Currency::Twd, 10).await.unwrap();
        assert_eq!(ids(&newest), vec![chair, lamp]);
        favorites::set(&pool, kim, lamp, true, NOW).await.unwrap();
        let popular = popular_cards(&pool, Currency::Twd, 10).await.unwrap();
        assert_eq!(ids(&popular), vec![lamp, chair]);
        assert_eq!(
            ids(&popular_cards(&pool, Currency::Twd, 1).await.unwrap()),
            vec![lamp]
        );

        let queue = pending(&pool, Currency::Twd, 10).await.unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].id, waiting);
        assert_eq!(queue[0].tags, vec!["oak"]);
        assert_eq!(queue[0].seller_username, "mei");
        assert_eq!(queue[0].category, "computers");
    }
}
