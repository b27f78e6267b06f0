//! Unpaid winners (PRODUCT.md §5): an auction's winner pays into escrow
//! within 48 hours; after that the seller may cancel the order, which puts
//! an unpaid strike on the winner's record and offers the item to the
//! runner-up at their last bid (a seller's offer they may accept within 48
//! hours, which opens an order they pay into escrow). All of it is one
//! transaction: a strike without its cancellation, or an offer for an item
//! still sold to the winner, cannot be stored.

use super::{IMMEDIATE, deal_of, live_of, party_of, store, turn};
use crate::{
    backend::{
        AppState, auction,
        effects::{self, Effect},
        notify::{self, DealLink},
        offer,
        platform::db,
        wallet,
    },
    domain::{
        id::UserId,
        order::{DealRefusal, DealState, Party, may_cancel_unpaid},
        wallet::Settlement,
    },
    error::AppError,
    model::NoticeKind,
};

/// What the order's room keeps as the cancellation's reason.
pub const UNPAID_REASON: &str = "Not paid within 48 hours";

/// Where cancelling an unpaid order left the item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpaidCancelled {
    /// The public id of the offer made to the runner-up, if the auction had
    /// one.
    pub runner_up_offer: Option<String>,
}

/// The seller cancels the won auction's order `order` whose winner did not
/// pay by its deadline: an unpaid strike on the winner, the item offered to
/// the runner-up. Refused before the deadline, for a paid order, and for
/// the winner; anyone else is told the order does not exist.
pub async fn cancel_unpaid(
    state: &AppState,
    seller: UserId,
    order: &str,
    now: i64,
) -> Result<UnpaidCancelled, AppError> {
    let _turn = turn(order).await;
    let writing = db::write_turn().await;
    let mut tx = state.db.begin_with(IMMEDIATE).await?;
    let row = store::load_order(&mut *tx, order)
        .await?
        .ok_or(AppError::NotFound)?;
    if party_of(&row, seller).ok_or(AppError::NotFound)? != Party::Seller {
        return Err(AppError::Deal(DealRefusal::NotYourTurn));
    }
    let deal = deal_of(&row)?;
    may_cancel_unpaid(deal.state, row.pay_by, now).map_err(AppError::Deal)?;
    let mut next = deal.clone();
    next.state = DealState::Cancelled;
    next.seq = deal.seq + 1;
    let stored = store::update_deal(
        &mut *tx,
        row.id,
        &row.state,
        row.seq,
        &store::Change {
            cancelled_by: Some("seller"),
            cancel_reason: Some(UNPAID_REASON),
            ..store::Change::of(&next)
        },
        now,
    )
    .await?;
    if !stored {
        return Err(AppError::Conflict);
    }
    // Nothing is in escrow for an order waiting for payment; were anything
    // there, it goes back with the cancellation like any other.
    wallet::escrow::settle_order(
        &mut tx,
        row.id,
        Settlement::Refund,
        Some(seller),
        state.config.currency,
        now,
    )
    .await?;
    store::insert_strike(&mut *tx, row.buyer_id, row.id, now).await?;
    let mut notices = vec![
        notify::store_deal(
            &mut tx,
            row.buyer_id,
            NoticeKind::UnpaidStrike,
            row.listing_id,
            Some(row.amount),
            DealLink::Order(row.id),
            now,
        )
        .await?,
    ];
    // The listing stays sold: the item is the runner-up's to take now.
    let runner_up = auction::runner_up(&mut tx, row.listing_id, row.buyer_id).await?;
    let mut runner_up_offer = None;
    if let Some((runner_up, bid)) = runner_up {
        let (id, public_id) =
            offer::second_chance(&mut tx, row.listing_id, runner_up, seller, bid, now).await?;
        notices.push(
            notify::store_deal(
                &mut tx,
                runner_up,
                NoticeKind::SecondChance,
                row.listing_id,
                Some(bid),
                DealLink::Offer(id),
                now,
            )
            .await?,
        );
        runner_up_offer = Some(public_id);
    }
    let live = live_of(
        &row,
        &next,
        Some((Party::Seller, UNPAID_REASON)),
        state.config.currency,
    );
    tx.commit().await?;
    drop(writing);
    tracing::info!(order, winner = %row.buyer_id, runner_up = runner_up_offer.is_some(), "unpaid order cancelled");
    effects::apply(
        state,
        &[
            Effect::OrderChanged(live),
            Effect::Notified(notices),
            // The runner-up's offer expires on the scheduler's clock.
            Effect::ScheduleChanged,
        ],
        now,
    )
    .await;
    Ok(UnpaidCancelled { runner_up_offer })
}

/// A member's unpaid strikes.
pub async fn strikes_of(state: &AppState, user: UserId) -> Result<i64, AppError> {
    Ok(store::strikes_of(&state.db, user).await?)
}
