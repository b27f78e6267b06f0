//! `haggle-load load`: watchers and closed-loop bidders on one live auction.

use crate::{
    CONNECTING, SETTLE_WAIT,
    bidders::{Bidding, bidder, connect_bidders},
    checks::{replay, stored, stored_bids},
    figures::{mb, percentile_ms},
    opts::Opts,
    server::{Ctx, Server, cpu_of, raise_fd_limit},
    socket::Clock,
    watchers::{Board, Faults, View, Watching, watcher},
};
use std::{
    sync::{Arc, atomic::Ordering::Relaxed},
    time::{Duration, Instant},
};
use tokio::{
    sync::{Semaphore, mpsc},
    time::sleep,
};

pub(crate) async fn load(opts: &Opts) -> Result<(), String> {
    let (watchers, bidders) = (opts.watchers, opts.bidders);
    raise_fd_limit(watchers as u64 + bidders as u64 + 256)?;
    let ctx = Ctx::new(opts).await?;
    let outcome = load_run(opts, &ctx).await;
    ctx.finish(outcome.is_ok());
    outcome
}

async fn load_run(opts: &Opts, ctx: &Ctx) -> Result<(), String> {
    let (watcher_count, bidder_count) = (opts.watchers, opts.bidders);
    let config = ctx.config()?;
    // Long enough never to end during the run.
    let (auction, bidder_lines) = ctx.create_auction(bidder_count, 3_600).await?;
    let listing = auction.listing;
    let server = Server::start(ctx).await?;
    let idle = server.memory();
    let pool = ctx.db().await?;
    let before = stored(&pool, listing).await?;

    let clock = Clock(Instant::now());
    let capacity = usize::try_from(opts.seconds)
        .unwrap_or(usize::MAX / 50_000)
        .saturating_mul(50_000)
        .max(100_000);
    let watching = Arc::new(Watching {
        addr: ctx.addr,
        listing,
        clock,
        board: Arc::new(Board::new(before.seq, capacity)),
        faults: Arc::new(Faults::default()),
        gate: Arc::new(Semaphore::new(CONNECTING)),
    });
    let views: Vec<Arc<View>> = (0..watcher_count)
        .map(|_| Arc::new(View::default()))
        .collect();
    let (ready_tx, mut ready_rx) = mpsc::channel(watcher_count.max(1));
    let watcher_tasks: Vec<_> = views
        .iter()
        .map(|view| {
            tokio::spawn(watcher(
                watching.clone(),
                view.clone(),
                ready_tx.clone(),
                None,
            ))
        })
        .collect();
    drop(ready_tx);
    let connecting = Instant::now();
    for _ in 0..watcher_count {
        match ready_rx.recv().await {
            Some(Ok(())) => {}
            Some(Err(e)) => return Err(format!("a watcher could not join: {e}")),
            None => return Err("watchers stopped before joining".into()),
        }
    }
    let sockets = connect_bidders(ctx.addr, listing, &bidder_lines, None).await?;
    let connect_s = connecting.elapsed().as_secs_f64();
    // Let the join notices of the bidders reach every watcher first.
    sleep(Duration::from_millis(500)).await;
    let connected = server.memory();

    let cpu_before = (server.cpu(), cpu_of("self"));
    let start_us = clock.us();
    let bidding = Arc::new(Bidding {
        listing,
        clock,
        stop_us: Some(start_us + opts.seconds * 1_000_000),
        spread: opts.spread,
        increments: config.increments.clone(),
        pace_us: 0,
    });
    let bidder_tasks: Vec<_> = sockets
        .into_iter()
        .map(|(ws, state, me)| tokio::spawn(bidder(ws, state, me, bidding.clone())))
        .collect();
    let mut reports = Vec::with_capacity(bidder_tasks.len());
    let mut bidder_sockets = Vec::with_capacity(bidder_tasks.len());
    for task in bidder_tasks {
        let (report, ws) = task.await.map_err(|e| e.to_string())?;
        reports.push(report);
        bidder_sockets.push(ws);
    }
    let loaded = server.memory();
    let cpu_used = (
        server.cpu().saturating_sub(cpu_before.0),
        cpu_of("self").saturating_sub(cpu_before.1),
    );

    // Every watcher should now reach the stored state; wait until they all do.
    let after = stored(&pool, listing).await?;
    let settle = Instant::now();
    while settle.elapsed() < SETTLE_WAIT
        && views
            .iter()
            .any(|v| !v.closed.load(Relaxed) && v.seq.load(Relaxed) != after.seq)
    {
        sleep(Duration::from_millis(20)).await;
    }
    let after_settle = server.memory();
    for task in &watcher_tasks {
        task.abort();
    }
    drop(bidder_sockets);

    // Figures.
    let end_us = reports
        .iter()
        .map(|r| r.last_ack_us)
        .max()
        .unwrap_or(start_us);
    let span_s = (end_us.saturating_sub(start_us)) as f64 / 1e6;
    let accepted: usize = reports.iter().map(|r| r.accepted.len()).sum();
    let too_low: u64 = reports.iter().map(|r| r.too_low).sum();
    let own_max: u64 = reports.iter().map(|r| r.not_above_own_max).sum();
    let mut ack_all: Vec<u64> = reports
        .iter()
        .flat_map(|r| r.ack_us.iter().copied())
        .collect();
    let mut ack_ok: Vec<u64> = reports
        .iter()
        .flat_map(|r| r.ack_accepted_us.iter().copied())
        .collect();
    ack_all.sort_unstable();
    ack_ok.sort_unstable();
    let board = &watching.board;
    let mut fanout = Vec::with_capacity(accepted);
    // From the bidder's Ack to the last watcher: how far the fan-out trails
    // the Ack (0 when every watcher had it first).
    let mut after_ack = Vec::with_capacity(accepted);
    let (mut not_everywhere, mut unmatched) = (0usize, 0usize);
    let mut by_seq: Vec<(i64, i64)> = Vec::with_capacity(accepted);
    for bid in reports.iter().flat_map(|r| &r.accepted) {
        let Some(seq) = bid.seq else {
            unmatched += 1;
            continue;
        };
        by_seq.push((seq, bid.price));
        match board.slot(seq) {
            Some(i) if board.arrivals[i].load(Relaxed) as usize == watcher_count => {
                let last = board.last_us[i].load(Relaxed);
                fanout.push(last.saturating_sub(bid.sent_us));
                after_ack.push(last.saturating_sub(bid.acked_us));
            }
            _ => not_everywhere += 1,
        }
    }
    fanout.sort_unstable();
    after_ack.sort_unstable();

    // Checks.
    let mut failures: Vec<String> = Vec::new();
    let faults = &watching.faults;
    if faults.total() > 0 || board.overflow.load(Relaxed) > 0 {
        failures.push(format!(
            "watchers saw {} gaps, {} reordered updates, {} falling prices, {} unreadable frames, \
             {} closed sockets, {} updates beyond the board",
            faults.gaps.load(Relaxed),
            faults.reordered.load(Relaxed),
            faults.price_fell.load(Relaxed),
            faults.unreadable.load(Relaxed),
            faults.closed.load(Relaxed),
            board.overflow.load(Relaxed),
        ));
    }
    let differing = views
        .iter()
        .filter(|v| v.seq.load(Relaxed) != after.seq || v.price.load(Relaxed) != after.price)
        .count();
    if differing > 0 {
        failures.push(format!(
            "{differing} of {watcher_count} watchers did not end on the database's seq {} / price {}",
            after.seq, after.price
        ));
    }
    if not_everywhere > 0 || unmatched > 0 {
        failures.push(format!(
            "{not_everywhere} accepted bids did not reach every watcher; \
             {unmatched} never came back to their bidder as an update"
        ));
    }
    // Each accepted bid's price is the price of its update; in seq order they never fall,
    // and the last is the stored price.
    by_seq.sort_unstable();
    if by_seq
        .windows(2)
        .any(|w| w[1].0 == w[0].0 || w[1].1 < w[0].1)
    {
        failures.push("acknowledged prices fall (or two bids share an update) in seq order".into());
    }
    if let Some(&(_, last_price)) = by_seq.last()
        && last_price != after.price
    {
        failures.push(format!(
            "the last accepted bid's price {last_price} is not the stored {}",
            after.price
        ));
    }
    let errors: Vec<&String> = reports.iter().flat_map(|r| &r.errors).collect();
    if !errors.is_empty() {
        failures.push(format!(
            "{} unexpected answers, first: {}",
            errors.len(),
            errors[0]
        ));
    }
    if reports.iter().any(|r| r.closed) {
        failures.push("a bidder's socket closed during the run".into());
    }
    let rows = stored_bids(&pool, listing).await?;
    if rows.len() != accepted {
        failures.push(format!(
            "{accepted} bids were acknowledged but the bids table holds {}",
            rows.len()
        ));
    }
    if after.seq - before.seq != accepted as i64 {
        failures.push(format!(
            "the auction's seq rose by {} for {accepted} accepted bids",
            after.seq - before.seq
        ));
    }
    if let Err(e) = replay(&after, &rows, &config) {
        failures.push(e);
    }
    pool.close().await;
    server.stop().await;

    let per_s = |n: f64| if span_s > 0.0 { n / span_s } else { 0.0 };
    println!(
        "\nLive auction: {watcher_count} watchers + {bidder_count} closed-loop bidders, {}s of bidding \
         (spread {}), release binary on loopback",
        opts.seconds, opts.spread
    );
    println!("  sockets opened and joined in {connect_s:.1}s");
    println!(
        "  bids accepted        {accepted} ({:.0}/s)",
        per_s(accepted as f64)
    );
    println!(
        "  bids refused         {too_low} too low, retried at the new minimum ({:.0}/s); {own_max} not above own max",
        per_s(too_low as f64)
    );
    println!(
        "  bids answered        {} ({:.0}/s, accepted or refused)",
        ack_all.len(),
        per_s(ack_all.len() as f64)
    );
    println!(
        "  bid → ack            p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  (accepted only: p50 {:.2} ms  p99 {:.2} ms)",
        percentile_ms(&ack_all, 50.0),
        percentile_ms(&ack_all, 90.0),
        percentile_ms(&ack_all, 99.0),
        percentile_ms(&ack_ok, 50.0),
        percentile_ms(&ack_ok, 99.0),
    );
    println!(
        "  bid → all watchers   p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms  ({} accepted bids × {watcher_count} watchers)",
        percentile_ms(&fanout, 50.0),
        percentile_ms(&fanout, 90.0),
        percentile_ms(&fanout, 99.0),
        percentile_ms(&fanout, 100.0),
        fanout.len(),
    );
    println!(
        "  ack → all watchers   p50 {:.2} ms  p99 {:.2} ms  (how far the last watcher trails the bidder's Ack)",
        percentile_ms(&after_ack, 50.0),
        percentile_ms(&after_ack, 99.0),
    );
    println!(
        "  server RSS           idle {:.0} MB, sockets joined {:.0} MB, end of bidding {:.0} MB, settled {:.0} MB; peak {:.0} MB",
        mb(idle.rss_kb),
        mb(connected.rss_kb),
        mb(loaded.rss_kb),
        mb(after_settle.rss_kb),
        mb(after_settle.peak_kb.max(loaded.peak_kb)),
    );
    let busy = |cpu: Duration| {
        let share = if span_s > 0.0 {
            cpu.as_secs_f64() / span_s * 100.0
        } else {
            0.0
        };
        let per_bid = cpu.as_secs_f64() * 1e6 / (ack_all.len().max(1) as f64);
        format!(
            "{:.1} s ({share:.0}% of one core, {per_bid:.0} µs per bid answered)",
            cpu.as_secs_f64()
        )
    };
    println!(
        "  CPU while bidding    server {}; this load client {}",
        busy(cpu_used.0),
        busy(cpu_used.1)
    );
    let targets = if watcher_count >= 2000 {
        "holds (≥ 480 accepted bids/s), p99 bid → all watchers ≤ 100 ms, RSS ≤ 150 MB"
    } else {
        "≥ 480 accepted bids/s, p99 bid → all watchers ≤ 50 ms"
    };
    println!("  targets              {targets}; zero lost or out-of-order prices");
    if failures.is_empty() {
        println!(
            "  check                passed: every watcher ended on the stored seq {} and price {}; \
             no gaps, reordering or falling prices; {} stored bids = acknowledged, and they replay \
             to the stored auction",
            after.seq,
            after.price,
            rows.len()
        );
        Ok(())
    } else {
        for f in &failures {
            println!("  check                FAILED: {f}");
        }
        Err(failures.join("; "))
    }
}
