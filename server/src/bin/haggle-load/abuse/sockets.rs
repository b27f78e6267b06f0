//! Scenario 4: sockets that subscribe to and unsubscribe from a live auction
//! as fast as the server answers, while the load test's watchers and bidders
//! run on it. Bid → Ack is measured without the flood, then with it.
//!
//! The watchers, bidders and flood sockets each claim an address of their
//! own (the flood is a botnet: a per-address cap cannot stop it, so the
//! per-socket limits and the bid path's independence from subscribes are
//! what is measured). The per-address cap is probed on its own, by sockets
//! from one address.

use crate::{
    CONNECTING,
    bidders::{Bidding, bidder, connect_bidders},
    figures::{ms_text, percentile_ms},
    server::{BidderLine, cpu_of},
    socket::{Clock, Ws, claimed, open_as, send},
    watchers::{Board, Faults, View, Watching, watcher},
    wire::{ERROR_TAG, SNAPSHOT_TAG},
};
use app::{
    domain::auction::increment::IncrementTable,
    protocol::{ClientMsg, Topic},
};
use futures::StreamExt;
use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering::Relaxed},
    },
    time::{Duration, Instant},
};
use tokio::{
    sync::{Semaphore, mpsc},
    time::{sleep, timeout},
};
use tokio_tungstenite::tungstenite::Message;

/// Sockets opened from one address to probe the per-address cap.
const ONE_ADDRESS: usize = 40;
/// A flood socket the server refused or closed tries again after this, as
/// a script would.
const RETRY: Duration = Duration::from_secs(1);
/// How long the flood may take to connect before the bids are measured.
const FLOOD_RAMP: Duration = Duration::from_secs(3);
/// A subscribe not answered within this is counted as unanswered (a server
/// may drop what is over its limit without a word).
const ANSWER_WAIT: Duration = Duration::from_secs(5);

/// One round of bidding.
#[derive(Debug, Default)]
pub(crate) struct Round {
    /// Send → Ack of every bid (sorted, µs).
    pub(crate) ack_us: Vec<u64>,
    pub(crate) accepted: usize,
    /// Refusals other than "too low" or "not above your max" (for example,
    /// rate limits), and failures.
    pub(crate) errors: usize,
    pub(crate) first_error: Option<String>,
    pub(crate) closed: usize,
    pub(crate) seconds: f64,
    /// CPU time the server and this tool used meanwhile: on a machine they
    /// share, a flood that busies this tool also slows the server.
    pub(crate) cpu: (Duration, Duration),
}

impl Round {
    pub(crate) fn p99_ms(&self) -> f64 {
        percentile_ms(&self.ack_us, 99.0)
    }

    pub(crate) fn line(&self) -> String {
        let per_s = |n: usize| n as f64 / self.seconds.max(0.001);
        let mut line = format!(
            "{} bids answered ({:.0}/s), {} accepted; bid → ack p50 {} ms  p99 {} ms  max {} ms; \
             CPU: server {:.1} s, this tool {:.1} s",
            self.ack_us.len(),
            per_s(self.ack_us.len()),
            self.accepted,
            ms_text(&self.ack_us, 50.0, 2),
            ms_text(&self.ack_us, 99.0, 2),
            ms_text(&self.ack_us, 100.0, 2),
            self.cpu.0.as_secs_f64(),
            self.cpu.1.as_secs_f64(),
        );
        if self.errors > 0 || self.closed > 0 {
            line.push_str(&format!(
                "; {} other refusals, {} bidder sockets closed (first: {})",
                self.errors,
                self.closed,
                self.first_error.as_deref().unwrap_or("-")
            ));
        }
        line
    }
}

/// What the flood sockets met.
#[derive(Debug, Default)]
pub(crate) struct FloodCounts {
    /// Flood sockets that got in at least once.
    pub(crate) got_in: AtomicU64,
    /// Handshakes refused (each retry counts).
    pub(crate) refused: AtomicU64,
    /// Sockets the server closed under them.
    pub(crate) closed: AtomicU64,
    pub(crate) subscribes: AtomicU64,
    pub(crate) snapshots: AtomicU64,
    /// Subscribes answered with an error (a limit).
    pub(crate) errors: AtomicU64,
    /// Subscribes not answered within [`ANSWER_WAIT`].
    pub(crate) unanswered: AtomicU64,
}

pub(crate) struct Flood {
    pub(crate) watchers_joined: usize,
    pub(crate) watcher_refusal: Option<String>,
    pub(crate) quiet: Round,
    pub(crate) flooded: Round,
    pub(crate) flood_sockets: usize,
    pub(crate) counts: Arc<FloodCounts>,
    /// Of [`ONE_ADDRESS`] sockets from one address: accepted, refused.
    pub(crate) one_address: (usize, usize),
}

pub(crate) struct Spec<'a> {
    /// The server's process id (for its CPU time).
    pub(crate) pid: u32,
    pub(crate) listing: i64,
    pub(crate) bidders: &'a [BidderLine],
    pub(crate) watchers: usize,
    pub(crate) flood: usize,
    pub(crate) seconds: u64,
    pub(crate) increments: IncrementTable,
}

pub(crate) async fn socket_flood(addr: SocketAddr, spec: Spec<'_>) -> Result<Flood, String> {
    let clock = Clock(Instant::now());
    // The board only serves the watchers' bookkeeping here: the fan-out is
    // the load mode's figure, not this one's.
    let watching = Arc::new(Watching {
        addr,
        listing: spec.listing,
        clock,
        board: Arc::new(Board::new(0, 1_000_000)),
        faults: Arc::new(Faults::default()),
        gate: Arc::new(Semaphore::new(CONNECTING)),
    });
    let (ready_tx, mut ready_rx) = mpsc::channel(spec.watchers.max(1));
    let watcher_tasks: Vec<_> = (0..spec.watchers)
        .map(|i| {
            tokio::spawn(watcher(
                watching.clone(),
                Arc::new(View::default()),
                ready_tx.clone(),
                Some(claimed(i as u32)),
            ))
        })
        .collect();
    drop(ready_tx);
    let (mut watchers_joined, mut watcher_refusal) = (0, None);
    while let Some(joined) = ready_rx.recv().await {
        match joined {
            Ok(()) => watchers_joined += 1,
            Err(e) => {
                watcher_refusal.get_or_insert(e);
            }
        }
    }

    let quiet = round(addr, &spec, clock).await?;

    let one_address = one_address(addr).await;

    let stop = Arc::new(AtomicBool::new(false));
    let counts = Arc::new(FloodCounts::default());
    let flood_tasks: Vec<_> = (0..spec.flood)
        .map(|i| {
            tokio::spawn(flooder(
                addr,
                spec.listing,
                20_000 + i as u32,
                stop.clone(),
                counts.clone(),
            ))
        })
        .collect();
    let ramp = Instant::now();
    while ramp.elapsed() < FLOOD_RAMP
        && counts.got_in.load(Relaxed) + counts.refused.load(Relaxed) < spec.flood as u64
    {
        sleep(Duration::from_millis(50)).await;
    }
    let flooded = round(addr, &spec, clock).await?;
    stop.store(true, Relaxed);
    for task in &flood_tasks {
        task.abort();
    }
    for task in &watcher_tasks {
        task.abort();
    }
    Ok(Flood {
        watchers_joined,
        watcher_refusal,
        quiet,
        flooded,
        flood_sockets: spec.flood,
        counts,
        one_address,
    })
}

/// 8 bids a second per bidder: under the server's default of 10 messages a
/// second per socket, which this scenario keeps (it is what stops a flood).
const BID_PACE_US: u64 = 125_000;

/// The bidders, on fresh sockets, paced (see [`BID_PACE_US`]) for `spec.seconds`.
async fn round(addr: SocketAddr, spec: &Spec<'_>, clock: Clock) -> Result<Round, String> {
    let sockets = connect_bidders(addr, spec.listing, spec.bidders, Some(10_000)).await?;
    let start_us = clock.us();
    let server = spec.pid.to_string();
    let cpu_before = (cpu_of(&server), cpu_of("self"));
    let bidding = Arc::new(Bidding {
        listing: spec.listing,
        clock,
        stop_us: Some(start_us + spec.seconds * 1_000_000),
        spread: 20,
        increments: spec.increments.clone(),
        pace_us: BID_PACE_US,
    });
    let tasks: Vec<_> = sockets
        .into_iter()
        .map(|(ws, state, me)| tokio::spawn(bidder(ws, state, me, bidding.clone())))
        .collect();
    let mut round = Round::default();
    for task in tasks {
        let (report, _ws) = task.await.map_err(|e| e.to_string())?;
        round.ack_us.extend(&report.ack_us);
        round.accepted += report.accepted.len();
        round.errors += report.errors.len();
        if round.first_error.is_none() {
            round.first_error = report.errors.first().cloned();
        }
        round.closed += usize::from(report.closed);
    }
    round.seconds = (clock.us().saturating_sub(start_us)) as f64 / 1e6;
    round.cpu = (
        cpu_of(&server).saturating_sub(cpu_before.0),
        cpu_of("self").saturating_sub(cpu_before.1),
    );
    round.ack_us.sort_unstable();
    Ok(round)
}

/// Opens [`ONE_ADDRESS`] sockets claiming one address, keeping each open
/// while the next is tried; accepted and refused.
async fn one_address(addr: SocketAddr) -> (usize, usize) {
    let mut open = Vec::new();
    let mut refused = 0;
    for _ in 0..ONE_ADDRESS {
        match open_as(addr, None, Some(claimed(60_000))).await {
            Ok(ws) => open.push(ws),
            Err(_) => refused += 1,
        }
    }
    (open.len(), refused)
}

/// One flood socket: subscribe, wait for the answer, unsubscribe, again,
/// until stopped; reconnecting when refused or closed.
async fn flooder(
    addr: SocketAddr,
    listing: i64,
    client: u32,
    stop: Arc<AtomicBool>,
    counts: Arc<FloodCounts>,
) {
    let subscribe = ClientMsg::Subscribe {
        topic: Topic::Auction { listing },
    };
    let unsubscribe = ClientMsg::Unsubscribe {
        topic: Topic::Auction { listing },
    };
    let mut got_in = false;
    while !stop.load(Relaxed) {
        let mut ws = match open_as(addr, None, Some(claimed(client))).await {
            Ok(ws) => ws,
            Err(_) => {
                counts.refused.fetch_add(1, Relaxed);
                sleep(RETRY).await;
                continue;
            }
        };
        if !got_in {
            got_in = true;
            counts.got_in.fetch_add(1, Relaxed);
        }
        while !stop.load(Relaxed) {
            counts.subscribes.fetch_add(1, Relaxed);
            if send(&mut ws, &subscribe).await.is_err() {
                break;
            }
            match timeout(ANSWER_WAIT, answer(&mut ws)).await {
                Ok(Some(true)) => counts.snapshots.fetch_add(1, Relaxed),
                Ok(Some(false)) => counts.errors.fetch_add(1, Relaxed),
                Ok(None) => break,
                Err(_) => counts.unanswered.fetch_add(1, Relaxed),
            };
            if send(&mut ws, &unsubscribe).await.is_err() {
                break;
            }
        }
        if !stop.load(Relaxed) {
            counts.closed.fetch_add(1, Relaxed);
            sleep(RETRY).await;
        }
    }
}

/// Reads up to the subscribe's answer: `Some(true)` a snapshot,
/// `Some(false)` an error, `None` the socket closed.
async fn answer(ws: &mut Ws) -> Option<bool> {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => {
                if text.starts_with(SNAPSHOT_TAG) {
                    return Some(true);
                }
                if text.starts_with(ERROR_TAG) {
                    return Some(false);
                }
            }
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return None,
        }
    }
}
