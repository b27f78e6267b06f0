//! Offers on listings that take them (PRODUCT.md §4). A buyer proposes a
//! price per unit and a quantity; the seller accepts, declines or counters
//! (the counter replaces the offer and waits for the buyer); whoever made an
//! offer may withdraw it; nobody answering within 48 hours expires it. An
//! accepted offer opens an established order at the agreed price, and the
//! offers the remaining stock can no longer cover are declined with it.
//!
//! Each answer is one `BEGIN IMMEDIATE` transaction whose updates are
//! conditional on the offer still pending, so of two answers racing for one
//! offer (an accept and a counter, a withdrawal and an acceptance) exactly
//! one wins and the other is told the offer is closed.

mod store;
#[cfg(test)]
mod tests;

use crate::backend::{
    AppState,
    auction::shown_name,
    effects::{self, Effect},
    notify::{self, DealLink},
    order::{self, AgreedDeal},
    platform::media,
};
use crate::{
    domain::{
        account::Standing,
        id::{ListingId, NoticeId, OfferId, UserId},
        money::{Currency, Money},
        offer::{self as rules, Answer, OfferState},
        order::{DealRefusal, Party},
    },
    error::AppError,
    model::{DealListing, MyOffers, NoticeKind, OfferTarget, OfferView, Participant},
};
use sqlx::{SqliteConnection, SqlitePool};
use store::{ListingRow, NewOffer, ViewRow};

const IMMEDIATE: &str = "BEGIN IMMEDIATE";
/// Offers each list of `/offers` shows (open ones first).
pub const LIST: i64 = 50;
/// Offers expired per transaction, so a backlog after downtime never holds
/// the write lock for long.
const EXPIRE_BATCH: i64 = 100;

fn new_public_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Why `buyer` may not make an offer on this listing, if they may not.
fn refusal(listing: &ListingRow, buyer: UserId) -> Option<DealRefusal> {
    if listing.seller_id == buyer {
        Some(DealRefusal::OwnListing)
    } else if listing.status != "approved" || listing.stock <= 0 {
        Some(DealRefusal::NotForSale)
    } else if listing.sale_mode != "offers" {
        Some(DealRefusal::NoOffers)
    } else {
        None
    }
}

/// A restricted (suspended, blacklisted) member may still back out of an
/// offer, not make or accept one.
async fn may_trade(conn: &mut SqliteConnection, user: UserId, now: i64) -> Result<(), AppError> {
    let (status, until) = store::standing_of(&mut *conn, user)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if Standing::from_status(&status, until, now).may_trade() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn units(quantity: i64) -> u32 {
    // The column's CHECK keeps it above zero; the rules cap it far lower.
    u32::try_from(quantity).unwrap_or(u32::MAX)
}

/// The buyer offers `amount` (minor units) per unit for `quantity` units of
/// `listing`; the seller hears of it. Returns the offer's public id.
pub async fn make(
    state: &AppState,
    buyer: UserId,
    listing: ListingId,
    amount: i64,
    quantity: u32,
    now: i64,
) -> Result<String, AppError> {
    state.limits.offers_per_buyer.check(&buyer)?;
    let mut tx = state.db.begin_with(IMMEDIATE).await?;
    may_trade(&mut tx, buyer, now).await?;
    let row = store::load_listing(&mut *tx, listing)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(refusal) = refusal(&row, buyer) {
        return Err(AppError::Deal(refusal));
    }
    rules::check_offer(amount, quantity, units(row.stock))?;
    if store::open_offer(&mut *tx, listing, buyer).await?.is_some() {
        return Err(AppError::Deal(DealRefusal::OfferOpen));
    }
    let public_id = new_public_id();
    let offer = NewOffer {
        public_id: &public_id,
        listing,
        buyer,
        seller: row.seller_id,
        quantity,
        amount,
        by_seller: false,
        parent: None,
        expires_at: rules::expires_at(now),
    };
    let id = match store::insert_offer(&mut *tx, &offer, now).await {
        Ok(id) => id,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(AppError::Deal(DealRefusal::OfferOpen));
        }
        Err(e) => return Err(e.into()),
    };
    let notice = notify::store_deal(
        &mut tx,
        row.seller_id,
        NoticeKind::OfferReceived,
        listing,
        Some(amount),
        DealLink::Offer(id),
        now,
    )
    .await?;
    tx.commit().await?;
    effects::apply(
        state,
        &[Effect::Notified(vec![notice]), Effect::ScheduleChanged],
        now,
    )
    .await;
    Ok(public_id)
}

/// Offers an auction's item to its runner-up at `amount` (their last bid),
/// inside the caller's transaction (the seller cancelling the winner's
/// unpaid order): a seller's offer, like a counter, which the runner-up may
/// accept within 48 hours. Accepting opens an order without taking stock
/// (see [`answer`]). Returns the offer's id and public id.
pub async fn second_chance(
    conn: &mut SqliteConnection,
    listing: ListingId,
    runner_up: UserId,
    seller: UserId,
    amount: i64,
    now: i64,
) -> Result<(OfferId, String), AppError> {
    let public_id = new_public_id();
    let offer = NewOffer {
        public_id: &public_id,
        listing,
        buyer: runner_up,
        seller,
        quantity: 1,
        amount,
        by_seller: true,
        parent: None,
        expires_at: rules::expires_at(now),
    };
    let id = store::insert_offer(&mut *conn, &offer, now).await?;
    Ok((id, public_id))
}

/// Where an answer leaves the one who gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    /// The offer to show next: the counter for a counter, else the offer.
    pub offer: String,
    /// The order an acceptance opened.
    pub order: Option<String>,
}

/// One party answers the offer `offer`: accepts, declines, counters (the
/// seller, with a new unit price) or withdraws (whoever made it). The other
/// side hears of it; anyone else is told the offer does not exist.
pub async fn answer(
    state: &AppState,
    actor: UserId,
    offer: &str,
    answer: Answer,
    now: i64,
) -> Result<Answered, AppError> {
    let mut tx = state.db.begin_with(IMMEDIATE).await?;
    let row = store::load_offer(&mut *tx, offer)
        .await?
        .filter(|r| r.buyer_id == actor || r.seller_id == actor)
        .ok_or(AppError::NotFound)?;
    let (who, other) = if row.buyer_id == actor {
        (Party::Buyer, row.seller_id)
    } else {
        (Party::Seller, row.buyer_id)
    };
    let current = OfferState::parse(&row.state).ok_or(AppError::Internal)?;
    let next = rules::answer(
        current,
        rules::made_by(row.by_seller),
        row.expires_at,
        who,
        answer,
        now,
    )
    .map_err(AppError::Deal)?;
    let quantity = units(row.quantity);
    let link = DealLink::Offer(row.id);
    let mut notices: Vec<NoticeId> = Vec::new();
    let mut more = Vec::new();
    let mut answered = Answered {
        offer: row.public_id.clone(),
        order: None,
    };
    match (next, answer) {
        (OfferState::Accepted, _) => {
            may_trade(&mut tx, actor, now).await?;
            let listing = store::load_listing(&mut *tx, row.listing_id)
                .await?
                .ok_or(AppError::NotFound)?;
            // Sold out reads as too few units (below); taken down, as gone.
            if !matches!(listing.status.as_str(), "approved" | "sold") {
                return Err(AppError::Deal(DealRefusal::NotForSale));
            }
            let total = row.amount.saturating_mul(i64::from(quantity));
            let deal = AgreedDeal {
                listing: row.listing_id,
                buyer: row.buyer_id,
                seller: row.seller_id,
                quantity,
                total,
            };
            // A runner-up's second chance at an auction's item: the item
            // is not in the listing's stock, which stays sold.
            let (order_id, order_public) = if listing.sale_mode == "auction" {
                order::open_won(&mut tx, deal, now).await?
            } else {
                order::open_agreed(&mut tx, deal, now).await?
            };
            if !store::accept_offer(&mut *tx, row.id, order_id, now).await? {
                return Err(AppError::Deal(DealRefusal::Closed));
            }
            notices.push(
                notify::store_deal(
                    &mut tx,
                    other,
                    NoticeKind::OfferAccepted,
                    row.listing_id,
                    Some(row.amount),
                    link,
                    now,
                )
                .await?,
            );
            let left = store::stock_of(&mut *tx, row.listing_id).await?;
            for (id, listing, buyer, _, amount) in
                store::decline_uncovered(&mut *tx, row.listing_id, left, now).await?
            {
                notices.push(
                    notify::store_deal(
                        &mut tx,
                        buyer,
                        NoticeKind::OfferDeclined,
                        listing,
                        Some(amount),
                        DealLink::Offer(id),
                        now,
                    )
                    .await?,
                );
            }
            more.push(Effect::CatalogChanged);
            answered.order = Some(order_public);
        }
        (OfferState::Countered, Answer::Counter { amount }) => {
            may_trade(&mut tx, actor, now).await?;
            rules::check_counter(row.amount, amount, quantity)?;
            if !store::close_offer(&mut *tx, row.id, OfferState::Countered.as_str(), now).await? {
                return Err(AppError::Deal(DealRefusal::Closed));
            }
            let public_id = new_public_id();
            let counter = NewOffer {
                public_id: &public_id,
                listing: row.listing_id,
                buyer: row.buyer_id,
                seller: row.seller_id,
                quantity,
                amount,
                by_seller: true,
                parent: Some(row.id),
                expires_at: rules::expires_at(now),
            };
            let id = store::insert_offer(&mut *tx, &counter, now).await?;
            notices.push(
                notify::store_deal(
                    &mut tx,
                    row.buyer_id,
                    NoticeKind::OfferCountered,
                    row.listing_id,
                    Some(amount),
                    DealLink::Offer(id),
                    now,
                )
                .await?,
            );
            more.push(Effect::ScheduleChanged);
            answered.offer = public_id;
        }
        (closed, _) => {
            let kind = match closed {
                OfferState::Withdrawn => NoticeKind::OfferWithdrawn,
                _ => NoticeKind::OfferDeclined,
            };
            if !store::close_offer(&mut *tx, row.id, closed.as_str(), now).await? {
                return Err(AppError::Deal(DealRefusal::Closed));
            }
            notices.push(
                notify::store_deal(
                    &mut tx,
                    other,
                    kind,
                    row.listing_id,
                    Some(row.amount),
                    link,
                    now,
                )
                .await?,
            );
        }
    }
    tx.commit().await?;
    let mut all = vec![Effect::Notified(notices)];
    all.extend(more);
    effects::apply(state, &all, now).await;
    Ok(answered)
}

fn participant(id: i64, name: &str, status: &str, until: Option<i64>, now: i64) -> Participant {
    Participant {
        id,
        name: shown_name(name, status, until, now),
    }
}

fn view_of(row: ViewRow, viewer: UserId, currency: Currency, now: i64) -> OfferView {
    let quantity = units(row.quantity);
    OfferView {
        offer: row.public_id,
        listing: DealListing {
            id: row.listing_id,
            title: row.title,
            thumb_url: row.thumb.as_deref().map(media::url),
            unit_price: Money::new(row.unit_price, currency),
        },
        buyer: participant(
            row.buyer_id,
            &row.buyer_name,
            &row.buyer_status,
            row.buyer_until,
            now,
        ),
        seller: participant(
            row.seller_id,
            &row.seller_name,
            &row.seller_status,
            row.seller_until,
            now,
        ),
        you: if viewer.get() == row.buyer_id {
            Party::Buyer
        } else {
            Party::Seller
        },
        made_by: rules::made_by(row.by_seller),
        quantity,
        amount: Money::new(row.amount, currency),
        total: Money::new(row.amount.saturating_mul(i64::from(quantity)), currency),
        // The column's CHECK admits only known states.
        state: OfferState::parse(&row.state).unwrap_or(OfferState::Expired),
        expires_at: row.expires_at,
        created_at: row.created_at,
        counters: row.counters,
        countered_by: row.countered_by,
        order: row.order_public_id,
    }
}

/// The offer `offer` as `viewer` sees it: its two parties only; anyone else
/// is told it does not exist.
pub async fn view(
    state: &AppState,
    viewer: UserId,
    offer: &str,
    now: i64,
) -> Result<OfferView, AppError> {
    let row = store::load_view(&state.db, viewer, offer)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(view_of(row, viewer, state.config.currency, now))
}

/// The user's offers: "received" are those they answer (offers on their
/// listings, counters to their offers), "made" those they proposed; open
/// ones first, at most [`LIST`] each.
pub async fn mine(state: &AppState, user: UserId, now: i64) -> Result<MyOffers, AppError> {
    let currency = state.config.currency;
    let views = |rows: Vec<ViewRow>| {
        rows.into_iter()
            .map(|row| view_of(row, user, currency, now))
            .collect()
    };
    let received = store::list_received(&state.db, user, LIST).await?;
    let made = store::list_made(&state.db, user, LIST).await?;
    Ok(MyOffers {
        received: views(received),
        made: views(made),
    })
}

/// What the make-an-offer page shows `buyer` about `listing`: its asking
/// price and stock, and why no offer is possible if none is. A listing that
/// is not public is not found (unless it is the caller's own).
pub async fn target(
    state: &AppState,
    buyer: UserId,
    listing: ListingId,
) -> Result<OfferTarget, AppError> {
    let row = store::load_target(&state.db, buyer, listing)
        .await?
        .ok_or(AppError::NotFound)?;
    let open = store::open_offer(&state.db, listing, buyer).await?;
    let refusal = refusal(&row.listing, buyer).or(open.as_ref().map(|_| DealRefusal::OfferOpen));
    let currency = state.config.currency;
    Ok(OfferTarget {
        listing: DealListing {
            id: listing.get(),
            title: row.title,
            thumb_url: row.thumb.as_deref().map(media::url),
            unit_price: Money::new(row.price, currency),
        },
        stock: u32::try_from(row.listing.stock).unwrap_or(0),
        refusal,
        open,
    })
}

/// Expires every pending offer whose 48 hours ran out by `now`; both sides
/// of each hear of it. Returns the stored notifications, to push.
pub async fn expire_due(db: &SqlitePool, now: i64) -> Result<Vec<NoticeId>, AppError> {
    let mut notices = Vec::new();
    loop {
        let mut tx = db.begin_with(IMMEDIATE).await?;
        let expired = store::expire_due(&mut *tx, now, EXPIRE_BATCH).await?;
        for &(id, listing, buyer, seller, amount) in &expired {
            for user in [buyer, seller] {
                notices.push(
                    notify::store_deal(
                        &mut tx,
                        user,
                        NoticeKind::OfferExpired,
                        listing,
                        Some(amount),
                        DealLink::Offer(id),
                        now,
                    )
                    .await?,
                );
            }
        }
        tx.commit().await?;
        if (expired.len() as i64) < EXPIRE_BATCH {
            return Ok(notices);
        }
    }
}

/// The earliest time a pending offer expires.
pub async fn next_due(db: &SqlitePool) -> Result<Option<i64>, sqlx::Error> {
    store::next_due(db).await
}
