//! Topping up: a member asks, the provider is asked, and its signed
//! callback decides. A retried request (same idempotency key, same
//! parameters) answers with the first one's outcome and never charges
//! again; a callback delivered again credits nothing more.

use super::{
    claim,
    provider::{Charge, Event, EventKind, verify},
    store,
};
use crate::{
    backend::{
        AppState,
        effects::Effect,
        notify,
        platform::group::{self, Written},
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
use sqlx::SqliteConnection;

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
    let input = (state.clone(), card.clone(), key.to_owned());
    let (pending, asked) = group::write(state, now, input, move |conn, (state, card, key)| {
        Box::pin(ask(state, conn, user, amount, card, key, now))
    })
    .await?;
    let Some(row) = asked else {
        // A retry: the first request asked the provider.
        return Ok(pending);
    };
    let charge = Charge {
        reference: pending.id.clone(),
        amount,
        card,
    };
    if let Err(e) = state.payments.provider.charge(charge).await {
        tracing::warn!(error = %e, top_up = %pending.id, "the payment provider could not be asked");
        let failed = TopUpView {
            state: TopUpState::Failed,
            ..pending
        };
        let outcome = serde_json::to_string(&failed).map_err(|_| AppError::Internal)?;
        let input = (key.to_owned(), outcome);
        group::write(state, now, input, move |conn, (key, outcome)| {
            Box::pin(async move {
                store::decide_top_up(&mut *conn, row, "failed", None, now).await?;
                store::answer(conn, user, key, outcome).await?;
                Ok(((), Vec::new()))
            })
        })
        .await?;
        return Ok(failed);
    }
    Ok(pending)
}

/// `top_up`'s first write, in the group transaction: the pending top-up,
/// with its row when it is new and the provider is to be asked (a retry
/// answers with the first request's top-up as it stands).
async fn ask(
    state: &AppState,
    conn: &mut SqliteConnection,
    user: UserId,
    amount: Money,
    card: &str,
    key: &str,
    now: i64,
) -> Result<Written<(TopUpView, Option<i64>)>, AppError> {
    let request = format!("top_up:{}:{card}", amount.minor);
    if let Some(first) = claim::<TopUpView>(state, conn, user, key, &request, now).await? {
        // The first request's top-up as it stands now: its callback may
        // have decided it since.
        let current = store::load_top_up(&mut *conn, &first.id).await?;
        let view = current.map_or(first.clone(), |row| view(&row, first.amount));
        return Ok(((view, None), Vec::new()));
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let last4 = &card[card.len() - 4..];
    store::insert_top_up(&mut *conn, &id, user, amount.minor, last4, now).await?;
    let row = store::load_top_up(&mut *conn, &id)
        .await?
        .ok_or(AppError::Internal)?;
    let pending = view(&row, amount);
    let outcome = serde_json::to_string(&pending).map_err(|_| AppError::Internal)?;
    store::answer(&mut *conn, user, key, &outcome).await?;
    store::audit_line(
        conn,
        Some(user),
        "top_up_requested",
        None,
        &format!("top-up {id}: {} by card …{last4}", amount.minor),
        now,
    )
    .await?;
    Ok(((pending, Some(row.id)), Vec::new()))
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
    group::write(state, now, event, move |conn, event| {
        Box::pin(apply_event(conn, event, kind, now))
    })
    .await
}

/// `provider_event`'s write, in the group transaction.
async fn apply_event(
    conn: &mut SqliteConnection,
    event: &Event,
    kind: &'static str,
    now: i64,
) -> Result<Written<()>, AppError> {
    if !store::record_event(&mut *conn, &event.id, kind, now).await? {
        // Delivered before: already applied.
        return Ok(((), Vec::new()));
    }
    let Some(row) = store::load_top_up(&mut *conn, &event.reference).await? else {
        tracing::warn!(event = %event.id, reference = %event.reference, "an event for no top-up");
        return Ok(((), Vec::new()));
    };
    if row.state != "pending" {
        return Ok(((), Vec::new()));
    }
    let decided = if event.kind == EventKind::ChargeSucceeded && event.amount != row.amount {
        tracing::error!(event = %event.id, "the provider charged another amount than asked");
        "failed"
    } else {
        kind
    };
    let (action, detail) = (
        format!("top_up_{decided}"),
        format!("top-up {} by provider event {}", row.public_id, event.id),
    );
    let transfer = if decided == "succeeded" {
        let posting = store::Posting {
            from: Account::Clearing,
            to: Account::Available(row.user_id),
            amount: row.amount,
            purpose: Purpose::TopUp,
            hold: None,
            actor: None,
            action: &action,
            detail: &detail,
        };
        Some(store::post_audited(&mut *conn, posting, now).await?)
    } else {
        // Nothing moved: the audit says so, naming no transfer.
        store::audit_line(&mut *conn, None, &action, None, &detail, now).await?;
        None
    };
    store::decide_top_up(&mut *conn, row.id, decided, transfer, now).await?;
    let kind = if decided == "succeeded" {
        NoticeKind::TopUpSucceeded
    } else {
        NoticeKind::TopUpDeclined
    };
    let notice = notify::store_wallet(conn, row.user_id, kind, row.amount, now).await?;
    Ok(((), vec![Effect::Notified(vec![notice])]))
}
