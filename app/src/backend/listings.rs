//! Listing queries.

use super::media;
use crate::domain::{
    listing::SaleMode,
    money::{Currency, Money},
};
use crate::model::ListingCard;
use sqlx::SqlitePool;

#[derive(sqlx::FromRow)]
struct CardRow {
    id: i64,
    title: String,
    price: i64,
    area: String,
    sale_mode: String,
    thumb: Option<String>,
}

/// The newest approved listings, with or without images.
pub async fn newest_cards(
    pool: &SqlitePool,
    currency: Currency,
    limit: u32,
) -> Result<Vec<ListingCard>, sqlx::Error> {
    let rows: Vec<CardRow> = sqlx::query_as(
        "SELECT l.id, l.title, l.price, l.area, l.sale_mode,
                (SELECT i.thumb_name FROM listing_images i
                  WHERE i.listing_id = l.id ORDER BY i.position LIMIT 1) AS thumb
           FROM listings l
          WHERE l.status = 'approved'
          ORDER BY l.created_at DESC, l.id DESC
          LIMIT ?",
    )
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            let sale_mode = SaleMode::parse(&row.sale_mode).ok_or_else(|| {
                sqlx::Error::Decode(format!("unknown sale mode {:?}", row.sale_mode).into())
            })?;
            Ok(ListingCard {
                id: row.id,
                title: row.title,
                price: Money::new(row.price, currency),
                area: row.area,
                sale_mode,
                thumb_url: row.thumb.as_deref().map(media::url),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::db::testing::temp_db;

    async fn insert_listing(pool: &SqlitePool, title: &str, status: &str, created_at: i64) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO listings (seller_id, category_id, title, price, condition, sale_mode, area, status, created_at, updated_at)
             VALUES (1, 1, ?, 1200, 'good', 'offers', 'Taipei', ?, ?, ?) RETURNING id",
        )
        .bind(title)
        .bind(status)
        .bind(created_at)
        .bind(created_at)
        .fetch_one(pool)
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn newest_approved_first_with_their_first_thumbnail() {
        let (pool, _dir) = temp_db().await;
        sqlx::query("INSERT INTO users (id, username, nickname, email, created_at) VALUES (1, 'mei', 'Mei', 'mei@example.com', 0)")
            .execute(&pool).await.unwrap();
        sqlx::query("INSERT INTO categories (id, slug, position) VALUES (1, 'books', 1)")
            .execute(&pool)
            .await
            .unwrap();
        let old = insert_listing(&pool, "old", "approved", 10).await;
        let new = insert_listing(&pool, "new", "approved", 20).await;
        insert_listing(&pool, "waiting", "pending", 30).await;
        insert_listing(&pool, "gone", "delisted", 40).await;
        for (pos, thumb) in [(2, "b.jpg"), (1, "a.jpg")] {
            sqlx::query("INSERT INTO listing_images (listing_id, position, file_name, thumb_name, width, height) VALUES (?, ?, 'f', ?, 1, 1)")
                .bind(new).bind(pos).bind(thumb).execute(&pool).await.unwrap();
        }

        let cards = newest_cards(&pool, Currency::Usd, 10).await.unwrap();
        let ids: Vec<i64> = cards.iter().map(|c| c.id).collect();
        assert_eq!(ids, vec![new, old]);
        assert_eq!(cards[0].thumb_url.as_deref(), Some("/media/a.jpg"));
        assert_eq!(
            cards[1].thumb_url, None,
            "listings without images still appear"
        );
        assert_eq!(cards[0].price, Money::new(1200, Currency::Usd));
        assert_eq!(cards[0].sale_mode, SaleMode::Offers);
        assert_eq!(
            newest_cards(&pool, Currency::Usd, 1).await.unwrap().len(),
            1
        );
    }
}
