//! `haggle-load`: load and crash tests of live auctions, and abuse tests,
//! against the release binary, over real WebSockets and HTTP on loopback.
//!
//! ```text
//! haggle-load load  [--watchers 1000] [--bidders 50] [--seconds 20] [--spread 20]
//! haggle-load crash [--bidders 20] [--seconds 3]
//! haggle-load abuse [--watchers 200] [--bidders 20] [--seconds 10] [--memory-cap 4096]
//! haggle-load deals [--rooms 1000] [--seconds 20]
//! haggle-load chat  [--conversations 1000] [--messages 1000000] [--seconds 20]
//! haggle-load ledger [--accounts 1000] [--clients 50] [--seconds 10]
//!   common: [--server target/release/haggle] [--site-root target/site] [--keep]
//! ```
//!
//! All start the server binary (by default the `haggle` next to this one) on
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
//! bid→every-watcher latency (see [`watchers::Board`]), the server's memory, and checks
//! that no watcher missed, reordered or saw a falling price, that every
//! watcher ends on the database's state, and that the `bids` table replays
//! to the stored auction.
//!
//! **crash** makes a second auction that ends six seconds after the planned
//! kill, drives bids, `kill -9`s the server mid-load, waits until that end has passed,
//! restarts the server on the same data, and checks that every acknowledged
//! bid is stored, that the stored bids replay to the auction's stored price
//! and leader, that the second auction was ended at start-up, and that the
//! restarted server takes bids again. Then, on fresh data, buyers pay
//! established orders into escrow and sellers complete them (releasing the
//! holds) until a second `kill -9`; after it every acknowledged payment and
//! release must be stored, no order may disagree with its hold, and the
//! ledger must be sound, before and after a restart.
//!
//! **abuse** runs issue 14's hostile scenarios (huge pictures, a burst of
//! sign-ups and log-ins, a subscribe flood under bidding, stalled
//! connections) and prints their figures against its targets; see
//! [`abuse`].
//!
//! **deals** opens both sides of `--rooms` negotiation rooms (two signed-in
//! sockets each, made by `haggle demo load-deals`); every seller changes the
//! price once a second for `--seconds`, and the buyer's socket times each
//! change's arrival. It prints edit → other side latency and the server's
//! memory, and checks that every edit was acknowledged and reached the buyer,
//! and that both sides of every room end on the stored state; see [`deals`].
//!
//! **chat** opens both members of `--conversations` conversations (two
//! signed-in sockets each, made with `--messages` messages spread over them
//! by `haggle demo load-chat`); every member sends a message a second for
//! `--seconds`. It prints send → other side latency, the server's memory and
//! CPU, and the latest page of one conversation read over HTTP, and checks
//! that every message was acknowledged and reached the other member and that
//! the stored messages and unread counts match what was sent; see [`chat`].
//!
//! **ledger** runs the wallet's ledger in-process on a fresh SQLite file (no
//! server): `--clients` concurrent payments between `--accounts` members,
//! each into an escrow hold and then released or refunded; it prints
//! transfers per second and transaction latency, and checks the ledger's
//! invariants afterwards; see [`haggle_server::load_ledger`].
//!
//! Exits non-zero with a message when a check fails (not when a performance
//! target is missed: those are printed next to the figures).

mod abuse;
mod bidders;
mod chat;
mod checks;
mod crash;
mod crash_wallet;
mod deals;
mod figures;
mod http;
mod ledger;
mod load;
mod opts;
mod pairs;
mod server;
mod socket;
mod watchers;
mod wire;

use crate::{
    abuse::abuse,
    chat::chat,
    crash::crash,
    deals::deals,
    ledger::ledger,
    load::load,
    opts::{Mode, Opts, USAGE},
};
use std::{process::ExitCode, time::Duration};

/// Sockets opening at once: enough to connect thousands quickly without
/// turning the server's accept queue into the bottleneck.
const CONNECTING: usize = 64;

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
            Mode::Abuse => abuse(&opts).await,
            Mode::Deals => deals(&opts).await,
            Mode::Chat => chat(&opts).await,
            Mode::Ledger => ledger(&opts).await,
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
