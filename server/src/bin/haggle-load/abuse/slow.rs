//! Scenario 5: connections that send part of a request and then nothing
//! (slowloris), while an ordinary visitor keeps loading the home page.

use crate::{
    figures::{ms_text, percentile_ms},
    http::{Call, Tally, send},
};
use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed},
    },
    time::{Duration, Instant},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::Mutex,
    time::{sleep, timeout},
};

/// How long the server has to close the slow connections.
pub(crate) const WINDOW: Duration = Duration::from_secs(30);
/// The visitor watches at least this long, even if every slow connection
/// is closed sooner.
const LEAST: Duration = Duration::from_secs(3);
const VISIT_PAUSE: Duration = Duration::from_millis(250);
const VISIT_LIMIT: Duration = Duration::from_secs(10);

pub(crate) struct Slow {
    pub(crate) connections: usize,
    /// Connections the server did not accept.
    pub(crate) refused: usize,
    /// When the server closed each connection it closed within [`WINDOW`],
    /// from the stall (sorted, µs).
    pub(crate) closed_us: Vec<u64>,
    pub(crate) visits: Tally,
    pub(crate) visits_us: Vec<u64>,
}

impl Slow {
    pub(crate) fn closed_line(&self) -> String {
        format!(
            "{} of {} closed by the server within {} s{} ({} refused at connect)",
            self.closed_us.len(),
            self.connections,
            WINDOW.as_secs(),
            if self.closed_us.is_empty() {
                String::new()
            } else {
                format!(
                    ", after p50 {:.1} s, max {:.1} s",
                    percentile_ms(&self.closed_us, 50.0) / 1000.0,
                    percentile_ms(&self.closed_us, 100.0) / 1000.0
                )
            },
            self.refused,
        )
    }

    pub(crate) fn visits_line(&self) -> String {
        format!(
            "{} GET /: {}; p50 {} ms, max {} ms",
            self.visits.total(),
            self.visits.summary(),
            ms_text(&self.visits_us, 50.0, 0),
            ms_text(&self.visits_us, 100.0, 0),
        )
    }
}

/// `count` stalled connections: half stop inside the request line, half
/// inside the headers.
pub(crate) async fn slow_clients(addr: SocketAddr, count: usize) -> Slow {
    let closed = Arc::new(Mutex::new(Vec::new()));
    let refused = Arc::new(AtomicUsize::new(0));
    let opens: Vec<_> = (0..count)
        .map(|i| {
            let (closed, refused) = (closed.clone(), refused.clone());
            tokio::spawn(async move {
                let connect = timeout(Duration::from_secs(5), TcpStream::connect(addr)).await;
                let Ok(Ok(mut stream)) = connect else {
                    refused.fetch_add(1, Relaxed);
                    return;
                };
                let part = if i % 2 == 0 {
                    "GET / HT".to_owned()
                } else {
                    format!("GET / HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: haggle-lo")
                };
                if stream.write_all(part.as_bytes()).await.is_err() {
                    refused.fetch_add(1, Relaxed);
                    return;
                }
                let stalled = Instant::now();
                // Whatever the server sends (a 408, say) is read and
                // dropped; the connection counts as closed at its end.
                let mut buf = [0u8; 1024];
                loop {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
                closed
                    .lock()
                    .await
                    .push(stalled.elapsed().as_micros() as u64);
            })
        })
        .collect();
    // Let them all connect and stall before the visitor starts.
    sleep(Duration::from_millis(500)).await;
    let stop = Arc::new(AtomicBool::new(false));
    let visitor = tokio::spawn(visit(addr, stop.clone()));
    let started = Instant::now();
    while started.elapsed() < WINDOW
        && (started.elapsed() < LEAST || opens.iter().any(|t| !t.is_finished()))
    {
        sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Relaxed);
    for open in &opens {
        open.abort();
    }
    let (visits, mut visits_us) = visitor.await.unwrap_or_default();
    visits_us.sort_unstable();
    let mut closed_us = closed.lock().await.clone();
    closed_us.sort_unstable();
    Slow {
        connections: count,
        refused: refused.load(Relaxed),
        closed_us,
        visits,
        visits_us,
    }
}

async fn visit(addr: SocketAddr, stop: Arc<AtomicBool>) -> (Tally, Vec<u64>) {
    let mut tally = Tally::default();
    let mut us = Vec::new();
    while !stop.load(Relaxed) {
        let answer = send(addr, &Call::get("/"), VISIT_LIMIT).await;
        if let Ok(a) = &answer {
            us.push(a.took.as_micros() as u64);
        }
        tally.add(&answer);
        sleep(VISIT_PAUSE).await;
    }
    (tally, us)
}
