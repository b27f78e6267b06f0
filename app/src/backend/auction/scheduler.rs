//! Starts and ends auctions on time, expires offers nobody answered, and
//! ends the video calls nobody answered (missed). It
//! works from the database alone: after
//! a restart the first pass processes whatever fell due while the server was
//! down, and since every transition is a conditional update, a pass that
//! overlaps another (or a seller ending early) never processes one twice.

use crate::backend::{auction::AuctionHouse, call, notify, offer, platform::clock::now_ms};
use std::time::Duration;

/// Even with nothing due, look again this often: an approval (or an edit of
/// a start time) can make a scheduled auction due sooner without anyone
/// waking the scheduler, and it must still start within the second.
const IDLE_CHECK: Duration = Duration::from_secs(1);

/// One pass at `now`: starts, then ends, everything due, then expires the
/// offers whose time ran out. Returns how many auctions started and ended.
pub async fn pass(house: &AuctionHouse, now: i64) -> (usize, usize) {
    let started = house.start_due(now).await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "starting due auctions failed");
        0
    });
    let ended = house.end_due(now).await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "ending due auctions failed");
        0
    });
    if started + ended > 0 {
        tracing::info!(started, ended, "auction schedule");
    }
    expire_offers(house, now).await;
    match call::expire_due(&house.db, &house.hub, now).await {
        Ok(0) => {}
        Ok(calls) => tracing::info!(calls, "calls rang out"),
        Err(e) => tracing::error!(error = %e, "ending due calls failed"),
    }
    (started, ended)
}

/// Expires due offers and tells both sides of each.
async fn expire_offers(house: &AuctionHouse, now: i64) {
    match offer::expire_due(&house.db, now).await {
        Ok(notices) if notices.is_empty() => {}
        Ok(notices) => {
            tracing::info!(notices = notices.len(), "offers expired");
            let ids: Vec<i64> = notices.iter().map(|n| n.get()).collect();
            if let Err(e) = notify::push(&house.db, &house.hub, house.rules.currency, &ids).await {
                tracing::error!(error = %e, "pushing offer expiries failed");
            }
        }
        Err(e) => tracing::error!(error = %e, "expiring due offers failed"),
    }
}

/// The earliest time an auction or an offer falls due.
async fn next_due(house: &AuctionHouse) -> Result<Option<i64>, sqlx::Error> {
    let auctions = house.next_due().await?;
    let offers = offer::next_due(&house.db).await?;
    let calls = call::next_due(&house.db).await?;
    Ok(auctions.into_iter().chain(offers).chain(calls).min())
}

/// Runs passes for ever, each at the next due time (to the millisecond) or
/// when woken because a due time may have moved.
pub async fn run(house: AuctionHouse) {
    loop {
        let now = now_ms();
        pass(&house, now).await;
        let wait = match next_due(&house).await {
            // Still due after the pass: processing it failed (and was
            // logged). Try again in a while rather than spin.
            Ok(Some(due)) if due <= now => IDLE_CHECK,
            Ok(Some(due)) => {
                Duration::from_millis(u64::try_from(due - now_ms()).unwrap_or(0)).min(IDLE_CHECK)
            }
            Ok(None) => IDLE_CHECK,
            Err(e) => {
                tracing::error!(error = %e, "reading the auction schedule failed");
                IDLE_CHECK
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = house.woken() => {}
        }
    }
}
