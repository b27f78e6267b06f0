//! Orders: placing one, its negotiation room, the handover, the lists. The
//! room's edits, ticks, confirmations and cancellations travel over the
//! WebSocket (see `protocol::order`) and reach the same use cases. Paying
//! into escrow and cancelling an unpaid auction order are here too: both
//! are asked from the room.

use crate::api::codec::JsonText;
use crate::{
    error::AppError,
    model::{MyOrders, OrderRoom, Payment},
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    backend::{order, platform::clock::now_ms, web::session},
    domain::id::{ListingId, UserId},
    error::respond,
};

/// The caller as a viewer of orders.
#[cfg(feature = "ssr")]
fn viewer(account: &crate::backend::account::Account) -> order::Viewer {
    order::Viewer {
        id: UserId(account.id),
        admin: account.role() == crate::backend::account::Role::Admin,
    }
}

/// Orders `quantity` (as typed) of `listing` with a remark; opens the
/// order's negotiation room.
#[server(output = JsonText, endpoint = "order/place")]
pub async fn place_order(
    listing: i64,
    quantity: String,
    #[server(default)] remark: String,
) -> Result<String, AppError> {
    respond(
        async move {
            use crate::domain::form::{Field, Problem};
            let session::Caller { state, account, .. } = session::caller().await?;
            let quantity = quantity
                .trim()
                .parse::<u32>()
                .map_err(|_| AppError::field(Field::Quantity, Problem::InvalidFormat))?;
            let order = order::place(
                &state,
                UserId(account.id),
                ListingId(listing),
                quantity,
                &remark,
                now_ms(),
            )
            .await?;
            leptos_axum::redirect(&format!("/o/{order}"));
            Ok(order)
        }
        .await,
    )
}

/// An order's negotiation room: its two parties and admins only; anyone
/// else is told it does not exist.
#[server(output = JsonText, endpoint = "order/room")]
pub async fn fetch_order_room(order: String) -> Result<OrderRoom, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            order::room(&state, viewer(&account), &order, now_ms()).await
        }
        .await,
    )
}

/// The seller types the buyer's handover code: the right one completes the
/// order.
#[server(output = JsonText, endpoint = "order/complete")]
pub async fn complete_order(order: String, code: String) -> Result<(), AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            order::complete(&state, UserId(account.id), &order, &code, now_ms()).await
        }
        .await,
    )
}

/// The caller's orders, bought and sold.
#[server(output = JsonText, endpoint = "order/mine")]
pub async fn fetch_my_orders() -> Result<MyOrders, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            order::mine(&state, UserId(account.id), now_ms()).await
        }
        .await,
    )
}

/// The buyer pays the order into escrow from their wallet, under the
/// idempotency `key` the page made before the first attempt (a retry with
/// it answers as the first did and moves nothing more).
#[server(output = JsonText, endpoint = "order/pay")]
pub async fn pay_order(order: String, key: String) -> Result<Payment, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            crate::backend::wallet::escrow::pay(&state, UserId(account.id), &order, &key, now_ms())
                .await
        }
        .await,
    )
}

/// The seller cancels a won auction's order its winner did not pay in
/// time (an unpaid strike) and offers the item to the runner-up; answers
/// with the runner-up's offer, if there was a runner-up.
#[server(output = JsonText, endpoint = "order/cancel_unpaid")]
pub async fn cancel_unpaid_order(order: String) -> Result<Option<String>, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            let done = order::cancel_unpaid(&state, UserId(account.id), &order, now_ms()).await?;
            Ok(done.runner_up_offer)
        }
        .await,
    )
}
