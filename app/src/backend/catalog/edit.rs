//! Creating, editing and deleting listings. Each change is one transaction
//! that re-reads what it depends on, so two edits cannot interleave.

use super::{search, store};
use crate::backend::{
    AppState,
    account::Account,
    auction, catalog,
    effects::{self, Effect},
    platform::{media::MediaStore, vault::Vault},
};
use crate::domain::{
    catalog::{
        AuctionTerms, Current, ListingDraft, ListingInput, Reviewed, Status, check_listing_edit,
        locked_changes,
    },
    form::{Field, FieldError, Problem},
    id::{ListingId, UserId},
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
    let columns = store::ListingColumns {
        category,
        draft,
        secret: draft.secret.as_deref().map(|s| vault.seal(seller, s)),
    };
    let id = store::insert_listing(&mut *tx, UserId(seller), &columns, now)
        .await?
        .get();
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
    let listing = ListingId(id);
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
    // A sale is a record of what was sold; an auction with bids keeps what
    // its bidders bid on. Neither may be rewritten (nor sent back to review).
    let frozen = if status == Status::Sold {
        Some(Problem::Locked)
    } else if auction::has_bids(&mut tx, listing).await? {
        Some(Problem::HasBids)
    } else {
        None
    };
    if let Some(problem) = frozen {
        let refused = before.refuse_changes(&after, problem);
        if !refused.is_empty() {
            return Err(AppError::Validation(refused));
        }
    }
    let new_status = match status {
        Status::Approved if before.materially_differs(&after) => Status::Pending,
        Status::Rejected | Status::Delisted => Status::Pending,
        other => other,
    };
    let category = category_id(&mut tx, draft).await?;
    let columns = store::ListingColumns {
        category,
        draft,
        secret: draft.secret.as_deref().map(|s| vault.seal(seller, s)),
    };
    // Conditional on what was read: an admin's decision in between wins.
    let changed = store::update_listing(
        &mut *tx,
        listing,
        UserId(seller),
        &columns,
        new_status,
        now.max(stored.updated_at() + 1),
        store::Expected {
            status,
            updated_at: stored.updated_at(),
        },
    )
    .await?;
    if !changed {
        return Err(AppError::Conflict);
    }
    store::clear_listing_tags(&mut *tx, listing).await?;
    if draft.auction.is_none() {
        // No longer an auction (only possible before it started: see
        // `locked_changes`).
        store::delete_scheduled_auction(&mut *tx, listing).await?;
    }
    let dropped: Vec<(i64, String, String)> = store::listing_image_files(&mut *tx, listing)
        .await?
        .into_iter()
        .filter(|(image, ..)| !draft.images.contains(image))
        .collect();
    for (image, ..) in &dropped {
        store::delete_image(&mut *tx, *image).await?;
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
    let row = store::started_auction_terms(pool, ListingId(id), now).await?;
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
    let listing = ListingId(id);
    let mut tx = pool.begin_with(IMMEDIATE).await?;
    let owner = store::listing_seller_and_status(&mut *tx, listing).await?;
    match owner {
        None => return Err(AppError::NotFound),
        Some((owner, _)) if owner != UserId(seller) => return Err(AppError::Forbidden),
        Some((_, status)) if status == Status::Sold.as_str() => {
            return Err(AppError::field(Field::Title, Problem::Locked));
        }
        Some(_) => {}
    }
    // Deleting would take the auction, its bids and its room with it.
    if auction::has_bids(&mut tx, listing).await? {
        return Err(AppError::field(Field::Title, Problem::HasBids));
    }
    let files = store::listing_files(&mut *tx, listing).await?;
    search::unindex(&mut tx, id).await?;
    let deleted = store::delete_unsold_listing(&mut *tx, listing, UserId(seller)).await?;
    if !deleted {
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
    store::category_id(conn, draft.category.slug)
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
    let listing = ListingId(id);
    if let Some(terms) = draft.auction {
        store::upsert_auction_terms(&mut *conn, listing, terms).await?;
    }
    for (position, tag) in draft.tags.iter().enumerate() {
        let tag_id = store::upsert_tag(&mut *conn, tag).await?;
        store::insert_listing_tag(&mut *conn, listing, tag_id, position as i64).await?;
    }
    for (position, image) in draft.images.iter().enumerate() {
        // Only the seller's own uploads, either loose or already on this listing.
        let adopted =
            store::adopt_image(&mut *conn, listing, position as i64, *image, UserId(seller))
                .await?;
        if !adopted {
            return Err(AppError::Validation(vec![FieldError {
                field: Field::Images,
                problem: Problem::Wrong,
            }]));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
