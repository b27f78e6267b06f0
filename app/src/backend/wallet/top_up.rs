//! Topping up: a member asks, the provider is asked, and its signed
//! callback decides. A retried request (same idempotency key, same
//! parameters) answers with the first one's outcome and never charges
//! again; a callback delivered again credits nothing more.

use super::{
    IMMEDIATE, claim,
    provider::{Charge, Event, EventKind, verify},
    store,
};
use crate::{
    backend::{
        AppState,
        effects::{self, Effect},
        notify,
        platform::db,
    },
    domain::{
        form::{Field, Problem},
        id::UserId,
        money::Money,
        wallet::{Account, MAX_AMOUNT, Purpose, card_number, check_amount},
    },
    error::AppError,
    model::{NoticeKind, TopUpState, TopUpView},
};

fn view(row: &store::TopUpRow, amount: Money) -> TopUpView {
    TopUpView {
        id: row.public_id.clone(),
        amount,
        card_last4: row.card_last4.clone(),
        state: TopUpState::parse(&row.state).unwrap_or(TopUpState::Failed),
        at: row.created_at,
    }
}

/// `user` tops up `amount` with `card`, under the idempotency `key` their
/// browser made before the first attempt. Returns the top-up, pending until
/// the provider's callback decides it.
pub async fn top_up(
    state: &AppState,
    user: UserId,
    amount: Money,
    card: &str,
    key: &str,
    now: i64,
) -> Result<TopUpView, AppError> {
    if check_amount(amount).is_err() || amount.currency != state.config.currency {
        return Err(AppError::field(
            Field::Amount,
            Problem::OutOfRange {
                min: 1,
                max: MAX_AMOUNT,
            },
        ));
    }
    let card = card_number(card)
        .ok_or_else(|| AppError::field(Field::CardNumber, Problem::InvalidFormat))?;
    let writing = db::write_turn().await;
    let mut tx = state.db.begin_with(IMMEDIATE).await?;
    let request = format!("top_up:{}:{card}", amount.minor);
    if let Some(first) = claim::<TopUpView>(state, &mut tx, user, key, &request, now).await? {
        // The first request's top-up as it stands now: its callback may
        // have decided it since.
        let current = store::load_top_up(&mut *tx, &first.id).await?;
        return Ok(current.map_or(first.clone(), |row| view(&row, first.amount)));
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let last4 = &card[card.len() - 4..];
    store::insert_top_up(&mut *tx, &id, user, amount.minor, last4, now).await?;
    let row = store::load_top_up(&mut *tx, &id)
        .await?
        .ok_or(AppError::Internal)?;
    let pending = view(&row, amount);
    let outcome = serde_json::to_string(&pending).map_err(|_| AppError::Internal)?;
    store::answer(&mut *tx, user, key, &outcome).await?;
    store::audit_line(
        &mut *tx,
        Some(user),
        "top_up_requested",
        None,
        &format!("top-up {id}: {} by card …{last4}", amount.minor),
        now,
    )
    .await?;
    tx.commit().await?;
    drop(writing);

    let charge = Charge {
        reference: id.clone(),
        amount,
        card,
    };
    if let Err(e) = state.payments.provider.charge(charge).await {
        tracing::warn!(error = %e, top_up = %id, "the payment provider could not be asked");
        let failed = TopUpView {
            state: TopUpState::Failed,
            ..pending
        };
        let outcome = serde_json::to_string(&failed).map_err(|_| AppError::Internal)?;
        let _writing = db::write_turn().await;
        let mut tx = state.db.begin_with(IMMEDIATE).await?;
        store::decide_top_up(&mut *tx, row.id, "failed", None, now).await?;
        store::answer(&mut *tx, user, key, &outcome).await?;
        tx.commit().await?;
        return Ok(failed);
    }
    Ok(pending)
}

/// Applies one signed provider callback: refused unless its signature is
/// good and recent; applied once per event id; a success credits the
/// top-up's member, a decline or failure only decides it.
pub async fn provider_event(
    state: &AppState,
    body: &str,
    signature: &str,
    now: i64,
) -> Result<(), AppError> {
    if !verify(&state.payments.key, body, signature, now) {
        return Err(AppError::Forbidden);
    }
    let event: Event = serde_json::from_str(body).map_err(|e| {
        tracing::warn!(error = %e, "a signed provider event was unreadable");
        AppError::Conflict
    })?;
    let kind = match event.kind {
        EventKind::ChargeSucceeded => "succeeded",
        EventKind::ChargeDeclined => "declined",
        EventKind::ChargeFailed => "failed",
    };
    let _writing = db::write_turn().await;
    let mut tx = state.db.begin_with(IMMEDIATE).await?;
    if !store::record_event(&mut *tx, &event.id, kind, now).await? {
        // Delivered before: already applied.
        return Ok(());
    }
    let Some(row) = store::load_top_up(&mut *tx, &event.reference).await? else {
        tracing::warn!(event = %event.id, reference = %event.reference, "an event for no top-up");
        tx.commit().await?;
        return Ok(());
    };
    if row.state != "pending" {
        tx.commit().await?;
        return Ok(());
    }
    let decided = if event.kind == EventKind::ChargeSucceeded && event.amount != row.amount {
        tracing::error!(event = %event.id, "the provider charged another amount than asked");
        "failed"
    } else {
        kind
    };
    let transfer = if decided == "succeeded" {
        let transfer = store::post(
            &mut tx,
            Account::Clearing,
            Account::Available(row.user_id),
            row.amount,
            Purpose::TopUp,
            None,
            now,
        )
        .await?;
        Some(transfer)
    } else {
        None
    };
    store::decide_top_up(&mut *tx, row.id, decided, transfer, now).await?;
    store::audit_line(
        &mut *tx,
        None,
        &format!("top_up_{decided}"),
        transfer,
        &format!("top-up {} by provider event {}", row.public_id, event.id),
        now,
    )
    .await?;
    let kind = if decided == "succeeded" {
        NoticeKind::TopUpSucceeded
    } else {
        NoticeKind::TopUpDeclined
    };
    let notice = notify::store_wallet(&mut tx, row.user_id, kind, row.amount, now).await?;
    tx.commit().await?;
    effects::apply(state, &[Effect::Notified(vec![notice])], now).await;
    Ok(())
}
