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
    SETTLE_WAIT,
    figures::{mb, percentile_ms},
    http::{self, Call},
    opts::Opts,
    pairs::{self, Log, Pair, push},
    server::{ChatLine, Ctx, Server, raise_fd_limit},
};
use app::protocol::{ChatCommand, ChatEvent, ClientMsg, ServerMsg, Topic};
use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering::Relaxed},
    },
    time::{Duration, Instant},
};
use tokio::time::sleep;

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

    fn sent(&self) -> u64 {
        self.sent.lock().map(|m| m.len()).unwrap_or(0) as u64
    }
}

/// A conversation: side 0 is the buyer, side 1 the seller; both send.
struct Talk {
    conversation: String,
    sides: [Side; 2],
    /// Send → other side, µs.
    latencies: Mutex<Vec<u64>>,
    log: Log,
}

impl Pair for Talk {
    /// A message whose text names its sender's side and number, so the
    /// receiver finds when it was sent.
    fn command(&self, side: usize, req: u32, now_us: u64) -> ClientMsg {
        let text = format!("{}{req}", ["b", "s"][side]);
        if let Ok(mut sent) = self.sides[side].sent.lock() {
            sent.insert(text.clone(), now_us);
        }
        ClientMsg::Chat(ChatCommand::Send {
            conversation: self.conversation.clone(),
            text,
            images: Vec::new(),
            req,
        })
    }

    /// The other member's messages it times, its own acks.
    fn receive(&self, side: usize, msg: ServerMsg, now_us: u64) {
        let (me, other) = (&self.sides[side], &self.sides[1 - side]);
        match msg {
            ServerMsg::Chat(ChatEvent::Message { message, .. }) if message.from == other.user => {
                let sent = other
                    .sent
                    .lock()
                    .map(|s| s.get(&message.body).copied())
                    .unwrap_or(None);
                match sent {
                    Some(at) => push(&self.latencies, now_us.saturating_sub(at)),
                    None => push(
                        &self.log.errors,
                        format!("unknown message {:?}", message.body),
                    ),
                }
                me.received.fetch_add(1, Relaxed);
            }
            other => self.log.answer(&me.acked, other, "message"),
        }
    }

    fn log(&self) -> &Log {
        &self.log
    }
}

pub(crate) async fn chat(opts: &Opts) -> Result<(), String> {
    raise_fd_limit(opts.conversations as u64 * 2 + 256)?;
    let ctx = Ctx::new(opts).await?;
    let outcome = run(opts, &ctx).await;
    ctx.finish(outcome.is_ok());
    outcome
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
            let sent = t.sides.iter().map(|s| s.sent() as i64).sum::<i64>();
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
    let entered = pairs::connect_all(&lines, |line: ChatLine| async move {
        let mut sockets = Vec::with_capacity(2);
        for cookie in [&line.buyer_cookie, &line.seller_cookie] {
            let topic = Topic::Conversation {
                conversation: line.conversation.clone(),
            };
            let (ws, ()) = pairs::follow(ctx, cookie, topic, |msg| match msg {
                ServerMsg::Chat(ChatEvent::Snapshot { .. }) => Some(()),
                _ => None,
            })
            .await?;
            sockets.push(ws);
        }
        let talk = Talk {
            conversation: line.conversation,
            sides: [Side::new(line.buyer), Side::new(line.seller)],
            latencies: Mutex::new(Vec::new()),
            log: Log::default(),
        };
        let sockets: [_; 2] = sockets.try_into().map_err(|_| "two sockets".to_string())?;
        Ok((talk, sockets))
    })
    .await?;
    let connect_s = connecting.elapsed().as_secs_f64();
    let connected = server.memory();

    // The buyer sends at the start of the conversation's second, the
    // seller half a second later.
    let running = pairs::run_for(&server, entered, opts.seconds, &[0, 500_000]).await;
    let talks = running.pairs.clone();
    let (loaded, cpu_used) = (running.loaded, running.cpu);

    // Every message should reach the other side, and the store agree.
    let settle = Instant::now();
    let mut missing;
    loop {
        missing = talks
            .iter()
            .map(|t| {
                let [buyer, seller] = &t.sides;
                buyer.sent().saturating_sub(seller.received.load(Relaxed))
                    + seller.sent().saturating_sub(buyer.received.load(Relaxed))
            })
            .sum::<u64>();
        if missing == 0 || settle.elapsed() > SETTLE_WAIT {
            break;
        }
        sleep(Duration::from_millis(50)).await;
    }
    let (talks, sent) = running.finish().await?;
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
        .flat_map(|t| &t.sides)
        .map(|s| s.acked.load(Relaxed))
        .sum();
    let (errors, closed) = pairs::trouble(&talks);

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
