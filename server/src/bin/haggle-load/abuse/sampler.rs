//! The background sampler: every 100 ms the server's memory, and a
//! `GET /healthz` from a client of its own, for the whole abuse run. Each
//! scenario takes the window it ran in.

use crate::{
    http::{Call, send},
    server::memory_of,
};
use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU32, Ordering::Relaxed},
    },
    time::Duration,
};
use tokio::{task::JoinHandle, time::interval};

pub(crate) const EVERY: Duration = Duration::from_millis(100);
/// A probe that takes longer than this has failed the target.
pub(crate) const SLOW: Duration = Duration::from_secs(1);
/// A probe is given up after this (and counted as failed).
const PROBE_LIMIT: Duration = Duration::from_secs(5);

/// What the sampler saw during one scenario.
#[derive(Debug, Default, Clone)]
pub(crate) struct Window {
    pub(crate) samples: u32,
    pub(crate) peak_rss_kb: u64,
    pub(crate) probes: u32,
    /// Answered 200, but after more than [`SLOW`].
    pub(crate) slow: u32,
    /// Not answered 200 within [`PROBE_LIMIT`].
    pub(crate) failed: u32,
    /// The slowest answer (a probe that got none counts in `failed` only).
    pub(crate) max_probe: Duration,
}

impl Window {
    /// /healthz answered within a second every time.
    pub(crate) fn healthy(&self) -> bool {
        self.probes > 0 && self.slow == 0 && self.failed == 0
    }

    pub(crate) fn healthz(&self) -> String {
        format!(
            "{} probes, slowest answer {:.0} ms, {} over 1 s, {} failed",
            self.probes,
            self.max_probe.as_secs_f64() * 1000.0,
            self.slow,
            self.failed
        )
    }
}

pub(crate) struct Sampler {
    window: Arc<Mutex<Window>>,
    pid: Arc<AtomicU32>,
    task: JoinHandle<()>,
}

impl Sampler {
    pub(crate) fn start(addr: SocketAddr, pid: u32) -> Sampler {
        let window = Arc::new(Mutex::new(Window::default()));
        let pid = Arc::new(AtomicU32::new(pid));
        let task = tokio::spawn(sample(addr, window.clone(), pid.clone()));
        Sampler { window, pid, task }
    }

    /// Follows a restarted server.
    pub(crate) fn follow(&self, pid: u32) {
        self.pid.store(pid, Relaxed);
    }

    /// The window since the last call, and a new one from now.
    pub(crate) fn take(&self) -> Window {
        std::mem::take(&mut *lock(&self.window))
    }

    pub(crate) fn stop(self) {
        self.task.abort();
    }
}

fn lock(window: &Mutex<Window>) -> std::sync::MutexGuard<'_, Window> {
    window
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn sample(addr: SocketAddr, window: Arc<Mutex<Window>>, pid: Arc<AtomicU32>) {
    let mut tick = interval(EVERY);
    loop {
        tick.tick().await;
        let rss = memory_of(pid.load(Relaxed)).rss_kb;
        {
            let mut w = lock(&window);
            w.samples += 1;
            w.peak_rss_kb = w.peak_rss_kb.max(rss);
        }
        // Each probe on its own task: a server slow to answer must not slow
        // the sampling down, or the slowness would hide itself.
        let window = window.clone();
        tokio::spawn(async move {
            let answer = send(addr, &Call::get("/healthz"), PROBE_LIMIT).await;
            let mut w = lock(&window);
            w.probes += 1;
            match answer {
                Ok(a) if a.status == 200 => {
                    w.max_probe = w.max_probe.max(a.took);
                    if a.took > SLOW {
                        w.slow += 1;
                    }
                }
                Ok(a) => {
                    w.max_probe = w.max_probe.max(a.took);
                    w.failed += 1;
                }
                Err(_) => w.failed += 1,
            }
        });
    }
}
