//! `haggle-load deals`: both sides of many negotiation rooms at once, each
//! seller changing the price every second.
//!
//! Latency is "from the seller's edit being sent until the buyer's socket
//! has the update carrying that price". Each seller raises its room's price
//! by one minor unit per edit, so a price names the edit that set it. At the
//! end both sides of every room must show the order's stored `seq` and price.

use crate::{
    SETTLE_WAIT,
    figures::{mb, percentile_ms},
    opts::Opts,
    pairs::{self, Log, Pair, push},
    server::{Ctx, RoomLine, Server, raise_fd_limit},
    socket::Ws,
};
use app::{
    domain::order::TermValue,
    model::OrderLive,
    protocol::{ClientMsg, OrderCommand, OrderEvent, ServerMsg, Topic},
};
use std::{
    sync::{
        Mutex,
        atomic::{AtomicI64, AtomicU64, Ordering::Relaxed},
    },
    time::{Duration, Instant},
};
use tokio::time::sleep;

/// What one side of a room saw last.
#[derive(Default)]
struct Side {
    seq: AtomicI64,
    price: AtomicI64,
}

impl Side {
    fn saw(&self, live: &OrderLive) {
        // Updates carry the whole state; an older one arriving late is stale.
        if live.seq > self.seq.load(Relaxed) {
            self.seq.store(live.seq, Relaxed);
            self.price.store(live.price.minor, Relaxed);
        }
    }
}

/// A room: side 0 is the seller, who edits; side 1 the buyer, who reads.
struct Room {
    order: String,
    start_price: i64,
    /// Each edit's price and when it was sent (µs on the run's clock).
    sent: Mutex<Vec<(i64, u64)>>,
    /// Edit → buyer, µs, one per edit that reached the buyer.
    latencies: Mutex<Vec<u64>>,
    sides: [Side; 2],
    acked: AtomicU64,
    log: Log,
}

impl Pair for Room {
    fn command(&self, _side: usize, req: u32, now_us: u64) -> ClientMsg {
        let price = self.start_price + i64::from(req);
        push(&self.sent, (price, now_us));
        ClientMsg::Order(OrderCommand::Edit {
            order: self.order.clone(),
            value: TermValue::Price(price),
            req,
        })
    }

    fn receive(&self, side: usize, msg: ServerMsg, now_us: u64) {
        match msg {
            ServerMsg::Order(OrderEvent::Update { live }) => {
                if side == 1 {
                    let price = live.price.minor;
                    let sent = self
                        .sent
                        .lock()
                        .map(|s| s.iter().find(|(p, _)| *p == price).map(|(_, at)| *at))
                        .unwrap_or(None);
                    if let Some(at) = sent {
                        push(&self.latencies, now_us.saturating_sub(at));
                    }
                }
                self.sides[side].saw(&live);
            }
            other => self.log.answer(&self.acked, other, "edit"),
        }
    }

    fn log(&self) -> &Log {
        &self.log
    }
}

pub(crate) async fn deals(opts: &Opts) -> Result<(), String> {
    raise_fd_limit(opts.rooms as u64 * 2 + 256)?;
    let ctx = Ctx::new(opts).await?;
    let outcome = run(opts, &ctx).await;
    ctx.finish(outcome.is_ok());
    outcome
}

/// Follows `order`'s room on a new socket up to its snapshot.
async fn enter(ctx: &Ctx, cookie: &str, order: &str) -> Result<(Ws, OrderLive), String> {
    let topic = Topic::Order {
        order: order.into(),
    };
    pairs::follow(ctx, cookie, topic, |msg| match msg {
        ServerMsg::Order(OrderEvent::Snapshot { live }) => Some(live),
        _ => None,
    })
    .await
}

async fn run(opts: &Opts, ctx: &Ctx) -> Result<(), String> {
    let count = opts.rooms;
    let lines = ctx.create_deals(count).await?;
    let server = Server::start(ctx).await?;
    let idle = server.memory();
    let pool = ctx.db().await?;

    let connecting = Instant::now();
    let entered = pairs::connect_all(&lines, |line: RoomLine| async move {
        let (seller, s_live) = enter(ctx, &line.seller_cookie, &line.order).await?;
        let (buyer, b_live) = enter(ctx, &line.buyer_cookie, &line.order).await?;
        let room = Room {
            order: line.order,
            start_price: line.price,
            sent: Mutex::new(Vec::new()),
            latencies: Mutex::new(Vec::new()),
            sides: Default::default(),
            acked: AtomicU64::new(0),
            log: Log::default(),
        };
        room.sides[0].saw(&s_live);
        room.sides[1].saw(&b_live);
        Ok((room, [seller, buyer]))
    })
    .await?;
    let connect_s = connecting.elapsed().as_secs_f64();
    let connected = server.memory();

    let running = pairs::run_for(&server, entered, opts.seconds, &[0]).await;
    let rooms = running.pairs.clone();
    let (loaded, cpu_used) = (running.loaded, running.cpu);

    // Every side should now reach its room's stored state.
    let stored = |pool: sqlx::SqlitePool| async move {
        sqlx::query_as::<_, (String, i64, i64)>(
            "SELECT public_id, seq, amount FROM orders WHERE source = 'order'",
        )
        .fetch_all(&pool)
        .await
        .map_err(|e| e.to_string())
    };
    let settle = Instant::now();
    let mut differing;
    loop {
        let rows: std::collections::HashMap<String, (i64, i64)> = stored(pool.clone())
            .await?
            .into_iter()
            .map(|(order, seq, amount)| (order, (seq, amount)))
            .collect();
        differing = rooms
            .iter()
            .filter(|r| {
                let want = rows.get(&r.order).copied();
                r.sides
                    .iter()
                    .any(|s| Some((s.seq.load(Relaxed), s.price.load(Relaxed))) != want)
            })
            .count();
        if differing == 0 || settle.elapsed() > SETTLE_WAIT {
            break;
        }
        sleep(Duration::from_millis(50)).await;
    }
    let (rooms, edits) = running.finish().await?;
    let settled = server.memory();
    pool.close().await;
    server.stop().await;

    let mut latencies: Vec<u64> = rooms
        .iter()
        .flat_map(|r| r.latencies.lock().map(|l| l.clone()).unwrap_or_default())
        .collect();
    latencies.sort_unstable();
    let acked: u64 = rooms.iter().map(|r| r.acked.load(Relaxed)).sum();
    let (errors, closed) = pairs::trouble(&rooms);

    let mut failures = Vec::new();
    if acked != edits {
        failures.push(format!("{edits} edits sent, {acked} acknowledged"));
    }
    if latencies.len() as u64 != edits {
        failures.push(format!(
            "{edits} edits sent, {} reached the buyer",
            latencies.len()
        ));
    }
    if differing > 0 {
        failures.push(format!(
            "{differing} of {count} rooms did not end with both sides on the stored state"
        ));
    }
    if !errors.is_empty() {
        failures.push(format!("{} errors, first: {}", errors.len(), errors[0]));
    }
    if closed > 0 {
        failures.push(format!("{closed} rooms lost a socket during the run"));
    }

    let seconds = opts.seconds as f64;
    println!(
        "\nNegotiation rooms: {count} rooms ({} signed-in sockets), every seller edits the price \
         once a second for {}s, release binary on loopback",
        count * 2,
        opts.seconds
    );
    println!("  sockets opened and joined in {connect_s:.1}s");
    println!(
        "  edits                {edits} sent ({:.0}/s), {acked} acknowledged",
        edits as f64 / seconds
    );
    println!(
        "  edit → other side    p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        percentile_ms(&latencies, 50.0),
        percentile_ms(&latencies, 90.0),
        percentile_ms(&latencies, 99.0),
        percentile_ms(&latencies, 100.0),
    );
    println!(
        "  server RSS           idle {:.0} MB, rooms joined {:.0} MB, end of edits {:.0} MB, \
         settled {:.0} MB; peak {:.0} MB",
        mb(idle.rss_kb),
        mb(connected.rss_kb),
        mb(loaded.rss_kb),
        mb(settled.rss_kb),
        mb(settled.peak_kb.max(loaded.peak_kb)),
    );
    println!(
        "  CPU while editing    server {:.1} s ({:.0}% of one core); this load client {:.1} s",
        cpu_used.0.as_secs_f64(),
        cpu_used.0.as_secs_f64() / seconds * 100.0,
        cpu_used.1.as_secs_f64(),
    );
    println!(
        "  targets              p99 edit → other side ≤ 50 ms; every room ends in the stored state"
    );
    if failures.is_empty() {
        println!(
            "  check                passed: every edit acknowledged and seen by the buyer; both \
             sides of all {count} rooms end on the stored seq and price"
        );
        Ok(())
    } else {
        for f in &failures {
            println!("  check                FAILED: {f}");
        }
        Err(failures.join("; "))
    }
}
