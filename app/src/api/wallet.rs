//! The wallet: its summary, statement, top-ups and withdrawals. Money
//! requests carry the idempotency key the browser made for the form, and
//! are limited per member.

use crate::api::codec::JsonText;
use crate::{
    error::AppError,
    model::{StatementPage, TopUpView, WalletSummary, WithdrawalView},
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    backend::{platform::clock::now_ms, wallet, web::session},
    domain::{
        catalog::check_amount,
        form::{Field, FieldError, Problem},
        id::UserId,
        money::{Currency, Money},
    },
    error::respond,
};

/// An amount as typed, in the deployment's currency.
#[cfg(feature = "ssr")]
fn amount_of(text: &str, currency: Currency) -> Result<Money, FieldError> {
    check_amount(text, currency)
        .map(|minor| Money::new(minor, currency))
        .map_err(|problem| FieldError {
            field: Field::Amount,
            problem,
        })
}

/// The caller's balance, whether the wallet is frozen, and the money
/// waiting in escrow on either side.
#[server(output = JsonText, endpoint = "wallet/summary")]
pub async fn fetch_wallet() -> Result<WalletSummary, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            wallet::statement::summary(&state, UserId(account.id)).await
        }
        .await,
    )
}

/// Page `page` of the caller's statement: `purpose` one of top_up,
/// withdrawal, escrow, release, refund ("" for all), `from`/`to` dates
/// (`YYYY-MM-DD`, both included; "" for open).
#[server(output = JsonText, endpoint = "wallet/statement")]
pub async fn fetch_statement(
    #[server(default)] purpose: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] page: u32,
) -> Result<StatementPage, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            let filter = wallet::statement::filter_of(&state, &purpose, &from, &to);
            wallet::statement::statement(&state, UserId(account.id), &filter, page).await
        }
        .await,
    )
}

/// The caller tops up `amount` (as typed) with `card`, under `key` (made by
/// the browser for this form). Answers the top-up, pending until the
/// provider's callback decides it.
#[server(output = JsonText, endpoint = "wallet/top_up")]
pub async fn top_up_wallet(
    amount: String,
    card: String,
    key: String,
) -> Result<TopUpView, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            let user = UserId(account.id);
            state.limits.money_requests_per_member.check(&user)?;
            let amount = amount_of(&amount, state.config.currency);
            let card_ok = crate::domain::wallet::card_number(&card).is_some();
            // Both fields' problems at once.
            let amount = match (amount, card_ok) {
                (Ok(amount), true) => amount,
                (amount, card_ok) => {
                    let mut errors: Vec<FieldError> = amount.err().into_iter().collect();
                    if !card_ok {
                        errors.push(FieldError {
                            field: Field::CardNumber,
                            problem: Problem::InvalidFormat,
                        });
                    }
                    return Err(AppError::Validation(errors));
                }
            };
            wallet::top_up::top_up(&state, user, amount, &card, &key, now_ms()).await
        }
        .await,
    )
}

/// The caller's top-up `id` as it stands (the page asks until the callback
/// has decided it); another member's is not found.
#[server(output = JsonText, endpoint = "wallet/top_up_state")]
pub async fn fetch_top_up(id: String) -> Result<TopUpView, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            wallet::statement::top_up_state(&state, UserId(account.id), &id).await
        }
        .await,
    )
}

/// The caller withdraws `amount` (as typed) to their bank, under `key`.
#[server(output = JsonText, endpoint = "wallet/withdraw")]
pub async fn withdraw_money(amount: String, key: String) -> Result<WithdrawalView, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            let user = UserId(account.id);
            state.limits.money_requests_per_member.check(&user)?;
            let amount = amount_of(&amount, state.config.currency)
                .map_err(|e| AppError::Validation(vec![e]))?;
            wallet::withdraw::withdraw(&state, user, amount, &key, now_ms()).await
        }
        .await,
    )
}
