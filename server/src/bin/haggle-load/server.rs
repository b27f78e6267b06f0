//! The server under test: its data directory and environment, the
//! `haggle demo load-auction` CLI, and the running process.

use crate::opts::Opts;
use app::backend::platform::{config::Config, db};
use serde::Deserialize;
use sqlx::SqlitePool;
use std::{
    collections::HashMap,
    net::SocketAddr,
    path::PathBuf,
    process::Stdio,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    process::{Child, Command},
    time::{sleep, timeout},
};

/// One run's server: its binary, data directory and address.
pub(crate) struct Ctx {
    bin: PathBuf,
    site_root: PathBuf,
    data: PathBuf,
    pub(crate) addr: SocketAddr,
    room_writes: Option<u64>,
    /// Settings a mode changes on top of [`Ctx::env`]'s; `None` leaves the
    /// variable unset (the server's default).
    overrides: Vec<(&'static str, Option<String>)>,
    /// `RLIMIT_AS` of the server, in bytes.
    memory_cap: Option<u64>,
    keep: bool,
}

impl Ctx {
    pub(crate) async fn new(opts: &Opts) -> Result<Ctx, String> {
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
            overrides: Vec::new(),
            memory_cap: None,
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
            // Thousands of sockets from one address, bidders bidding as fast
            // as their acks come: what is measured is the bid path, not the
            // per-address and per-socket abuse limits (which stay on for
            // subscribes).
            ("HAGGLE_WS_PER_ADDRESS", "0".into()),
            ("HAGGLE_WS_MESSAGES_PER_SECOND", "0".into()),
            ("RUST_LOG", "warn".into()),
        ];
        if let Some(writes) = self.room_writes {
            env.push(("HAGGLE_ROOM_WRITES_PER_SECOND", writes.to_string()));
        }
        overridden(env, &self.overrides)
    }

    /// Sets (or, with `None`, unsets) one variable of the server's environment.
    pub(crate) fn set_env(&mut self, name: &'static str, value: Option<&str>) {
        self.overrides.retain(|(set, _)| *set != name);
        self.overrides.push((name, value.map(str::to_owned)));
    }

    /// Caps the address space of servers started from now on.
    pub(crate) fn cap_memory(&mut self, mb: u64) {
        self.memory_cap = (mb > 0).then(|| mb * 1024 * 1024);
    }

    /// The configuration the server runs with (for the bidding rules).
    pub(crate) fn config(&self) -> Result<Config, String> {
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

    pub(crate) async fn db(&self) -> Result<SqlitePool, String> {
        let url = format!("sqlite://{}", self.data.join("haggle.db").display());
        db::connect(&url)
            .await
            .map_err(|e| format!("opening the database: {e}"))
    }

    /// `haggle demo load-auction`: an auction live for `seconds` and its bidders.
    pub(crate) async fn create_auction(
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

    /// `haggle demo load-deals`: `rooms` negotiating orders, both sides signed in.
    pub(crate) async fn create_deals(&self, rooms: usize) -> Result<Vec<RoomLine>, String> {
        self.demo_lines(&["load-deals", "--rooms", &rooms.to_string()])
            .await
    }

    /// `haggle demo load-wallet`: `pairs` buyers and sellers, each pair with
    /// `orders` established orders and the buyer's balance to pay them.
    pub(crate) async fn create_wallets(
        &self,
        pairs: usize,
        orders: usize,
    ) -> Result<Vec<WalletLine>, String> {
        let (pairs, orders) = (pairs.to_string(), orders.to_string());
        self.demo_lines(&["load-wallet", "--pairs", &pairs, "--orders", &orders])
            .await
    }

    /// `haggle demo load-chat`: `conversations` with both members signed
    /// in, and `messages` spread over them.
    pub(crate) async fn create_chats(
        &self,
        conversations: usize,
        messages: u64,
    ) -> Result<Vec<ChatLine>, String> {
        let (conversations, messages) = (conversations.to_string(), messages.to_string());
        self.demo_lines(&[
            "load-chat",
            "--conversations",
            &conversations,
            "--messages",
            &messages,
        ])
        .await
    }

    /// Runs `haggle demo <args>` on this run's data and reads its JSON lines.
    async fn demo_lines<T: serde::de::DeserializeOwned>(
        &self,
        args: &[&str],
    ) -> Result<Vec<T>, String> {
        let out = self
            .command()
            .arg("demo")
            .args(args)
            .output()
            .await
            .map_err(|e| format!("running {}: {e}", self.bin.display()))?;
        if !out.status.success() {
            return Err(format!(
                "haggle demo {} failed ({}): {}",
                args[0],
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str::<T>(l).map_err(|e| format!("{l}: {e}")))
            .collect()
    }

    pub(crate) fn finish(&self, ok: bool) {
        if ok && !self.keep {
            let _ = std::fs::remove_dir_all(&self.data);
        } else {
            println!("  data and server log kept in {}", self.data.display());
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AuctionLine {
    pub(crate) listing: i64,
    pub(crate) ends_at: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct BidderLine {
    pub(crate) bidder: i64,
    pub(crate) username: String,
    pub(crate) cookie: String,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RoomLine {
    pub(crate) order: String,
    pub(crate) buyer_cookie: String,
    pub(crate) seller_cookie: String,
    pub(crate) price: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WalletLine {
    pub(crate) buyer_cookie: String,
    pub(crate) seller_cookie: String,
    /// Each order's public id and handover code.
    pub(crate) orders: Vec<(String, String)>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ChatLine {
    pub(crate) conversation: String,
    pub(crate) buyer: i64,
    pub(crate) seller: i64,
    pub(crate) buyer_cookie: String,
    pub(crate) seller_cookie: String,
}

pub(crate) struct Server {
    child: Child,
    pid: u32,
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Memory {
    pub(crate) rss_kb: u64,
    pub(crate) peak_kb: u64,
}

impl Server {
    /// Starts the server and waits until `/healthz` answers (which is after
    /// its start-up pass over due auctions).
    pub(crate) async fn start(ctx: &Ctx) -> Result<Server, String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(ctx.log())
            .map_err(|e| e.to_string())?;
        let err = log.try_clone().map_err(|e| e.to_string())?;
        let mut command = ctx.command();
        if let Some(cap) = ctx.memory_cap {
            // SAFETY: between fork and exec only setrlimit(2) runs, which is
            // async-signal-safe and touches nothing of the parent's.
            unsafe {
                command.pre_exec(move || {
                    let limit = libc::rlimit {
                        rlim_cur: cap,
                        rlim_max: cap,
                    };
                    if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    // A server that dies at the cap must not leave gigabytes
                    // of core behind.
                    let no_core = libc::rlimit {
                        rlim_cur: 0,
                        rlim_max: 0,
                    };
                    libc::setrlimit(libc::RLIMIT_CORE, &no_core);
                    Ok(())
                });
            }
        }
        let mut child = command
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

    pub(crate) fn pid(&self) -> u32 {
        self.pid
    }

    /// How the server ended, if it has.
    pub(crate) fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Starts VmHWM again from the current VmRSS (Linux ≥ 4.0), so that each
    /// scenario's peak is its own.
    pub(crate) fn reset_peak(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.pid), "5");
    }

    /// CPU time the server has used so far.
    pub(crate) fn cpu(&self) -> Duration {
        cpu_of(&self.pid.to_string())
    }

    /// VmRSS and VmHWM from /proc.
    pub(crate) fn memory(&self) -> Memory {
        memory_of(self.pid)
    }

    /// `kill -9`.
    pub(crate) async fn kill_hard(&mut self) -> Result<(), String> {
        self.child
            .start_kill()
            .map_err(|e| format!("kill -9: {e}"))?;
        self.child.wait().await.map_err(|e| e.to_string())?;
        Ok(())
    }

    /// SIGTERM, then SIGKILL if it does not stop within 10 s.
    pub(crate) async fn stop(mut self) {
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

/// `env` with each override applied in turn: set, or (`None`) removed.
fn overridden(
    mut env: Vec<(&'static str, String)>,
    overrides: &[(&'static str, Option<String>)],
) -> Vec<(&'static str, String)> {
    for &(name, ref value) in overrides {
        env.retain(|&(set, _)| set != name);
        if let Some(value) = value {
            env.push((name, value.clone()));
        }
    }
    env
}

/// VmRSS and VmHWM of process `pid` from /proc (zeros once it is gone).
pub(crate) fn memory_of(pid: u32) -> Memory {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
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

/// True when `GET /healthz` answers 200.
pub(crate) async fn healthy(addr: SocketAddr) -> bool {
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
pub(crate) fn raise_fd_limit(wanted: u64) -> Result<u64, String> {
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

/// User plus system CPU time of process `pid` (or `self`), from /proc.
pub(crate) fn cpu_of(pid: &str) -> Duration {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_replace_or_remove_settings() {
        let env = vec![("A", "1".to_owned()), ("B", "2".to_owned())];
        let overrides = [
            ("A", None),
            ("B", Some("3".to_owned())),
            ("C", Some("4".into())),
        ];
        assert_eq!(
            overridden(env, &overrides),
            vec![("B", "3".to_owned()), ("C", "4".to_owned())]
        );
    }
}
