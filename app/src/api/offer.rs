//! Offers: making one, answering it, the offer page, the lists. Each form
//! posts without JavaScript too: a plain post is redirected to the page it
//! leads to.

use crate::api::codec::JsonText;
use crate::{
    error::AppError,
    model::{MyOffers, OfferTarget, OfferView},
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    backend::{offer, platform::clock::now_ms, web::session},
    domain::{
        catalog::check_amount,
        form::{Field, Problem},
        id::{ListingId, UserId},
    },
    error::respond,
};

/// A unit price as typed, in the deployment's currency.
#[cfg(feature = "ssr")]
fn amount_of(text: &str, currency: crate::domain::money::Currency) -> Result<i64, AppError> {
    check_amount(text, currency).map_err(|p| AppError::field(Field::Amount, p))
}

/// What the make-an-offer page shows about `listing` to the caller.
#[server(output = JsonText, endpoint = "offer/listing")]
pub async fn fetch_offer_target(listing: i64) -> Result<OfferTarget, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            offer::target(&state, UserId(account.id), ListingId(listing)).await
        }
        .await,
    )
}

/// The caller offers `amount` per unit (as typed) for `quantity` units of
/// `listing`; leads to the offer's page. Returns the offer's public id.
#[server(output = JsonText, endpoint = "offer/make")]
pub async fn make_offer(
    listing: i64,
    amount: String,
    quantity: String,
) -> Result<String, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            let amount = amount_of(&amount, state.config.currency);
            let quantity = quantity
                .trim()
                .parse::<u32>()
                .map_err(|_| AppError::field(Field::Quantity, Problem::InvalidFormat));
            // Both fields' problems at once.
            let (amount, quantity) = match (amount, quantity) {
                (Ok(a), Ok(q)) => (a, q),
                (a, q) => {
                    let errors = [a.err(), q.err()]
                        .into_iter()
                        .flatten()
                        .flat_map(|e| match e {
                            AppError::Validation(v) => v,
                            _ => Vec::new(),
                        })
                        .collect();
                    return Err(AppError::Validation(errors));
                }
            };
            let id = offer::make(
                &state,
                UserId(account.id),
                ListingId(listing),
                amount,
                quantity,
                now_ms(),
            )
            .await?;
            leptos_axum::redirect(&format!("/offers/{id}"));
            Ok(id)
        }
        .await,
    )
}

/// One party answers an offer: `answer` is "accept", "decline", "withdraw"
/// or "counter" (the seller, with `counter_amount` per unit). Leads to the
/// offer's page (the counter's, for a counter); returns its public id.
#[server(output = JsonText, endpoint = "offer/answer")]
pub async fn answer_offer(
    offer: String,
    answer: String,
    #[server(default)] counter_amount: String,
) -> Result<String, AppError> {
    respond(
        async move {
            use crate::domain::offer::Answer;
            let session::Caller { state, account, .. } = session::caller().await?;
            let answer = match answer.as_str() {
                "accept" => Answer::Accept,
                "decline" => Answer::Decline,
                "withdraw" => Answer::Withdraw,
                "counter" => Answer::Counter {
                    amount: amount_of(&counter_amount, state.config.currency)?,
                },
                _ => return Err(AppError::NotFound),
            };
            let answered =
                offer::answer(&state, UserId(account.id), &offer, answer, now_ms()).await?;
            leptos_axum::redirect(&format!("/offers/{}", answered.offer));
            Ok(answered.offer)
        }
        .await,
    )
}

/// An offer's page: its two parties only; anyone else is told it does not
/// exist.
#[server(output = JsonText, endpoint = "offer")]
pub async fn fetch_offer(offer: String) -> Result<OfferView, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            offer::view(&state, UserId(account.id), &offer, now_ms()).await
        }
        .await,
    )
}

/// The caller's offers, received and made.
#[server(output = JsonText, endpoint = "offer/mine")]
pub async fn fetch_my_offers() -> Result<MyOffers, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            offer::mine(&state, UserId(account.id), now_ms()).await
        }
        .await,
    )
}
