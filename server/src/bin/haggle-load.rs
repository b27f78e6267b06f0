//! `haggle-load`: load and crash tests of live auctions against the release
//! binary, over real WebSockets on loopback.
//!
//! ```text
//! haggle-load load  [--watchers 1000] [--bidders 50] [--seconds 20] [--spread 20]
//! haggle-load crash [--bidders 20] [--seconds 3]
//!   common: [--server target/release/haggle] [--site-root target/site] [--keep]
//! ```
//!
//! Both start the server binary (by default the `haggle` next to this one) on
//! a free loopback port with a fresh data directory, and create the auction
//! and its signed-in bidders with `haggle demo load-auction`.
//!
//! **load** opens `--watchers` anonymous sockets and `--bidders` signed-in
//! ones, all subscribed to the auction, then runs the bidders closed-loop for
//! `--seconds`: each bids, as its maximum, the minimum of the latest state it
//! has seen plus 0 to `--spread` increments (at random; `--spread 0` bids
//! the exact minimum), and waits for its own `Ack` before the next bid. A bid
//! refused as too low is retried at once against the minimum the refusal
//! names; those refusals are counted separately. A bidder who leads waits
//! (up to a second) for someone to outbid them instead of raising their own
//! maximum. It prints accepted and refused bids per
//! second, all bids answered per second, bid→ack latency,
//! bid→every-watcher latency (see [`Board`]), the server's memory, and checks
//! that no watcher missed, reordered or saw a falling price, that every
//! watcher ends on the database's state, and that the `bids` table replays
//! to the stored auction.
//!
//! **crash** makes a second auction that ends six seconds after the planned
//! kill, drives bids, `kill -9`s the server mid-load, waits until that end has passed,
//! restarts the server on the same data, and checks that every acknowledged
//! bid is stored, that the stored bids replay to the auction's stored price
//! and leader, that the second auction was ended at start-up, and that the
//! restarted server takes bids again.
//!
//! Exits non-zero with a message when a check fails (not when a performance
//! target is missed: those are printed next to the figures).

use app::{
    backend::platform::{config::Config, db},
    domain::auction::{
        self, Auction, BidRefusal, Bidder, Book, Phase, Terms, increment::IncrementTable,
    },
    error::AppError,
    model::BidAck,
    protocol::{ClientMsg, Topic},
};
use futures::{SinkExt, StreamExt};
use memchr::memmem::Finder;
use serde::Deserialize;
use sqlx::SqlitePool;
use std::{
    collections::{HashMap, VecDeque},
    net::SocketAddr,
    path::PathBuf,
    process::{ExitCode, Stdio},
    sync::{
        Arc, LazyLock,
        atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, Ordering::Relaxed},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    process::{Child, Command},
    sync::{Semaphore, mpsc},
    time::{sleep, timeout},
};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async_with_config,
    tungstenite::{
        Message,
        client::IntoClientRequest,
        http::{HeaderValue, header},
        protocol::WebSocketConfig,
    },
};

const USAGE: &str =
    "usage: haggle-load load  [--watchers N] [--bidders N] [--seconds S] [--spread K]
       haggle-load crash [--bidders N] [--seconds S]
  common options: [--server PATH] [--site-root PATH] [--room-writes N] [--keep]";

/// Sockets opening at once: enough to connect thousands quickly without
/// turning the server's accept queue into the bottleneck.
const CONNECTING: usize = 64;
/// User plus system CPU time of process `pid` (or `self`), from /proc.
fn cpu_of(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the parenthesized command name; utime and stime are
    // the 14th and 15th of the whole line.
    let after_name = stat.rsplit_once(") ").map_or("", |(_, rest)| rest);
    let ticks: u64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    // SAFETY: sysconf(3) only reads a configuration value.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let per_second = u64::try_from(per_second)
        .ok()
        .filter(|&t| t > 0)
        .unwrap_or(100);
    Duration::from_micros(ticks * 1_000_000 / per_second)
}

/// Generous limits for steps that take milliseconds when all is well.
const SNAPSHOT_WAIT: Duration = Duration::from_secs(60);
const SETTLE_WAIT: Duration = Duration::from_secs(20);

fn main() -> ExitCode {
    let opts = match Opts::parse(std::env::args().skip(1).collect()) {
        Ok(opts) => opts,
        Err(e) => {
            eprintln!("haggle-load: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("haggle-load: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match opts.mode {
            Mode::Load => load(&opts).await,
            Mode::Crash => crash(&opts).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("haggle-load: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------- options

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Load,
    Crash,
}

#[derive(Debug, Clone)]
struct Opts {
    mode: Mode,
    watchers: usize,
    bidders: usize,
    seconds: u64,
    spread: u64,
    server: PathBuf,
    site_root: PathBuf,
    /// The server's `HAGGLE_ROOM_WRITES_PER_SECOND`; its default when `None`.
    room_writes: Option<u64>,
    keep: bool,
}

impl Opts {
    fn parse(args: Vec<String>) -> Result<Opts, String> {
        let mut args = args.into_iter();
        let mode = match args.next().as_deref() {
            Some("load") => Mode::Load,
            Some("crash") => Mode::Crash,
            Some(other) => return Err(format!("unknown mode {other:?}")),
            None => return Err("which mode?".into()),
        };
        let (bidders, seconds) = match mode {
            Mode::Load => (50, 20),
            Mode::Crash => (20, 3),
        };
        let server = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join("haggle")))
            .unwrap_or_else(|| PathBuf::from("target/release/haggle"));
        let mut opts = Opts {
            mode,
            watchers: 1000,
            bidders,
            seconds,
            spread: 20,
            server,
            site_root: PathBuf::from("target/site"),
            room_writes: None,
            keep: false,
        };
        while let Some(flag) = args.next() {
            if flag == "--keep" {
                opts.keep = true;
                continue;
            }
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let number = || {
                value
                    .parse::<u64>()
                    .map_err(|_| format!("{flag}: {value:?} is not a whole number"))
            };
            match flag.as_str() {
                "--watchers" if mode == Mode::Load => opts.watchers = number()? as usize,
                "--bidders" => opts.bidders = number()? as usize,
                "--seconds" => opts.seconds = number()?,
                "--spread" if mode == Mode::Load => opts.spread = number()?,
                "--server" => opts.server = PathBuf::from(&value),
                "--site-root" => opts.site_root = PathBuf::from(&value),
                "--room-writes" => opts.room_writes = Some(number()?),
                _ => return Err(format!("unknown option {flag}")),
            }
        }
        if opts.bidders == 0 || opts.seconds == 0 {
            return Err("--bidders and --seconds must be at least 1".into());
        }
        Ok(opts)
    }
}

// ---------------------------------------------------------------- the server

/// One run's server: its binary, data directory and address.
struct Ctx {
    bin: PathBuf,
    site_root: PathBuf,
    data: PathBuf,
    addr: SocketAddr,
    room_writes: Option<u64>,
    keep: bool,
}

impl Ctx {
    async fn new(opts: &Opts) -> Result<Ctx, String> {
        if !opts.server.is_file() {
            return Err(format!(
                "no server binary at {} (build it with `cargo leptos build --release`, or pass --server)",
                opts.server.display()
            ));
        }
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let data =
            std::env::temp_dir().join(format!("haggle-load.{}.{nanos:08x}", std::process::id()));
        std::fs::create_dir_all(&data).map_err(|e| format!("{}: {e}", data.display()))?;
        // A port the kernel says is free; nothing else binds loopback ports here
        // between this and the server's start.
        let probe = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("no free loopback port: {e}"))?;
        let addr = probe.local_addr().map_err(|e| e.to_string())?;
        drop(probe);
        Ok(Ctx {
            bin: opts.server.clone(),
            site_root: opts.site_root.clone(),
            data,
            addr,
            room_writes: opts.room_writes,
            keep: opts.keep,
        })
    }

    /// The environment of the server and the CLI. Soft close is off: bids in
    /// an auction's last minutes would otherwise move its end.
    fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("LEPTOS_SITE_ADDR", self.addr.to_string()),
            (
                "LEPTOS_SITE_ROOT",
                self.site_root.to_string_lossy().into_owned(),
            ),
            ("HAGGLE_DATA_DIR", self.data.to_string_lossy().into_owned()),
            ("HAGGLE_SOFT_CLOSE_MINUTES", "0".into()),
            ("RUST_LOG", "warn".into()),
        ];
        if let Some(writes) = self.room_writes {
            env.push(("HAGGLE_ROOM_WRITES_PER_SECOND", writes.to_string()));
        }
        env
    }

    /// The configuration the server runs with (for the bidding rules).
    fn config(&self) -> Result<Config, String> {
        let env: HashMap<&str, String> = self.env().into_iter().collect();
        Config::from_lookup(|name| env.get(name).cloned()).map_err(|e| e.to_string())
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.bin);
        // Nothing from the caller's environment may change what is measured.
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            if name.starts_with("HAGGLE_") || name.starts_with("LEPTOS_") || name == "DATABASE_URL"
            {
                command.env_remove(name.as_ref());
            }
        }
        command.envs(self.env());
        command
    }

    fn log(&self) -> PathBuf {
        self.data.join("server.log")
    }

    async fn db(&self) -> Result<SqlitePool, String> {
        let url = format!("sqlite://{}", self.data.join("haggle.db").display());
        db::connect(&url)
            .await
            .map_err(|e| format!("opening the database: {e}"))
    }

    /// `haggle demo load-auction`: an auction live for `seconds` and its bidders.
    async fn create_auction(
        &self,
        bidders: usize,
        seconds: u64,
    ) -> Result<(AuctionLine, Vec<BidderLine>), String> {
        let out = self
            .command()
            .args(["demo", "load-auction", "--bidders"])
            .arg(bidders.to_string())
            .arg("--seconds")
            .arg(seconds.to_string())
            .output()
            .await
            .map_err(|e| format!("running {}: {e}", self.bin.display()))?;
        if !out.status.success() {
            return Err(format!(
                "haggle demo load-auction failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines();
        let auction: AuctionLine = lines
            .next()
            .and_then(|l| serde_json::from_str(l).ok())
            .ok_or_else(|| format!("unexpected output of haggle demo load-auction: {text}"))?;
        let bidders = lines
            .map(|l| serde_json::from_str::<BidderLine>(l).map_err(|e| format!("{l}: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((auction, bidders))
    }

    fn finish(&self, ok: bool) {
        if ok && !self.keep {
            let _ = std::fs::remove_dir_all(&self.data);
        } else {
            println!("  data and server log kept in {}", self.data.display());
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
struct AuctionLine {
    listing: i64,
    ends_at: i64,
}

#[derive(Debug, Clone, Deserialize)]
struct BidderLine {
    bidder: i64,
    cookie: String,
}

struct Server {
    child: Child,
    pid: u32,
}

#[derive(Debug, Clone, Copy, Default)]
struct Memory {
    rss_kb: u64,
    peak_kb: u64,
}

impl Server {
    /// Starts the server and waits until `/healthz` answers (which is after
    /// its start-up pass over due auctions).
    async fn start(ctx: &Ctx) -> Result<Server, String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(ctx.log())
            .map_err(|e| e.to_string())?;
        let err = log.try_clone().map_err(|e| e.to_string())?;
        let mut child = ctx
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err))
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("starting {}: {e}", ctx.bin.display()))?;
        let pid = child.id().ok_or("the server exited at once")?;
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if healthy(ctx.addr).await {
                return Ok(Server { child, pid });
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!(
                    "the server exited ({status}) before answering; see {}",
                    ctx.log().display()
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "the server did not answer /healthz on {} within 2 minutes",
                    ctx.addr
                ));
            }
            sleep(Duration::from_millis(50)).await;
        }
    }

    /// CPU time the server has used so far.
    fn cpu(&self) -> Duration {
        cpu_of(&self.pid.to_string())
    }

    /// VmRSS and VmHWM from /proc.
    fn memory(&self) -> Memory {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kb| kb.parse().ok())
                .unwrap_or(0)
        };
        Memory {
            rss_kb: field("VmRSS:"),
            peak_kb: field("VmHWM:"),
        }
    }

    /// `kill -9`.
    async fn kill_hard(&mut self) -> Result<(), String> {
        self.child
            .start_kill()
            .map_err(|e| format!("kill -9: {e}"))?;
        self.child.wait().await.map_err(|e| e.to_string())?;
        Ok(())
    }

    /// SIGTERM, then SIGKILL if it does not stop within 10 s.
    async fn stop(mut self) {
        if let Ok(pid) = i32::try_from(self.pid) {
            // SAFETY: kill(2) with a pid we spawned and still own (not reaped yet).
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
        if timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.kill_hard().await;
        }
    }
}

/// True when `GET /healthz` answers 200.
async fn healthy(addr: SocketAddr) -> bool {
    let probe = async {
        let mut stream = TcpStream::connect(addr).await.ok()?;
        let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.ok()?;
        Some(answer.starts_with(b"HTTP/1.1 200"))
    };
    matches!(timeout(Duration::from_secs(2), probe).await, Ok(Some(true)))
}

/// Raises the soft limit on open files to the hard limit when `wanted`
/// sockets would not fit (the server, started afterwards, inherits it).
fn raise_fd_limit(wanted: u64) -> Result<u64, String> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit(2) only writes the struct it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err("getrlimit(RLIMIT_NOFILE) failed".into());
    }
    if limit.rlim_cur < wanted && limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max;
        // SAFETY: setrlimit(2) only reads the struct it is given.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
            return Err("setrlimit(RLIMIT_NOFILE) failed".into());
        }
    }
    if limit.rlim_cur < wanted {
        return Err(format!(
            "{wanted} open files are needed but the limit is {} (raise `ulimit -n`)",
            limit.rlim_cur
        ));
    }
    Ok(limit.rlim_cur)
}

// ---------------------------------------------------------------- sockets

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Microseconds since the run began: every timestamp uses this one clock.
#[derive(Clone, Copy)]
struct Clock(Instant);

impl Clock {
    fn us(&self) -> u64 {
        u64::try_from(self.0.elapsed().as_micros()).unwrap_or(u64::MAX)
    }
}

/// Opens `/ws` as a page of the site would (same-origin `Origin`), signed in
/// when a session cookie is given.
async fn open(addr: SocketAddr, cookie: Option<&str>) -> Result<Ws, String> {
    let mut request = format!("ws://{addr}/ws")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    let headers = request.headers_mut();
    let origin = HeaderValue::from_str(&format!("http://{addr}")).map_err(|e| e.to_string())?;
    headers.insert(header::ORIGIN, origin);
    if let Some(cookie) = cookie {
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(cookie).map_err(|e| e.to_string())?,
        );
    }
    // Frames here are small. tungstenite zero-fills its whole read buffer on
    // every read attempt, and the default 128 KiB per socket would also cost
    // thousands of watchers hundreds of MB.
    let config = WebSocketConfig::default().read_buffer_size(4 * 1024);
    let connect = connect_async_with_config(request, Some(config), true);
    match timeout(Duration::from_secs(30), connect).await {
        Ok(Ok((ws, _))) => Ok(ws),
        Ok(Err(e)) => Err(format!("WebSocket handshake: {e}")),
        Err(_) => Err("WebSocket handshake timed out".into()),
    }
}

async fn send(ws: &mut Ws, msg: &ClientMsg) -> Result<(), String> {
    let text = serde_json::to_string(msg).map_err(|e| e.to_string())?;
    ws.send(Message::text(text))
        .await
        .map_err(|e| format!("sending: {e}"))
}

/// Subscribes to the auction and reads up to its snapshot.
async fn join(ws: &mut Ws, listing: i64) -> Result<LiveState, String> {
    send(
        ws,
        &ClientMsg::Subscribe {
            topic: Topic::Auction { listing },
        },
    )
    .await?;
    let wait = async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => {
                    if text.starts_with(SNAPSHOT_TAG) {
                        let snapshot: SnapshotWire =
                            serde_json::from_str(&text).map_err(|e| format!("snapshot: {e}"))?;
                        return Ok(snapshot.room.live.state());
                    }
                    if text.starts_with(ERROR_TAG) {
                        return Err(format!("subscribing was refused: {}", text.as_str()));
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(format!("socket: {e}")),
                None => return Err("the socket closed before the snapshot".into()),
            }
        }
    };
    timeout(SNAPSHOT_WAIT, wait)
        .await
        .map_err(|_| "no auction snapshot within a minute".to_string())?
}

// Server messages are internally tagged (`{"type":…` first, as serde writes
// them), so a prefix says what a frame is without parsing it.
const SNAPSHOT_TAG: &str = r#"{"type":"auction_snapshot","#;
const UPDATE_TAG: &str = r#"{"type":"auction_update","live":{"#;
const STEP_TAG: &str = r#"{"type":"auction_step","#;
/// What both an update and a step start with.
const ROOM_TAG: &str = r#"{"type":"auction_"#;
const BATCH_TAG: &str = r#"{"type":"batch","msgs":["#;
const ACK_TAG: &str = r#"{"type":"ack","#;
const ERROR_TAG: &str = r#"{"type":"error","#;

/// The parts of `AuctionLive` the bidders need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LiveState {
    seq: i64,
    price: i64,
    min_bid: i64,
    leader: Option<i64>,
    live: bool,
}

#[derive(Deserialize)]
struct MinorWire {
    minor: i64,
}

#[derive(Deserialize)]
struct IdWire {
    id: i64,
}

#[derive(Deserialize)]
struct LiveWire {
    seq: i64,
    phase: Phase,
    price: MinorWire,
    min_bid: MinorWire,
    leader: Option<IdWire>,
}

impl LiveWire {
    fn state(&self) -> LiveState {
        LiveState {
            seq: self.seq,
            price: self.price.minor,
            min_bid: self.min_bid.minor,
            leader: self.leader.as_ref().map(|l| l.id),
            live: self.phase == Phase::Live,
        }
    }
}

#[derive(Deserialize)]
struct RoomWire {
    live: LiveWire,
}

#[derive(Deserialize)]
struct SnapshotWire {
    room: RoomWire,
}

#[derive(Deserialize)]
struct BidLineWire {
    bidder: IdWire,
    price: MinorWire,
}

#[derive(Deserialize)]
struct UpdateWire {
    live: LiveWire,
    bid: Option<BidLineWire>,
}

/// An update a later one in its batch brings up to date.
#[derive(Deserialize)]
struct StepWire {
    seq: i64,
    bid: Option<BidLineWire>,
}

/// An update as the bidders use it: whole, or a step without the state.
struct Update {
    seq: i64,
    bidder: Option<i64>,
    /// The price it made: the state's, or a step's bid line's.
    price: Option<i64>,
    live: Option<LiveState>,
}

impl From<UpdateWire> for Update {
    fn from(u: UpdateWire) -> Update {
        let live = u.live.state();
        Update {
            seq: live.seq,
            bidder: u.bid.map(|b| b.bidder.id),
            price: Some(live.price),
            live: Some(live),
        }
    }
}

impl From<StepWire> for Update {
    fn from(s: StepWire) -> Update {
        Update {
            seq: s.seq,
            bidder: s.bid.as_ref().map(|b| b.bidder.id),
            price: s.bid.map(|b| b.price.minor),
            live: None,
        }
    }
}

#[derive(Deserialize)]
struct AckWire {
    req: u32,
    result: Result<Option<BidAck>, AppError>,
}

/// A server message as the bidders read it.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Wire {
    AuctionUpdate(UpdateWire),
    AuctionStep(StepWire),
    Ack(AckWire),
    Batch {
        msgs: Vec<Wire>,
    },
    #[serde(other)]
    Other,
}

impl Wire {
    /// This message, or a batch's, in order, as [`Frame`]s.
    fn flatten_into(self, out: &mut VecDeque<Frame>) {
        match self {
            Wire::AuctionUpdate(u) => out.push_back(Frame::Update(u.into())),
            Wire::AuctionStep(s) => out.push_back(Frame::Update(s.into())),
            Wire::Ack(a) => out.push_back(Frame::Ack(a)),
            Wire::Batch { msgs } => msgs.into_iter().for_each(|m| m.flatten_into(out)),
            Wire::Other => out.push_back(Frame::Other),
        }
    }
}

/// The updates a frame carries, each as the text from its start: the frame
/// itself, or the members of a batch. A string inside JSON cannot hold the
/// tag (its quotes would be escaped), so every match is a real update.
fn update_texts(text: &str) -> impl Iterator<Item = &str> {
    let is_update = |t: &str| t.starts_with(UPDATE_TAG) || t.starts_with(STEP_TAG);
    let count = if text.starts_with(BATCH_TAG) {
        usize::MAX
    } else {
        usize::from(is_update(text))
    };
    // The tag starts with `{`, so each match is at a character boundary.
    FIND.room
        .find_iter(text.as_bytes())
        .take(count)
        .map(move |i| &text[i..])
        .filter(move |t| is_update(t))
}

/// Searchers built once, as the watchers run them for every update.
struct Finders {
    room: Finder<'static>,
    seq: Finder<'static>,
    price: Finder<'static>,
    bid: Finder<'static>,
}

static FIND: LazyLock<Finders> = LazyLock::new(|| Finders {
    room: Finder::new(ROOM_TAG),
    seq: Finder::new(r#""seq":"#),
    price: Finder::new(r#""price":{"minor":"#),
    bid: Finder::new(r#""bid":"#),
});

/// A watcher's view of an update, read without a JSON parser: its `seq`
/// and the price it made, if it says. An update's is `live.price.minor`,
/// which serde writes first (`listing`, `seq`, …, `price`), before the bid
/// line; a step's is its bid line's, when it has one. Watchers share the
/// machine's two cores with the server, so this is what they do for each of
/// the millions of updates; a sample is checked against the full parse (see
/// [`watcher`]).
fn fast_update(text: &str) -> Option<(i64, Option<i64>)> {
    if let Some(live) = text.strip_prefix(UPDATE_TAG) {
        let live = live.as_bytes();
        return Some((
            number_after(live, &FIND.seq)?,
            Some(number_after(live, &FIND.price)?),
        ));
    }
    let step = text.strip_prefix(STEP_TAG)?.as_bytes();
    let seq = number_after(step, &FIND.seq)?;
    // `text` runs on to the end of the batch: a step without a bid line
    // must not read the next message's price.
    let bid = &step[FIND.bid.find(step)? + FIND.bid.needle().len()..];
    if bid.starts_with(b"null") {
        return Some((seq, None));
    }
    Some((seq, Some(number_after(bid, &FIND.price)?)))
}

/// The integer right after the first match of `key` in `text`.
fn number_after(text: &[u8], key: &Finder) -> Option<i64> {
    let rest = &text[key.find(text)? + key.needle().len()..];
    let (negative, rest) = match rest.split_first() {
        Some((b'-', digits)) => (true, digits),
        _ => (false, rest),
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let value = rest[..digits].iter().try_fold(0_i64, |n, d| {
        n.checked_mul(10)?.checked_add(i64::from(d - b'0'))
    })?;
    Some(if negative { -value } else { value })
}

/// The slow, sure reading of every update in a frame, which the fast one
/// ([`update_texts`], [`fast_update`]) is checked against.
fn full_updates(text: &str) -> Option<Vec<(i64, Option<i64>)>> {
    let mut frames = VecDeque::new();
    serde_json::from_str::<Wire>(text)
        .ok()?
        .flatten_into(&mut frames);
    Some(
        frames
            .into_iter()
            .filter_map(|f| match f {
                Frame::Update(u) => Some((u.seq, u.price)),
                _ => None,
            })
            .collect(),
    )
}

// ---------------------------------------------------------------- watchers

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
struct Board {
    /// The auction's `seq` before any bid.
    base: i64,
    arrivals: Vec<AtomicU32>,
    last_us: Vec<AtomicU64>,
    overflow: AtomicU64,
}

impl Board {
    fn new(base: i64, capacity: usize) -> Board {
        Board {
            base,
            arrivals: (0..capacity).map(|_| AtomicU32::new(0)).collect(),
            last_us: (0..capacity).map(|_| AtomicU64::new(0)).collect(),
            overflow: AtomicU64::new(0),
        }
    }

    fn slot(&self, seq: i64) -> Option<usize> {
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
struct View {
    seq: AtomicI64,
    price: AtomicI64,
    closed: AtomicBool,
}

/// Faults all watchers count together; any of them fails the run.
#[derive(Default)]
struct Faults {
    /// A `seq` more than one above the previous: updates went missing.
    gaps: AtomicU64,
    /// A `seq` at or below the previous.
    reordered: AtomicU64,
    price_fell: AtomicU64,
    /// The server closed the socket during the run.
    closed: AtomicU64,
    /// The fast reading disagreed with the full parse, or failed.
    unreadable: AtomicU64,
}

impl Faults {
    fn total(&self) -> u64 {
        self.gaps.load(Relaxed)
            + self.reordered.load(Relaxed)
            + self.price_fell.load(Relaxed)
            + self.closed.load(Relaxed)
            + self.unreadable.load(Relaxed)
    }
}

struct Watching {
    addr: SocketAddr,
    listing: i64,
    clock: Clock,
    board: Arc<Board>,
    faults: Arc<Faults>,
    gate: Arc<Semaphore>,
}

/// One anonymous watcher: joins, reports ready, then records every update
/// until aborted.
async fn watcher(w: Arc<Watching>, view: Arc<View>, ready: mpsc::Sender<Result<(), String>>) {
    let joined = async {
        let _turn = w.gate.acquire().await.map_err(|e| e.to_string())?;
        let mut ws = open(w.addr, None).await?;
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

// ---------------------------------------------------------------- bidders

/// An accepted bid as its bidder saw it.
#[derive(Debug, Clone, Copy)]
struct Accepted {
    amount: i64,
    price: i64,
    sent_us: u64,
    acked_us: u64,
    /// The update it made, once the bidder has seen it.
    seq: Option<i64>,
}

#[derive(Debug, Default)]
struct BidderReport {
    me: i64,
    accepted: Vec<Accepted>,
    too_low: u64,
    not_above_own_max: u64,
    /// Any other refusal or failure; fails the load test.
    errors: Vec<String>,
    /// Send → Ack of every bid, and of the accepted ones.
    ack_us: Vec<u64>,
    ack_accepted_us: Vec<u64>,
    /// A bid was sent and the socket died before its Ack (crash mode).
    in_flight: Option<i64>,
    closed: bool,
    last_ack_us: u64,
}

struct Bidding {
    listing: i64,
    clock: Clock,
    /// Stop bidding at this time; `None`: until the socket dies.
    stop_us: Option<u64>,
    spread: u64,
    increments: IncrementTable,
}

enum Frame {
    Update(Update),
    Ack(AckWire),
    Other,
}

/// The next frame (a batch's members one by one, kept in `pending`), `None`
/// once the socket is gone.
async fn next_frame(ws: &mut Ws, pending: &mut VecDeque<Frame>) -> Option<Result<Frame, String>> {
    loop {
        if let Some(frame) = pending.pop_front() {
            return Some(Ok(frame));
        }
        match ws.next().await {
            Some(Ok(Message::Text(text))) => {
                if !(text.starts_with(UPDATE_TAG)
                    || text.starts_with(STEP_TAG)
                    || text.starts_with(BATCH_TAG)
                    || text.starts_with(ACK_TAG))
                {
                    return Some(Ok(Frame::Other));
                }
                if let Err(e) = read_frame(&text, pending) {
                    return Some(Err(format!("{e}: {}", text.as_str())));
                }
            }
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return None,
        }
    }
}

/// Queues what a bidder needs of a frame: an Ack, or each update. Each is
/// read as a plain struct from where it starts, which skips the buffering
/// serde needs to read a tagged enum.
fn read_frame(text: &str, pending: &mut VecDeque<Frame>) -> serde_json::Result<()> {
    fn first<T: serde::de::DeserializeOwned>(text: &str) -> serde_json::Result<T> {
        // A batch's member runs on to the batch's end: read its value only.
        serde_json::Deserializer::from_str(text)
            .into_iter()
            .next()
            .unwrap_or_else(|| Err(serde::de::Error::custom("an empty member")))
    }
    if text.starts_with(ACK_TAG) {
        pending.push_back(Frame::Ack(serde_json::from_str(text)?));
        return Ok(());
    }
    for member in update_texts(text) {
        let update = if member.starts_with(UPDATE_TAG) {
            first::<UpdateWire>(member)?.into()
        } else {
            first::<StepWire>(member)?.into()
        };
        pending.push_back(Frame::Update(update));
    }
    Ok(())
}

/// A closed-loop bidder; see the file's header for its rules.
async fn bidder(mut ws: Ws, mut state: LiveState, me: i64, b: Arc<Bidding>) -> (BidderReport, Ws) {
    let mut report = BidderReport {
        me,
        ..BidderReport::default()
    };
    let mut pending = VecDeque::new();
    // This bidder's updates (by seq) not yet matched with an accepted Ack.
    let mut mine: VecDeque<i64> = VecDeque::new();
    let mut matched = 0;
    let mut retry: Option<i64> = None;
    let mut req: u32 = 0;
    let mut rng = 0x9E37_79B9_7F4A_7C15_u64 ^ (me as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let mut leading_since: Option<u64> = None;

    // Applies an update; pairs this bidder's updates with its accepted bids.
    // Updates queued before the Ack of this bidder's latest accepted bid come
    // after it, yet are older: they may only raise what the Ack taught.
    fn apply(
        update: Update,
        me: i64,
        state: &mut LiveState,
        mine: &mut VecDeque<i64>,
        report: &mut BidderReport,
        matched: &mut usize,
    ) {
        if update.bidder == Some(me) {
            mine.push_back(update.seq);
        }
        while *matched < report.accepted.len()
            && let Some(seq) = mine.pop_front()
        {
            report.accepted[*matched].seq = Some(seq);
            *matched += 1;
        }
        // A step's state comes with the later update of its batch.
        let Some(live) = update.live else { return };
        if live.seq <= state.seq {
            return;
        }
        if *matched < report.accepted.len() {
            state.seq = live.seq;
            state.price = state.price.max(live.price);
            state.min_bid = state.min_bid.max(live.min_bid);
            state.live = live.live;
            if state.leader != Some(me) {
                state.leader = live.leader;
            }
        } else {
            *state = live;
        }
    }

    'bidding: loop {
        let now = b.clock.us();
        if b.stop_us.is_some_and(|stop| now >= stop) || !state.live {
            break;
        }
        if retry.is_none() && state.leader == Some(me) {
            // Leading: wait for someone to outbid us rather than raise our
            // own maximum, unless nobody does for a second.
            let since = *leading_since.get_or_insert(now);
            if now - since < 1_000_000 {
                match timeout(
                    Duration::from_millis(100),
                    next_frame(&mut ws, &mut pending),
                )
                .await
                {
                    Err(_) | Ok(Some(Ok(Frame::Other))) => {}
                    Ok(Some(Ok(Frame::Update(u)))) => {
                        apply(u, me, &mut state, &mut mine, &mut report, &mut matched)
                    }
                    Ok(Some(Ok(Frame::Ack(a)))) => report
                        .errors
                        .push(format!("an Ack nobody asked for: {}", a.req)),
                    Ok(Some(Err(e))) => report.errors.push(e),
                    Ok(None) => {
                        report.closed = true;
                        break 'bidding;
                    }
                }
                continue;
            }
        }
        leading_since = None;
        let minimum = retry.take().unwrap_or(state.min_bid);
        let extra = if b.spread == 0 {
            0
        } else {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % (b.spread + 1)) as i64
        };
        let amount = minimum + extra * b.increments.step(minimum);
        req = req.wrapping_add(1);
        let sent = b.clock.us();
        if send(
            &mut ws,
            &ClientMsg::Bid {
                listing: b.listing,
                amount,
                req,
            },
        )
        .await
        .is_err()
        {
            report.closed = true;
            break;
        }
        report.in_flight = Some(amount);
        let ack = loop {
            match next_frame(&mut ws, &mut pending).await {
                Some(Ok(Frame::Ack(ack))) if ack.req == req => break ack,
                Some(Ok(Frame::Ack(ack))) => report
                    .errors
                    .push(format!("an Ack for {} while waiting for {req}", ack.req)),
                Some(Ok(Frame::Update(u))) => {
                    apply(u, me, &mut state, &mut mine, &mut report, &mut matched)
                }
                Some(Ok(Frame::Other)) => {}
                Some(Err(e)) => report.errors.push(e),
                None => {
                    report.closed = true;
                    break 'bidding;
                }
            }
        };
        report.in_flight = None;
        let at = b.clock.us();
        report.last_ack_us = at;
        report.ack_us.push(at - sent);
        match ack.result {
            Ok(Some(BidAck { price, leading, .. })) => {
                // The Ack comes before the update it made: act on it now, or
                // the next bid would go out against the stale state.
                state.price = state.price.max(price.minor);
                state.min_bid = state
                    .min_bid
                    .max(price.minor + b.increments.step(price.minor));
                if leading {
                    state.leader = Some(me);
                }
                report.ack_accepted_us.push(at - sent);
                report.accepted.push(Accepted {
                    amount,
                    price: price.minor,
                    sent_us: sent,
                    acked_us: at,
                    seq: None,
                });
                while matched < report.accepted.len()
                    && let Some(seq) = mine.pop_front()
                {
                    report.accepted[matched].seq = Some(seq);
                    matched += 1;
                }
            }
            Err(AppError::Bid(BidRefusal::TooLow { minimum })) => {
                report.too_low += 1;
                retry = Some(minimum);
            }
            Err(AppError::Bid(BidRefusal::NotAboveYourMax { .. })) => {
                // Leading after all: wait to be outbid, as a leader does.
                report.not_above_own_max += 1;
                state.leader = Some(me);
            }
            Ok(None) => report
                .errors
                .push("an accepted bid without its price".into()),
            Err(e) => {
                report
                    .errors
                    .push(format!("bid of {amount} refused: {e:?}"));
                if report.errors.len() > 20 {
                    break;
                }
            }
        }
    }
    // Until this bidder has seen the update of each of its accepted bids.
    if !report.closed {
        let drain = async {
            while matched < report.accepted.len() {
                match next_frame(&mut ws, &mut pending).await {
                    Some(Ok(Frame::Update(u))) => {
                        apply(u, me, &mut state, &mut mine, &mut report, &mut matched)
                    }
                    Some(_) => {}
                    None => {
                        report.closed = true;
                        break;
                    }
                }
            }
        };
        let _ = timeout(SETTLE_WAIT, drain).await;
    }
    (report, ws)
}

/// Opens, signs in and joins every bidder's socket, `CONNECTING` at a time.
async fn connect_bidders(
    addr: SocketAddr,
    listing: i64,
    bidders: &[BidderLine],
) -> Result<Vec<(Ws, LiveState, i64)>, String> {
    let gate = Arc::new(Semaphore::new(CONNECTING));
    let tasks: Vec<_> = bidders
        .iter()
        .map(|b| {
            let (gate, cookie, me) = (gate.clone(), b.cookie.clone(), b.bidder);
            tokio::spawn(async move {
                let _turn = gate.acquire().await.map_err(|e| e.to_string())?;
                let mut ws = open(addr, Some(&cookie)).await?;
                let state = join(&mut ws, listing).await?;
                Ok::<_, String>((ws, state, me))
            })
        })
        .collect();
    let mut joined = Vec::with_capacity(tasks.len());
    for task in tasks {
        joined.push(task.await.map_err(|e| e.to_string())??);
    }
    Ok(joined)
}

// ---------------------------------------------------------------- database checks

/// The auction as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Stored {
    seller_id: i64,
    phase: String,
    outcome: Option<String>,
    start_price: i64,
    reserve: Option<i64>,
    buy_now: Option<i64>,
    price: i64,
    leader_id: Option<i64>,
    leader_max: Option<i64>,
    second_max: Option<i64>,
    bids: i64,
    seq: i64,
}

async fn stored(pool: &SqlitePool, listing: i64) -> Result<Stored, String> {
    sqlx::query_as(
        "SELECT l.seller_id, a.phase, a.outcome, a.start_price, a.reserve, a.buy_now, a.price,
                a.leader_id, a.leader_max, a.second_max, a.bids, a.seq
           FROM auctions a JOIN listings l ON l.id = a.listing_id WHERE a.listing_id = ?",
    )
    .bind(listing)
    .fetch_one(pool)
    .await
    .map_err(|e| format!("reading auction {listing}: {e}"))
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct StoredBid {
    bidder_id: i64,
    amount: i64,
    price: i64,
    buy_now: bool,
    created_at: i64,
}

async fn stored_bids(pool: &SqlitePool, listing: i64) -> Result<Vec<StoredBid>, String> {
    sqlx::query_as(
        "SELECT bidder_id, amount, price, buy_now, created_at FROM bids
          WHERE listing_id = ? ORDER BY id",
    )
    .bind(listing)
    .fetch_all(pool)
    .await
    .map_err(|e| format!("reading bids: {e}"))
}

/// Replays the stored bids, in order, through the bid engine from an empty
/// book: each must be acceptable and give its stored price, and the result
/// must be the stored auction (price, leader, both maxima, count).
fn replay(auction: &Stored, bids: &[StoredBid], config: &Config) -> Result<(), String> {
    let terms = Terms {
        start_price: auction.start_price,
        reserve: auction.reserve,
        buy_now: auction.buy_now,
    };
    let mut state = Auction {
        seller: auction.seller_id,
        phase: Phase::Live,
        ends_at: i64::MAX / 2,
        terms,
        book: Book {
            leader: None,
            second_max: None,
            price: auction.start_price,
            bids: 0,
        },
    };
    let soft_close_ms = i64::try_from(config.soft_close.as_millis()).unwrap_or(i64::MAX);
    for (n, bid) in bids.iter().enumerate() {
        if bid.buy_now {
            return Err(format!("bid #{n} is a buy-it-now; none was made"));
        }
        let bidder = Bidder {
            id: bid.bidder_id,
            restricted: false,
        };
        let accepted = auction::place(
            &state,
            &config.increments,
            bidder,
            bid.amount,
            bid.created_at,
            soft_close_ms,
        )
        .map_err(|r| format!("stored bid #{n} ({bid:?}) would be refused: {r:?}"))?;
        if accepted.book.price != bid.price {
            return Err(format!(
                "stored bid #{n} ({bid:?}) should have made the price {}",
                accepted.book.price
            ));
        }
        state.book = accepted.book;
    }
    let book = state.book;
    let expected = (
        book.price,
        book.leader.map(|l| l.bidder),
        book.leader.map(|l| l.max),
        book.second_max,
        i64::from(book.bids),
    );
    let actual = (
        auction.price,
        auction.leader_id,
        auction.leader_max,
        auction.second_max,
        auction.bids,
    );
    if expected != actual {
        return Err(format!(
            "the stored auction (price, leader, leader's max, second max, bids) is {actual:?}; \
             its {} stored bids replay to {expected:?}",
            bids.len()
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------- figures

/// The `p`-th percentile (nearest rank) of sorted microseconds, in ms.
fn percentile_ms(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn now_ms() -> i64 {
    app::backend::platform::clock::now_ms()
}

// ---------------------------------------------------------------- load

async fn load(opts: &Opts) -> Result<(), String> {
    let (watchers, bidders) = (opts.watchers, opts.bidders);
    raise_fd_limit(watchers as u64 + bidders as u64 + 256)?;
    let ctx = Ctx::new(opts).await?;
    let outcome = load_run(opts, &ctx).await;
    ctx.finish(outcome.is_ok());
    outcome
}

async fn load_run(opts: &Opts, ctx: &Ctx) -> Result<(), String> {
    let (watcher_count, bidder_count) = (opts.watchers, opts.bidders);
    let config = ctx.config()?;
    // Long enough never to end during the run.
    let (auction, bidder_lines) = ctx.create_auction(bidder_count, 3_600).await?;
    let listing = auction.listing;
    let server = Server::start(ctx).await?;
    let idle = server.memory();
    let pool = ctx.db().await?;
    let before = stored(&pool, listing).await?;

    let clock = Clock(Instant::now());
    let capacity = usize::try_from(opts.seconds)
        .unwrap_or(usize::MAX / 50_000)
        .saturating_mul(50_000)
        .max(100_000);
    let watching = Arc::new(Watching {
        addr: ctx.addr,
        listing,
        clock,
        board: Arc::new(Board::new(before.seq, capacity)),
        faults: Arc::new(Faults::default()),
        gate: Arc::new(Semaphore::new(CONNECTING)),
    });
    let views: Vec<Arc<View>> = (0..watcher_count)
        .map(|_| Arc::new(View::default()))
        .collect();
    let (ready_tx, mut ready_rx) = mpsc::channel(watcher_count.max(1));
    let watcher_tasks: Vec<_> = views
        .iter()
        .map(|view| tokio::spawn(watcher(watching.clone(), view.clone(), ready_tx.clone())))
        .collect();
    drop(ready_tx);
    let connecting = Instant::now();
    for _ in 0..watcher_count {
        match ready_rx.recv().await {
            Some(Ok(())) => {}
            Some(Err(e)) => return Err(format!("a watcher could not join: {e}")),
            None => return Err("watchers stopped before joining".into()),
        }
    }
    let sockets = connect_bidders(ctx.addr, listing, &bidder_lines).await?;
    let connect_s = connecting.elapsed().as_secs_f64();
    // Let the join notices of the bidders reach every watcher first.
    sleep(Duration::from_millis(500)).await;
    let connected = server.memory();

    let cpu_before = (server.cpu(), cpu_of("self"));
    let start_us = clock.us();
    let bidding = Arc::new(Bidding {
        listing,
        clock,
        stop_us: Some(start_us + opts.seconds * 1_000_000),
        spread: opts.spread,
        increments: config.increments.clone(),
    });
    let bidder_tasks: Vec<_> = sockets
        .into_iter()
        .map(|(ws, state, me)| tokio::spawn(bidder(ws, state, me, bidding.clone())))
        .collect();
    let mut reports = Vec::with_capacity(bidder_tasks.len());
    let mut bidder_sockets = Vec::with_capacity(bidder_tasks.len());
    for task in bidder_tasks {
        let (report, ws) = task.await.map_err(|e| e.to_string())?;
        reports.push(report);
        bidder_sockets.push(ws);
    }
    let loaded = server.memory();
    let cpu_used = (
        server.cpu().saturating_sub(cpu_before.0),
        cpu_of("self").saturating_sub(cpu_before.1),
    );

    // Every watcher should now reach the stored state; wait until they all do.
    let after = stored(&pool, listing).await?;
    let settle = Instant::now();
    while settle.elapsed() < SETTLE_WAIT
        && views
            .iter()
            .any(|v| !v.closed.load(Relaxed) && v.seq.load(Relaxed) != after.seq)
    {
        sleep(Duration::from_millis(20)).await;
    }
    let after_settle = server.memory();
    for task in &watcher_tasks {
        task.abort();
    }
    drop(bidder_sockets);

    // Figures.
    let end_us = reports
        .iter()
        .map(|r| r.last_ack_us)
        .max()
        .unwrap_or(start_us);
    let span_s = (end_us.saturating_sub(start_us)) as f64 / 1e6;
    let accepted: usize = reports.iter().map(|r| r.accepted.len()).sum();
    let too_low: u64 = reports.iter().map(|r| r.too_low).sum();
    let own_max: u64 = reports.iter().map(|r| r.not_above_own_max).sum();
    let mut ack_all: Vec<u64> = reports
        .iter()
        .flat_map(|r| r.ack_us.iter().copied())
        .collect();
    let mut ack_ok: Vec<u64> = reports
        .iter()
        .flat_map(|r| r.ack_accepted_us.iter().copied())
        .collect();
    ack_all.sort_unstable();
    ack_ok.sort_unstable();
    let board = &watching.board;
    let mut fanout = Vec::with_capacity(accepted);
    // From the bidder's Ack to the last watcher: how far the fan-out trails
    // the Ack (0 when every watcher had it first).
    let mut after_ack = Vec::with_capacity(accepted);
    let (mut not_everywhere, mut unmatched) = (0usize, 0usize);
    let mut by_seq: Vec<(i64, i64)> = Vec::with_capacity(accepted);
    for bid in reports.iter().flat_map(|r| &r.accepted) {
        let Some(seq) = bid.seq else {
            unmatched += 1;
            continue;
        };
        by_seq.push((seq, bid.price));
        match board.slot(seq) {
            Some(i) if board.arrivals[i].load(Relaxed) as usize == watcher_count => {
                let last = board.last_us[i].load(Relaxed);
                fanout.push(last.saturating_sub(bid.sent_us));
                after_ack.push(last.saturating_sub(bid.acked_us));
            }
            _ => not_everywhere += 1,
        }
    }
    fanout.sort_unstable();
    after_ack.sort_unstable();

    // Checks.
    let mut failures: Vec<String> = Vec::new();
    let faults = &watching.faults;
    if faults.total() > 0 || board.overflow.load(Relaxed) > 0 {
        failures.push(format!(
            "watchers saw {} gaps, {} reordered updates, {} falling prices, {} unreadable frames, \
             {} closed sockets, {} updates beyond the board",
            faults.gaps.load(Relaxed),
            faults.reordered.load(Relaxed),
            faults.price_fell.load(Relaxed),
            faults.unreadable.load(Relaxed),
            faults.closed.load(Relaxed),
            board.overflow.load(Relaxed),
        ));
    }
    let differing = views
        .iter()
        .filter(|v| v.seq.load(Relaxed) != after.seq || v.price.load(Relaxed) != after.price)
        .count();
    if differing > 0 {
        failures.push(format!(
            "{differing} of {watcher_count} watchers did not end on the database's seq {} / price {}",
            after.seq, after.price
        ));
    }
    if not_everywhere > 0 || unmatched > 0 {
        failures.push(format!(
            "{not_everywhere} accepted bids did not reach every watcher; \
             {unmatched} never came back to their bidder as an update"
        ));
    }
    // Each accepted bid's price is the price of its update; in seq order they never fall,
    // and the last is the stored price.
    by_seq.sort_unstable();
    if by_seq
        .windows(2)
        .any(|w| w[1].0 == w[0].0 || w[1].1 < w[0].1)
    {
        failures.push("acknowledged prices fall (or two bids share an update) in seq order".into());
    }
    if let Some(&(_, last_price)) = by_seq.last()
        && last_price != after.price
    {
        failures.push(format!(
            "the last accepted bid's price {last_price} is not the stored {}",
            after.price
        ));
    }
    let errors: Vec<&String> = reports.iter().flat_map(|r| &r.errors).collect();
    if !errors.is_empty() {
        failures.push(format!(
            "{} unexpected answers, first: {}",
            errors.len(),
            errors[0]
        ));
    }
    if reports.iter().any(|r| r.closed) {
        failures.push("a bidder's socket closed during the run".into());
    }
    let rows = stored_bids(&pool, listing).await?;
    if rows.len() != accepted {
        failures.push(format!(
            "{accepted} bids were acknowledged but the bids table holds {}",
            rows.len()
        ));
    }
    if after.seq - before.seq != accepted as i64 {
        failures.push(format!(
            "the auction's seq rose by {} for {accepted} accepted bids",
            after.seq - before.seq
        ));
    }
    if let Err(e) = replay(&after, &rows, &config) {
        failures.push(e);
    }
    pool.close().await;
    server.stop().await;

    let per_s = |n: f64| if span_s > 0.0 { n / span_s } else { 0.0 };
    println!(
        "\nLive auction: {watcher_count} watchers + {bidder_count} closed-loop bidders, {}s of bidding \
         (spread {}), release binary on loopback",
        opts.seconds, opts.spread
    );
    println!("  sockets opened and joined in {connect_s:.1}s");
    println!(
        "  bids accepted        {accepted} ({:.0}/s)",
        per_s(accepted as f64)
    );
    println!(
        "  bids refused         {too_low} too low, retried at the new minimum ({:.0}/s); {own_max} not above own max",
        per_s(too_low as f64)
    );
    println!(
        "  bids answered        {} ({:.0}/s, accepted or refused)",
        ack_all.len(),
        per_s(ack_all.len() as f64)
    );
    println!(
        "  bid → ack            p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  (accepted only: p50 {:.2} ms  p99 {:.2} ms)",
        percentile_ms(&ack_all, 50.0),
        percentile_ms(&ack_all, 90.0),
        percentile_ms(&ack_all, 99.0),
        percentile_ms(&ack_ok, 50.0),
        percentile_ms(&ack_ok, 99.0),
    );
    println!(
        "  bid → all watchers   p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms  ({} accepted bids × {watcher_count} watchers)",
        percentile_ms(&fanout, 50.0),
        percentile_ms(&fanout, 90.0),
        percentile_ms(&fanout, 99.0),
        percentile_ms(&fanout, 100.0),
        fanout.len(),
    );
    println!(
        "  ack → all watchers   p50 {:.2} ms  p99 {:.2} ms  (how far the last watcher trails the bidder's Ack)",
        percentile_ms(&after_ack, 50.0),
        percentile_ms(&after_ack, 99.0),
    );
    println!(
        "  server RSS           idle {:.0} MB, sockets joined {:.0} MB, end of bidding {:.0} MB, settled {:.0} MB; peak {:.0} MB",
        mb(idle.rss_kb),
        mb(connected.rss_kb),
        mb(loaded.rss_kb),
        mb(after_settle.rss_kb),
        mb(after_settle.peak_kb.max(loaded.peak_kb)),
    );
    let busy = |cpu: Duration| {
        let share = if span_s > 0.0 {
            cpu.as_secs_f64() / span_s * 100.0
        } else {
            0.0
        };
        let per_bid = cpu.as_secs_f64() * 1e6 / (ack_all.len().max(1) as f64);
        format!(
            "{:.1} s ({share:.0}% of one core, {per_bid:.0} µs per bid answered)",
            cpu.as_secs_f64()
        )
    };
    println!(
        "  CPU while bidding    server {}; this load client {}",
        busy(cpu_used.0),
        busy(cpu_used.1)
    );
    let targets = if watcher_count >= 2000 {
        "holds (≥ 480 accepted bids/s), p99 bid → all watchers ≤ 100 ms, RSS ≤ 150 MB"
    } else {
        "≥ 480 accepted bids/s, p99 bid → all watchers ≤ 50 ms"
    };
    println!("  targets              {targets}; zero lost or out-of-order prices");
    if failures.is_empty() {
        println!(
            "  check                passed: every watcher ended on the stored seq {} and price {}; \
             no gaps, reordering or falling prices; {} stored bids = acknowledged, and they replay \
             to the stored auction",
            after.seq,
            after.price,
            rows.len()
        );
        Ok(())
    } else {
        for f in &failures {
            println!("  check                FAILED: {f}");
        }
        Err(failures.join("; "))
    }
}

// ---------------------------------------------------------------- crash

async fn crash(opts: &Opts) -> Result<(), String> {
    raise_fd_limit(opts.bidders as u64 + 256)?;
    let ctx = Ctx::new(opts).await?;
    let outcome = crash_run(opts, &ctx).await;
    ctx.finish(outcome.is_ok());
    outcome
}

async fn crash_run(opts: &Opts, ctx: &Ctx) -> Result<(), String> {
    let config = ctx.config()?;
    let (auction, bidder_lines) = ctx.create_auction(opts.bidders, 3_600).await?;
    let listing = auction.listing;
    // An auction ending a few seconds after the planned kill, so its end
    // passes while the server is down. It is made before the server starts:
    // under full bidding load the server holds SQLite's write lock almost
    // without a gap, and a second process would wait for it in vain.
    let (ending, _) = ctx.create_auction(0, opts.seconds + 6).await?;
    let mut server = Server::start(ctx).await?;
    let sockets = connect_bidders(ctx.addr, listing, &bidder_lines).await?;
    let clock = Clock(Instant::now());
    let bidding = Arc::new(Bidding {
        listing,
        clock,
        stop_us: None,
        spread: 0,
        increments: config.increments.clone(),
    });
    let tasks: Vec<_> = sockets
        .into_iter()
        .map(|(ws, state, me)| tokio::spawn(bidder(ws, state, me, bidding.clone())))
        .collect();
    sleep(Duration::from_secs(opts.seconds)).await;
    server.kill_hard().await?;
    let killed_at = now_ms();
    if killed_at >= ending.ends_at {
        return Err(format!(
            "inconclusive: the server was killed {} ms after auction {} ended",
            killed_at - ending.ends_at,
            ending.listing
        ));
    }
    let mut reports = Vec::with_capacity(tasks.len());
    for task in tasks {
        match timeout(Duration::from_secs(10), task).await {
            Ok(Ok((report, _))) => reports.push(report),
            Ok(Err(e)) => return Err(e.to_string()),
            Err(_) => return Err("a bidder did not notice the server dying".into()),
        }
    }
    let errors: Vec<&String> = reports.iter().flat_map(|r| &r.errors).collect();
    if let Some(first) = errors.first() {
        return Err(format!(
            "{} unexpected answers before the kill, first: {first}",
            errors.len()
        ));
    }
    let acked: usize = reports.iter().map(|r| r.accepted.len()).sum();
    let in_flight = reports.iter().filter(|r| r.in_flight.is_some()).count();
    if acked == 0 {
        return Err("no bid was acknowledged before the kill".into());
    }

    // With the server down: the second auction is still live.
    let pool = ctx.db().await?;
    let down = stored(&pool, ending.listing).await?;
    pool.close().await;
    if down.phase != "live" {
        return Err(format!(
            "auction {} was already {} before the kill: nothing left to test",
            ending.listing, down.phase
        ));
    }
    let wait = ending.ends_at + 500 - now_ms();
    if wait > 0 {
        sleep(Duration::from_millis(wait as u64)).await;
    }

    let server = Server::start(ctx).await?;
    let pool = ctx.db().await?;
    let mut failures: Vec<String> = Vec::new();
    // Checked as soon as the server answers: the start-up pass ends it, not the
    // scheduler's first tick.
    let ended = stored(&pool, ending.listing).await?;
    if ended.phase != "ended" {
        failures.push(format!(
            "auction {} ended while the server was down but is '{}' after restart",
            ending.listing, ended.phase
        ));
    }

    // Every acknowledged bid is stored (as bidder, amount and price); at most the
    // bids in flight at the kill may be stored without an acknowledgement.
    let rows = stored_bids(&pool, listing).await?;
    let mut unclaimed: HashMap<(i64, i64, i64), usize> = HashMap::new();
    for row in &rows {
        *unclaimed
            .entry((row.bidder_id, row.amount, row.price))
            .or_default() += 1;
    }
    let mut missing = Vec::new();
    for report in &reports {
        for bid in &report.accepted {
            match unclaimed.get_mut(&(report.me, bid.amount, bid.price)) {
                Some(n) if *n > 0 => *n -= 1,
                _ => missing.push((report.me, bid.amount, bid.price)),
            }
        }
    }
    if !missing.is_empty() {
        failures.push(format!(
            "{} acknowledged bids are not stored, e.g. (bidder, amount, price) {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        ));
    }
    let unacknowledged = rows.len().saturating_sub(acked);
    if unacknowledged > in_flight {
        failures.push(format!(
            "{unacknowledged} stored bids were never acknowledged, but only {in_flight} were in flight"
        ));
    }
    let after = stored(&pool, listing).await?;
    if let Err(e) = replay(&after, &rows, &config) {
        failures.push(e);
    }
    if let Some(last) = rows.last()
        && last.price != after.price
    {
        failures.push(format!(
            "the latest stored bid's price {} is not the auction's {}",
            last.price, after.price
        ));
    }

    // The restarted server takes bids again, from the same session.
    let again = async {
        let first = bidder_lines.first().ok_or("no bidders")?;
        let mut ws = open(ctx.addr, Some(&first.cookie)).await?;
        let state = join(&mut ws, listing).await?;
        let amount = if state.leader == Some(first.bidder) {
            after.leader_max.unwrap_or(state.min_bid) + config.increments.step(state.price)
        } else {
            state.min_bid
        };
        let bid = ClientMsg::Bid {
            listing,
            amount,
            req: 1,
        };
        send(&mut ws, &bid).await?;
        let mut pending = VecDeque::new();
        loop {
            match timeout(Duration::from_secs(10), next_frame(&mut ws, &mut pending)).await {
                Ok(Some(Ok(Frame::Ack(ack)))) if ack.req == 1 => {
                    return ack
                        .result
                        .map(|_| ())
                        .map_err(|e| format!("refused: {e:?}"));
                }
                Ok(Some(_)) => {}
                Ok(None) => return Err("the socket closed".to_string()),
                Err(_) => return Err("no Ack within 10 s".to_string()),
            }
        }
    }
    .await;
    let stored_after_restart = stored_bids(&pool, listing).await?.len();
    match again {
        Ok(()) if stored_after_restart == rows.len() + 1 => {}
        Ok(()) => failures.push("a bid after the restart was acknowledged but not stored".into()),
        Err(e) => failures.push(format!("bidding after the restart failed: {e}")),
    }
    pool.close().await;
    server.stop().await;

    println!(
        "\nCrash test: {} bidders on the release binary, kill -9 after {}s of bidding, restart on the same data",
        opts.bidders, opts.seconds
    );
    println!(
        "  before the kill      {acked} bids acknowledged, {in_flight} in flight when it died"
    );
    println!(
        "  after the restart    {} bids stored ({unacknowledged} of the in-flight ones among them); \
         auction price {} with bidder {:?} leading",
        rows.len(),
        after.price,
        after.leader_id
    );
    println!(
        "  overdue auction      {} (ended {} ms after the kill, server down) is '{}'{} at start-up",
        ending.listing,
        ending.ends_at - killed_at,
        ended.phase,
        ended
            .outcome
            .as_deref()
            .map(|o| format!(" ({o})"))
            .unwrap_or_default()
    );
    if failures.is_empty() {
        println!(
            "  check                passed: every acknowledged bid is stored, the stored bids replay \
             to the stored price and leader, the overdue auction ended at start-up, bidding resumed"
        );
        Ok(())
    } else {
        for f in &failures {
            println!("  check                FAILED: {f}");
        }
        Err(failures.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::{
        domain::money::{Currency, Money},
        model::{AuctionLive, BidLine, Participant},
        protocol::ServerMsg,
    };

    fn update(seq: i64, price: i64, bidder: Option<i64>) -> String {
        let money = |minor| Money::new(minor, Currency::Twd);
        let msg = ServerMsg::AuctionUpdate {
            live: AuctionLive {
                listing: 77,
                seq,
                phase: Phase::Live,
                outcome: None,
                price: money(price),
                bids: 3,
                leader: Some(Participant {
                    id: 5,
                    name: "seq 9 \"price\":{\"minor\":1}".into(),
                }),
                starts_at: 1,
                ends_at: 2,
                has_reserve: false,
                reserve_met: true,
                buy_now: None,
                min_bid: money(price + 10),
            },
            bid: bidder.map(|id| BidLine {
                id: 1,
                bidder: Participant {
                    id,
                    name: "x".into(),
                },
                price: money(price),
                at: 0,
                buy_now: false,
            }),
        };
        serde_json::to_string(&msg).unwrap()
    }

    #[test]
    fn the_fast_reading_agrees_with_the_wire_format() {
        for (seq, price) in [(1, 1000), (42, 7), (123_456, 98_765_432)] {
            let text = update(seq, price, Some(3));
            assert_eq!(fast_update(&text), Some((seq, Some(price))), "{text}");
            assert_eq!(full_updates(&text), Some(vec![(seq, Some(price))]));
            let Ok(Wire::AuctionUpdate(u)) = serde_json::from_str(&text) else {
                panic!("an update")
            };
            assert_eq!(u.bid.map(|b| b.bidder.id), Some(3));
            assert_eq!(u.live.state().min_bid, price + 10);
        }
        assert_eq!(
            fast_update(r#"{"type":"heartbeat","server_time_ms":1}"#),
            None
        );
        assert!(update(1, 1, None).starts_with(UPDATE_TAG));
    }

    #[test]
    fn a_batch_is_read_update_by_update() {
        let msg = |text: String| serde_json::from_str::<ServerMsg>(&text).unwrap();
        let batch = ServerMsg::Batch {
            msgs: vec![
                msg(update(6, 90, Some(3))).brief().unwrap(),
                msg(update(7, 100, None)).brief().unwrap(),
                ServerMsg::RoomPresence {
                    listing: 77,
                    watching: 2,
                    joined: Some(UPDATE_TAG.into()),
                    left: None,
                },
                msg(update(8, 110, None)),
            ],
        };
        let text = serde_json::to_string(&batch).unwrap();
        assert!(text.starts_with(BATCH_TAG));
        let fast: Vec<_> = update_texts(&text).filter_map(fast_update).collect();
        // A step tells the price its bid line made, and nothing without one.
        assert_eq!(fast, vec![(6, Some(90)), (7, None), (8, Some(110))]);
        assert_eq!(full_updates(&text), Some(fast));
        // The bidders' reading: who bid, and the state only where it is whole.
        let mut frames = VecDeque::new();
        read_frame(&text, &mut frames).unwrap();
        let read: Vec<_> = frames
            .iter()
            .map(|f| match f {
                Frame::Update(u) => (u.seq, u.bidder, u.price, u.live.map(|l| l.min_bid)),
                _ => panic!("only updates in a room's batch"),
            })
            .collect();
        assert_eq!(
            read,
            vec![
                (6, Some(3), Some(90), None),
                (7, None, None, None),
                (8, None, Some(110), Some(120)),
            ]
        );
        let refusal = ServerMsg::Ack {
            req: 4,
            result: Err(AppError::Bid(BidRefusal::TooLow { minimum: 130 })),
        };
        read_frame(&serde_json::to_string(&refusal).unwrap(), &mut frames).unwrap();
        assert!(matches!(
            frames.pop_back(),
            Some(Frame::Ack(AckWire {
                req: 4,
                result: Err(AppError::Bid(BidRefusal::TooLow { minimum: 130 }))
            }))
        ));
        // Anything else carries no update, even when a string quotes the tag.
        let chat = serde_json::to_string(&ServerMsg::Batch {
            msgs: vec![ServerMsg::Pong],
        })
        .unwrap();
        assert_eq!(update_texts(&chat).count(), 0);
        assert_eq!(
            update_texts(r#"{"type":"error","code":"bad_message"}"#).count(),
            0
        );
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<u64> = (1..=100).map(|ms| ms * 1000).collect();
        assert_eq!(percentile_ms(&v, 50.0), 50.0);
        assert_eq!(percentile_ms(&v, 99.0), 99.0);
        assert_eq!(percentile_ms(&v, 100.0), 100.0);
        assert!(percentile_ms(&[], 50.0).is_nan());
    }

    #[test]
    fn options() {
        let args = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        let o = Opts::parse(args("load --watchers 2000 --bidders 200 --seconds 5")).unwrap();
        assert_eq!(
            (o.mode, o.watchers, o.bidders, o.seconds),
            (Mode::Load, 2000, 200, 5)
        );
        let o = Opts::parse(args("crash --keep")).unwrap();
        assert_eq!(
            (o.mode, o.bidders, o.seconds, o.keep),
            (Mode::Crash, 20, 3, true)
        );
        assert!(Opts::parse(args("crash --watchers 5")).is_err());
        assert!(Opts::parse(args("load --bidders")).is_err());
        assert!(Opts::parse(args("fly")).is_err());
    }

    #[test]
    fn replay_matches_the_engine() {
        let config = Config::from_lookup(|_| None).unwrap();
        let bid = |bidder_id, amount, price| StoredBid {
            bidder_id,
            amount,
            price,
            buy_now: false,
            created_at: 0,
        };
        let mut auction = Stored {
            seller_id: 1,
            phase: "live".into(),
            outcome: None,
            start_price: 100,
            reserve: None,
            buy_now: None,
            price: 0,
            leader_id: None,
            leader_max: None,
            second_max: None,
            bids: 2,
            seq: 3,
        };
        let bids = [bid(2, 100, 100), bid(3, 500, 0)];
        let err = replay(&auction, &bids, &config).unwrap_err();
        assert!(err.contains("should have made the price"), "{err}");
        let step = config.increments.step(100);
        let bids = [bid(2, 100, 100), bid(3, 500, 100 + step)];
        auction.price = 100 + step;
        auction.leader_id = Some(3);
        auction.leader_max = Some(500);
        auction.second_max = Some(100);
        replay(&auction, &bids, &config).unwrap();
        auction.leader_id = Some(2);
        assert!(replay(&auction, &bids, &config).is_err());
    }
}
