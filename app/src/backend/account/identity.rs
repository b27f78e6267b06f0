//! Real-name verification: the typed ID number must be the one OCR reads on the
//! card photo. Only a keyed hash of the number is kept (one card, one account)
//! and the photo is deleted after the check; a card OCR cannot read waits for
//! an admin instead.

use super::{Account, store};
use crate::backend::{
    AppState,
    platform::{clock::now_ms, ocr, secret::Secret, upload},
};
use crate::domain::{
    account::id_number::{IdNumber, find_in_text},
    form::{Field, Problem},
    id::UserId,
};
use crate::error::AppError;
use crate::model::{IdCheck, IdReview};
use image::DynamicImage;
use server_fn::codec::MultipartData;
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

impl From<IdError> for AppError {
    fn from(e: IdError) -> AppError {
        match e {
            IdError::Rejected(field, problem) => AppError::field(field, problem),
            IdError::Db(e) => e.into(),
            other => {
                tracing::error!(error = %other, "identity check");
                AppError::Internal
            }
        }
    }
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

/// Marks the account verified by the card with `id_hash`. Conditional on the
/// account not being verified yet; the unique index refuses a card that
/// verifies someone else.
async fn mark_verified(
    executor: impl sqlx::SqliteExecutor<'_>,
    user_id: i64,
    id_hash: &str,
    now: i64,
) -> Result<(), IdError> {
    match store::mark_id_verified(executor, UserId(user_id), id_hash, now).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(IdError::Rejected(Field::IdNumber, Problem::Unchanged)),
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
    // Another account is verified, or waiting to be, with this card.
    if store::card_used_elsewhere(pool, &id_hash, UserId(user_id)).await? {
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

/// The identity form (fields `number`, text, and `photo`, a file) of
/// `account`, which must not be verified yet.
pub async fn verify_form(
    state: &AppState,
    account: &Account,
    data: MultipartData,
) -> Result<IdCheck, AppError> {
    if account.id_verified_at.is_some() {
        return Err(AppError::field(Field::IdNumber, Problem::Unchanged));
    }
    let form = upload::read_form(data, Field::IdPhoto, &["number", "photo"]).await?;
    let typed = form.text("number");
    let number = match typed.trim() {
        "" => return Err(AppError::field(Field::IdNumber, Problem::Required)),
        t => IdNumber::parse(t).ok_or(AppError::field(Field::IdNumber, Problem::NotAnIdNumber))?,
    };
    let photo = upload::image_field(&form, "photo", Field::IdPhoto).await?;
    let outcome = verify(state, account.id, &number, photo).await?;
    tracing::info!(user = account.id, ?outcome, "identity check");
    Ok(match outcome {
        Outcome::Verified => IdCheck::Verified,
        Outcome::InReview => IdCheck::InReview,
    })
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
    let queued = store::insert_id_review(
        &state.db,
        UserId(user_id),
        id_hash,
        &mask(typed),
        &format!("{:?}", typed.kind).to_lowercase(),
        &name,
        now_ms(),
    )
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
    store::id_review_pending(pool, UserId(user_id)).await
}

/// The review queue, oldest first.
pub async fn pending(pool: &SqlitePool) -> Result<Vec<IdReview>, sqlx::Error> {
    store::pending_id_reviews(pool).await
}

/// The stored photo of a pending review.
pub async fn review_image(
    pool: &SqlitePool,
    review_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    store::load_pending_review_image(pool, review_id).await
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
    let status = if approve { "approved" } else { "rejected" };
    let decided =
        store::decide_id_review(&mut *tx, review_id, status, UserId(admin_id), now).await?;
    let Some((user_id, id_hash, image)) = decided else {
        return Err(IdError::Rejected(Field::IdPhoto, Problem::Expired));
    };
    store::clear_review_image(&mut *tx, review_id).await?;
    if approve {
        mark_verified(&mut *tx, user_id.get(), &id_hash, now).await?;
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
