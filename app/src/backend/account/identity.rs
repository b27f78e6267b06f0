//! Real-name verification: the typed ID number must be the one OCR reads on the
//! card photo. Only a keyed hash of the number is kept (one card, one account)
//! and the photo is deleted after the check; a card OCR cannot read waits for
//! an admin instead.

use crate::backend::{
    AppState,
    platform::{clock::now_ms, ocr, secret::Secret},
};
use crate::domain::{
    account::id_number::{IdNumber, find_in_text},
    form::{Field, Problem},
};
use crate::model::IdReview;
use image::DynamicImage;
use sqlx::SqlitePool;

const HASH_PURPOSE: &str = "id-number";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Verified,
    /// OCR found no number; an admin will compare photo and number.
    InReview,
}

#[derive(Debug, thiserror::Error)]
pub enum IdError {
    #[error("{0:?}: {1:?}")]
    Rejected(Field, Problem),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("OCR: {0}")]
    Ocr(#[from] ocr::OcrError),
    #[error("storage: {0}")]
    Io(#[from] std::io::Error),
}

/// The number with all but its first two and last two characters hidden, for
/// the reviewer to compare with the photo.
pub fn mask(number: &IdNumber) -> String {
    let chars: Vec<char> = number.canonical.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < 2 || i + 2 >= chars.len() {
                *c
            } else {
                '•'
            }
        })
        .collect()
}

fn hash(secret: &Secret, number: &IdNumber) -> String {
    secret.hash(HASH_PURPOSE, &number.canonical)
}

/// Whether another account is verified, or waiting to be, with this card.
async fn card_used_elsewhere(
    pool: &SqlitePool,
    id_hash: &str,
    user_id: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE id_hash = ?1 AND id <> ?2)
             OR EXISTS (SELECT 1 FROM id_reviews WHERE id_hash = ?1 AND user_id <> ?2 AND status = 'pending')",
    )
    .bind(id_hash)
    .bind(user_id)
    .fetch_one(pool)
    .await
}

/// Marks the account verified by the card with `id_hash`. Conditional on the
/// account not being verified yet; the unique index refuses a card that
/// verifies someone else.
async fn mark_verified(
    executor: impl sqlx::SqliteExecutor<'_>,
    user_id: i64,
    id_hash: &str,
    now: i64,
) -> Result<(), IdError> {
    let marked = sqlx::query(
        "UPDATE users SET id_hash = ?, id_verified_at = ? WHERE id = ? AND id_hash IS NULL",
    )
    .bind(id_hash)
    .bind(now)
    .bind(user_id)
    .execute(executor)
    .await;
    match marked {
        Ok(r) if r.rows_affected() == 1 => Ok(()),
        Ok(_) => Err(IdError::Rejected(Field::IdNumber, Problem::Unchanged)),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(IdError::Rejected(Field::IdNumber, Problem::Taken))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn verify(
    state: &AppState,
    user_id: i64,
    typed: &IdNumber,
    photo: DynamicImage,
) -> Result<Outcome, IdError> {
    let pool = &state.db;
    let id_hash = hash(&state.secret, typed);
    if card_used_elsewhere(pool, &id_hash, user_id).await? {
        return Err(IdError::Rejected(Field::IdNumber, Problem::Taken));
    }
    if in_review(pool, user_id).await? {
        return Err(IdError::Rejected(Field::IdPhoto, Problem::Unchanged));
    }
    let text = ocr::read_text(
        &state.config.tesseract,
        &state.config.review_dir().join("tmp"),
        &photo,
    )
    .await?;
    let found = find_in_text(&text);
    if found.contains(typed) {
        mark_verified(pool, user_id, &id_hash, now_ms()).await?;
        return Ok(Outcome::Verified);
    }
    if !found.is_empty() {
        // The card shows a different valid number.
        return Err(IdError::Rejected(Field::IdNumber, Problem::Wrong));
    }
    queue_for_review(state, user_id, typed, &id_hash, &photo).await?;
    Ok(Outcome::InReview)
}

async fn queue_for_review(
    state: &AppState,
    user_id: i64,
    typed: &IdNumber,
    id_hash: &str,
    photo: &DynamicImage,
) -> Result<(), IdError> {
    let dir = state.config.review_dir();
    std::fs::create_dir_all(&dir)?;
    let name = format!("{}.jpg", uuid::Uuid::new_v4().simple());
    photo
        .to_rgb8()
        .save_with_format(dir.join(&name), image::ImageFormat::Jpeg)
        .map_err(std::io::Error::other)?;
    let queued = sqlx::query(
        "INSERT INTO id_reviews (user_id, id_hash, masked, kind, image, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(user_id)
    .bind(id_hash)
    .bind(mask(typed))
    .bind(format!("{:?}", typed.kind).to_lowercase())
    .bind(&name)
    .bind(now_ms())
    .execute(&state.db)
    .await;
    match queued {
        Ok(_) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(dir.join(&name));
            match e {
                sqlx::Error::Database(e) if e.is_unique_violation() => {
                    Err(IdError::Rejected(Field::IdPhoto, Problem::Unchanged))
                }
                e => Err(e.into()),
            }
        }
    }
}

pub async fn in_review(pool: &SqlitePool, user_id: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM id_reviews WHERE user_id = ? AND status = 'pending')",
    )
    .bind(user_id)
    .fetch_one(pool)
    .await
}

/// The review queue, oldest first.
pub async fn pending(pool: &SqlitePool) -> Result<Vec<IdReview>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.id, u.username, u.nickname, r.masked, r.kind, r.created_at
         FROM id_reviews r JOIN users u ON u.id = r.user_id
         WHERE r.status = 'pending' ORDER BY r.created_at, r.id",
    )
    .fetch_all(pool)
    .await
}

/// The stored photo of a pending review.
pub async fn review_image(
    pool: &SqlitePool,
    review_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT image FROM id_reviews WHERE id = ? AND status = 'pending'")
        .bind(review_id)
        .fetch_optional(pool)
        .await
        .map(Option::flatten)
}

/// Approves or rejects a pending review, once (a second decision finds nothing
/// pending). Approval verifies the account; either way the photo is deleted.
pub async fn decide(
    state: &AppState,
    review_id: i64,
    admin_id: i64,
    approve: bool,
) -> Result<(), IdError> {
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    let decided: Option<(i64, String, Option<String>)> = sqlx::query_as(
        "UPDATE id_reviews SET status = ?, reviewed_by = ?, reviewed_at = ?
         WHERE id = ? AND status = 'pending'
         RETURNING user_id, id_hash, image",
    )
    .bind(if approve { "approved" } else { "rejected" })
    .bind(admin_id)
    .bind(now)
    .bind(review_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user_id, id_hash, image)) = decided else {
        return Err(IdError::Rejected(Field::IdPhoto, Problem::Expired));
    };
    sqlx::query("UPDATE id_reviews SET image = NULL WHERE id = ?")
        .bind(review_id)
        .execute(&mut *tx)
        .await?;
    if approve {
        mark_verified(&mut *tx, user_id, &id_hash, now).await?;
    }
    tx.commit().await?;
    if let Some(image) = image {
        let _ = std::fs::remove_file(state.config.review_dir().join(image));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_only_the_ends() {
        let id = IdNumber::parse("A123456789").unwrap();
        assert_eq!(mask(&id), "A1••••••89");
    }
}
