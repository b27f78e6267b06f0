//! Real-name verification: the typed ID number must be the one OCR reads on the
//! card photo. Only a keyed hash of the number is kept (one card, one account)
//! and the photo is deleted after the check; a card OCR cannot read, or one
//! whose number another member holds or waits with, waits for an admin
//! instead. Checks need a verified e-mail and are limited per day.

use super::{Account, store};
use crate::backend::{
    AppState,
    platform::{
        clock::now_ms,
        images::{self, fit_within},
        ocr,
        secret::Secret,
        upload,
    },
};
use crate::domain::{
    account::id_number::{IdNumber, check_card_shape, find_in_text},
    form::{Field, Problem},
    id::UserId,
};
use crate::error::AppError;
use crate::model::{IdCheck, IdReview};
use image::ImageFormat;
use server_fn::codec::MultipartData;
use sqlx::SqlitePool;
use std::io::Cursor;

/// Identity checks a member may make in 24 hours, whatever their outcome.
pub const DAILY_ATTEMPTS: i64 = 5;
const DAY_MS: i64 = 86_400_000;
/// Longest side of the copy an admin reviews.
const REVIEW_SIDE: u32 = 2048;

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
    /// Today's checks are used up, or the reader is busy: try later.
    #[error("too many identity checks")]
    RateLimited,
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
            IdError::RateLimited => AppError::RateLimited,
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

/// How marking an account verified went.
#[derive(Debug, PartialEq, Eq)]
enum Mark {
    Verified,
    /// The account was verified already.
    Unchanged,
    /// Another account is verified by this card (the unique index said so).
    HeldByAnother,
}

/// Marks the account verified by the card with `id_hash`. Conditional on the
/// account not being verified yet; the unique index refuses a card that
/// verifies someone else.
async fn mark_verified(
    executor: impl sqlx::SqliteExecutor<'_>,
    user_id: i64,
    id_hash: &str,
    now: i64,
) -> Result<Mark, IdError> {
    match store::mark_id_verified(executor, UserId(user_id), id_hash, now).await {
        Ok(true) => Ok(Mark::Verified),
        Ok(false) => Ok(Mark::Unchanged),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(Mark::HeldByAnother),
        Err(e) => Err(e.into()),
    }
}

/// A card photo made ready: the grey image Tesseract reads and the copy an
/// admin sees if the card goes to review. Both are small, encoded bytes: the
/// decoded photo never leaves the decode budget.
pub struct CardPhoto {
    ocr_png: Vec<u8>,
    review_jpeg: Vec<u8>,
}

/// Decodes, checks and prepares an uploaded card photo within the shared
/// decode budget. A photo that cannot be an ID card is refused from its
/// header, before any pixel is decoded.
pub async fn prepare_card(photo: Vec<u8>) -> Result<CardPhoto, Problem> {
    images::decode(photo, check_card_shape, |img| {
        let prepared = ocr::prepare(&img)?;
        let review = fit_within(img, REVIEW_SIDE).into_rgb8();
        let mut ocr_png = Vec::new();
        prepared
            .write_to(&mut Cursor::new(&mut ocr_png), ImageFormat::Png)
            .map_err(|_| Problem::NotAnImage)?;
        drop(prepared);
        let mut review_jpeg = Vec::new();
        review
            .write_to(&mut Cursor::new(&mut review_jpeg), ImageFormat::Jpeg)
            .map_err(|_| Problem::NotAnImage)?;
        Ok(CardPhoto {
            ocr_png,
            review_jpeg,
        })
    })
    .await?
}

/// Counts an identity check of `user` at `now`, or refuses it when the last
/// 24 hours hold [`DAILY_ATTEMPTS`] already. Counting and checking are one
/// transaction, so parallel requests cannot all slip under the limit.
pub async fn count_attempt(pool: &SqlitePool, user: UserId, now: i64) -> Result<(), IdError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    // A check made exactly a day ago no longer counts.
    let since = now - DAY_MS + 1;
    if store::count_id_attempts(&mut *tx, user, since).await? >= DAILY_ATTEMPTS {
        return Err(IdError::RateLimited);
    }
    store::delete_id_attempts_before(&mut *tx, user, since).await?;
    store::insert_id_attempt(&mut *tx, user, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Checks `card` against the typed number. The answer never tells whether
/// the number belongs to someone else: a card whose number another member
/// is verified by, or waits with, goes to review exactly like one OCR could
/// not read, and the admin sees the collision.
pub async fn verify(
    state: &AppState,
    user_id: i64,
    typed: &IdNumber,
    card: CardPhoto,
) -> Result<Outcome, IdError> {
    let pool = &state.db;
    let id_hash = hash(&state.secret, typed);
    let read = ocr::read_text(
        &state.config.tesseract,
        &state.config.ocr_work_dir(),
        &card.ocr_png,
    )
    .await;
    let found = match read {
        Ok(text) => find_in_text(&text),
        Err(ocr::OcrError::Busy) => return Err(IdError::RateLimited),
        Err(e @ ocr::OcrError::Run(_)) => return Err(e.into()),
        // A photo Tesseract chokes on is one it could not read.
        Err(e) => {
            tracing::warn!(user = user_id, error = %e, "OCR failed; card sent to review");
            Vec::new()
        }
    };
    if !found.is_empty() && !found.contains(typed) {
        // The card shows a different valid number.
        return Err(IdError::Rejected(Field::IdNumber, Problem::Wrong));
    }
    if !found.is_empty() {
        if store::card_used_elsewhere(pool, &id_hash, UserId(user_id)).await? {
            tracing::warn!(
                user = user_id,
                "ID number held by another member; card sent to review"
            );
        } else {
            match mark_verified(pool, user_id, &id_hash, now_ms()).await? {
                Mark::Verified => return Ok(Outcome::Verified),
                Mark::Unchanged => {
                    return Err(IdError::Rejected(Field::IdNumber, Problem::Unchanged));
                }
                // Verified by another member since the check above.
                Mark::HeldByAnother => {}
            }
        }
    }
    queue_for_review(state, user_id, typed, &id_hash, &card.review_jpeg).await?;
    Ok(Outcome::InReview)
}

/// The identity form (fields `number`, text, and `photo`, a file) of
/// `account`, which must not be verified yet and must have a verified
/// e-mail. Every check that gets as far as the photo counts towards the
/// daily limit, whatever comes of it.
pub async fn verify_form(
    state: &AppState,
    account: &Account,
    data: MultipartData,
) -> Result<IdCheck, AppError> {
    if account.id_verified_at.is_some() {
        return Err(AppError::field(Field::IdNumber, Problem::Unchanged));
    }
    if account.email_verified_at.is_none() {
        return Err(AppError::field(Field::Email, Problem::VerifyEmailFirst));
    }
    let mut form = upload::read_form(data, Field::IdPhoto, &["number", "photo"]).await?;
    let typed = form.text("number");
    let number = match typed.trim() {
        "" => return Err(AppError::field(Field::IdNumber, Problem::Required)),
        t => IdNumber::parse(t).ok_or(AppError::field(Field::IdNumber, Problem::NotAnIdNumber))?,
    };
    let photo = form.take_file("photo", Field::IdPhoto)?;
    if in_review(&state.db, account.id).await? {
        return Err(AppError::field(Field::IdPhoto, Problem::Unchanged));
    }
    count_attempt(&state.db, UserId(account.id), now_ms()).await?;
    let card = prepare_card(photo)
        .await
        .map_err(|problem| AppError::field(Field::IdPhoto, problem))?;
    let outcome = verify(state, account.id, &number, card).await?;
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
    review_jpeg: &[u8],
) -> Result<(), IdError> {
    let dir = state.config.review_dir();
    tokio::fs::create_dir_all(&dir).await?;
    let name = format!("{}.jpg", uuid::Uuid::new_v4().simple());
    tokio::fs::write(dir.join(&name), review_jpeg).await?;
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
    store::pending_id_reviews(pool, now_ms() - DAY_MS + 1).await
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
        match mark_verified(&mut *tx, user_id.get(), &id_hash, now).await? {
            Mark::Verified => {}
            Mark::Unchanged => return Err(IdError::Rejected(Field::IdNumber, Problem::Unchanged)),
            // The rightful holder's review waits, undecided, until an admin
            // revokes the other member's verification.
            Mark::HeldByAnother => {
                return Err(IdError::Rejected(Field::IdNumber, Problem::VerifiesAnother));
            }
        }
    }
    tx.commit().await?;
    if let Some(image) = image {
        let _ = std::fs::remove_file(state.config.review_dir().join(image));
    }
    Ok(())
}

/// Revokes the verified identity of `username` (an admin, for example when
/// the rightful holder of a number someone else verified with asks for it):
/// the member loses the badge and the number is free to verify again.
/// `Conflict` if that member is not verified (anymore).
pub async fn revoke(pool: &SqlitePool, username: &str) -> Result<UserId, AppError> {
    store::clear_id_verification(pool, username.trim())
        .await?
        .ok_or(AppError::Conflict)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::testing::{DAY, NOW, temp_db, user};

    #[tokio::test]
    async fn checks_are_limited_per_member_and_day_whatever_their_outcome() {
        let (pool, _dir) = temp_db().await;
        let (mei, jun) = (
            UserId(user(&pool, "mei").await),
            UserId(user(&pool, "jun").await),
        );
        for i in 0..DAILY_ATTEMPTS {
            count_attempt(&pool, mei, NOW + i).await.unwrap();
        }
        assert!(matches!(
            count_attempt(&pool, mei, NOW + 10).await,
            Err(IdError::RateLimited)
        ));
        assert_eq!(AppError::from(IdError::RateLimited), AppError::RateLimited);
        // Refusals are not counted, others are not affected, and a day later
        // the first check has aged out.
        count_attempt(&pool, jun, NOW).await.unwrap();
        assert!(matches!(
            count_attempt(&pool, mei, NOW + DAY - 1).await,
            Err(IdError::RateLimited)
        ));
        count_attempt(&pool, mei, NOW + DAY).await.unwrap();
        assert!(matches!(
            count_attempt(&pool, mei, NOW + DAY).await,
            Err(IdError::RateLimited)
        ));
    }

    #[tokio::test]
    async fn parallel_checks_do_not_pass_the_limit() {
        let (pool, _dir) = temp_db().await;
        let mei = UserId(user(&pool, "mei").await);
        let tries = (0..3 * DAILY_ATTEMPTS).map(|_| count_attempt(&pool, mei, NOW));
        let passed = futures::future::join_all(tries)
            .await
            .into_iter()
            .filter(Result::is_ok)
            .count();
        assert_eq!(passed as i64, DAILY_ATTEMPTS);
    }

    #[tokio::test]
    async fn card_photos_are_refused_by_shape_before_decoding() {
        // 1 × 8000 px: a few hundred bytes that would be 20 GB once prepared.
        let strip = crate::backend::testing::png(1, 8000);
        assert!(strip.len() < 50_000);
        assert_eq!(prepare_card(strip).await.err(), Some(Problem::NotAnIdCard));
        let card = prepare_card(crate::backend::testing::png(856, 540))
            .await
            .unwrap();
        let ocr = image::load_from_memory(&card.ocr_png).unwrap();
        assert_eq!((ocr.width(), ocr.height()), (2000, 1262));
        assert!(matches!(ocr, image::DynamicImage::ImageLuma8(_)));
        let review = image::load_from_memory(&card.review_jpeg).unwrap();
        assert_eq!((review.width(), review.height()), (856, 540));
    }

    #[test]
    fn masks_keep_only_the_ends() {
        let id = IdNumber::parse("A123456789").unwrap();
        assert_eq!(mask(&id), "A1••••••89");
    }
}
