//! The command line.

use std::path::PathBuf;

pub(crate) const USAGE: &str =
    "usage: haggle-load load  [--watchers N] [--bidders N] [--seconds S] [--spread K]
       haggle-load crash [--bidders N] [--seconds S]
       haggle-load abuse [--watchers N] [--bidders N] [--seconds S] [--memory-cap MB]
       haggle-load deals [--rooms N] [--seconds S]
       haggle-load chat  [--conversations N] [--messages M] [--seconds S]
       haggle-load ledger [--accounts N] [--clients N] [--seconds S]
  common options: [--server PATH] [--site-root PATH] [--room-writes N] [--keep]";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Load,
    Crash,
    Abuse,
    Deals,
    Chat,
    Ledger,
}

#[derive(Debug, Clone)]
pub(crate) struct Opts {
    pub(crate) mode: Mode,
    pub(crate) watchers: usize,
    pub(crate) bidders: usize,
    pub(crate) seconds: u64,
    pub(crate) spread: u64,
    pub(crate) server: PathBuf,
    pub(crate) site_root: PathBuf,
    /// The server's `HAGGLE_ROOM_WRITES_PER_SECOND`; its default when `None`.
    pub(crate) room_writes: Option<u64>,
    /// Abuse mode: the server's address space is capped at this many MB
    /// (0: no cap), so that a server without bounds fails alone instead of
    /// taking the machine's memory from everything else.
    pub(crate) memory_cap_mb: u64,
    /// Deals mode: negotiation rooms (two sockets each).
    pub(crate) rooms: usize,
    /// Chat mode: conversations (two sockets each).
    pub(crate) conversations: usize,
    /// Chat mode: messages stored beforehand, spread over the conversations.
    pub(crate) messages: u64,
    /// Ledger mode: members with a wallet, and payments running at once.
    pub(crate) accounts: usize,
    pub(crate) clients: usize,
    pub(crate) keep: bool,
}

impl Opts {
    pub(crate) fn parse(args: Vec<String>) -> Result<Opts, String> {
        let mut args = args.into_iter();
        let mode = match args.next().as_deref() {
            Some("load") => Mode::Load,
            Some("crash") => Mode::Crash,
            Some("abuse") => Mode::Abuse,
            Some("deals") => Mode::Deals,
            Some("chat") => Mode::Chat,
            Some("ledger") => Mode::Ledger,
            Some(other) => return Err(format!("unknown mode {other:?}")),
            None => return Err("which mode?".into()),
        };
        let (watchers, bidders, seconds) = match mode {
            Mode::Load => (1000, 50, 20),
            Mode::Crash => (0, 20, 3),
            // The socket flood's bidding, twice: short enough for the whole
            // abuse run to stay near two minutes.
            Mode::Abuse => (200, 20, 10),
            Mode::Deals | Mode::Chat => (0, 1, 20),
            Mode::Ledger => (0, 1, 10),
        };
        let server = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join("haggle")))
            .unwrap_or_else(|| PathBuf::from("target/release/haggle"));
        let mut opts = Opts {
            mode,
            watchers,
            bidders,
            seconds,
            spread: 20,
            server,
            site_root: PathBuf::from("target/site"),
            room_writes: None,
            memory_cap_mb: 4096,
            rooms: 1000,
            conversations: 1000,
            messages: 1_000_000,
            accounts: 1000,
            clients: 50,
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
                "--watchers" if mode != Mode::Crash => opts.watchers = number()? as usize,
                "--bidders" => opts.bidders = number()? as usize,
                "--seconds" => opts.seconds = number()?,
                "--spread" if mode == Mode::Load => opts.spread = number()?,
                "--server" => opts.server = PathBuf::from(&value),
                "--site-root" => opts.site_root = PathBuf::from(&value),
                "--room-writes" => opts.room_writes = Some(number()?),
                "--memory-cap" if mode == Mode::Abuse => opts.memory_cap_mb = number()?,
                "--rooms" if mode == Mode::Deals => opts.rooms = number()? as usize,
                "--conversations" if mode == Mode::Chat => opts.conversations = number()? as usize,
                "--messages" if mode == Mode::Chat => opts.messages = number()?,
                "--accounts" if mode == Mode::Ledger => opts.accounts = number()? as usize,
                "--clients" if mode == Mode::Ledger => opts.clients = number()? as usize,
                _ => return Err(format!("unknown option {flag}")),
            }
        }
        if opts.bidders == 0 || opts.seconds == 0 {
            return Err("--bidders and --seconds must be at least 1".into());
        }
        Ok(opts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let o = Opts::parse(args("abuse --memory-cap 0")).unwrap();
        assert_eq!(
            (o.mode, o.watchers, o.bidders, o.seconds, o.memory_cap_mb),
            (Mode::Abuse, 200, 20, 10, 0)
        );
        assert!(Opts::parse(args("load --memory-cap 5")).is_err());
        let o = Opts::parse(args("deals --rooms 10 --seconds 3")).unwrap();
        assert_eq!((o.mode, o.rooms, o.seconds), (Mode::Deals, 10, 3));
        assert!(Opts::parse(args("load --rooms 5")).is_err());
        let o = Opts::parse(args("chat --conversations 10 --messages 500")).unwrap();
        assert_eq!(
            (o.mode, o.conversations, o.messages, o.seconds),
            (Mode::Chat, 10, 500, 20)
        );
        let o = Opts::parse(args("chat")).unwrap();
        assert_eq!((o.conversations, o.messages), (1000, 1_000_000));
        assert!(Opts::parse(args("deals --messages 5")).is_err());
        let o = Opts::parse(args("ledger --clients 8")).unwrap();
        assert_eq!(
            (o.mode, o.accounts, o.clients, o.seconds),
            (Mode::Ledger, 1000, 8, 10)
        );
        assert!(Opts::parse(args("chat --clients 5")).is_err());
        assert!(Opts::parse(args("load --bidders")).is_err());
        assert!(Opts::parse(args("fly")).is_err());
    }
}
