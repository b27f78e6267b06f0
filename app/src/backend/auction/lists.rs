//! The buyer and seller centers' auction lists: "my bids" and "my auctions".

use crate::backend::{
    catalog::{CARD_COLUMNS, CardRow, into_cards},
    order,
};
use crate::{
    domain::{
        auction::{Outcome, Phase},
        money::{Currency, Money},
    },
    model::{BidStanding, MyAuction},
};
use sqlx::SqlitePool;

#[derive(sqlx::FromRow)]
struct Row {
    #[sqlx(flatten)]
    card: CardRow,
    phase: String,
    outcome: Option<String>,
    bids: i64,
    leader_id: Option<i64>,
    my_max: Option<i64>,
    order_id: Option<String>,
    order_amount: Option<i64>,
    order_state: Option<String>,
    pay_by: Option<i64>,
}

/// Auctions and orders, for `user`: the max they bid and their order.
fn sql(condition: &str) -> String {
    format!(
        "{CARD_COLUMNS}, a.phase, a.outcome, a.bids, a.leader_id,
            (SELECT max(b.amount) FROM bids b WHERE b.listing_id = l.id AND b.bidder_id = ?1)
                AS my_max,
            o.public_id AS order_id, o.amount AS order_amount, o.state AS order_state, o.pay_by
           FROM listings l JOIN auctions a ON a.listing_id = l.id
           LEFT JOIN orders o ON o.listing_id = l.id
          WHERE {condition}
          ORDER BY a.phase = 'ended', a.ends_at DESC, l.id DESC
          LIMIT 200"
    )
}

fn standing(phase: Phase, outcome: Option<Outcome>, leads: bool) -> BidStanding {
    match (phase, outcome, leads) {
        (Phase::Scheduled | Phase::Live, _, true) => BidStanding::Leading,
        (Phase::Scheduled | Phase::Live, _, false) => BidStanding::Outbid,
        (Phase::Ended, Some(Outcome::Sold), true) => BidStanding::Won,
        _ => BidStanding::Lost,
    }
}

async fn list(
    pool: &SqlitePool,
    currency: Currency,
    user: i64,
    condition: &str,
    bidder_view: bool,
) -> Result<Vec<MyAuction>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(&sql(condition))
        .bind(user)
        .fetch_all(pool)
        .await?;
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
    list(
        pool,
        currency,
        user,
        "l.id IN (SELECT DISTINCT listing_id FROM bids WHERE bidder_id = ?1)",
        true,
    )
    .await
}

/// Every auction `seller` runs or ran, running ones first.
pub async fn my_auctions(
    pool: &SqlitePool,
    currency: Currency,
    seller: i64,
) -> Result<Vec<MyAuction>, sqlx::Error> {
    list(pool, currency, seller, "l.seller_id = ?1", false).await
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
