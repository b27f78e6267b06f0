//! `haggle-load crash`: `kill -9` under bidding load, then a restart on the
//! same data.

use crate::{
    bidders::{Bidding, bidder, connect_bidders},
    checks::{replay, stored, stored_bids},
    figures::now_ms,
    opts::Opts,
    server::{Ctx, Server, raise_fd_limit},
    socket::{Clock, join, next_frame, open, send},
    wire::Frame,
};
use app::protocol::{AuctionCommand, ClientMsg};
use std::{
    collections::{HashMap, VecDeque},
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::time::{sleep, timeout};

pub(crate) async fn crash(opts: &Opts) -> Result<(), String> {
    raise_fd_limit(opts.bidders as u64 + 256)?;
    let ctx = Ctx::new(opts).await?;
    let outcome = crash_run(opts, &ctx).await;
    ctx.finish(outcome.is_ok());
    outcome?;
    crate::crash_wallet::wallet_crash(opts).await
}

async fn crash_run(opts: &Opts, ctx: &Ctx) -> Result<(), String> {
    let config = ctx.config()?;
    let (auction, bidder_lines) = ctx.create_auction(opts.bidders, 3_600).await?;
    let listing = auction.listing;
    // An auction ending a few seconds after the planned kill, so its end
    // passes while the server is down. It is made before the server starts:
    // under full bidding load the server holds SQLite's write lock almost
    // without a gap, and a second process would wait for it in vain.
    let (ending, _) = ctx.create_auction(0, opts.seconds + 6).await?;
    let mut server = Server::start(ctx).await?;
    let sockets = connect_bidders(ctx.addr, listing, &bidder_lines, None).await?;
    let clock = Clock(Instant::now());
    let bidding = Arc::new(Bidding {
        listing,
        clock,
        stop_us: None,
        spread: 0,
        increments: config.increments.clone(),
        pace_us: 0,
    });
    let tasks: Vec<_> = sockets
        .into_iter()
        .map(|(ws, state, me)| tokio::spawn(bidder(ws, state, me, bidding.clone())))
        .collect();
    sleep(Duration::from_secs(opts.seconds)).await;
    server.kill_hard().await?;
    let killed_at = now_ms();
    if killed_at >= ending.ends_at {
        return Err(format!(
            "inconclusive: the server was killed {} ms after auction {} ended",
            killed_at - ending.ends_at,
            ending.listing
        ));
    }
    let mut reports = Vec::with_capacity(tasks.len());
    for task in tasks {
        match timeout(Duration::from_secs(10), task).await {
            Ok(Ok((report, _))) => reports.push(report),
            Ok(Err(e)) => return Err(e.to_string()),
            Err(_) => return Err("a bidder did not notice the server dying".into()),
        }
    }
    let errors: Vec<&String> = reports.iter().flat_map(|r| &r.errors).collect();
    if let Some(first) = errors.first() {
        return Err(format!(
            "{} unexpected answers before the kill, first: {first}",
            errors.len()
        ));
    }
    let acked: usize = reports.iter().map(|r| r.accepted.len()).sum();
    let in_flight = reports.iter().filter(|r| r.in_flight.is_some()).count();
    if acked == 0 {
        return Err("no bid was acknowledged before the kill".into());
    }

    // With the server down: the second auction is still live.
    let pool = ctx.db().await?;
    let down = stored(&pool, ending.listing).await?;
    pool.close().await;
    if down.phase != "live" {
        return Err(format!(
            "auction {} was already {} before the kill: nothing left to test",
            ending.listing, down.phase
        ));
    }
    let wait = ending.ends_at + 500 - now_ms();
    if wait > 0 {
        sleep(Duration::from_millis(wait as u64)).await;
    }

    let server = Server::start(ctx).await?;
    let pool = ctx.db().await?;
    let mut failures: Vec<String> = Vec::new();
    // Checked as soon as the server answers: the start-up pass ends it, not the
    // scheduler's first tick.
    let ended = stored(&pool, ending.listing).await?;
    if ended.phase != "ended" {
        failures.push(format!(
            "auction {} ended while the server was down but is '{}' after restart",
            ending.listing, ended.phase
        ));
    }

    // Every acknowledged bid is stored (as bidder, amount and price); at most the
    // bids in flight at the kill may be stored without an acknowledgement.
    let rows = stored_bids(&pool, listing).await?;
    let mut unclaimed: HashMap<(i64, i64, i64), usize> = HashMap::new();
    for row in &rows {
        *unclaimed
            .entry((row.bidder_id, row.amount, row.price))
            .or_default() += 1;
    }
    let mut missing = Vec::new();
    for report in &reports {
        for bid in &report.accepted {
            match unclaimed.get_mut(&(report.me, bid.amount, bid.price)) {
                Some(n) if *n > 0 => *n -= 1,
                _ => missing.push((report.me, bid.amount, bid.price)),
            }
        }
    }
    if !missing.is_empty() {
        failures.push(format!(
            "{} acknowledged bids are not stored, e.g. (bidder, amount, price) {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        ));
    }
    let unacknowledged = rows.len().saturating_sub(acked);
    if unacknowledged > in_flight {
        failures.push(format!(
            "{unacknowledged} stored bids were never acknowledged, but only {in_flight} were in flight"
        ));
    }
    let after = stored(&pool, listing).await?;
    if let Err(e) = replay(&after, &rows, &config) {
        failures.push(e);
    }
    if let Some(last) = rows.last()
        && last.price != after.price
    {
        failures.push(format!(
            "the latest stored bid's price {} is not the auction's {}",
            last.price, after.price
        ));
    }

    // The restarted server takes bids again, from the same session.
    let again = async {
        let first = bidder_lines.first().ok_or("no bidders")?;
        let mut ws = open(ctx.addr, Some(&first.cookie)).await?;
        let state = join(&mut ws, listing).await?;
        let amount = if state.leader == Some(first.bidder) {
            after.leader_max.unwrap_or(state.min_bid) + config.increments.step(state.price)
        } else {
            state.min_bid
        };
        let bid = ClientMsg::Auction(AuctionCommand::Bid {
            listing,
            amount,
            req: 1,
        });
        send(&mut ws, &bid).await?;
        let mut pending = VecDeque::new();
        loop {
            match timeout(Duration::from_secs(10), next_frame(&mut ws, &mut pending)).await {
                Ok(Some(Ok(Frame::Ack(ack)))) if ack.req == 1 => {
                    return ack
                        .result
                        .map(|_| ())
                        .map_err(|e| format!("refused: {e:?}"));
                }
                Ok(Some(_)) => {}
                Ok(None) => return Err("the socket closed".to_string()),
                Err(_) => return Err("no Ack within 10 s".to_string()),
            }
        }
    }
    .await;
    let stored_after_restart = stored_bids(&pool, listing).await?.len();
    match again {
        Ok(()) if stored_after_restart == rows.len() + 1 => {}
        Ok(()) => failures.push("a bid after the restart was acknowledged but not stored".into()),
        Err(e) => failures.push(format!("bidding after the restart failed: {e}")),
    }
    pool.close().await;
    server.stop().await;

    println!(
        "\nCrash test: {} bidders on the release binary, kill -9 after {}s of bidding, restart on the same data",
        opts.bidders, opts.seconds
    );
    println!(
        "  before the kill      {acked} bids acknowledged, {in_flight} in flight when it died"
    );
    println!(
        "  after the restart    {} bids stored ({unacknowledged} of the in-flight ones among them); \
         auction price {} with bidder {:?} leading",
        rows.len(),
        after.price,
        after.leader_id
    );
    println!(
        "  overdue auction      {} (ended {} ms after the kill, server down) is '{}'{} at start-up",
        ending.listing,
        ending.ends_at - killed_at,
        ended.phase,
        ended
            .outcome
            .as_deref()
            .map(|o| format!(" ({o})"))
            .unwrap_or_default()
    );
    if failures.is_empty() {
        println!(
            "  check                passed: every acknowledged bid is stored, the stored bids replay \
             to the stored price and leader, the overdue auction ended at start-up, bidding resumed"
        );
        Ok(())
    } else {
        for f in &failures {
            println!("  check                FAILED: {f}");
        }
        Err(failures.join("; "))
    }
}
