//! The buyer and seller centers' auction lists: "my bids" and "my auctions".

use crate::backend::{
    auction::store::{self, MyAuctionRow},
    catalog::into_cards,
    order,
};
use crate::{
    domain::{
        auction::{Outcome, Phase},
        id::UserId,
        money::{Currency, Money},
    },
    model::{BidStanding, MyAuction},
};
use sqlx::SqlitePool;

fn standing(phase: Phase, outcome: Option<Outcome>, leads: bool) -> BidStanding {
    match (phase, outcome, leads) {
        (Phase::Scheduled | Phase::Live, _, true) => BidStanding::Leading,
        (Phase::Scheduled | Phase::Live, _, false) => BidStanding::Outbid,
        (Phase::Ended, Some(Outcome::Sold), true) => BidStanding::Won,
        _ => BidStanding::Lost,
    }
}

/// `user`'s list of `rows`: as a bidder sees it (`bidder_view`), or as the
/// seller does.
fn list(
    rows: Vec<MyAuctionRow>,
    currency: Currency,
    user: i64,
    bidder_view: bool,
) -> Result<Vec<MyAuction>, sqlx::Error> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let phase = Phase::parse(&row.phase).unwrap_or(Phase::Cancelled);
        let outcome = row.outcome.as_deref().and_then(Outcome::parse);
        let leads = row.leader_id == Some(user);
        let Some(card) = into_cards(vec![row.card], currency)?.pop() else {
            continue;
        };
        // The buyer sees their own order; the seller sees the order of the sale.
        let order = match (row.order_id, row.order_amount, row.order_state) {
            (Some(id), Some(amount), Some(state)) if !bidder_view || leads => {
                Some(order::summary(id, amount, &state, row.pay_by, currency))
            }
            _ => None,
        };
        out.push(MyAuction {
            card,
            phase,
            outcome,
            bids: u32::try_from(row.bids).unwrap_or(u32::MAX),
            standing: bidder_view.then(|| standing(phase, outcome, leads)),
            my_max: row.my_max.map(|m| Money::new(m, currency)),
            order,
        });
    }
    Ok(out)
}

/// Every auction `user` bid in, running ones first.
pub async fn my_bids(
    pool: &SqlitePool,
    currency: Currency,
    user: i64,
) -> Result<Vec<MyAuction>, sqlx::Error> {
    let rows = store::auctions_bid_in(pool, UserId(user)).await?;
    list(rows, currency, user, true)
}

/// Every auction `seller` runs or ran, running ones first.
pub async fn my_auctions(
    pool: &SqlitePool,
    currency: Currency,
    seller: i64,
) -> Result<Vec<MyAuction>, sqlx::Error> {
    let rows = store::auctions_of_seller(pool, UserId(seller)).await?;
    list(rows, currency, seller, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standing_follows_phase_outcome_and_lead() {
        assert_eq!(standing(Phase::Live, None, true), BidStanding::Leading);
        assert_eq!(standing(Phase::Live, None, false), BidStanding::Outbid);
        assert_eq!(
            standing(Phase::Ended, Some(Outcome::Sold), true),
            BidStanding::Won
        );
        assert_eq!(
            standing(Phase::Ended, Some(Outcome::Unsold), true),
            BidStanding::Lost,
            "leading below the reserve wins nothing"
        );
        assert_eq!(
            standing(Phase::Ended, Some(Outcome::Sold), false),
            BidStanding::Lost
        );
        assert_eq!(standing(Phase::Cancelled, None, false), BidStanding::Lost);
    }
}
