//! Scenario 3: a burst of sign-ups and log-ins (each one an Argon2 hash of
//! 19 MiB if nothing stops it first) while ordinary visitors browse.
//!
//! Every request claims an address of its own: a botnet's burst, which no
//! per-address limit can stop, so what is measured is the server's global
//! bounds (hashes at once, sign-ups per minute).

use crate::{
    figures::ms_text,
    http::{Call, Tally, send},
    server::BidderLine,
    socket::claimed,
};
use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering::Relaxed},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tokio::time::sleep;

/// The password of the members that log in (see [`password_hash`]).
pub(crate) const PASSWORD: &str = "abuse-load-pw-7";
/// A flood request is given up after this.
const LIMIT: Duration = Duration::from_secs(60);
/// Visitors browsing during the burst, each loading a page every
/// [`BROWSE_PAUSE`] until the burst is answered (and at least
/// [`BROWSE_LEAST`] pages each).
const BROWSERS: usize = 5;
const BROWSE_PAUSE: Duration = Duration::from_millis(100);
const BROWSE_LEAST: usize = 10;

/// The hash stored for the log-in members: the server's own parameters
/// (Argon2id, 19 MiB, 2 passes), computed once here.
pub(crate) fn password_hash() -> Result<String, String> {
    use argon2::{Argon2, PasswordHasher, password_hash::SaltString};
    let salt = SaltString::from_b64("aGFnZ2xlbG9hZGFidXNl").map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(PASSWORD.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub(crate) struct Burst {
    pub(crate) sign_ups: Tally,
    pub(crate) log_ins_right: Tally,
    pub(crate) log_ins_wrong: Tally,
    /// How long the burst took to be answered, to its last answer.
    pub(crate) took: Duration,
    /// Microseconds to answer each flood request (sorted).
    pub(crate) flood_us: Vec<u64>,
    pub(crate) pages: Tally,
    /// Microseconds to answer each page (sorted).
    pub(crate) pages_us: Vec<u64>,
}

#[derive(Clone, Copy)]
enum Kind {
    SignUp,
    Right,
    Wrong,
}

/// `sign_ups` new accounts and two log-ins per member (one with the right
/// password, one with a wrong one), all sent at once.
pub(crate) async fn burst(
    addr: SocketAddr,
    sign_ups: usize,
    members: &[BidderLine],
) -> Result<Burst, String> {
    // Names no earlier run on this data can hold.
    let tag = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() % 100_000)
        .unwrap_or_default();
    let mut ups = Vec::with_capacity(sign_ups);
    for i in 0..sign_ups {
        let name = format!("ab{tag}n{i}");
        let call = Call::form(
            "/api/auth/sign_up",
            &[
                ("username", &name),
                ("nickname", &format!("Ab {tag} {i}")),
                ("email", &format!("{name}@abuse.haggle.test")),
                ("password", PASSWORD),
            ],
        )
        .from(claimed(30_000 + i as u32));
        ups.push((Kind::SignUp, call));
    }
    let mut ins = Vec::with_capacity(members.len() * 2);
    for (i, member) in members.iter().enumerate() {
        for (j, right) in [(0, true), (1, false)] {
            let password = if right { PASSWORD } else { "not-the-password" };
            let call = Call::form(
                "/api/auth/log_in",
                &[("login", &member.username), ("password", password)],
            )
            .from(claimed(40_000 + (2 * i + j) as u32));
            ins.push((if right { Kind::Right } else { Kind::Wrong }, call));
        }
    }
    // Interleaved, so that sign-ups and log-ins reach the server together.
    let mut order = Vec::with_capacity(ups.len() + ins.len());
    let (mut ups, mut ins) = (ups.into_iter(), ins.into_iter());
    loop {
        match (ups.next(), ins.next()) {
            (None, None) => break,
            (up, log_in) => order.extend(up.into_iter().chain(log_in)),
        }
    }

    let done = Arc::new(AtomicBool::new(false));
    let browsers: Vec<_> = (0..BROWSERS)
        .map(|k| tokio::spawn(browse(addr, k, done.clone())))
        .collect();
    let started = Instant::now();
    let tasks: Vec<_> = order
        .into_iter()
        .map(|(kind, call)| tokio::spawn(async move { (kind, send(addr, &call, LIMIT).await) }))
        .collect();
    let mut burst = Burst {
        sign_ups: Tally::default(),
        log_ins_right: Tally::default(),
        log_ins_wrong: Tally::default(),
        took: Duration::ZERO,
        flood_us: Vec::new(),
        pages: Tally::default(),
        pages_us: Vec::new(),
    };
    for task in tasks {
        let (kind, answer) = task.await.map_err(|e| e.to_string())?;
        if let Ok(a) = &answer {
            burst.flood_us.push(a.took.as_micros() as u64);
        }
        match kind {
            Kind::SignUp => burst.sign_ups.add(&answer),
            Kind::Right => burst.log_ins_right.add(&answer),
            Kind::Wrong => burst.log_ins_wrong.add(&answer),
        }
    }
    burst.took = started.elapsed();
    done.store(true, Relaxed);
    for browser in browsers {
        let (tally, us) = browser.await.map_err(|e| e.to_string())?;
        for (status, n) in tally.by_status {
            *burst.pages.by_status.entry(status).or_default() += n;
        }
        for (kind, n) in tally.failed {
            *burst.pages.failed.entry(kind).or_default() += n;
        }
        burst.pages_us.extend(us);
    }
    burst.flood_us.sort_unstable();
    burst.pages_us.sort_unstable();
    Ok(burst)
}

/// A visitor: the home page and a search, in turn, until the burst is over.
async fn browse(addr: SocketAddr, k: usize, done: Arc<AtomicBool>) -> (Tally, Vec<u64>) {
    let mut tally = Tally::default();
    let mut us = Vec::new();
    let mut n = 0;
    while n < BROWSE_LEAST || !done.load(Relaxed) {
        let path = if n % 2 == 0 { "/" } else { "/search?q=lamp" };
        let call = Call::get(path).from(claimed(50_000 + k as u32));
        let answer = send(addr, &call, LIMIT).await;
        if let Ok(a) = &answer {
            us.push(a.took.as_micros() as u64);
        }
        tally.add(&answer);
        n += 1;
        sleep(BROWSE_PAUSE).await;
    }
    (tally, us)
}

impl Burst {
    pub(crate) fn pages_line(&self) -> String {
        format!(
            "{} pages: {}; p50 {} ms, p99 {} ms, max {} ms",
            self.pages.total(),
            self.pages.summary(),
            ms_text(&self.pages_us, 50.0, 0),
            ms_text(&self.pages_us, 99.0, 0),
            ms_text(&self.pages_us, 100.0, 0),
        )
    }
}
