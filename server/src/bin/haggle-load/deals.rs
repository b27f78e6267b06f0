//! `haggle-load deals`: both sides of many negotiation rooms at once, each
//! seller changing the price every second.
//!
//! Latency is "from the seller's edit being sent until the buyer's socket
//! has the update carrying that price". Each seller raises its room's price
//! by one minor unit per edit, so a price names the edit that set it. At the
//! end both sides of every room must show the order's stored `seq` and price.

use crate::{
    CONNECTING, SETTLE_WAIT, SNAPSHOT_WAIT,
    figures::{mb, percentile_ms},
    opts::Opts,
    server::{Ctx, RoomLine, Server, cpu_of, raise_fd_limit},
    socket::{Clock, Ws, open, send},
};
use app::{
    domain::order::TermValue,
    model::OrderLive,
    protocol::{ClientMsg, OrderCommand, OrderEvent, ServerMsg, Topic},
};
use futures::StreamExt;
use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering::Relaxed},
    },
    time::{Duration, Instant},
};
use tokio::{
    sync::Semaphore,
    time::{sleep, sleep_until, timeout},
};
use tokio_tungstenite::tungstenite::Message;

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

struct Room {
    order: String,
    /// Each edit's price and when it was sent (µs on the run's clock).
    sent: Mutex<Vec<(i64, u64)>>,
    /// Edit → buyer, µs, one per edit that reached the buyer.
    latencies: Mutex<Vec<u64>>,
    buyer: Side,
    seller: Side,
    acked: AtomicU64,
    errors: Mutex<Vec<String>>,
    closed: AtomicBool,
}

pub(crate) async fn deals(opts: &Opts) -> Result<(), String> {
    raise_fd_limit(opts.rooms as u64 * 2 + 256)?;
    let ctx = Ctx::new(opts).await?;
    let outcome = run(opts, &ctx).await;
    ctx.finish(outcome.is_ok());
    outcome
}

/// Opens a signed-in socket and follows `order`'s room up to its snapshot.
async fn enter(ctx: &Ctx, cookie: &str, order: &str) -> Result<(Ws, OrderLive), String> {
    let mut ws = open(ctx.addr, Some(cookie)).await?;
    send(
        &mut ws,
        &ClientMsg::Subscribe {
            topic: Topic::Order {
                order: order.into(),
            },
        },
    )
    .await?;
    let wait = async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => match serde_json::from_str::<ServerMsg>(&text) {
                    Ok(ServerMsg::Order(OrderEvent::Snapshot { live })) => return Ok(live),
                    Ok(ServerMsg::Error { code }) => {
                        return Err(format!("subscribing was refused: {code:?}"));
                    }
                    _ => {}
                },
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(format!("socket: {e}")),
                None => return Err("the socket closed before the snapshot".into()),
            }
        }
    };
    let live = timeout(SNAPSHOT_WAIT, wait)
        .await
        .map_err(|_| "no room snapshot within a minute".to_string())??;
    Ok((ws, live))
}

/// A frame for one side: updates it records, acks the seller counts.
fn handle(room: &Room, side: &Side, text: &str, now_us: u64, buyer: bool) {
    let msgs = match serde_json::from_str::<ServerMsg>(text) {
        Ok(ServerMsg::Batch { msgs }) => msgs,
        Ok(msg) => vec![msg],
        Err(e) => {
            push(&room.errors, format!("unreadable frame ({e}): {text}"));
            return;
        }
    };
    for msg in msgs {
        match msg {
            ServerMsg::Order(OrderEvent::Update { live }) => {
                if buyer {
                    let price = live.price.minor;
                    let sent = room
                        .sent
                        .lock()
                        .map(|s| s.iter().find(|(p, _)| *p == price).map(|(_, at)| *at))
                        .unwrap_or(None);
                    if let Some(at) = sent {
                        push(&room.latencies, now_us.saturating_sub(at));
                    }
                }
                side.saw(&live);
            }
            ServerMsg::Ack { result: Ok(_), .. } => {
                room.acked.fetch_add(1, Relaxed);
            }
            ServerMsg::Ack { result: Err(e), .. } => {
                push(&room.errors, format!("edit refused: {e}"))
            }
            ServerMsg::Error { code } => push(&room.errors, format!("error frame: {code:?}")),
            _ => {}
        }
    }
}

fn push<T>(list: &Mutex<Vec<T>>, item: T) {
    if let Ok(mut list) = list.lock() {
        list.push(item);
    }
}

/// When one room's seller edits: once a second from `first_us` until
/// `stop_us`, both sides reading until `finish`.
struct Schedule {
    clock: Clock,
    first_us: u64,
    stop_us: u64,
    start_price: i64,
    finish: Arc<AtomicBool>,
}

/// Both sockets of one room, per `schedule`; returns the edits sent.
async fn drive(room: Arc<Room>, mut seller: Ws, mut buyer: Ws, schedule: Schedule) -> u64 {
    let Schedule {
        clock,
        first_us,
        stop_us,
        start_price,
        finish,
    } = schedule;
    let base = tokio::time::Instant::now() - Duration::from_micros(clock.us());
    let mut next_us = first_us;
    let mut price = start_price;
    let mut req = 0u32;
    let mut edits = 0u64;
    loop {
        if finish.load(Relaxed) {
            break;
        }
        let due = next_us < stop_us;
        let tick = async {
            if due {
                sleep_until(base + Duration::from_micros(next_us)).await;
            } else {
                sleep(Duration::from_millis(50)).await;
            }
        };
        tokio::select! {
            _ = tick => {
                if !due { continue }
                price += 1;
                req += 1;
                push(&room.sent, (price, clock.us()));
                let edit = ClientMsg::Order(OrderCommand::Edit {
                    order: room.order.clone(),
                    value: TermValue::Price(price),
                    req,
                });
                if let Err(e) = send(&mut seller, &edit).await {
                    push(&room.errors, e);
                    room.closed.store(true, Relaxed);
                    break;
                }
                edits += 1;
                next_us += 1_000_000;
            }
            frame = seller.next() => match frame {
                Some(Ok(Message::Text(text))) => handle(&room, &room.seller, &text, clock.us(), false),
                Some(Ok(_)) => {}
                _ => { room.closed.store(true, Relaxed); break }
            },
            frame = buyer.next() => match frame {
                Some(Ok(Message::Text(text))) => handle(&room, &room.buyer, &text, clock.us(), true),
                Some(Ok(_)) => {}
                _ => { room.closed.store(true, Relaxed); break }
            },
        }
    }
    edits
}

async fn run(opts: &Opts, ctx: &Ctx) -> Result<(), String> {
    let count = opts.rooms;
    let lines = ctx.create_deals(count).await?;
    let server = Server::start(ctx).await?;
    let idle = server.memory();
    let pool = ctx.db().await?;

    let connecting = Instant::now();
    let gate = Arc::new(Semaphore::new(CONNECTING));
    let joins: Vec<_> = lines
        .iter()
        .cloned()
        .map(|line: RoomLine| {
            let gate = gate.clone();
            async move {
                let _slot = gate.acquire_owned().await.map_err(|e| e.to_string())?;
                let (seller, s_live) = enter(ctx, &line.seller_cookie, &line.order).await?;
                let (buyer, b_live) = enter(ctx, &line.buyer_cookie, &line.order).await?;
                let room = Room {
                    order: line.order.clone(),
                    sent: Mutex::new(Vec::new()),
                    latencies: Mutex::new(Vec::new()),
                    buyer: Side::default(),
                    seller: Side::default(),
                    acked: AtomicU64::new(0),
                    errors: Mutex::new(Vec::new()),
                    closed: AtomicBool::new(false),
                };
                room.seller.saw(&s_live);
                room.buyer.saw(&b_live);
                Ok::<_, String>((Arc::new(room), seller, buyer, line.price))
            }
        })
        .collect();
    let mut entered = Vec::with_capacity(count);
    for joined in futures::future::join_all(joins).await {
        entered.push(joined?);
    }
    let connect_s = connecting.elapsed().as_secs_f64();
    let connected = server.memory();

    let clock = Clock(Instant::now());
    let start_us = clock.us() + 100_000;
    let stop_us = start_us + opts.seconds * 1_000_000;
    let finish = Arc::new(AtomicBool::new(false));
    let cpu_before = (server.cpu(), cpu_of("self"));
    let mut rooms = Vec::with_capacity(count);
    let mut tasks = Vec::with_capacity(count);
    for (i, (room, seller, buyer, price)) in entered.into_iter().enumerate() {
        // Spread the rooms' edits evenly over each second.
        let first_us = start_us + (i as u64 * 1_000_000) / count.max(1) as u64;
        rooms.push(room.clone());
        let schedule = Schedule {
            clock,
            first_us,
            stop_us,
            start_price: price,
            finish: finish.clone(),
        };
        tasks.push(tokio::spawn(drive(room, seller, buyer, schedule)));
    }
    sleep(Duration::from_micros(stop_us.saturating_sub(clock.us()))).await;
    let loaded = server.memory();
    let cpu_used = (
        server.cpu().saturating_sub(cpu_before.0),
        cpu_of("self").saturating_sub(cpu_before.1),
    );

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
                [&r.buyer, &r.seller]
                    .iter()
                    .any(|s| Some((s.seq.load(Relaxed), s.price.load(Relaxed))) != want)
            })
            .count();
        if differing == 0 || settle.elapsed() > SETTLE_WAIT {
            break;
        }
        sleep(Duration::from_millis(50)).await;
    }
    finish.store(true, Relaxed);
    let mut edits = 0;
    for task in tasks {
        edits += task.await.map_err(|e| e.to_string())?;
    }
    let settled = server.memory();
    pool.close().await;
    server.stop().await;

    let mut latencies: Vec<u64> = rooms
        .iter()
        .flat_map(|r| r.latencies.lock().map(|l| l.clone()).unwrap_or_default())
        .collect();
    latencies.sort_unstable();
    let acked: u64 = rooms.iter().map(|r| r.acked.load(Relaxed)).sum();
    let errors: Vec<String> = rooms
        .iter()
        .flat_map(|r| r.errors.lock().map(|e| e.clone()).unwrap_or_default())
        .collect();
    let closed = rooms.iter().filter(|r| r.closed.load(Relaxed)).count();

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
