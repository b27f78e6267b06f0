//! What the parties read: an order's negotiation room and their lists.

use super::{
    Viewer, cancellation, deal_of, decode_state, handover::handover, live_of, party_of, store,
    units,
};
use crate::{
    backend::{AppState, auction::shown_name, platform::media, wallet},
    domain::{
        id::UserId,
        money::{Currency, Money},
        order::{DealState, Party, may_cancel_unpaid},
    },
    error::AppError,
    model::{DealListing, MyOrders, OrderLine, OrderRoom, Participant},
};

/// Orders each of the lists shows at most.
pub const LIST_LIMIT: i64 = 100;

/// The negotiation room of `order` as `viewer` sees it; `NotFound` for
/// anyone but its two parties and admins.
pub async fn room(
    state: &AppState,
    viewer: Viewer,
    order: &str,
    now: i64,
) -> Result<OrderRoom, AppError> {
    let currency = state.config.currency;
    // One read transaction: the order and its surroundings as of one moment.
    let mut tx = state.db.begin().await?;
    let row = store::load_order(&mut *tx, order)
        .await?
        .ok_or(AppError::NotFound)?;
    let you = party_of(&row, viewer.id);
    if you.is_none() && !viewer.admin {
        return Err(AppError::NotFound);
    }
    let around =
        store::load_room(&mut *tx, row.id, you == Some(Party::Seller) || viewer.admin).await?;
    let payment = wallet::escrow::payment_of(&mut tx, row.id, currency).await?;
    tx.commit().await?;
    let deal = deal_of(&row)?;
    let unpaid =
        you == Some(Party::Seller) && may_cancel_unpaid(deal.state, row.pay_by, now).is_ok();
    let shows_code = you == Some(Party::Buyer)
        && matches!(deal.state, DealState::Established | DealState::Completed);
    let handover = match (&row.handover_code, shows_code) {
        (Some(code), true) => handover(code),
        _ => None,
    };
    let code_paused_until = row
        .code_paused_until
        .filter(|until| *until > now && you == Some(Party::Seller));
    Ok(OrderRoom {
        live: live_of(&row, &deal, cancellation(&row), currency),
        you,
        listing: DealListing {
            id: row.listing_id.get(),
            title: around.title,
            thumb_url: around.thumb.as_deref().map(media::url),
            unit_price: Money::new(around.unit_price, currency),
        },
        buyer: Participant {
            id: row.buyer_id.get(),
            name: shown_name(
                &around.buyer_name,
                &around.buyer_status,
                around.buyer_until,
                now,
            ),
        },
        seller: Participant {
            id: row.seller_id.get(),
            name: shown_name(
                &around.seller_name,
                &around.seller_status,
                around.seller_until,
                now,
            ),
        },
        remark: row.remark,
        created_at: row.created_at,
        spare: units(around.stock),
        handover,
        code_paused_until,
        payment,
        pay_by: row
            .pay_by
            .filter(|_| deal.state == DealState::AwaitingPayment),
        unpaid,
    })
}

fn line(row: store::LineRow, user: UserId, currency: Currency, now: i64) -> Option<OrderLine> {
    let state = decode_state(&row.state).ok()?;
    Some(OrderLine {
        order: row.public_id,
        listing: DealListing {
            id: row.listing_id.get(),
            title: row.title,
            thumb_url: row.thumb.as_deref().map(media::url),
            unit_price: Money::new(row.unit_price, currency),
        },
        you: if row.buyer_id == user {
            Party::Buyer
        } else {
            Party::Seller
        },
        other: Participant {
            id: row.other_id.get(),
            name: shown_name(&row.other_name, &row.other_status, row.other_until, now),
        },
        state,
        quantity: units(row.quantity),
        price: Money::new(row.amount, currency),
        place: row.place,
        time: row.meet_at,
        created_at: row.created_at,
    })
}

/// The user's orders, bought and sold: established ones first ("to
/// trade"), then the history.
pub async fn mine(state: &AppState, user: UserId, now: i64) -> Result<MyOrders, AppError> {
    let currency = state.config.currency;
    let mut tx = state.db.begin().await?;
    let to_trade = store::list_orders(&mut *tx, user, true, LIST_LIMIT).await?;
    let history = store::list_orders(&mut *tx, user, false, LIST_LIMIT).await?;
    tx.commit().await?;
    let lines = |rows: Vec<store::LineRow>| {
        rows.into_iter()
            .filter_map(|row| line(row, user, currency, now))
            .collect()
    };
    Ok(MyOrders {
        to_trade: lines(to_trade),
        history: lines(history),
    })
}
