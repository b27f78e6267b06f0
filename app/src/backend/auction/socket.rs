//! The auction area on the live socket: the commands an auction room sends
//! (bids, chat lines), each answered with an acknowledgement.

use super::chat;
use crate::backend::{AppState, platform::clock::now_ms};
use crate::{
    domain::{
        auction::chat_bid,
        form::Field,
        id::{ListingId, UserId},
        money::Money,
    },
    error::AppError,
    protocol::{AuctionCommand, Receipt, ServerMsg},
};

/// Applies one room command for the socket's user (`None`: not signed in)
/// and answers with its acknowledgement. Ending a login closes its sockets
/// (see `logins::end`), so while the socket is open its user's login stands.
pub async fn command(state: &AppState, user: Option<i64>, command: AuctionCommand) -> ServerMsg {
    let (req, result) = match command {
        AuctionCommand::Bid {
            listing,
            amount,
            req,
        } => (req, bid(state, user, listing, amount).await.map(Some)),
        AuctionCommand::Say { listing, text, req } => {
            let result = match chat_bid(&text, state.config.currency) {
                Some(Ok(amount)) => bid(state, user, listing, amount).await.map(Some),
                Some(Err(problem)) => Err(AppError::field(Field::Amount, problem)),
                None => match user {
                    Some(author) => chat::say(&state.auctions, author, listing, &text, now_ms())
                        .await
                        .map(|_| None),
                    None => Err(AppError::Unauthenticated),
                },
            };
            (req, result)
        }
    };
    ServerMsg::Ack { req, result }
}

async fn bid(
    state: &AppState,
    user: Option<i64>,
    listing: i64,
    amount: i64,
) -> Result<Receipt, AppError> {
    let bidder = user.ok_or(AppError::Unauthenticated)?;
    let amount = Money::new(amount, state.config.currency);
    state
        .auctions
        .bid(UserId(bidder), ListingId(listing), amount, now_ms())
        .await
        .map(Receipt::Bid)
}
