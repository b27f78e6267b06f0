//! Pairs of signed-in sockets driven on a clock: a negotiation room's seller
//! and buyer (`deals`), a conversation's two members (`chat`). What those
//! runs share: joining a topic up to its snapshot, connecting every pair,
//! the send-and-read loop of each pair, and the run's memory and CPU.

use crate::{
    CONNECTING, SNAPSHOT_WAIT,
    server::{Ctx, Memory, Server, cpu_of},
    socket::{Clock, Ws, open, send},
};
use app::protocol::{ClientMsg, ServerMsg, Topic};
use futures::StreamExt;
use std::{
    future::Future,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering::Relaxed},
    },
    time::{Duration, Instant},
};
use tokio::{
    sync::Semaphore,
    task::JoinHandle,
    time::{sleep, sleep_until, timeout},
};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// One pair's part in a run.
pub(crate) trait Pair: Send + Sync + 'static {
    /// What `side` (0 or 1) sends now as its `req`-th command; the pair
    /// notes when it was sent (`now_us`) to time its arrival.
    fn command(&self, side: usize, req: u32, now_us: u64) -> ClientMsg;
    /// A message `side` received at `now_us`.
    fn receive(&self, side: usize, msg: ServerMsg, now_us: u64);
    fn log(&self) -> &Log;
}

/// What went wrong for one pair.
#[derive(Default)]
pub(crate) struct Log {
    pub(crate) errors: Mutex<Vec<String>>,
    pub(crate) closed: AtomicBool,
}

impl Log {
    /// Counts a command's `Ack` in `acked`; notes a refusal (of a `what`)
    /// or an error frame. Other messages are not the log's.
    pub(crate) fn answer(&self, acked: &AtomicU64, msg: ServerMsg, what: &str) {
        match msg {
            ServerMsg::Ack { result: Ok(_), .. } => {
                acked.fetch_add(1, Relaxed);
            }
            ServerMsg::Ack { result: Err(e), .. } => {
                push(&self.errors, format!("{what} refused: {e}"))
            }
            ServerMsg::Error { code } => push(&self.errors, format!("error frame: {code:?}")),
            _ => {}
        }
    }
}

pub(crate) fn push<T>(list: &Mutex<Vec<T>>, item: T) {
    if let Ok(mut list) = list.lock() {
        list.push(item);
    }
}

/// Opens a signed-in socket, follows `topic` and waits for the snapshot
/// `snapshot` recognises.
pub(crate) async fn follow<T>(
    ctx: &Ctx,
    cookie: &str,
    topic: Topic,
    snapshot: impl Fn(ServerMsg) -> Option<T>,
) -> Result<(Ws, T), String> {
    let mut ws = open(ctx.addr, Some(cookie)).await?;
    send(&mut ws, &ClientMsg::Subscribe { topic }).await?;
    let wait = async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => match serde_json::from_str::<ServerMsg>(&text) {
                    Ok(ServerMsg::Error { code }) => {
                        return Err(format!("subscribing was refused: {code:?}"));
                    }
                    Ok(msg) => {
                        if let Some(seen) = snapshot(msg) {
                            return Ok(seen);
                        }
                    }
                    Err(_) => {}
                },
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(format!("socket: {e}")),
                None => return Err("the socket closed before the snapshot".into()),
            }
        }
    };
    let seen = timeout(SNAPSHOT_WAIT, wait)
        .await
        .map_err(|_| "no snapshot within a minute".to_string())??;
    Ok((ws, seen))
}

/// Connects every pair (`connect` opens both of one pair's sockets), a few
/// at a time as browsers arriving would.
pub(crate) async fn connect_all<L, P, F, Fut>(
    lines: &[L],
    connect: F,
) -> Result<Vec<(Arc<P>, [Ws; 2])>, String>
where
    F: Fn(L) -> Fut,
    Fut: Future<Output = Result<(P, [Ws; 2]), String>>,
    L: Clone,
{
    let gate = Arc::new(Semaphore::new(CONNECTING));
    let joins = lines.iter().cloned().map(|line| {
        let gate = gate.clone();
        let joined = connect(line);
        async move {
            let _slot = gate.acquire_owned().await.map_err(|e| e.to_string())?;
            let (pair, sockets) = joined.await?;
            Ok::<_, String>((Arc::new(pair), sockets))
        }
    });
    futures::future::join_all(joins).await.into_iter().collect()
}

/// A run under way: every pair's loop, until [`Running::finish`].
pub(crate) struct Running<P> {
    pub(crate) pairs: Vec<Arc<P>>,
    tasks: Vec<JoinHandle<u64>>,
    finish: Arc<AtomicBool>,
    /// The server's memory when the sends stopped.
    pub(crate) loaded: Memory,
    /// CPU while sending: the server's, then this client's.
    pub(crate) cpu: (Duration, Duration),
}

/// Runs `pairs` for `seconds`: side `i` of each pair sends once a second,
/// `offsets[i]` µs into its pair's second (a side without an offset only
/// reads); the pairs' seconds are spread evenly. Returns when the sends
/// stop; the pairs keep reading until [`Running::finish`].
pub(crate) async fn run_for<P: Pair>(
    server: &Server,
    pairs: Vec<(Arc<P>, [Ws; 2])>,
    seconds: u64,
    offsets: &'static [u64],
) -> Running<P> {
    let clock = Clock(Instant::now());
    let start_us = clock.us() + 100_000;
    let stop_us = start_us + seconds * 1_000_000;
    let finish = Arc::new(AtomicBool::new(false));
    let cpu_before = (server.cpu(), cpu_of("self"));
    let count = pairs.len().max(1) as u64;
    let mut kept = Vec::with_capacity(pairs.len());
    let mut tasks = Vec::with_capacity(pairs.len());
    for (i, (pair, sockets)) in pairs.into_iter().enumerate() {
        kept.push(pair.clone());
        let schedule = Schedule {
            clock,
            first_us: start_us + (i as u64 * 1_000_000) / count,
            offsets,
            stop_us,
            finish: finish.clone(),
        };
        tasks.push(tokio::spawn(drive(pair, sockets, schedule)));
    }
    sleep(Duration::from_micros(stop_us.saturating_sub(clock.us()))).await;
    Running {
        pairs: kept,
        tasks,
        finish,
        loaded: server.memory(),
        cpu: (
            server.cpu().saturating_sub(cpu_before.0),
            cpu_of("self").saturating_sub(cpu_before.1),
        ),
    }
}

impl<P: Pair> Running<P> {
    /// Stops every pair's loop; returns the pairs and the commands sent.
    pub(crate) async fn finish(self) -> Result<(Vec<Arc<P>>, u64), String> {
        self.finish.store(true, Relaxed);
        let mut sent = 0;
        for task in self.tasks {
            sent += task.await.map_err(|e| e.to_string())?;
        }
        Ok((self.pairs, sent))
    }
}

/// Every pair's errors, and how many pairs lost a socket.
pub(crate) fn trouble<P: Pair>(pairs: &[Arc<P>]) -> (Vec<String>, usize) {
    let errors = pairs
        .iter()
        .flat_map(|p| p.log().errors.lock().map(|e| e.clone()).unwrap_or_default())
        .collect();
    let closed = pairs
        .iter()
        .filter(|p| p.log().closed.load(Relaxed))
        .count();
    (errors, closed)
}

struct Schedule {
    clock: Clock,
    first_us: u64,
    offsets: &'static [u64],
    stop_us: u64,
    finish: Arc<AtomicBool>,
}

/// Both sockets of one pair, per `schedule`; returns the commands sent.
async fn drive<P: Pair>(pair: Arc<P>, sockets: [Ws; 2], schedule: Schedule) -> u64 {
    let Schedule {
        clock,
        first_us,
        offsets,
        stop_us,
        finish,
    } = schedule;
    let [mut first, mut second] = sockets;
    let base = tokio::time::Instant::now() - Duration::from_micros(clock.us());
    // Each side's next send; a side that only reads never comes due.
    let mut next_us = [u64::MAX; 2];
    for (next, offset) in next_us.iter_mut().zip(offsets) {
        *next = first_us + offset;
    }
    let mut req = 0u32;
    let mut sent = 0u64;
    let log = pair.log();
    let read = |side: usize, frame: Option<Result<Message, WsError>>| -> bool {
        match frame {
            Some(Ok(Message::Text(text))) => {
                match serde_json::from_str::<ServerMsg>(&text) {
                    Ok(ServerMsg::Batch { msgs }) => {
                        for msg in msgs {
                            pair.receive(side, msg, clock.us());
                        }
                    }
                    Ok(msg) => pair.receive(side, msg, clock.us()),
                    Err(e) => push(&log.errors, format!("unreadable frame ({e}): {text}")),
                }
                true
            }
            Some(Ok(_)) => true,
            _ => false,
        }
    };
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
        let open = tokio::select! {
            _ = tick => {
                if !due { continue }
                req += 1;
                let command = pair.command(side, req, clock.us());
                let ws = if side == 0 { &mut first } else { &mut second };
                if let Err(e) = send(ws, &command).await {
                    push(&log.errors, e);
                    false
                } else {
                    sent += 1;
                    next_us[side] += 1_000_000;
                    true
                }
            }
            frame = first.next() => read(0, frame),
            frame = second.next() => read(1, frame),
        };
        if !open {
            log.closed.store(true, Relaxed);
            break;
        }
    }
    sent
}
