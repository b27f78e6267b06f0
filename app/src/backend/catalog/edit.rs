//! Creating, editing and deleting listings. Each change is one transaction
//! that re-reads what it depends on, so two edits cannot interleave.

use super::search;
use crate::backend::{
    AppState,
    account::Account,
    catalog,
    effects::{self, Effect},
    platform::{media::MediaStore, vault::Vault},
};
use crate::domain::{
    catalog::{
        AuctionTerms, Current, ListingDraft, ListingInput, Reviewed, Status, check_listing_edit,
        locked_changes,
    },
    form::{Field, FieldError, Problem},
    id::ListingId,
};
use crate::error::AppError;
use crate::model::SavedListing;
use sqlx::{SqliteConnection, SqlitePool};

/// Each change reads before it writes: taking the write lock up front makes a
/// concurrent writer wait (busy timeout) rather than fail the stale snapshot's
/// first write with SQLITE_BUSY.
const IMMEDIATE: &str = "BEGIN IMMEDIATE";

/// Creates (`id` absent) or edits `seller`'s listing. Selling needs a
/// verified email and an account in good standing. An edit reaches cached
/// pages and, for an auction, its room and the scheduler.
pub async fn save(
    state: &AppState,
    seller: &Account,
    id: Option<ListingId>,
    input: &ListingInput,
    now: i64,
) -> Result<SavedListing, AppError> {
    if seller.email_verified_at.is_none() || !seller.standing(now).may_trade() {
        return Err(AppError::Forbidden);
    }
    let started = match id {
        Some(id) => started_terms(&state.db, id.get(), now).await?,
        None => None,
    };
    let draft = check_listing_edit(input, state.config.currency, now, started)
        .map_err(AppError::Validation)?;
    let Some(id) = id else {
        let id = create(&state.db, &state.vault, seller.id, &draft, now).await?;
        tracing::info!(listing = id, seller = seller.id, "listing created");
        // Waiting for review: nothing public changed yet.
        return Ok(SavedListing {
            id,
            status: Status::Pending,
        });
    };
    let status = update(
        &state.db,
        &state.vault,
        &state.media,
        seller.id,
        id.get(),
        &draft,
        now,
    )
    .await?;
    let mut follow = vec![Effect::CatalogChanged];
    if draft.auction.is_some() {
        follow.push(Effect::AuctionChanged(id));
    }
    effects::apply(state, &follow, now).await;
    Ok(SavedListing {
        id: id.get(),
        status,
    })
}

/// Deletes `seller`'s listing (see [`delete`]) and drops cached pages.
pub async fn remove(
    state: &AppState,
    seller: &Account,
    id: ListingId,
    now: i64,
) -> Result<(), AppError> {
    delete(&state.db, &state.media, seller.id, id.get()).await?;
    effects::apply(state, &[Effect::CatalogChanged], now).await;
    Ok(())
}

/// Creates a listing for `seller`, waiting for review. Returns its id.
pub async fn create(
    pool: &SqlitePool,
    vault: &Vault,
    seller: i64,
    draft: &ListingDraft,
    now: i64,
) -> Result<i64, AppError> {
    let mut tx = pool.begin_with(IMMEDIATE).await?;
    let category = category_id(&mut tx, draft).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO listings (seller_id, category_id, title, description, price, stock, condition,
                               sale_mode, area, meetup, meetup_place, shipping, secret, status,
                               created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING id",
    )
    .bind(seller)
    .bind(category)
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
    .bind(draft.secret.as_deref().map(|s| vault.seal(seller, s)))
    .bind(now)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    write_parts(&mut tx, seller, id, draft).await?;
    search::index(&mut tx, id).await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves the seller's edit. A material change to an approved listing, or any
/// edit of a rejected or delisted one, puts it back in the review queue.
/// Returns the status it has now.
pub async fn update(
    pool: &SqlitePool,
    vault: &Vault,
    media: &MediaStore,
    seller: i64,
    id: i64,
    draft: &ListingDraft,
    now: i64,
) -> Result<Status, AppError> {
    let mut tx = pool.begin_with(IMMEDIATE).await?;
    let stored = catalog::load(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if stored.seller() != seller {
        return Err(AppError::Forbidden);
    }
    let status = stored.status()?;
    let current = Current {
        status,
        price: stored.price(),
        sale_mode: stored.sale_mode()?,
        auction: stored.auction(),
    };
    let locked = locked_changes(&current, draft, now);
    if !locked.is_empty() {
        return Err(AppError::Validation(locked));
    }
    let before = Reviewed {
        title: stored.title().to_owned(),
        description: stored.description().to_owned(),
        category: stored.category().to_owned(),
        tags: stored.tags.clone(),
        images: stored.images.iter().map(|i| i.id).collect(),
    };
    let after = Reviewed {
        title: draft.title.clone(),
        description: draft.description.clone(),
        category: draft.category.slug.to_owned(),
        tags: draft.tags.clone(),
        images: draft.images.clone(),
    };
    let new_status = match status {
        Status::Approved if before.materially_differs(&after) => Status::Pending,
        Status::Rejected | Status::Delisted => Status::Pending,
        other => other,
    };
    let category = category_id(&mut tx, draft).await?;
    // Conditional on what was read: an admin's decision in between wins.
    let changed = sqlx::query(
        "UPDATE listings
            SET category_id = ?, title = ?, description = ?, price = ?, stock = ?, condition = ?,
                sale_mode = ?, area = ?, meetup = ?, meetup_place = ?, shipping = ?, secret = ?,
                status = ?, reject_reason = CASE WHEN ? = 'pending' THEN NULL ELSE reject_reason END,
                updated_at = ?
          WHERE id = ? AND seller_id = ? AND status = ? AND updated_at = ?",
    )
    .bind(category)
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
    .bind(draft.secret.as_deref().map(|s| vault.seal(seller, s)))
    .bind(new_status.as_str())
    .bind(new_status.as_str())
    .bind(now.max(stored.updated_at() + 1))
    .bind(id)
    .bind(seller)
    .bind(status.as_str())
    .bind(stored.updated_at())
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() == 0 {
        return Err(AppError::Conflict);
    }
    sqlx::query("DELETE FROM listing_tags WHERE listing_id = ?")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if draft.auction.is_none() {
        // No longer an auction (only possible before it started: see
        // `locked_changes`).
        sqlx::query("DELETE FROM auctions WHERE listing_id = ? AND phase = 'scheduled'")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let dropped: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, file_name, thumb_name FROM images WHERE listing_id = ?")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
    let dropped: Vec<(i64, String, String)> = dropped
        .into_iter()
        .filter(|(image, ..)| !draft.images.contains(image))
        .collect();
    for (image, ..) in &dropped {
        sqlx::query("DELETE FROM images WHERE id = ?")
            .bind(image)
            .execute(&mut *tx)
            .await?;
    }
    write_parts(&mut tx, seller, id, draft).await?;
    search::index(&mut tx, id).await?;
    tx.commit().await?;
    for (_, file, thumb) in dropped {
        media.remove(&file);
        media.remove(&thumb);
    }
    Ok(new_status)
}

/// The terms of listing `id`'s auction once it has started (they can no
/// longer change), or `None`.
pub async fn started_terms(
    pool: &SqlitePool,
    id: i64,
    now: i64,
) -> Result<Option<AuctionTerms>, sqlx::Error> {
    type Terms = (i64, i64, i64, Option<i64>, Option<i64>);
    let row: Option<Terms> = sqlx::query_as(
        "SELECT starts_at, ends_at, start_price, reserve, buy_now FROM auctions
          WHERE listing_id = ? AND (phase <> 'scheduled' OR starts_at <= ?)",
    )
    .bind(id)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(
        |(starts_at, ends_at, start_price, reserve, buy_now)| AuctionTerms {
            starts_at,
            ends_at,
            start_price,
            reserve,
            buy_now,
        },
    ))
}

/// Deletes the seller's listing and its images. Sold listings stay, as
/// records of the sale.
pub async fn delete(
    pool: &SqlitePool,
    media: &MediaStore,
    seller: i64,
    id: i64,
) -> Result<(), AppError> {
    let mut tx = pool.begin_with(IMMEDIATE).await?;
    let owner: Option<(i64, String)> =
        sqlx::query_as("SELECT seller_id, status FROM listings WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    match owner {
        None => return Err(AppError::NotFound),
        Some((owner, _)) if owner != seller => return Err(AppError::Forbidden),
        Some((_, status)) if status == Status::Sold.as_str() => {
            return Err(AppError::field(Field::Title, Problem::Locked));
        }
        Some(_) => {}
    }
    let files: Vec<(String, String)> =
        sqlx::query_as("SELECT file_name, thumb_name FROM images WHERE listing_id = ?")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
    search::unindex(&mut tx, id).await?;
    let deleted =
        sqlx::query("DELETE FROM listings WHERE id = ? AND seller_id = ? AND status <> 'sold'")
            .bind(id)
            .bind(seller)
            .execute(&mut *tx)
            .await?;
    if deleted.rows_affected() == 0 {
        return Err(AppError::Conflict);
    }
    tx.commit().await?;
    for (file, thumb) in files {
        media.remove(&file);
        media.remove(&thumb);
    }
    Ok(())
}

async fn category_id(conn: &mut SqliteConnection, draft: &ListingDraft) -> Result<i64, AppError> {
    sqlx::query_scalar("SELECT id FROM categories WHERE slug = ?")
        .bind(draft.category.slug)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| AppError::field(Field::Category, Problem::Required))
}

/// Auction terms, tags and images of a listing whose old ones are gone.
async fn write_parts(
    conn: &mut SqliteConnection,
    seller: i64,
    id: i64,
    draft: &ListingDraft,
) -> Result<(), AppError> {
    if let Some(terms) = draft.auction {
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
        .bind(id)
        .bind(terms.starts_at)
        .bind(terms.ends_at)
        .bind(terms.start_price)
        .bind(terms.reserve)
        .bind(terms.buy_now)
        .bind(terms.start_price)
        .execute(&mut *conn)
        .await?;
    }
    for (position, tag) in draft.tags.iter().enumerate() {
        // `DO UPDATE` (a no-op) rather than `DO NOTHING`, so `RETURNING`
        // yields the id of an existing tag too.
        let tag_id: i64 = sqlx::query_scalar(
            "INSERT INTO tags (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET name = name
             RETURNING id",
        )
        .bind(tag)
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query("INSERT INTO listing_tags (listing_id, tag_id, position) VALUES (?, ?, ?)")
            .bind(id)
            .bind(tag_id)
            .bind(position as i64)
            .execute(&mut *conn)
            .await?;
    }
    for (position, image) in draft.images.iter().enumerate() {
        // Only the seller's own uploads, either loose or already on this listing.
        let adopted = sqlx::query(
            "UPDATE images SET listing_id = ?, position = ?
              WHERE id = ? AND owner_id = ? AND (listing_id IS NULL OR listing_id = ?)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(image)
        .bind(seller)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        if adopted.rows_affected() == 0 {
            return Err(AppError::Validation(vec![FieldError {
                field: Field::Images,
                problem: Problem::Wrong,
            }]));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::testing::*;
    use crate::backend::{
        catalog::{
            for_edit,
            review::{self, Decision},
        },
        platform::db::testing::temp_db,
    };
    use crate::domain::{catalog::ListingInput, money::Currency};

    fn problem(err: &AppError, field: Field) -> Option<Problem> {
        err.problem_with(field)
    }

    async fn count(pool: &SqlitePool, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
    }

    #[tokio::test]
    async fn create_stores_every_part_and_waits_for_review() {
        let (pool, dir) = temp_db().await;
        let media = media(&dir);
        let mei = user(&pool, "mei").await;
        let a = upload(&pool, &media, mei, NOW).await;
        let b = upload(&pool, &media, mei, NOW).await;
        let input = ListingInput {
            tags: vec!["#Kindle".into(), "e-reader".into()],
            images: vec![b.id, a.id],
            ..auction("Kindle Paperwhite", NOW + HOUR, DAY)
        };
        let id = submitted(&pool, mei, &input, NOW).await;
        assert_eq!(status_of(&pool, id).await, "pending");

        let edit = for_edit(&pool, Currency::Twd, &vault(), mei, id)
            .await
            .unwrap();
        assert_eq!(edit.status, Status::Pending);
        assert_eq!(edit.input.title, "Kindle Paperwhite");
        assert_eq!(edit.input.tags, vec!["kindle", "e-reader"]);
        assert_eq!(edit.input.images, vec![b.id, a.id], "display order kept");
        assert_eq!(edit.input.starts_at, Some(NOW + HOUR));
        assert_eq!(edit.input.ends_at, Some(NOW + HOUR + DAY));
        assert_eq!(edit.input.start_price, "100");
        assert_eq!(edit.input.secret, "");
        assert_eq!(
            count(
                &pool,
                "SELECT count(*) FROM images WHERE listing_id IS NULL"
            )
            .await,
            0,
            "both uploads were adopted"
        );
        assert_eq!(
            count(&pool, "SELECT count(*) FROM listing_search").await,
            1,
            "indexed on creation"
        );
    }

    #[tokio::test]
    async fn only_the_seller_may_update_or_delete() {
        let (pool, dir) = temp_db().await;
        let media = media(&dir);
        let mei = user(&pool, "mei").await;
        let kim = user(&pool, "kim").await;
        let id = listed(&pool, mei, &input("Kindle Paperwhite"), NOW).await;
        let changed = draft(&input("Mine now"), NOW);

        let err = update(&pool, &vault(), &media, kim, id, &changed, NOW + 1)
            .await
            .unwrap_err();
        assert_eq!(err, AppError::Forbidden);
        assert_eq!(
            delete(&pool, &media, kim, id).await.unwrap_err(),
            AppError::Forbidden
        );
        // Nothing changed.
        let title: String = sqlx::query_scalar("SELECT title FROM listings WHERE id = ?")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(title, "Kindle Paperwhite");
        assert_eq!(status_of(&pool, id).await, "approved");

        assert_eq!(
            update(&pool, &vault(), &media, mei, id + 100, &changed, NOW + 1)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            delete(&pool, &media, mei, id + 100).await.unwrap_err(),
            AppError::NotFound
        );
    }

    #[tokio::test]
    async fn a_draft_may_only_use_the_sellers_own_loose_uploads() {
        let (pool, dir) = temp_db().await;
        let media = media(&dir);
        let mei = user(&pool, "mei").await;
        let kim = user(&pool, "kim").await;
        let theirs = upload(&pool, &media, kim, NOW).await;
        let mine = upload(&pool, &media, mei, NOW).await;

        // Someone else's upload: refused, and nothing is written.
        let stolen = ListingInput {
            images: vec![mine.id, theirs.id],
            ..input("Kindle Paperwhite")
        };
        let err = create(&pool, &vault(), mei, &draft(&stolen, NOW), NOW)
            .await
            .unwrap_err();
        assert_eq!(problem(&err, Field::Images), Some(Problem::Wrong));
        assert_eq!(count(&pool, "SELECT count(*) FROM listings").await, 0);
        assert_eq!(
            count(
                &pool,
                "SELECT count(*) FROM images WHERE listing_id IS NULL"
            )
            .await,
            2,
            "the failed save adopted nothing"
        );

        // An id that does not exist at all.
        let made_up = ListingInput {
            images: vec![9999],
            ..input("Kindle Paperwhite")
        };
        let err = create(&pool, &vault(), mei, &draft(&made_up, NOW), NOW)
            .await
            .unwrap_err();
        assert_eq!(problem(&err, Field::Images), Some(Problem::Wrong));

        // An upload already on one of the seller's listings cannot be reused on another.
        let first = submitted(
            &pool,
            mei,
            &ListingInput {
                images: vec![mine.id],
                ..input("First")
            },
            NOW,
        )
        .await;
        let reuse = ListingInput {
            images: vec![mine.id],
            ..input("Second")
        };
        let err = create(&pool, &vault(), mei, &draft(&reuse, NOW), NOW)
            .await
            .unwrap_err();
        assert_eq!(problem(&err, Field::Images), Some(Problem::Wrong));

        // Nor can an edit slip someone else's upload in.
        let edit = ListingInput {
            images: vec![mine.id, theirs.id],
            ..input("First")
        };
        let err = update(
            &pool,
            &vault(),
            &media,
            mei,
            first,
            &draft(&edit, NOW),
            NOW + 1,
        )
        .await
        .unwrap_err();
        assert_eq!(problem(&err, Field::Images), Some(Problem::Wrong));
        let owner_listing: Option<i64> =
            sqlx::query_scalar("SELECT listing_id FROM images WHERE id = ?")
                .bind(theirs.id)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(owner_listing, None, "kim's upload stayed loose");
    }

    #[tokio::test]
    async fn edits_go_back_to_review_when_material() {
        let (pool, dir) = temp_db().await;
        let media = media(&dir);
        let mei = user(&pool, "mei").await;
        let a = upload(&pool, &media, mei, NOW).await;
        let b = upload(&pool, &media, mei, NOW).await;
        let base = ListingInput {
            tags: vec!["kindle".into(), "reader".into()],
            images: vec![a.id, b.id],
            ..input("Kindle Paperwhite")
        };
        let id = listed(&pool, mei, &base, NOW).await;
        let save = |input: ListingInput, at: i64| {
            let (pool, media) = (pool.clone(), media.clone());
            async move { update(&pool, &vault(), &media, mei, id, &draft(&input, at), at).await }
        };

        // Price, stock, trade details and the order of images or tags: no review.
        let cheaper = ListingInput {
            price: "800".into(),
            stock: "3".into(),
            area: "Taichung".into(),
            shipping: true,
            images: vec![b.id, a.id],
            tags: vec!["reader".into(), "kindle".into()],
            ..base.clone()
        };
        assert_eq!(
            save(cheaper.clone(), NOW + 1).await.unwrap(),
            Status::Approved
        );
        assert_eq!(status_of(&pool, id).await, "approved");

        // A new title: back to the queue.
        let retitled = ListingInput {
            title: "Kindle Paperwhite 11th gen".into(),
            ..cheaper.clone()
        };
        assert_eq!(
            save(retitled.clone(), NOW + 2).await.unwrap(),
            Status::Pending
        );
        assert_eq!(status_of(&pool, id).await, "pending");
        // Editing while pending keeps it pending.
        assert_eq!(
            save(retitled.clone(), NOW + 3).await.unwrap(),
            Status::Pending
        );

        // A different set of images is material too (reordering was not).
        review::decide(&pool, ListingId(id), Decision::Approve, "", NOW + 4)
            .await
            .unwrap();
        let fewer = ListingInput {
            images: vec![a.id],
            ..retitled
        };
        assert_eq!(save(fewer, NOW + 5).await.unwrap(), Status::Pending);

        // Every other material change does the same, each on a fresh approved listing.
        let plain = ListingInput {
            tags: vec!["oak".into()],
            ..input("Desk")
        };
        let changes = [
            ListingInput {
                description: "Now with a drawer.".into(),
                ..plain.clone()
            },
            ListingInput {
                category: "furniture".into(),
                ..plain.clone()
            },
            ListingInput {
                tags: vec!["oak".into(), "vintage".into()],
                ..plain.clone()
            },
            ListingInput {
                tags: vec![],
                ..plain.clone()
            },
        ];
        for changed in changes {
            let other = listed(&pool, mei, &plain, NOW).await;
            let status = update(
                &pool,
                &vault(),
                &media,
                mei,
                other,
                &draft(&changed, NOW),
                NOW + 1,
            )
            .await
            .unwrap();
            assert_eq!(status, Status::Pending, "{changed:?}");
            assert_eq!(status_of(&pool, other).await, "pending");
        }
    }

    #[tokio::test]
    async fn editing_a_rejected_or_delisted_listing_resubmits_it() {
        let (pool, dir) = temp_db().await;
        let media = media(&dir);
        let mei = user(&pool, "mei").await;
        let form = input("Kindle Paperwhite");
        let id = submitted(&pool, mei, &form, NOW).await;
        review::decide(
            &pool,
            ListingId(id),
            Decision::Reject,
            "Blurry photos",
            NOW + 1,
        )
        .await
        .unwrap();

        // Even a price-only edit goes back to review, and the old reason is gone.
        let cheaper = ListingInput {
            price: "900".into(),
            ..form.clone()
        };
        let status = update(
            &pool,
            &vault(),
            &media,
            mei,
            id,
            &draft(&cheaper, NOW),
            NOW + 2,
        )
        .await
        .unwrap();
        assert_eq!(status, Status::Pending);
        let (status, reason): (String, Option<String>) =
            sqlx::query_as("SELECT status, reject_reason FROM listings WHERE id = ?")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!((status.as_str(), reason), ("pending", None));

        review::decide(&pool, ListingId(id), Decision::Approve, "", NOW + 3)
            .await
            .unwrap();
        review::delist(&pool, ListingId(id), "Counterfeit", NOW + 4)
            .await
            .unwrap();
        let status = update(
            &pool,
            &vault(),
            &media,
            mei,
            id,
            &draft(&cheaper, NOW),
            NOW + 5,
        )
        .await
        .unwrap();
        assert_eq!(status, Status::Pending);
        let reason: Option<String> =
            sqlx::query_scalar("SELECT reject_reason FROM listings WHERE id = ?")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(reason, None);
    }

    #[tokio::test]
    async fn a_sold_price_and_a_started_auction_are_locked() {
        let (pool, dir) = temp_db().await;
        let media = media(&dir);
        let mei = user(&pool, "mei").await;

        let form = input("Kindle Paperwhite");
        let sold = listed(&pool, mei, &form, NOW).await;
        set_status(&pool, sold, "sold").await;
        let cheaper = ListingInput {
            price: "1".into(),
            ..form.clone()
        };
        let err = update(
            &pool,
            &vault(),
            &media,
            mei,
            sold,
            &draft(&cheaper, NOW),
            NOW + 1,
        )
        .await
        .unwrap_err();
        assert_eq!(problem(&err, Field::Price), Some(Problem::Locked));
        let price: i64 = sqlx::query_scalar("SELECT price FROM listings WHERE id = ?")
            .bind(sold)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(price, 1000);
        // Keeping the price, a sold listing may still be touched up, and stays sold.
        let touched = ListingInput {
            stock: "2".into(),
            ..form
        };
        let status = update(
            &pool,
            &vault(),
            &media,
            mei,
            sold,
            &draft(&touched, NOW),
            NOW + 2,
        )
        .await
        .unwrap();
        assert_eq!(status, Status::Sold);

        // An auction that started at NOW.
        let terms = auction("Signed vinyl", NOW, DAY);
        let running = listed(&pool, mei, &terms, NOW).await;
        let later = NOW + HOUR;
        let longer = ListingInput {
            ends_at: Some(NOW + 2 * DAY),
            ..terms.clone()
        };
        // Checked at NOW: the form's start time is in the past by `later`, and
        // the lock is what this test is about.
        let err = update(
            &pool,
            &vault(),
            &media,
            mei,
            running,
            &draft(&longer, NOW),
            later,
        )
        .await
        .unwrap_err();
        assert_eq!(problem(&err, Field::EndsAt), Some(Problem::Locked));
        let higher = ListingInput {
            start_price: "500".into(),
            ..terms.clone()
        };
        let err = update(
            &pool,
            &vault(),
            &media,
            mei,
            running,
            &draft(&higher, NOW),
            later,
        )
        .await
        .unwrap_err();
        assert_eq!(problem(&err, Field::StartPrice), Some(Problem::Locked));
        let fixed = ListingInput {
            sale_mode: "fixed".into(),
            price: "100".into(),
            ..terms.clone()
        };
        let err = update(
            &pool,
            &vault(),
            &media,
            mei,
            running,
            &draft(&fixed, NOW),
            later,
        )
        .await
        .unwrap_err();
        assert_eq!(problem(&err, Field::SaleMode), Some(Problem::Locked));
        let ends_at: i64 = sqlx::query_scalar("SELECT ends_at FROM auctions WHERE listing_id = ?")
            .bind(running)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(ends_at, NOW + DAY, "terms untouched");

        // Before it starts, the terms may change freely.
        let scheduled = listed(&pool, mei, &auction("Poster", NOW + DAY, DAY), NOW).await;
        let moved = auction("Poster", NOW + 2 * DAY, 2 * DAY);
        update(
            &pool,
            &vault(),
            &media,
            mei,
            scheduled,
            &draft(&moved, NOW),
            NOW + 1,
        )
        .await
        .unwrap();
        let terms: (i64, i64, i64) = sqlx::query_as(
            "SELECT starts_at, ends_at, count(*) OVER () FROM auctions WHERE listing_id = ?",
        )
        .bind(scheduled)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(terms, (NOW + 2 * DAY, NOW + 4 * DAY, 1));
    }

    #[tokio::test]
    async fn removed_images_are_deleted_with_their_files() {
        let (pool, dir) = temp_db().await;
        let media = media(&dir);
        let mei = user(&pool, "mei").await;
        let a = upload(&pool, &media, mei, NOW).await;
        let b = upload(&pool, &media, mei, NOW).await;
        let form = ListingInput {
            images: vec![a.id, b.id],
            ..input("Kindle Paperwhite")
        };
        let id = submitted(&pool, mei, &form, NOW).await;
        let on_disk = |url: &str| media.root().join(file_of(url)).exists();
        assert!(on_disk(&b.url) && on_disk(&b.thumb_url));

        let c = upload(&pool, &media, mei, NOW).await;
        let edit = ListingInput {
            images: vec![c.id, a.id],
            ..form
        };
        update(
            &pool,
            &vault(),
            &media,
            mei,
            id,
            &draft(&edit, NOW),
            NOW + 1,
        )
        .await
        .unwrap();
        let kept: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM images WHERE listing_id = ? ORDER BY position")
                .bind(id)
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(kept, vec![c.id, a.id]);
        assert_eq!(
            count(&pool, "SELECT count(*) FROM images").await,
            2,
            "b's row is gone"
        );
        assert!(
            !on_disk(&b.url) && !on_disk(&b.thumb_url),
            "b's files are gone"
        );
        assert!(on_disk(&a.url) && on_disk(&a.thumb_url) && on_disk(&c.url));
    }

    #[tokio::test]
    async fn tags_are_created_on_demand_and_shared() {
        let (pool, dir) = temp_db().await;
        let media = media(&dir);
        let mei = user(&pool, "mei").await;
        let kim = user(&pool, "kim").await;
        let switch = ListingInput {
            tags: vec!["Nintendo".into(), "switch".into()],
            ..input("Switch OLED")
        };
        let one = submitted(&pool, mei, &switch, NOW).await;
        let zelda = ListingInput {
            tags: vec!["#nintendo".into(), "zelda".into()],
            ..input("Zelda")
        };
        let two = submitted(&pool, kim, &zelda, NOW).await;
        let tags: Vec<String> = sqlx::query_scalar("SELECT name FROM tags ORDER BY name")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_eq!(tags, vec!["nintendo", "switch", "zelda"]);
        let shared: i64 = sqlx::query_scalar(
            "SELECT count(DISTINCT lt.listing_id) FROM listing_tags lt JOIN tags t ON t.id = lt.tag_id
              WHERE t.name = 'nintendo'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(shared, 2);

        // Dropping the tag from one listing leaves the other's alone.
        let untagged = ListingInput {
            tags: vec!["switch".into(), "oled".into()],
            ..switch
        };
        update(
            &pool,
            &vault(),
            &media,
            mei,
            one,
            &draft(&untagged, NOW),
            NOW + 1,
        )
        .await
        .unwrap();
        let of = |id: i64| {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar::<_, String>(
                    "SELECT t.name FROM listing_tags lt JOIN tags t ON t.id = lt.tag_id
                      WHERE lt.listing_id = ? ORDER BY lt.position",
                )
                .bind(id)
                .fetch_all(&pool)
                .await
                .unwrap()
            }
        };
        assert_eq!(of(one).await, vec!["switch", "oled"]);
        assert_eq!(of(two).await, vec!["nintendo", "zelda"]);
        assert_eq!(count(&pool, "SELECT count(*) FROM tags").await, 4);
    }

    #[tokio::test]
    async fn delivery_secrets_are_sealed_and_open_for_the_seller_only() {
        let (pool, dir) = temp_db().await;
        let media = media(&dir);
        let mei = user(&pool, "mei").await;
        let kim = user(&pool, "kim").await;
        let plain = "login: mei_gamer / password: hunter2-swordfish";
        let form = ListingInput {
            category: "game_accounts".into(),
            secret: plain.into(),
            ..input("Level 80 account")
        };
        let id = submitted(&pool, mei, &form, NOW).await;
        let raw = || {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar::<_, Option<Vec<u8>>>("SELECT secret FROM listings WHERE id = ?")
                    .bind(id)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        let sealed = raw().await.expect("a secret is stored");
        for needle in [plain.as_bytes(), b"hunter2", b"swordfish", b"mei_gamer"] {
            assert!(
                !sealed.windows(needle.len()).any(|w| w == needle),
                "plaintext {:?} leaked",
                String::from_utf8_lossy(needle)
            );
        }
        // Stored as a blob, not as text.
        let kind: String = sqlx::query_scalar("SELECT typeof(secret) FROM listings WHERE id = ?")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(kind, "blob");

        let edit = for_edit(&pool, Currency::Twd, &vault(), mei, id)
            .await
            .unwrap();
        assert_eq!(edit.input.secret, plain);
        assert_eq!(
            for_edit(&pool, Currency::Twd, &vault(), kim, id)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            for_edit(&pool, Currency::Twd, &vault(), mei, id + 1)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        // Another key cannot open it: the form shows no secret rather than garbage.
        let other_key = Vault::new([8; 32]);
        let edit = for_edit(&pool, Currency::Twd, &other_key, mei, id)
            .await
            .unwrap();
        assert_eq!(edit.input.secret, "");

        // An edit re-seals; clearing the field removes the secret.
        let changed = ListingInput {
            secret: "login: mei_gamer / password: new-pass".into(),
            ..form.clone()
        };
        update(
            &pool,
            &vault(),
            &media,
            mei,
            id,
            &draft(&changed, NOW),
            NOW + 1,
        )
        .await
        .unwrap();
        let resealed = raw().await.unwrap();
        assert!(!resealed.windows(8).any(|w| w == b"new-pass"));
        assert_eq!(
            vault().open(mei, &resealed).as_deref(),
            Some("login: mei_gamer / password: new-pass")
        );
        let cleared = ListingInput {
            secret: String::new(),
            ..form
        };
        update(
            &pool,
            &vault(),
            &media,
            mei,
            id,
            &draft(&cleared, NOW),
            NOW + 2,
        )
        .await
        .unwrap();
        assert_eq!(raw().await, None);
    }

    #[tokio::test]
    async fn delete_removes_the_listing_its_images_and_files() {
        let (pool, dir) = temp_db().await;
        let media = media(&dir);
        let mei = user(&pool, "mei").await;
        let kim = user(&pool, "kim").await;
        let a = upload(&pool, &media, mei, NOW).await;
        let form = ListingInput {
            images: vec![a.id],
            tags: vec!["kindle".into()],
            ..input("Kindle Paperwhite")
        };
        let id = listed(&pool, mei, &form, NOW).await;
        crate::backend::catalog::favorites::set(&pool, kim, id, true, NOW)
            .await
            .unwrap();
        delete(&pool, &media, mei, id).await.unwrap();
        for table in [
            "listings",
            "images",
            "listing_tags",
            "favorites",
            "listing_search",
        ] {
            assert_eq!(
                count(&pool, &format!("SELECT count(*) FROM {table}")).await,
                0,
                "{table}"
            );
        }
        assert!(!media.root().join(file_of(&a.url)).exists());
        assert!(!media.root().join(file_of(&a.thumb_url)).exists());
        assert_eq!(
            delete(&pool, &media, mei, id).await.unwrap_err(),
            AppError::NotFound
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sellers_saving_at_the_same_time_all_succeed() {
        let (pool, dir) = temp_db().await;
        let media = media(&dir);
        let mut sellers = Vec::new();
        for i in 0..8 {
            let seller = user(&pool, &format!("seller{i}")).await;
            let id = listed(&pool, seller, &input(&format!("Lamp {i}")), NOW).await;
            sellers.push((seller, id));
        }
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(sellers.len()));
        let tasks: Vec<_> = sellers
            .iter()
            .map(|&(seller, id)| {
                let (pool, media, start) = (pool.clone(), media.clone(), start.clone());
                tokio::spawn(async move {
                    start.wait().await;
                    let new =
                        create(&pool, &vault(), seller, &draft(&input("Chair"), NOW), NOW).await?;
                    let cheaper = ListingInput {
                        price: "10".into(),
                        ..input(&format!("Lamp {seller}"))
                    };
                    update(
                        &pool,
                        &vault(),
                        &media,
                        seller,
                        id,
                        &draft(&cheaper, NOW),
                        NOW + 1,
                    )
                    .await?;
                    delete(&pool, &media, seller, new).await
                })
            })
            .collect();
        for task in tasks {
            task.await
                .unwrap()
                .expect("no save fails because another ran");
        }
        assert_eq!(count(&pool, "SELECT count(*) FROM listings").await, 8);
        assert_eq!(
            count(&pool, "SELECT count(*) FROM listings WHERE price = 10").await,
            8
        );
    }

    #[tokio::test]
    async fn sold_listings_cannot_be_deleted() {
        let (pool, dir) = temp_db().await;
        let media = media(&dir);
        let mei = user(&pool, "mei").await;
        let a = upload(&pool, &media, mei, NOW).await;
        let form = ListingInput {
            images: vec![a.id],
            ..input("Kindle Paperwhite")
        };
        let id = listed(&pool, mei, &form, NOW).await;
        set_status(&pool, id, "sold").await;
        let err = delete(&pool, &media, mei, id).await.unwrap_err();
        assert!(
            matches!(&err, AppError::Validation(e) if e.iter().any(|e| e.problem == Problem::Locked)),
            "{err:?}"
        );
        assert_eq!(status_of(&pool, id).await, "sold");
        assert!(media.root().join(file_of(&a.url)).exists());
        assert_eq!(count(&pool, "SELECT count(*) FROM listing_search").await, 1);
    }
}
