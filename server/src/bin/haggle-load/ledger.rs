//! `haggle-load ledger`: ledger transfers per second, then the ledger's
//! invariants (see [`haggle_server::load_ledger`]).

use crate::{figures::ms_text, opts::Opts};
use haggle_server::load_ledger::{Spec, run_in};
use std::time::Duration;

pub(crate) async fn ledger(opts: &Opts) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("haggle-ledger.{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let spec = Spec {
        accounts: opts.accounts,
        clients: opts.clients,
        duration: Duration::from_secs(opts.seconds),
    };
    let report = run_in(&dir, spec).await;
    let kept = opts.keep || !matches!(&report, Ok(r) if r.check.sound());
    if kept {
        println!("ledger: database kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let report = report.map_err(|e| format!("ledger run: {e}"))?;
    let per_second = report.transfers as f64 / report.elapsed.as_secs_f64();
    let l = &report.latencies_us;
    println!(
        "ledger: {} accounts, {} clients, {:.1} s: {} transfers ({per_second:.0}/s, target >= 3000/s), \
         {} payments refused for want of balance",
        spec.accounts,
        spec.clients,
        report.elapsed.as_secs_f64(),
        report.transfers,
        report.refused,
    );
    println!(
        "ledger: each write (asked to answered, its group committed) p50 {} ms, p99 {} ms, max {} ms",
        ms_text(l, 50.0, 2),
        ms_text(l, 99.0, 2),
        ms_text(l, 100.0, 2),
    );
    let c = &report.check;
    println!(
        "ledger check: {} accounts off their entries, balances sum to {}, {} below zero, {} holds off",
        c.drifted, c.sum, c.negative, c.bad_holds
    );
    if !c.sound() {
        return Err(format!("the ledger is not sound after the run: {c:?}"));
    }
    Ok(())
}
