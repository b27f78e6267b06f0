//! `haggle-load crash`, its second part: `kill -9` while buyers pay orders
//! into escrow and sellers complete them (releasing the holds), then a
//! restart on the same data. Every acknowledged payment must be held or
//! released, every acknowledged completion released to the seller, no hold
//! half-settled, and the ledger sound (see [`haggle_server::load_ledger::check`]).

use crate::{
    http::{Call, send},
    opts::Opts,
    server::{Ctx, Server, WalletLine, healthy},
};
use std::{collections::HashMap, net::SocketAddr, time::Duration};
use tokio::time::{sleep, timeout};

/// Pairs of members paying at once, and orders between each pair.
const PAIRS: usize = 40;
const ORDERS: usize = 30;
/// How long payments run before the kill.
const BURST: Duration = Duration::from_millis(1_500);

pub(crate) async fn wallet_crash(opts: &Opts) -> Result<(), String> {
    let ctx = Ctx::new(opts).await?;
    let outcome = run(&ctx).await;
    ctx.finish(outcome.is_ok());
    outcome
}

/// What one pair's clients saw acknowledged before the server died.
#[derive(Default)]
struct Acked {
    paid: Vec<String>,
    completed: Vec<String>,
    errors: Vec<String>,
}

async fn run(ctx: &Ctx) -> Result<(), String> {
    let pairs = ctx.create_wallets(PAIRS, ORDERS).await?;
    let mut server = Server::start(ctx).await?;
    let tasks: Vec<_> = pairs
        .into_iter()
        .map(|pair| tokio::spawn(pay_and_complete(ctx.addr, pair)))
        .collect();
    sleep(BURST).await;
    server.kill_hard().await?;
    let mut acked = Vec::with_capacity(tasks.len());
    for task in tasks {
        match timeout(Duration::from_secs(10), task).await {
            Ok(Ok(report)) => acked.push(report),
            Ok(Err(e)) => return Err(e.to_string()),
            Err(_) => return Err("a paying client did not notice the server dying".into()),
        }
    }
    if let Some(first) = acked.iter().flat_map(|a| &a.errors).next() {
        return Err(format!("an unexpected answer before the kill: {first}"));
    }
    let paid: usize = acked.iter().map(|a| a.paid.len()).sum();
    let completed: usize = acked.iter().map(|a| a.completed.len()).sum();
    if paid == 0 || completed == 0 {
        return Err(format!(
            "inconclusive: {paid} payments and {completed} completions acknowledged before the kill"
        ));
    }

    let pool = ctx.db().await?;
    let mut failures = Vec::new();
    let check = haggle_server::load_ledger::check(&pool)
        .await
        .map_err(|e| e.to_string())?;
    if !check.sound() {
        failures.push(format!("the ledger is not sound after the kill: {check:?}"));
    }
    // Each order as stored: its state and its hold's (if any).
    let stored: HashMap<String, (String, Option<String>)> =
        sqlx::query_as::<_, (String, String, Option<String>)>(
            "SELECT o.public_id, o.state,
                (SELECT h.state FROM holds h WHERE h.order_id = o.id ORDER BY h.id DESC LIMIT 1)
           FROM orders o",
        )
        .fetch_all(&pool)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|(id, state, hold)| (id, (state, hold)))
        .collect();
    pool.close().await;
    let lost_payments: Vec<&String> = acked
        .iter()
        .flat_map(|a| &a.paid)
        .filter(
            |o| !matches!(stored.get(*o), Some((_, Some(h))) if h == "pending" || h == "posted"),
        )
        .collect();
    if !lost_payments.is_empty() {
        failures.push(format!(
            "{} acknowledged payments are not in escrow, e.g. {:?}",
            lost_payments.len(),
            &lost_payments[..lost_payments.len().min(3)]
        ));
    }
    let lost_completions: Vec<&String> = acked
        .iter()
        .flat_map(|a| &a.completed)
        .filter(
            |o| !matches!(stored.get(*o), Some((s, Some(h))) if s == "completed" && h == "posted"),
        )
        .collect();
    if !lost_completions.is_empty() {
        failures.push(format!(
            "{} acknowledged completions are not released to the seller, e.g. {:?}",
            lost_completions.len(),
            &lost_completions[..lost_completions.len().min(3)]
        ));
    }
    // Half-settled: an order and its hold that disagree.
    let half = stored
        .values()
        .filter(|(state, hold)| match hold.as_deref() {
            Some("posted") => state != "completed",
            Some("pending") => state != "established",
            _ => state == "completed",
        })
        .count();
    if half > 0 {
        failures.push(format!("{half} orders disagree with their hold"));
    }

    // The restarted server serves, and its start-up left the ledger sound.
    let server = Server::start(ctx).await?;
    let serves = healthy(ctx.addr).await;
    let pool = ctx.db().await?;
    let after = haggle_server::load_ledger::check(&pool)
        .await
        .map_err(|e| e.to_string())?;
    pool.close().await;
    server.stop().await;
    if !serves {
        failures.push("the restarted server does not answer /healthz".into());
    }
    if !after.sound() {
        failures.push(format!(
            "the ledger is not sound after the restart: {after:?}"
        ));
    }
    println!(
        "crash (wallet): {paid} payments into escrow and {completed} releases acknowledged \
         before kill -9; after restart every one is there, no hold half-settled, ledger sound: {}",
        failures.is_empty()
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

/// The buyer pays each order and the seller completes it, in turn, until
/// the server stops answering.
async fn pay_and_complete(addr: SocketAddr, pair: WalletLine) -> Acked {
    let mut acked = Acked::default();
    let limit = Duration::from_secs(5);
    for (order, code) in &pair.orders {
        let key = uuid::Uuid::new_v4().simple().to_string();
        let pay = Call::form("/api/order/pay", &[("order", order), ("key", &key)])
            .cookie(&pair.buyer_cookie);
        match send(addr, &pay, limit).await {
            Ok(answer) if answer.status == 200 => acked.paid.push(order.clone()),
            Ok(answer) => {
                acked
                    .errors
                    .push(format!("pay: {} {}", answer.status, answer.body));
                return acked;
            }
            Err(_) => return acked,
        }
        let complete = Call::form("/api/order/complete", &[("order", order), ("code", code)])
            .cookie(&pair.seller_cookie);
        match send(addr, &complete, limit).await {
            Ok(answer) if answer.status == 200 => acked.completed.push(order.clone()),
            Ok(answer) => {
                acked
                    .errors
                    .push(format!("complete: {} {}", answer.status, answer.body));
                return acked;
            }
            Err(_) => return acked,
        }
    }
    acked
}
