//! Listing photos: decoded by content, turned upright, shrunk to a sensible
//! size and re-encoded (which drops EXIF, GPS and every other metadata), then
//! kept as the uploader's loose image until a listing adopts it.

use super::{media::MediaStore, upload};
use crate::domain::form::{Field, Problem};
use crate::error::AppError;
use crate::model::ImageRef;
use image::imageops::FilterType;
use sqlx::SqlitePool;
use std::sync::LazyLock;
use tokio::sync::Semaphore;

/// Longest side stored; phone photos are larger than any screen needs.
pub const STORED_SIDE: u32 = 2048;
/// Uploads not yet on a listing, per person; bounds what a draft can hold on disk.
pub const MAX_LOOSE: i64 = 30;
/// Loose uploads older than this are deleted (an abandoned draft).
const LOOSE_TTL_MS: i64 = 86_400_000;

/// Decoding a large photo takes hundreds of megabytes for a moment; two at a
/// time keeps memory bounded however many uploads arrive.
static DECODERS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(2));

/// Stores an uploaded photo for `owner` and returns it.
pub async fn store_upload(
    pool: &SqlitePool,
    media: &MediaStore,
    owner: i64,
    bytes: Vec<u8>,
    now: i64,
) -> Result<ImageRef, AppError> {
    sweep_loose(pool, media, owner, now).await?;
    let permit = DECODERS.acquire().await.map_err(|_| AppError::Internal)?;
    let store = media.clone();
    let stored = tokio::task::spawn_blocking(move || {
        let img = upload::decode_image(&bytes)?;
        let img = if img.width().max(img.height()) > STORED_SIDE {
            img.resize(STORED_SIDE, STORED_SIDE, FilterType::Lanczos3)
        } else {
            img
        };
        store.store_with_thumbnail(&img.to_rgb8()).map_err(|e| {
            tracing::error!(error = %e, "storing a listing image");
            Problem::NotAnImage
        })
    })
    .await
    .map_err(|_| AppError::Internal)?
    .map_err(|p| AppError::field(Field::Images, p))?;
    drop(permit);
    // Conditional insert: the cap holds even for uploads racing each other.
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO images (owner_id, file_name, thumb_name, width, height, created_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6
          WHERE (SELECT count(*) FROM images WHERE owner_id = ?1 AND listing_id IS NULL) < ?7
         RETURNING id",
    )
    .bind(owner)
    .bind(&stored.file_name)
    .bind(&stored.thumb_name)
    .bind(i64::from(stored.width))
    .bind(i64::from(stored.height))
    .bind(now)
    .bind(MAX_LOOSE)
    .fetch_optional(pool)
    .await?;
    let Some(id) = id else {
        media.remove(&stored.file_name);
        media.remove(&stored.thumb_name);
        return Err(AppError::field(
            Field::Images,
            Problem::TooMany {
                max: MAX_LOOSE as u32,
            },
        ));
    };
    Ok(ImageRef {
        id,
        url: super::media::url(&stored.file_name),
        thumb_url: super::media::url(&stored.thumb_name),
        width: stored.width,
        height: stored.height,
    })
}

/// Deletes `owner`'s loose uploads from abandoned drafts.
async fn sweep_loose(
    pool: &SqlitePool,
    media: &MediaStore,
    owner: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let old: Vec<(String, String)> = sqlx::query_as(
        "DELETE FROM images WHERE owner_id = ? AND listing_id IS NULL AND created_at < ?
         RETURNING file_name, thumb_name",
    )
    .bind(owner)
    .bind(now - LOOSE_TTL_MS)
    .fetch_all(pool)
    .await?;
    for (file, thumb) in old {
        media.remove(&file);
        media.remove(&thumb);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
