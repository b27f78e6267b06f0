//! Withdrawing: money leaves the member's available balance for their bank
//! at once (the ledger refuses more than the balance), and the provider is
//! asked to send it. Needs a verified identity; a frozen wallet may still
//! withdraw what is free.

use super::{claim, provider::Payout, store};
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
        wallet::{Account, Action, MAX_AMOUNT, Purpose, WalletStanding, check_amount, may},
    },
    error::AppError,
    model::{NoticeKind, WithdrawalView},
};
use sqlx::SqliteConnection;

/// `user` withdraws `amount` under the idempotency `key`.
pub async fn withdraw(
    state: &AppState,
    user: UserId,
    amount: Money,
    key: &str,
    now: i64,
) -> Result<WithdrawalView, AppError> {
    let out_of_range = |max| AppError::field(Field::Amount, Problem::OutOfRange { min: 1, max });
    if check_amount(amount).is_err() || amount.currency != state.config.currency {
        return Err(out_of_range(MAX_AMOUNT));
    }
    let input = (state.clone(), key.to_owned());
    let (done, sent) = group::write(state, now, input, move |conn, (state, key)| {
        Box::pin(take_out(state, conn, user, amount, key, now))
    })
    .await?;
    if !sent {
        // A retry: the first request asked for the payout.
        return Ok(done);
    }
    let payout = Payout {
        reference: done.id.clone(),
        amount,
    };
    if let Err(e) = state.payments.provider.payout(payout).await {
        // The money is in the clearing account, recorded; the payout is
        // retried from the withdrawals table by the provider adapter.
        tracing::error!(error = %e, withdrawal = %done.id, "asking for a payout failed");
    }
    Ok(done)
}

/// `withdraw`'s write, in the group transaction: the withdrawal and
/// whether it is new (a retry's answer is the first request's).
async fn take_out(
    state: &AppState,
    conn: &mut SqliteConnection,
    user: UserId,
    amount: Money,
    key: &str,
    now: i64,
) -> Result<Written<(WithdrawalView, bool)>, AppError> {
    let out_of_range = |max| AppError::field(Field::Amount, Problem::OutOfRange { min: 1, max });
    let (id_verified, frozen) = store::standing(&mut *conn, user)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if may(
        Action::Withdraw,
        WalletStanding {
            id_verified,
            frozen,
        },
    )
    .is_err()
    {
        return Err(AppError::field(Field::Amount, Problem::VerifyIdentityFirst));
    }
    let request = format!("withdraw:{}", amount.minor);
    if let Some(first) = claim(state, conn, user, key, &request, now).await? {
        return Ok(((first, false), Vec::new()));
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let posting = store::Posting {
        from: Account::Available(user),
        to: Account::Clearing,
        amount: amount.minor,
        purpose: Purpose::Withdrawal,
        hold: None,
        actor: Some(user),
        action: Purpose::Withdrawal.as_str(),
        detail: &format!("withdrawal {id}: {}", amount.minor),
    };
    let posted = store::post_audited(&mut *conn, posting, now).await;
    let transfer = match posted {
        Ok(transfer) => transfer,
        Err(e) if store::is_overdraft(&e) => {
            let balance = store::balance(&mut *conn, Account::Available(user)).await?;
            // The key stays unclaimed: the member may correct the amount.
            return Err(out_of_range(balance));
        }
        Err(e) => return Err(e.into()),
    };
    store::insert_withdrawal(&mut *conn, &id, user, amount.minor, transfer, now).await?;
    let done = WithdrawalView {
        id: id.clone(),
        amount,
        at: now,
    };
    let outcome = serde_json::to_string(&done).map_err(|_| AppError::Internal)?;
    store::answer(&mut *conn, user, key, &outcome).await?;
    let notice =
        notify::store_wallet(conn, user, NoticeKind::WithdrawalSent, amount.minor, now).await?;
    Ok(((done, true), vec![Effect::Notified(vec![notice])]))
}
