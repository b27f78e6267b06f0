//! The anonymous watchers and what they record: when each update reached
//! them, and any update missed, reordered or lower than the one before.

use crate::{
    socket::{Clock, join, open_as},
    wire::{fast_update, full_updates, update_texts},
};
use futures::StreamExt;
use std::{
    net::{IpAddr, SocketAddr},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, Ordering::Relaxed},
    },
};
use tokio::sync::{Semaphore, mpsc};
use tokio_tungstenite::tungstenite::Message;

/// When watchers received each update, by sequence number.
///
/// Fan-out latency is "from a bid being sent until every watcher has seen a
/// price at least that bid's resulting price". Every accepted bid is one
/// update, numbered by `seq`, whose price is the bid's resulting price; a
/// watcher that has received update `s` has seen that price, and (prices
/// never fall, which each watcher checks) nothing it saw later is lower. The
/// Ack does not carry `seq`, so each bidder matches its Acks with the
/// updates naming it as bidder on its own socket: both come in its bids'
/// order. So for bid `s`: latency = (the latest time any watcher received
/// update `s`) − (when the bid was sent), counted only when all watchers
/// received it (a watcher that misses an update fails the run anyway).
pub(crate) struct Board {
    /// The auction's `seq` before any bid.
    base: i64,
    pub(crate) arrivals: Vec<AtomicU32>,
    pub(crate) last_us: Vec<AtomicU64>,
    pub(crate) overflow: AtomicU64,
}

impl Board {
    pub(crate) fn new(base: i64, capacity: usize) -> Board {
        Board {
            base,
            arrivals: (0..capacity).map(|_| AtomicU32::new(0)).collect(),
            last_us: (0..capacity).map(|_| AtomicU64::new(0)).collect(),
            overflow: AtomicU64::new(0),
        }
    }

    pub(crate) fn slot(&self, seq: i64) -> Option<usize> {
        usize::try_from(seq - self.base)
            .ok()
            .filter(|&i| i < self.arrivals.len())
    }

    fn record(&self, seq: i64, at_us: u64) {
        match self.slot(seq) {
            Some(i) => {
                self.arrivals[i].fetch_add(1, Relaxed);
                self.last_us[i].fetch_max(at_us, Relaxed);
            }
            None => {
                self.overflow.fetch_add(1, Relaxed);
            }
        }
    }
}

/// What a watcher saw last, for the final comparison with the database.
#[derive(Default)]
pub(crate) struct View {
    pub(crate) seq: AtomicI64,
    pub(crate) price: AtomicI64,
    pub(crate) closed: AtomicBool,
}

/// Faults all watchers count together; any of them fails the run.
#[derive(Default)]
pub(crate) struct Faults {
    /// A `seq` more than one above the previous: updates went missing.
    pub(crate) gaps: AtomicU64,
    /// A `seq` at or below the previous.
    pub(crate) reordered: AtomicU64,
    pub(crate) price_fell: AtomicU64,
    /// The server closed the socket during the run.
    pub(crate) closed: AtomicU64,
    /// The fast reading disagreed with the full parse, or failed.
    pub(crate) unreadable: AtomicU64,
}

impl Faults {
    pub(crate) fn total(&self) -> u64 {
        self.gaps.load(Relaxed)
            + self.reordered.load(Relaxed)
            + self.price_fell.load(Relaxed)
            + self.closed.load(Relaxed)
            + self.unreadable.load(Relaxed)
    }
}

pub(crate) struct Watching {
    pub(crate) addr: SocketAddr,
    pub(crate) listing: i64,
    pub(crate) clock: Clock,
    pub(crate) board: Arc<Board>,
    pub(crate) faults: Arc<Faults>,
    pub(crate) gate: Arc<Semaphore>,
}

/// One anonymous watcher (claiming to be `client` when given): joins,
/// reports ready, then records every update until aborted.
pub(crate) async fn watcher(
    w: Arc<Watching>,
    view: Arc<View>,
    ready: mpsc::Sender<Result<(), String>>,
    client: Option<IpAddr>,
) {
    let joined = async {
        let _turn = w.gate.acquire().await.map_err(|e| e.to_string())?;
        let mut ws = open_as(w.addr, None, client).await?;
        let state = join(&mut ws, w.listing).await?;
        Ok::<_, String>((ws, state))
    }
    .await;
    let (mut ws, state) = match joined {
        Ok(joined) => joined,
        Err(e) => {
            let _ = ready.send(Err(e)).await;
            return;
        }
    };
    view.seq.store(state.seq, Relaxed);
    view.price.store(state.price, Relaxed);
    let _ = ready.send(Ok(())).await;
    drop(ready);

    let (mut last_seq, mut last_price) = (state.seq, state.price);
    let mut received: u64 = 0;
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => {
                let at = w.clock.us();
                let check = received.is_multiple_of(256);
                let mut seen = Vec::new();
                for update in update_texts(&text) {
                    let Some((seq, price)) = fast_update(update) else {
                        w.faults.unreadable.fetch_add(1, Relaxed);
                        continue;
                    };
                    received += 1;
                    if check {
                        seen.push((seq, price));
                    }
                    // A step without a bid line leaves the price as it was.
                    let price = price.unwrap_or(last_price);
                    if seq <= last_seq {
                        w.faults.reordered.fetch_add(1, Relaxed);
                    } else if seq != last_seq + 1 {
                        w.faults.gaps.fetch_add(1, Relaxed);
                    }
                    if price < last_price {
                        w.faults.price_fell.fetch_add(1, Relaxed);
                    }
                    w.board.record(seq, at);
                    (last_seq, last_price) = (seq, price);
                }
                if check && !seen.is_empty() && full_updates(&text) != Some(seen) {
                    w.faults.unreadable.fetch_add(1, Relaxed);
                }
                view.seq.store(last_seq, Relaxed);
                view.price.store(last_price, Relaxed);
            }
            Some(Ok(_)) => {}
            Some(Err(_)) | None => {
                w.faults.closed.fetch_add(1, Relaxed);
                view.closed.store(true, Relaxed);
                return;
            }
        }
    }
}
