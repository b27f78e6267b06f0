//! `haggle-load chat`: both members of many conversations at once, each
//! sending a message a second; then reading one conversation's latest page
//! in a database of `--messages` messages.
//!
//! Latency is "from a member's message being sent until the other member's
//! socket has it". A message's text names its sender's side and number, so
//! the receiver finds when it was sent. At the end every message must have
//! been acknowledged and reached the other member, and the stored counts
//! (messages per conversation, each member's unread count) must match what
//! was sent.

use crate::{
    CONNECTING, SETTLE_WAIT, SNAPSHOT_WAIT,
    figures::{mb, percentile_ms},
    http::{self, Call},
    opts::Opts,
    server::{ChatLine, Ctx, Server, cpu_of, raise_fd_limit},
    socket::{Clock, Ws, open, send},
};
use app::protocol::{ChatCommand, ChatEvent, ClientMsg, ServerMsg, Topic};
use futures::StreamExt;
use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering::Relaxed},
    },
    time::{Duration, Instant},
};
use tokio::{
    sync::Semaphore,
    time::{sleep, sleep_until, timeout},
};
use tokio_tungstenite::tungstenite::Message;

/// Reads of one conversation's latest page, one after another.
const PAGE_READS: usize = 200;

/// One member's side of a conversation.
struct Side {
    user: i64,
    /// Each message's text and when it was sent (µs on the run's clock).
    sent: Mutex<HashMap<String, u64>>,
    /// Messages from the other member this side received.
    received: AtomicU64,
    acked: AtomicU64,
}

impl Side {
    fn new(user: i64) -> Side {
        Side {
            user,
            sent: Mutex::new(HashMap::new()),
            received: AtomicU64::new(0),
            acked: AtomicU64::new(0),
        }
    }
}

struct Talk {
    conversation: String,
    buyer: Side,
    seller: Side,
    /// Send → other side, µs.
    latencies: Mutex<Vec<u64>>,
    errors: Mutex<Vec<String>>,
    closed: AtomicBool,
}

pub(crate) async fn chat(opts: &Opts) -> Result<(), String> {
    raise_fd_limit(opts.conversations as u64 * 2 + 256)?;
    let ctx = Ctx::new(opts).await?;
    let outcome = run(opts, &ctx).await;
    ctx.finish(outcome.is_ok());
    outcome
}

/// Opens a signed-in socket and follows `conversation` up to its snapshot.
async fn enter(ctx: &Ctx, cookie: &str, conversation: &str) -> Result<Ws, String> {
    let mut ws = open(ctx.addr, Some(cookie)).await?;
    send(
        &mut ws,
        &ClientMsg::Subscribe {
            topic: Topic::Conversation {
                conversation: conversation.into(),
            },
        },
    )
    .await?;
    let wait = async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => match serde_json::from_str::<ServerMsg>(&text) {
                    Ok(ServerMsg::Chat(ChatEvent::Snapshot { .. })) => return Ok(()),
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
    timeout(SNAPSHOT_WAIT, wait)
        .await
        .map_err(|_| "no conversation snapshot within a minute".to_string())??;
    Ok(ws)
}

/// A frame for `me`: the other member's messages it times, its own acks.
fn handle(talk: &Talk, me: &Side, other: &Side, text: &str, now_us: u64) {
    let msgs = match serde_json::from_str::<ServerMsg>(text) {
        Ok(ServerMsg::Batch { msgs }) => msgs,
        Ok(msg) => vec![msg],
        Err(e) => {
            push(&talk.errors, format!("unreadable frame ({e}): {text}"));
            return;
        }
    };
    for msg in msgs {
        match msg {
            ServerMsg::Chat(ChatEvent::Message { message, .. }) if message.from == other.user => {
                let sent = other
                    .sent
                    .lock()
                    .map(|s| s.get(&message.body).copied())
                    .unwrap_or(None);
                match sent {
                    Some(at) => push(&talk.latencies, now_us.saturating_sub(at)),
                    None => push(&talk.errors, format!("unknown message {:?}", message.body)),
                }
                me.received.fetch_add(1, Relaxed);
            }
            ServerMsg::Ack { result: Ok(_), .. } => {
                me.acked.fetch_add(1, Relaxed);
            }
            ServerMsg::Ack { result: Err(e), .. } => {
                push(&talk.errors, format!("message refused: {e}"))
            }
            ServerMsg::Error { code } => push(&talk.errors, format!("error frame: {code:?}")),
            _ => {}
        }
    }
}

fn push<T>(list: &Mutex<Vec<T>>, item: T) {
    if let Ok(mut list) = list.lock() {
        list.push(item);
    }
}

/// When one conversation's members send: the buyer once a second from
/// `first_us`, the seller half a second later, until `stop_us`; both read
/// until `finish`.
struct Schedule {
    clock: Clock,
    first_us: u64,
    stop_us: u64,
    finish: Arc<AtomicBool>,
}

/// Both sockets of one conversation, per `schedule`; returns the messages
/// sent.
async fn drive(talk: Arc<Talk>, mut buyer: Ws, mut seller: Ws, schedule: Schedule) -> u64 {
    let Schedule {
        clock,
        first_us,
        stop_us,
        finish,
    } = schedule;
    let base = tokio::time::Instant::now() - Duration::from_micros(clock.us());
    // The next send of each side: the buyer's, then the seller's.
    let mut next_us = [first_us, first_us + 500_000];
    let mut req = 0u32;
    let mut sent = 0u64;
    loop {
        if finish.load(Relaxed) {
            break;
        }
        let side = usize::from(next_us[1] < next_us[0]);
        let due = next_us[side] < stop_us;
        let tick = async {
            if due {
                sleep_until(base + Duration::from_micros(next_us[side])).await;
            } else {
                sleep(Duration::from_millis(50)).await;
            }
        };
        tokio::select! {
            _ = tick => {
                if !due { continue }
                req += 1;
                let (who, ws, tag) = if side == 0 {
                    (&talk.buyer, &mut buyer, "b")
                } else {
                    (&talk.seller, &mut seller, "s")
                };
                let text = format!("{tag}{req}");
                if let Ok(mut s) = who.sent.lock() {
                    s.insert(text.clone(), clock.us());
                }
                let msg = ClientMsg::Chat(ChatCommand::Send {
                    conversation: talk.conversation.clone(),
                    text,
                    images: Vec::new(),
                    req,
                });
                if let Err(e) = send(ws, &msg).await {
                    push(&talk.errors, e);
                    talk.closed.store(true, Relaxed);
                    break;
                }
                sent += 1;
                next_us[side] += 1_000_000;
            }
            frame = buyer.next() => match frame {
                Some(Ok(Message::Text(text))) => handle(&talk, &talk.buyer, &talk.seller, &text, clock.us()),
                Some(Ok(_)) => {}
                _ => { talk.closed.store(true, Relaxed); break }
            },
            frame = seller.next() => match frame {
                Some(Ok(Message::Text(text))) => handle(&talk, &talk.seller, &talk.buyer, &text, clock.us()),
                Some(Ok(_)) => {}
                _ => { talk.closed.store(true, Relaxed); break }
            },
        }
    }
    sent
}

/// Conversations whose stored messages or unread counts differ from what
/// their members sent (`prefill` messages each before the run).
async fn differing(
    pool: &sqlx::SqlitePool,
    talks: &[Arc<Talk>],
    prefill: &HashMap<String, i64>,
) -> Result<usize, String> {
    let rows: Vec<(String, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT c.public_id,
                (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id),
                c.buyer_unread,
                (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id
                    AND m.sender_id = c.seller_id AND m.id > c.buyer_read),
                c.seller_unread,
                (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id
                    AND m.sender_id = c.buyer_id AND m.id > c.seller_read)
           FROM conversations c",
    )
    .fetch_all(pool)
    .await
    .map_err(|e| e.to_string())?;
    let rows: HashMap<String, (i64, i64, i64, i64, i64)> = rows
        .into_iter()
        .map(|(id, n, bu, bc, su, sc)| (id, (n, bu, bc, su, sc)))
        .collect();
    Ok(talks
        .iter()
        .filter(|t| {
            let sent = [&t.buyer, &t.seller]
                .iter()
                .map(|s| s.sent.lock().map(|m| m.len()).unwrap_or(0) as i64)
                .sum::<i64>();
            let want = prefill.get(&t.conversation).copied().unwrap_or(0) + sent;
            !matches!(rows.get(&t.conversation),
                Some(&(n, bu, bc, su, sc)) if n == want && bu == bc && su == sc)
        })
        .count())
}

async fn run(opts: &Opts, ctx: &Ctx) -> Result<(), String> {
    let count = opts.conversations;
    let creating = Instant::now();
    let lines = ctx.create_chats(count, opts.messages).await?;
    let create_s = creating.elapsed().as_secs_f64();
    let server = Server::start(ctx).await?;
    let idle = server.memory();
    let pool = ctx.db().await?;
    let prefill: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
        "SELECT c.public_id, count(m.id) FROM conversations c
           LEFT JOIN messages m ON m.conversation_id = c.id GROUP BY c.id",
    )
    .fetch_all(&pool)
    .await
    .map_err(|e| e.to_string())?
    .into_iter()
    .collect();

    let connecting = Instant::now();
    let gate = Arc::new(Semaphore::new(CONNECTING));
    let joins: Vec<_> = lines
        .iter()
        .cloned()
        .map(|line: ChatLine| {
            let gate = gate.clone();
            async move {
                let _slot = gate.acquire_owned().await.map_err(|e| e.to_string())?;
                let buyer = enter(ctx, &line.buyer_cookie, &line.conversation).await?;
                let seller = enter(ctx, &line.seller_cookie, &line.conversation).await?;
                let talk = Talk {
                    conversation: line.conversation.clone(),
                    buyer: Side::new(line.buyer),
                    seller: Side::new(line.seller),
                    latencies: Mutex::new(Vec::new()),
                    errors: Mutex::new(Vec::new()),
                    closed: AtomicBool::new(false),
                };
                Ok::<_, String>((Arc::new(talk), buyer, seller))
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
    let mut talks = Vec::with_capacity(count);
    let mut tasks = Vec::with_capacity(count);
    for (i, (talk, buyer, seller)) in entered.into_iter().enumerate() {
        // Spread the conversations' messages evenly over each second.
        let first_us = start_us + (i as u64 * 1_000_000) / count.max(1) as u64;
        talks.push(talk.clone());
        let schedule = Schedule {
            clock,
            first_us,
            stop_us,
            finish: finish.clone(),
        };
        tasks.push(tokio::spawn(drive(talk, buyer, seller, schedule)));
    }
    sleep(Duration::from_micros(stop_us.saturating_sub(clock.us()))).await;
    let loaded = server.memory();
    let cpu_used = (
        server.cpu().saturating_sub(cpu_before.0),
        cpu_of("self").saturating_sub(cpu_before.1),
    );

    // Every message should reach the other side, and the store agree.
    let settle = Instant::now();
    let mut missing;
    loop {
        missing = talks
            .iter()
            .map(|t| {
                let sent = |s: &Side| s.sent.lock().map(|m| m.len()).unwrap_or(0) as u64;
                sent(&t.buyer).saturating_sub(t.seller.received.load(Relaxed))
                    + sent(&t.seller).saturating_sub(t.buyer.received.load(Relaxed))
            })
            .sum::<u64>();
        if missing == 0 || settle.elapsed() > SETTLE_WAIT {
            break;
        }
        sleep(Duration::from_millis(50)).await;
    }
    finish.store(true, Relaxed);
    let mut sent = 0;
    for task in tasks {
        sent += task.await.map_err(|e| e.to_string())?;
    }
    let settled = server.memory();
    let wrong = differing(&pool, &talks, &prefill).await?;
    let total_messages: i64 = sqlx::query_scalar("SELECT count(*) FROM messages")
        .fetch_one(&pool)
        .await
        .map_err(|e| e.to_string())?;

    // The latest page of the busiest conversation, read over and over.
    let reader = &lines[0];
    let mut reads = Vec::with_capacity(PAGE_READS);
    let mut read_errors = 0;
    let call = Call::form(
        "/api/chat/conversation",
        &[("id", reader.conversation.as_str())],
    )
    .cookie(&reader.buyer_cookie);
    for _ in 0..PAGE_READS {
        match http::send(ctx.addr, &call, Duration::from_secs(10)).await {
            Ok(answer) if answer.status == 200 && answer.body.contains("\"messages\"") => {
                reads.push(u64::try_from(answer.took.as_micros()).unwrap_or(u64::MAX))
            }
            _ => read_errors += 1,
        }
    }
    reads.sort_unstable();
    pool.close().await;
    server.stop().await;

    let mut latencies: Vec<u64> = talks
        .iter()
        .flat_map(|t| t.latencies.lock().map(|l| l.clone()).unwrap_or_default())
        .collect();
    latencies.sort_unstable();
    let acked: u64 = talks
        .iter()
        .map(|t| t.buyer.acked.load(Relaxed) + t.seller.acked.load(Relaxed))
        .sum();
    let errors: Vec<String> = talks
        .iter()
        .flat_map(|t| t.errors.lock().map(|e| e.clone()).unwrap_or_default())
        .collect();
    let closed = talks.iter().filter(|t| t.closed.load(Relaxed)).count();

    let mut failures = Vec::new();
    if acked != sent {
        failures.push(format!("{sent} messages sent, {acked} acknowledged"));
    }
    if missing > 0 || latencies.len() as u64 != sent {
        failures.push(format!(
            "{sent} messages sent, {} reached the other member",
            latencies.len()
        ));
    }
    if wrong > 0 {
        failures.push(format!(
            "{wrong} of {count} conversations store other messages or unread counts than sent"
        ));
    }
    if !errors.is_empty() {
        failures.push(format!("{} errors, first: {}", errors.len(), errors[0]));
    }
    if closed > 0 {
        failures.push(format!(
            "{closed} conversations lost a socket during the run"
        ));
    }
    if read_errors > 0 {
        failures.push(format!(
            "{read_errors} of {PAGE_READS} reads of the latest page failed"
        ));
    }

    let seconds = opts.seconds as f64;
    println!(
        "\nConversations: {count} conversations ({} signed-in sockets), every member sends a \
         message a second for {}s, release binary on loopback",
        count * 2,
        opts.seconds
    );
    println!(
        "  {count} conversations and {} messages created in {create_s:.1}s; sockets opened \
         and joined in {connect_s:.1}s",
        opts.messages
    );
    println!(
        "  messages             {sent} sent ({:.0}/s), {acked} acknowledged",
        sent as f64 / seconds
    );
    println!(
        "  send → other side    p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        percentile_ms(&latencies, 50.0),
        percentile_ms(&latencies, 90.0),
        percentile_ms(&latencies, 99.0),
        percentile_ms(&latencies, 100.0),
    );
    println!(
        "  server RSS           idle {:.0} MB, joined {:.0} MB, end of sends {:.0} MB, \
         settled {:.0} MB; peak {:.0} MB",
        mb(idle.rss_kb),
        mb(connected.rss_kb),
        mb(loaded.rss_kb),
        mb(settled.rss_kb),
        mb(settled.peak_kb.max(loaded.peak_kb)),
    );
    println!(
        "  CPU while sending    server {:.1} s ({:.0}% of one core); this load client {:.1} s",
        cpu_used.0.as_secs_f64(),
        cpu_used.0.as_secs_f64() / seconds * 100.0,
        cpu_used.1.as_secs_f64(),
    );
    println!(
        "  latest 50 messages   {PAGE_READS} reads over HTTP (chat/conversation) in a database \
         of {total_messages} messages: p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        percentile_ms(&reads, 50.0),
        percentile_ms(&reads, 99.0),
        percentile_ms(&reads, 100.0),
    );
    println!(
        "  targets              p99 send → other side ≤ 50 ms; latest 50 messages p99 ≤ 10 ms"
    );
    if failures.is_empty() {
        println!(
            "  check                passed: every message acknowledged and received by the other \
             member; all {count} conversations store what was sent, with matching unread counts"
        );
        Ok(())
    } else {
        for f in &failures {
            println!("  check                FAILED: {f}");
        }
        Err(failures.join("; "))
    }
}
