//! Every image a client sends is decoded here, by [`decode`]: by its content,
//! within pixel limits, on the blocking pool, and under one memory budget
//! shared by listing photos, avatars and ID cards. Listing photos are then
//! turned upright, shrunk to a sensible size and re-encoded (which drops EXIF,
//! GPS and every other metadata), and kept as the uploader's loose image until
//! a listing adopts it.

use super::{
    media::MediaStore,
    upload::{MAX_SIDE, MAX_UPLOAD_BYTES, MAX_UPLOAD_MB},
};
use crate::domain::form::{Field, Problem};
use crate::error::AppError;
use crate::model::ImageRef;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use sqlx::SqlitePool;
use std::{
    io::Cursor,
    sync::{Arc, LazyLock},
};
use tokio::sync::Semaphore;

/// Longest side stored; phone photos are larger than any screen needs.
pub const STORED_SIDE: u32 = 2048;
/// Uploads not yet on a listing or a chat message, per person; bounds what a
/// draft can hold on disk.
pub const MAX_LOOSE: i64 = 30;
/// Loose uploads older than this are deleted (an abandoned draft).
const LOOSE_TTL_MS: i64 = 86_400_000;

/// Memory all decodes in flight may hold together, in MiB. Each decode
/// reserves what its photo will take (see [`cost_mib`]) before any pixel is
/// decoded, so however many uploads arrive at once the total stays bounded;
/// a photo costing more than the whole budget waits to run alone.
pub const DECODE_BUDGET_MIB: u32 = 256;

/// The budget, one permit per MiB. Owned permits travel into the blocking
/// task: a request cancelled mid-decode keeps its reservation until the
/// decode really ends.
static DECODERS: LazyLock<Arc<Semaphore>> =
    LazyLock::new(|| Arc::new(Semaphore::new(DECODE_BUDGET_MIB as usize)));

/// Most bytes a decoder may allocate, whatever the header says.
const MAX_ALLOC: u64 = 300 * 1024 * 1024;

/// What decoding a `width`×`height` photo of `bytes_per_pixel` costs, in MiB
/// of the budget: its pixels plus one working copy of up to four bytes a
/// pixel (an RGB or grey conversion; shrinking averages blocks of pixels and
/// needs no float copy, see [`fit_within`]).
fn cost_mib(width: u32, height: u32, bytes_per_pixel: u8) -> u32 {
    let bytes = u64::from(width) * u64::from(height) * (u64::from(bytes_per_pixel) + 4);
    let mib = bytes.div_ceil(1024 * 1024);
    u32::try_from(mib)
        .unwrap_or(u32::MAX)
        .clamp(1, DECODE_BUDGET_MIB)
}

/// Decodes `bytes` (a JPEG, PNG or WebP, told by its content), turned upright
/// by its EXIF orientation, and hands it to `work`, all on the blocking pool
/// within the shared budget; the decoded pixels never outlive the
/// reservation. `accept` sees the header's width and height (before
/// orientation) and may refuse the photo before it is decoded.
pub async fn decode<T: Send + 'static>(
    bytes: Vec<u8>,
    accept: impl FnOnce(u32, u32) -> Result<(), Problem>,
    work: impl FnOnce(DynamicImage) -> T + Send + 'static,
) -> Result<T, Problem> {
    // Reading the header costs nothing worth a thread: no pixel is decoded.
    let (width, height, bytes_per_pixel) = {
        let decoder = decoder(&bytes)?;
        let (w, h) = decoder.dimensions();
        (w, h, decoder.color_type().bytes_per_pixel())
    };
    accept(width, height)?;
    let reservation = DECODERS
        .clone()
        .acquire_many_owned(cost_mib(width, height, bytes_per_pixel))
        .await
        .map_err(|_| Problem::NotAnImage)?;
    tokio::task::spawn_blocking(move || {
        let _reservation = reservation;
        let img = decode_now(&bytes)?;
        drop(bytes);
        Ok(work(img))
    })
    .await
    .unwrap_or_else(|e| {
        tracing::error!(error = %e, "image work panicked");
        Err(Problem::NotAnImage)
    })
}

/// A decoder for `bytes` with the pixel limits set; only its header is read.
fn decoder(bytes: &[u8]) -> Result<impl ImageDecoder + '_, Problem> {
    if bytes.is_empty() {
        return Err(Problem::NotAnImage);
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(Problem::FileTooLarge {
            max_mb: MAX_UPLOAD_MB,
        });
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| Problem::NotAnImage)?;
    if !matches!(
        reader.format(),
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)
    ) {
        return Err(Problem::NotAnImage);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    reader.into_decoder().map_err(|_| Problem::NotAnImage)
}

/// Decodes on the calling thread; only [`decode`] calls it.
fn decode_now(bytes: &[u8]) -> Result<DynamicImage, Problem> {
    let mut decoder = decoder(bytes)?;
    let orientation = decoder.orientation().map_err(|_| Problem::NotAnImage)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(|_| Problem::NotAnImage)?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// `img` shrunk, if it is larger, to fit within `side`×`side`. Shrinking
/// averages blocks of pixels: Lanczos would first build a float copy of 16
/// bytes a pixel (a quarter of a gigabyte for a large photo).
pub fn fit_within(img: DynamicImage, side: u32) -> DynamicImage {
    if img.width().max(img.height()) <= side {
        img
    } else {
        img.thumbnail(side, side)
    }
}

/// Stores an uploaded photo for `owner` and returns it.
pub async fn store_upload(
    pool: &SqlitePool,
    media: &MediaStore,
    owner: i64,
    bytes: Vec<u8>,
    now: i64,
) -> Result<ImageRef, AppError> {
    sweep_loose(pool, media, owner, now).await?;
    let store = media.clone();
    let stored = decode(
        bytes,
        |_, _| Ok(()),
        move |img| {
            let img = fit_within(img, STORED_SIDE);
            store.store_with_thumbnail(&img.into_rgb8()).map_err(|e| {
                tracing::error!(error = %e, "storing a listing image");
                Problem::NotAnImage
            })
        },
    )
    .await
    .and_then(|stored| stored)
    .map_err(|p| AppError::field(Field::Images, p))?;
    // Conditional insert: the cap holds even for uploads racing each other.
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO images (owner_id, file_name, thumb_name, width, height, created_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6
          WHERE (SELECT count(*) FROM images
                  WHERE owner_id = ?1 AND listing_id IS NULL AND message_id IS NULL) < ?7
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

/// Deletes `owner`'s loose uploads from abandoned drafts (a photo sent in
/// a chat message is the message's, however old).
async fn sweep_loose(
    pool: &SqlitePool,
    media: &MediaStore,
    owner: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let old: Vec<(String, String)> = sqlx::query_as(
        "DELETE FROM images
          WHERE owner_id = ? AND listing_id IS NULL AND message_id IS NULL AND created_at < ?
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
