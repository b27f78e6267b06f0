//! `haggle-load abuse`: hostile clients against one server, one scenario
//! after another, each with the server's memory and the latency of
//! `GET /healthz` sampled every 100 ms beside it (see [`sampler`]).
//!
//! 1. ID-card photos of 1 × 8000 and 8000 × 8000 px (a few hundred KB of
//!    PNG each) from verified members.
//! 2. 20 avatars of 8000 × 8000 px at once, from 20 members.
//! 3. 600 sign-ups and 600 log-ins (half with a wrong password) at once,
//!    while five visitors load `/` and `/search?q=lamp`.
//! 4. 300 sockets subscribing to and unsubscribing from a live auction as
//!    fast as they are answered, while the load mode's watchers and bidders
//!    run on it: bid → Ack without the flood, then with it.
//! 5. 200 connections that send part of a request and stall, while a
//!    visitor keeps loading `/`.
//!
//! The server trusts loopback as its reverse proxy here, so every client
//! claims an address of its own in `X-Forwarded-For` (198.18.0.0/15, see
//! [`crate::socket::claimed`]): what is measured is the server's bounds
//! against many attackers, not one address's limits (which the unit and
//! router tests cover). Its address space is capped (`--memory-cap`), so a
//! server without bounds dies alone instead of exhausting the machine; a
//! server that dies is reported and started again on the same data.
//!
//! Prints each scenario's figures, then a table of them against the targets
//! of issue 14. Missed targets do not fail the run; only the tool failing to
//! do its work does.

mod accounts;
mod sampler;
mod slow;
mod sockets;
mod uploads;

use crate::{
    figures::{mb, ms_text},
    opts::Opts,
    server::{BidderLine, Ctx, Server, healthy, raise_fd_limit},
};
use accounts::{Burst, password_hash};
use sampler::Sampler;
use std::time::{Duration, Instant};
use tokio::time::sleep;
use uploads::{Pictures, Sent};

/// Members that send ID photos, avatars, and log in (each its own).
const ID_MEMBERS: usize = 2;
const AVATARS: usize = 20;
const LOG_IN_MEMBERS: usize = 300;
const SIGN_UPS: usize = 600;
const FLOOD_SOCKETS: usize = 300;
const SLOW_CONNECTIONS: usize = 200;
/// A server that answers no `/healthz` for this long after a scenario is
/// taken for dead.
const HUNG: Duration = Duration::from_secs(10);
/// Issue 14's ceiling on the server's memory under abuse.
const RSS_TARGET_MB: f64 = 512.0;
/// Issue 14: bid → Ack p99 under the flood at most this times its value
/// without.
const BID_RATIO_TARGET: f64 = 2.0;

pub(crate) async fn abuse(opts: &Opts) -> Result<(), String> {
    // Flood requests, sockets and stalled connections, on both ends.
    raise_fd_limit(4096)?;
    let mut ctx = Ctx::new(opts).await?;
    // Loopback is the "proxy", so each client's claimed address counts.
    ctx.set_env("HAGGLE_TRUSTED_PROXIES", Some("127.0.0.1"));
    // The server's own cap on sockets per address (the load mode lifts it),
    // which the probe from one address measures.
    ctx.set_env("HAGGLE_WS_PER_ADDRESS", None);
    // The server's message limit per socket too: it is what closes a
    // flooding socket. The bidders pace themselves under it.
    ctx.set_env("HAGGLE_WS_MESSAGES_PER_SECOND", None);
    ctx.cap_memory(opts.memory_cap_mb);
    let outcome = run(opts, &ctx).await;
    ctx.finish(matches!(outcome, Ok(0)));
    outcome.map(|_| ())
}

/// One line of the closing table.
struct Row {
    name: String,
    measured: String,
    target: &'static str,
    /// `None`: a figure without a target of its own.
    met: Option<bool>,
}

/// The server across the scenarios: started again whenever one kills it.
struct Stage<'a> {
    ctx: &'a Ctx,
    server: Server,
    sampler: Sampler,
    rows: Vec<Row>,
    /// How the server ended in the current scenario, each time it did.
    deaths_now: Vec<String>,
    deaths: usize,
}

impl Stage<'_> {
    fn begin(&mut self, title: &str) {
        println!("\n{title}");
        self.deaths_now.clear();
        self.server.reset_peak();
        self.sampler.take();
    }

    /// Makes sure the server is up: one that exited, or that has not
    /// answered `/healthz` for [`HUNG`], is reported and started again.
    async fn check(&mut self) -> Result<(), String> {
        let since = Instant::now();
        let died = loop {
            if let Some(status) = self.server.exited() {
                break status.to_string();
            }
            if healthy(self.ctx.addr).await {
                return Ok(());
            }
            if since.elapsed() > HUNG {
                self.server.kill_hard().await?;
                break format!(
                    "no answer to /healthz for {} s, killed by this tool",
                    HUNG.as_secs()
                );
            }
            sleep(Duration::from_millis(200)).await;
        };
        println!("  the server died: {died}; starting it again on the same data");
        self.deaths_now.push(died);
        self.deaths += 1;
        self.server = Server::start(self.ctx).await?;
        self.sampler.follow(self.server.pid());
        Ok(())
    }

    async fn end(&mut self, scenario: &str) -> Result<(), String> {
        let peak_kb = self.server.memory().peak_kb;
        self.check().await?;
        let window = self.sampler.take();
        let peak_kb = peak_kb.max(window.peak_rss_kb);
        let rss = match self.deaths_now.first() {
            Some(how) => format!("DIED ({how}); peak seen {:.0} MB", mb(peak_kb)),
            None => format!("peak {:.0} MB", mb(peak_kb)),
        };
        println!("  server RSS           {rss}");
        println!("  /healthz             {}", window.healthz());
        let survived = self.deaths_now.is_empty();
        self.row(
            format!("{scenario}: server RSS"),
            rss,
            "≤ 512 MB",
            Some(survived && mb(peak_kb) <= RSS_TARGET_MB),
        );
        self.row(
            format!("{scenario}: /healthz"),
            window.healthz(),
            "within 1 s throughout",
            Some(window.healthy()),
        );
        Ok(())
    }

    fn row(&mut self, name: String, measured: String, target: &'static str, met: Option<bool>) {
        self.rows.push(Row {
            name,
            measured,
            target,
            met,
        });
    }
}

async fn run(opts: &Opts, ctx: &Ctx) -> Result<usize, String> {
    let config = ctx.config()?;
    // Everyone is made before the server starts (verified members with
    // sessions, as the load mode's bidders are).
    let (_, members) = ctx
        .create_auction(ID_MEMBERS + AVATARS + LOG_IN_MEMBERS, 3_600)
        .await?;
    let (auction, bidders) = ctx.create_auction(opts.bidders, 3_600).await?;
    let (id_members, rest) = members.split_at(ID_MEMBERS);
    let (avatar_members, log_in_members) = rest.split_at(AVATARS);
    set_passwords(ctx, log_in_members).await?;
    let pictures = tokio::task::spawn_blocking(Pictures::make)
        .await
        .map_err(|e| e.to_string())??;

    println!(
        "\nAbuse: hostile clients against {} on {} (fresh data; every client claims its own \
         address in X-Forwarded-For; the server's address space capped at {})",
        opts.server.display(),
        ctx.addr,
        if opts.memory_cap_mb == 0 {
            "nothing".to_owned()
        } else {
            format!("{} MB", opts.memory_cap_mb)
        },
    );
    let server = Server::start(ctx).await?;
    let sampler = Sampler::start(ctx.addr, server.pid());
    let mut stage = Stage {
        ctx,
        server,
        sampler,
        rows: Vec::new(),
        deaths_now: Vec::new(),
        deaths: 0,
    };
    let addr = ctx.addr;

    // 1. ID photos.
    stage.begin("1. ID-card photos (each from its own verified member)");
    for (photo, member) in uploads::id_photos(&pictures).into_iter().zip(id_members) {
        let sent = photo.send(addr, member).await;
        let size = photo.bytes.len();
        println!(
            "  {:<20} {}",
            format!("{} ({:.0} KB)", sent.what, size as f64 / 1024.0),
            sent.describe()
        );
        id_row(&mut stage, &sent);
        // The next photo must meet a live server.
        stage.check().await?;
    }
    stage.end("ID photos").await?;

    // 2. Avatars.
    stage.begin(&format!(
        "2. {AVATARS} avatars of 8000 × 8000 at once ({AVATARS} members, {:.0} KB each)",
        pictures.square.len() as f64 / 1024.0
    ));
    let avatars = uploads::avatars(addr, avatar_members, &pictures).await?;
    let measured = format!(
        "{} in {:.1} s (slowest {:.1} s)",
        avatars.tally.summary(),
        avatars.took.as_secs_f64(),
        avatars.slowest.as_secs_f64()
    );
    println!("  answers              {measured}");
    for reason in avatars.tally.top_reasons(3) {
        println!("    {reason}");
    }
    let clean = avatars.tally.failures() == 0 && avatars.tally.count(|s| s >= 500) == 0;
    stage.row(
        format!("{AVATARS} avatars 8000 × 8000"),
        measured,
        "each answered: a clear 4xx (or stored within the bounds); no 5xx or lost answer",
        Some(clean),
    );
    stage.end("Avatars").await?;

    // 3. Sign-ups and log-ins.
    stage.begin(&format!(
        "3. {SIGN_UPS} sign-ups and {} log-ins ({LOG_IN_MEMBERS} right, {LOG_IN_MEMBERS} wrong \
         passwords) at once, each from its own address, with visitors browsing",
        LOG_IN_MEMBERS * 2
    ));
    let burst = accounts::burst(addr, SIGN_UPS, log_in_members).await?;
    burst_rows(&mut stage, &burst);
    stage.end("Sign-ups and log-ins").await?;

    // 4. Socket flood.
    stage.begin(&format!(
        "4. {FLOOD_SOCKETS} sockets looping subscribe/unsubscribe on a live auction, while \
         {} watchers and {} bidders (8 bids a second each, under the message limit) run on it ({} s of bidding each time)",
        opts.watchers, opts.bidders, opts.seconds
    ));
    let flood = sockets::socket_flood(
        addr,
        sockets::Spec {
            pid: stage.server.pid(),
            listing: auction.listing,
            bidders: &bidders,
            watchers: opts.watchers,
            flood: FLOOD_SOCKETS,
            seconds: opts.seconds,
            increments: config.increments.clone(),
        },
    )
    .await?;
    flood_rows(&mut stage, &flood, opts.watchers);
    stage.end("Socket flood").await?;

    // 5. Slow clients.
    stage.begin(&format!(
        "5. {SLOW_CONNECTIONS} connections that send half a request and stall, while a visitor \
         loads / every 250 ms"
    ));
    let slow = slow::slow_clients(addr, SLOW_CONNECTIONS).await;
    println!("  slow connections     {}", slow.closed_line());
    println!("  the visitor          {}", slow.visits_line());
    stage.row(
        "Slow connections".into(),
        slow.closed_line(),
        "closed by the server (none held for good)",
        Some(slow.closed_us.len() + slow.refused == slow.connections),
    );
    stage.row(
        "A visitor meanwhile".into(),
        slow.visits_line(),
        "every page served",
        Some(slow.visits.total() > 0 && slow.visits.count(|s| s == 200) == slow.visits.total()),
    );
    stage.end("Slow clients").await?;

    let Stage {
        server,
        sampler,
        rows,
        deaths,
        ..
    } = stage;
    sampler.stop();
    server.stop().await;
    print_table(&rows, deaths);
    Ok(deaths)
}

fn id_row(stage: &mut Stage<'_>, sent: &Sent) {
    let measured = match &sent.answer {
        Ok(a) => format!("{} in {:.2} s", a.status, a.took.as_secs_f64()),
        Err(e) => e.clone(),
    };
    stage.row(
        format!("ID photo {}", sent.what),
        measured,
        "a clear 4xx (cannot be an ID card)",
        Some(sent.refused_clearly()),
    );
}

fn burst_rows(stage: &mut Stage<'_>, burst: &Burst) {
    println!(
        "  answered in          {:.1} s (each: p50 {} ms, p99 {} ms)",
        burst.took.as_secs_f64(),
        ms_text(&burst.flood_us, 50.0, 0),
        ms_text(&burst.flood_us, 99.0, 0)
    );
    let groups = [
        ("sign-ups", &burst.sign_ups),
        ("log-ins (right)", &burst.log_ins_right),
        ("log-ins (wrong)", &burst.log_ins_wrong),
    ];
    for (name, tally) in groups {
        println!("  {name:<20} {}", tally.summary());
        for reason in tally.top_reasons(3) {
            println!("    {reason}");
        }
    }
    // The burst is beyond what the server should take at once: some of it
    // must be refused, and none of it may fail or go unanswered.
    let sign_ups = &burst.sign_ups;
    stage.row(
        format!("{SIGN_UPS} sign-ups"),
        sign_ups.summary(),
        "excess refused (429, or a CAPTCHA asked); no 5xx or lost answer",
        Some(
            sign_ups.failures() == 0
                && sign_ups.count(|s| s >= 500) == 0
                && sign_ups.count(|s| (400..500).contains(&s)) > 0,
        ),
    );
    let log_ins_clean = [&burst.log_ins_right, &burst.log_ins_wrong]
        .iter()
        .all(|t| t.failures() == 0 && t.count(|s| s >= 500) == 0);
    stage.row(
        format!("{} log-ins", LOG_IN_MEMBERS * 2),
        format!(
            "right: {}; wrong: {}",
            burst.log_ins_right.summary(),
            burst.log_ins_wrong.summary()
        ),
        "excess 429; no 5xx or lost answer",
        Some(log_ins_clean),
    );
    println!("  visitors             {}", burst.pages_line());
    stage.row(
        "Visitors during the burst".into(),
        burst.pages_line(),
        "every page served",
        Some(burst.pages.total() > 0 && burst.pages.count(|s| s == 200) == burst.pages.total()),
    );
}

fn flood_rows(stage: &mut Stage<'_>, flood: &sockets::Flood, watchers: usize) {
    use std::sync::atomic::Ordering::Relaxed;
    let c = &flood.counts;
    println!(
        "  watchers joined      {} of {watchers}{}",
        flood.watchers_joined,
        flood
            .watcher_refusal
            .as_ref()
            .map(|e| format!(" (first refusal: {e})"))
            .unwrap_or_default()
    );
    println!("  without the flood    {}", flood.quiet.line());
    println!("  with the flood       {}", flood.flooded.line());
    let flood_line = format!(
        "{} of {} sockets got in ({} handshakes refused, {} closed by the server); {} subscribes: \
         {} snapshots, {} refused, {} unanswered",
        c.got_in.load(Relaxed),
        flood.flood_sockets,
        c.refused.load(Relaxed),
        c.closed.load(Relaxed),
        c.subscribes.load(Relaxed),
        c.snapshots.load(Relaxed),
        c.errors.load(Relaxed),
        c.unanswered.load(Relaxed),
    );
    println!("  the flood            {flood_line}");
    let (accepted, refused) = flood.one_address;
    let one_line = format!("{accepted} accepted, {refused} refused");
    println!("  sockets from one address: {one_line}");

    let (quiet, flooded) = (flood.quiet.p99_ms(), flood.flooded.p99_ms());
    let ratio = flooded / quiet;
    stage.row(
        "Bid → ack p99 without the flood".into(),
        format!("{quiet:.2} ms"),
        "(the reference)",
        None,
    );
    stage.row(
        format!("Bid → ack p99 with {FLOOD_SOCKETS} flood sockets"),
        format!("{flooded:.2} ms ({ratio:.2} × without)"),
        "≤ 2 × without the flood",
        Some(ratio.is_finite() && ratio <= BID_RATIO_TARGET),
    );
    stage.row("The flood".into(), flood_line, "(what got through)", None);
    stage.row(
        "Sockets from one address".into(),
        one_line,
        "capped per address",
        Some(refused > 0),
    );
}

fn print_table(rows: &[Row], deaths: usize) {
    println!(
        "\nAbuse figures against the targets of issue 14 (missed targets do not fail the run)"
    );
    let width = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0);
    for row in rows {
        let verdict = match row.met {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "",
        };
        println!(
            "  {verdict:<6}  {:<width$}  {}  [target: {}]",
            row.name, row.measured, row.target
        );
    }
    let missed = rows.iter().filter(|r| r.met == Some(false)).count();
    let judged = rows.iter().filter(|r| r.met.is_some()).count();
    println!(
        "  {} of {judged} targets met; the server died {deaths} time{}",
        judged - missed,
        if deaths == 1 { "" } else { "s" }
    );
}

/// Gives the log-in members a password (the server keeps only its hash).
async fn set_passwords(ctx: &Ctx, members: &[BidderLine]) -> Result<(), String> {
    let hash = tokio::task::spawn_blocking(password_hash)
        .await
        .map_err(|e| e.to_string())??;
    let pool = ctx.db().await?;
    let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
    for member in members {
        sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(&hash)
            .bind(member.bidder)
            .execute(&mut *tx)
            .await
            .map_err(|e| format!("setting passwords: {e}"))?;
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    pool.close().await;
    Ok(())
}
