//! Escrow: the buyer pays an order from their available balance into a
//! hold; the handover releases it to the seller, a cancellation refunds
//! it. Paying is one transaction with the order's own change (a won
//! auction's order opens in its room); settling runs inside the order's
//! completing or cancelling transaction, so an order and its money never
//! disagree. A hold settles once: the update is conditional on it still
//! pending, and the schema refuses a second settlement anyway.

use super::{claim, store};
use crate::{
    backend::{
        AppState,
        effects::Effect,
        notify::{self, DealLink},
        order,
        platform::group::{self, Written},
    },
    domain::{
        form::{Field, Problem},
        id::{HoldId, OrderId, UserId},
        money::{Currency, Money},
        wallet::{
            Account, Action, Hold, HoldState, Purpose, Settlement, WalletStanding, check_amount,
            may, settle,
        },
    },
    error::AppError,
    model::{NoticeKind, Payment},
};
use sqlx::SqliteConnection;

#[cfg(test)]
mod tests;

/// `buyer` pays `order` (its public id) into escrow under the idempotency
/// `key` their browser made before the first attempt. The same request
/// again answers as the first did and moves nothing more; another request
/// under the key is refused. It commits with whatever other writes wait
/// for the writer (`platform::group`). Refused for anyone but the order's
/// buyer, for an order not established (or a won auction's not waiting for
/// payment), for one paid already, and (nothing moving) beyond the buyer's
/// balance.
pub async fn pay(
    state: &AppState,
    buyer: UserId,
    order: &str,
    key: &str,
    now: i64,
) -> Result<Payment, AppError> {
    let _turn = order::turn(order).await;
    let input = (state.clone(), order.to_owned(), key.to_owned());
    group::write(state, now, input, move |conn, (state, order, key)| {
        Box::pin(pay_in_group(state, conn, buyer, order, key, now))
    })
    .await
}

/// `pay`'s write, in the group transaction.
async fn pay_in_group(
    state: &AppState,
    conn: &mut SqliteConnection,
    buyer: UserId,
    order: &str,
    key: &str,
    now: i64,
) -> Result<Written<Payment>, AppError> {
    let currency = state.config.currency;
    let (id_verified, frozen) = store::standing(&mut *conn, buyer)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if may(
        Action::Pay,
        WalletStanding {
            id_verified,
            frozen,
        },
    )
    .is_err()
    {
        return Err(AppError::Forbidden);
    }
    let request = format!("pay:{order}");
    if let Some(first) = claim(state, conn, buyer, key, &request, now).await? {
        return Ok((first, Vec::new()));
    }
    let paid = order::pay_in(conn, buyer, order, currency, now).await?;
    if store::hold_of_order(&mut *conn, paid.id)
        .await?
        .is_some_and(|h| h.state != HoldState::Voided.as_str())
    {
        // Paid already (under another key): one payment per order.
        return Err(AppError::Deal(crate::domain::order::DealRefusal::Closed));
    }
    let amount = Money::new(paid.amount, currency);
    if check_amount(amount).is_err() {
        // A free item has nothing to hold.
        return Err(AppError::field(Field::Amount, Problem::MustBePositive));
    }
    let posted = hold_payment(
        conn,
        buyer,
        paid.seller,
        Some(paid.id),
        paid.amount,
        &format!("order {order}"),
        now,
    )
    .await;
    let hold = match posted {
        Ok(hold) => hold,
        Err(e) if store::is_overdraft(&e) => {
            let balance = store::balance(&mut *conn, Account::Available(buyer)).await?;
            // Nothing moved and the key stays free: the buyer tops up and
            // presses "Pay" again.
            return Err(AppError::field(
                Field::Amount,
                Problem::OutOfRange {
                    min: 1,
                    max: balance,
                },
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let payment = Payment::Escrow {
        amount,
        state: HoldState::Pending,
    };
    let outcome = serde_json::to_string(&payment).map_err(|_| AppError::Internal)?;
    store::answer(&mut *conn, buyer, key, &outcome).await?;
    let notice = notify::store_deal(
        conn,
        paid.seller,
        NoticeKind::OrderPaid,
        paid.listing,
        Some(paid.amount),
        DealLink::Order(paid.id),
        now,
    )
    .await?;
    tracing::info!(order, %buyer, %hold, amount = paid.amount, "paid into escrow");
    Ok((
        payment,
        vec![
            Effect::OrderChanged(paid.live),
            Effect::Notified(vec![notice]),
        ],
    ))
}

/// Settles `order`'s hold in escrow, if it has one, inside the caller's
/// transaction (the order completing: `Release` to the seller; cancelled:
/// `Refund` to the buyer), with an audit line. Returns whether a hold was
/// settled; a hold settled already (by a concurrent settlement, say) is
/// left as it is.
pub(crate) async fn settle_order(
    conn: &mut SqliteConnection,
    order: OrderId,
    how: Settlement,
    actor: Option<UserId>,
    currency: Currency,
    now: i64,
) -> Result<bool, AppError> {
    let Some(row) = store::pending_hold_of_order(&mut *conn, order).await? else {
        return Ok(false);
    };
    settle_hold(
        conn,
        &row,
        how,
        actor,
        &format!("order {order}"),
        currency,
        now,
    )
    .await
}

/// Moves `amount` from `buyer`'s available balance into a new hold for
/// `seller` (for `order`, if any), with its audit line (`what` says what
/// it pays for). An overdraft is the database's refusal
/// ([`store::is_overdraft`]) after the hold's row was written: the caller
/// rolls back.
pub async fn hold_payment(
    conn: &mut SqliteConnection,
    buyer: UserId,
    seller: UserId,
    order: Option<OrderId>,
    amount: i64,
    what: &str,
    now: i64,
) -> Result<HoldId, sqlx::Error> {
    let hold = store::insert_hold(&mut *conn, buyer, seller, order, amount, now).await?;
    let posting = store::Posting {
        from: Account::Available(buyer),
        to: Account::Held(hold),
        amount,
        purpose: Purpose::Escrow,
        hold: Some(hold),
        actor: Some(buyer),
        action: Purpose::Escrow.as_str(),
        detail: &format!("{what}: hold {hold} of {amount}"),
    };
    store::post_audited(conn, posting, now).await?;
    Ok(hold)
}

/// Settles the hold `row` as `how` says, with an audit line (`what` says
/// what it paid for). Whether it was settled: one settled already (by a
/// concurrent settlement, say) is left as it is.
pub async fn settle_hold(
    conn: &mut SqliteConnection,
    row: &store::HoldRow,
    how: Settlement,
    actor: Option<UserId>,
    what: &str,
    currency: Currency,
    now: i64,
) -> Result<bool, AppError> {
    let hold = Hold {
        id: row.id,
        buyer: row.buyer_id,
        seller: row.seller_id,
        amount: Money::new(row.amount, currency),
        state: HoldState::parse(&row.state).unwrap_or(HoldState::Pending),
    };
    let Ok((next, transfer)) = settle(&hold, how) else {
        return Ok(false);
    };
    if !store::settle_hold(&mut *conn, hold.id, next, now).await? {
        return Ok(false);
    }
    let posting = store::Posting {
        from: transfer.from,
        to: transfer.to,
        amount: row.amount,
        purpose: transfer.purpose,
        hold: Some(hold.id),
        actor,
        action: transfer.purpose.as_str(),
        detail: &format!("{what}: hold {} of {}", hold.id, row.amount),
    };
    store::post_audited(conn, posting, now).await?;
    Ok(true)
}

/// How `order` is paid, as its room shows it.
pub(crate) async fn payment_of(
    conn: &mut SqliteConnection,
    order: OrderId,
    currency: Currency,
) -> Result<Payment, sqlx::Error> {
    Ok(match store::hold_of_order(&mut *conn, order).await? {
        Some(hold) => Payment::Escrow {
            amount: Money::new(hold.amount, currency),
            state: HoldState::parse(&hold.state).unwrap_or(HoldState::Pending),
        },
        None => Payment::Cash,
    })
}
