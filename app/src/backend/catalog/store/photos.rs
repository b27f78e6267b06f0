//! A listing's images (the uploads themselves are stored elsewhere).

use crate::backend::platform::media;
use crate::domain::id::{ListingId, UserId};
use crate::model::ImageRef;
use sqlx::SqliteExecutor;

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

/// A listing's images in display order.
pub(crate) async fn listing_images(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<Vec<ImageRef>, sqlx::Error> {
    let rows: Vec<ImageRow> = sqlx::query_as(
        "SELECT id, file_name, thumb_name, width, height FROM images
          WHERE listing_id = ? ORDER BY position, id",
    )
    .bind(listing)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(ImageRef::from).collect())
}

/// Id, file name and thumbnail name of each of a listing's images.
pub(crate) async fn listing_image_files(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, file_name, thumb_name FROM images WHERE listing_id = ?")
        .bind(listing)
        .fetch_all(db)
        .await
}

/// File name and thumbnail name of each of a listing's images.
pub(crate) async fn listing_files(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT file_name, thumb_name FROM images WHERE listing_id = ?")
        .bind(listing)
        .fetch_all(db)
        .await
}

pub(crate) async fn delete_image(
    db: impl SqliteExecutor<'_>,
    image: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM images WHERE id = ?")
        .bind(image)
        .execute(db)
        .await?;
    Ok(())
}

/// Puts `owner`'s upload `image` on `listing` at `position`, if it is loose
/// or already there. Returns whether it did.
pub(crate) async fn adopt_image(
    db: impl SqliteExecutor<'_>,
    listing: ListingId,
    position: i64,
    image: i64,
    owner: UserId,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE images SET listing_id = ?, position = ?
          WHERE id = ? AND owner_id = ? AND (listing_id IS NULL OR listing_id = ?)
            AND message_id IS NULL",
    )
    .bind(listing)
    .bind(position)
    .bind(image)
    .bind(owner)
    .bind(listing)
    .execute(db)
    .await?
    .rows_affected()
        != 0)
}
