//! Placing an order and the two parties' steps in its room: each decided by
//! the pure rules on the stored state, stored with the stock it takes or
//! returns in one transaction, then told to both sides' tabs.

use super::{
    IMMEDIATE, cancellation, deal_of, holds_stock, live_of, new_handover_code, party_of, party_str,
    release_stock, reserve_stock, store, turn, units,
};
use crate::{
    backend::{
        AppState,
        effects::{self, Effect},
        notify::{self, DealLink},
        platform::group::{self, Written},
        wallet,
    },
    domain::{
        account::Standing,
        form::{Field, Problem},
        id::{ListingId, UserId},
        order::{DealRefusal, DealState, Party, Step, apply, check_quantity, check_remark},
        wallet::Settlement,
    },
    error::AppError,
    model::NoticeKind,
};
use sqlx::SqliteConnection;

/// Orders one buyer may have under negotiation at once: each holds stock
/// and a seller's attention, so a script cannot lock up a catalog.
pub const MAX_NEGOTIATING: i64 = 20;

/// The buyer orders `quantity` units of `listing` with a remark; the units
/// are taken from the stock in the same transaction. Returns the order's
/// public id.
pub async fn place(
    state: &AppState,
    buyer: UserId,
    listing: ListingId,
    quantity: u32,
    remark: &str,
    now: i64,
) -> Result<String, AppError> {
    check_quantity(quantity).map_err(|p| AppError::field(Field::Quantity, p))?;
    let remark = remark.trim();
    check_remark(remark).map_err(|p| AppError::field(Field::Remark, p))?;
    state.limits.orders_per_buyer.check(&buyer)?;

    let mut tx = state.db.begin_with(IMMEDIATE).await?;
    // Buying takes what selling and bidding take: a verified address and
    // an account in good standing.
    let (status, suspended_until, verified) = store::load_buyer(&mut *tx, buyer)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if verified.is_none() || !Standing::from_status(&status, suspended_until, now).may_trade() {
        return Err(AppError::Forbidden);
    }
    let item = store::load_for_sale(&mut *tx, listing)
        .await?
        .ok_or(AppError::NotFound)?;
    if item.seller_id == buyer {
        return Err(AppError::Deal(DealRefusal::OwnListing));
    }
    if !matches!(item.sale_mode.as_str(), "fixed" | "offers") {
        return Err(AppError::Deal(DealRefusal::NotForSale));
    }
    match item.status.as_str() {
        // Sold out: the clearer reason, since a cancellation may bring it back.
        "sold" => return Err(AppError::Deal(DealRefusal::NotEnoughStock)),
        "approved" => {}
        _ => return Err(AppError::Deal(DealRefusal::NotForSale)),
    }
    if i64::from(quantity) > item.stock {
        return Err(AppError::Deal(DealRefusal::NotEnoughStock));
    }
    if store::count_negotiating(&mut *tx, buyer).await? >= MAX_NEGOTIATING {
        return Err(AppError::field(
            Field::Quantity,
            Problem::TooMany {
                max: MAX_NEGOTIATING as u32,
            },
        ));
    }
    if !reserve_stock(&mut tx, listing, quantity).await? {
        return Err(AppError::Deal(DealRefusal::NotEnoughStock));
    }
    let amount = item
        .price
        .checked_mul(i64::from(quantity))
        .ok_or_else(|| AppError::field(Field::Quantity, Problem::AmountTooHigh))?;
    let public_id = uuid::Uuid::new_v4().simple().to_string();
    let id = store::insert_placed(
        &mut *tx,
        &store::Placed {
            public_id: &public_id,
            listing,
            buyer,
            seller: item.seller_id,
            quantity,
            amount,
            remark,
            place: item.meetup_place.trim(),
        },
        now,
    )
    .await?;
    let notice = notify::store_deal(
        &mut tx,
        item.seller_id,
        NoticeKind::OrderPlaced,
        listing,
        Some(amount),
        DealLink::Order(id),
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(order = %public_id, %listing, %buyer, quantity, "order placed");
    effects::apply(
        state,
        &[Effect::Notified(vec![notice]), Effect::CatalogChanged],
        now,
    )
    .await;
    Ok(public_id)
}

/// What the other side hears of a step that moved the deal to `next`.
fn notice_of(step: &Step, next: DealState) -> NoticeKind {
    match (step, next) {
        (Step::Cancel, _) => NoticeKind::OrderCancelled,
        (Step::Complete, _) => NoticeKind::OrderCompleted,
        (Step::Confirm, DealState::BuyerConfirmed) => NoticeKind::OrderBuyerConfirmed,
        (Step::Confirm, DealState::Established) => NoticeKind::OrderEstablished,
        _ => NoticeKind::OrderUpdated,
    }
}

/// One party's step in the room (`reason` goes with a cancellation); the
/// new state reaches both sides' tabs.
pub async fn step(
    state: &AppState,
    actor: UserId,
    order: &str,
    step: Step,
    reason: Option<&str>,
    now: i64,
) -> Result<(), AppError> {
    let _turn = turn(order).await;
    let input = (
        state.clone(),
        order.to_owned(),
        step,
        reason.map(str::to_owned),
    );
    group::write(
        state,
        now,
        input,
        move |conn, (state, order, step, reason)| {
            Box::pin(step_in_group(
                state,
                conn,
                actor,
                order,
                step,
                reason.as_deref(),
                now,
            ))
        },
    )
    .await
}

/// `step`'s write, in the group transaction.
async fn step_in_group(
    state: &AppState,
    conn: &mut SqliteConnection,
    actor: UserId,
    order: &str,
    step: &Step,
    reason: Option<&str>,
    now: i64,
) -> Result<Written<()>, AppError> {
    let row = store::load_order(&mut *conn, order)
        .await?
        .ok_or(AppError::NotFound)?;
    let who = party_of(&row, actor).ok_or(AppError::NotFound)?;
    // Completing takes the buyer's code: only through `complete`.
    if *step == Step::Complete {
        return Err(AppError::Deal(DealRefusal::NotYourTurn));
    }
    let reason = match step {
        Step::Cancel => {
            let reason = reason.unwrap_or_default().trim();
            check_remark(reason).map_err(|p| AppError::field(Field::Reason, p))?;
            if reason.is_empty() {
                return Err(AppError::field(Field::Reason, Problem::Required));
            }
            Some(reason)
        }
        _ => None,
    };
    let deal = deal_of(&row)?;
    let spare = units(store::stock_of(&mut *conn, row.listing_id).await?);
    let applied = apply(&deal, who, step, spare, now)?;
    let next = applied.deal;
    // An auction's item is not in its listing's stock: nothing to return.
    let delta = if holds_stock(&row) {
        applied.stock_delta
    } else {
        0
    };
    if delta > 0 {
        if !reserve_stock(conn, row.listing_id, units(delta)).await? {
            return Err(AppError::Deal(DealRefusal::NotEnoughStock));
        }
    } else if delta < 0 {
        release_stock(conn, row.listing_id, units(-delta)).await?;
    }
    let becomes_established =
        next.state == DealState::Established && deal.state != DealState::Established;
    let code = match (&row.handover_code, becomes_established) {
        (None, true) => Some(new_handover_code()),
        _ => None,
    };
    let cancelled = reason.map(|reason| (who, reason));
    let stored = store::update_deal(
        &mut *conn,
        row.id,
        &row.state,
        row.seq,
        &store::Change {
            handover_code: code.as_deref(),
            cancelled_by: cancelled.map(|c| party_str(c.0)),
            cancel_reason: cancelled.map(|c| c.1),
            established_at: becomes_established.then_some(now),
            ..store::Change::of(&next)
        },
        now,
    )
    .await?;
    if !stored {
        // The write lock was held since the read: only a bug gets here.
        return Err(AppError::Conflict);
    }
    if next.state == DealState::Cancelled {
        // Paid into escrow: the buyer has it back, in this transaction.
        wallet::escrow::settle_order(
            &mut *conn,
            row.id,
            Settlement::Refund,
            Some(actor),
            state.config.currency,
            now,
        )
        .await?;
    }
    let (other, kind) = match who {
        Party::Buyer => (row.seller_id, notice_of(step, next.state)),
        Party::Seller => (row.buyer_id, notice_of(step, next.state)),
    };
    let link = DealLink::Order(row.id);
    let amount = Some(next.terms.price);
    let notice = if kind == NoticeKind::OrderUpdated {
        notify::store_deal_once(conn, other, kind, row.listing_id, amount, link, now).await?
    } else {
        Some(notify::store_deal(conn, other, kind, row.listing_id, amount, link, now).await?)
    };
    let live = live_of(
        &row,
        &next,
        cancelled.or_else(|| cancellation(&row)),
        state.config.currency,
    );
    tracing::info!(
        order,
        who = party_str(who),
        state = next.state.as_str(),
        seq = next.seq,
        "order step"
    );
    let mut follow = vec![
        Effect::OrderChanged(live),
        Effect::Notified(notice.into_iter().collect()),
    ];
    if delta != 0 {
        follow.push(Effect::CatalogChanged);
    }
    Ok(((), follow))
}
