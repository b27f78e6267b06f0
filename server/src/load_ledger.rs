//! `haggle-load ledger`: the wallet's ledger under many concurrent payments,
//! in-process on a fresh SQLite file. `accounts` members (half buyers, half
//! sellers) are topped up from the provider's clearing account; then
//! `clients` tasks pay, each in a loop: a buyer's payment goes into a hold
//! (escrow's `hold_payment`), and the hold is then released to the seller
//! (or, one time in ten, refunded: `settle_hold`), each a write of its own
//! with its audit line, committed in the writer's group transactions
//! (`platform::group`) as the wallet's use cases are. Afterwards the ledger
//! is checked: every balance is the sum of its entries, all balances sum
//! to zero, no member is below zero, and every hold holds its amount while
//! pending and nothing once settled, with the transfers to match. Never
//! needed in production.

use crate::load_auction::{PairListing, pairs};
use app::{
    backend::{
        AppState,
        platform::{clock::now_ms, config::Config, group},
        wallet::{
            escrow::{hold_payment, settle_hold},
            store,
        },
    },
    domain::{
        id::UserId,
        wallet::{Account, Purpose, Settlement},
    },
    error::AppError,
};
use sqlx::SqlitePool;
use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Members with a wallet (rounded down to an even number).
    pub accounts: usize,
    /// Payments running at once.
    pub clients: usize,
    pub duration: Duration,
}

/// What a run did and what the ledger looked like after it.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Transfers posted while the clients ran (the top-ups before excluded).
    pub transfers: u64,
    /// Payments the buyer's balance did not cover (refused by the database).
    pub refused: u64,
    pub elapsed: Duration,
    /// Each write's time from asking to its answer (its group committed).
    pub latencies_us: Vec<u64>,
    pub check: Check,
}

/// The ledger's invariants, read after the run: every count is 0 and
/// `sum` is 0 in a sound ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Check {
    /// Accounts whose balance is not the sum of their entries.
    pub drifted: i64,
    /// All balances added up.
    pub sum: i64,
    /// Member or hold accounts below zero.
    pub negative: i64,
    /// Holds whose account, state and transfers disagree (a pending hold
    /// holds its amount by one transfer; a settled one holds nothing, by
    /// two).
    pub bad_holds: i64,
}

impl Check {
    pub fn sound(&self) -> bool {
        *self == Check::default()
    }
}

/// What each member is topped up with, minor units: enough for many
/// payments, so most are covered and some late ones are not.
const TOP_UP: i64 = 500_000;

/// Runs the benchmark on `state` (a migrated, empty database).
pub async fn run(state: &AppState, spec: Spec) -> Result<Report, Box<dyn std::error::Error>> {
    let members = members(&state.db, spec.accounts / 2).await?;
    let members = Arc::new(members);
    let transfers = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let stop = started + spec.duration;
    let mut tasks = Vec::with_capacity(spec.clients);
    for client in 0..spec.clients {
        let (state, members) = (state.clone(), members.clone());
        let (transfers, refused) = (transfers.clone(), refused.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut n = client;
            while Instant::now() < stop {
                // A spread over the pairs without a random source: client
                // `c`'s k-th payment is by buyer (c + k * clients) and to a
                // seller further along.
                let (buyer, _) = members[n % members.len()];
                let (_, seller) = members[(n * 7 + 3) % members.len()];
                let amount = 100 + (n as i64 * 37) % 5_000;
                let refund = n % 10 == 0;
                n += spec.clients.max(1);
                match payment(&state, buyer, seller, amount, refund, &mut latencies).await? {
                    Some(posted) => transfers.fetch_add(posted, Ordering::Relaxed),
                    None => refused.fetch_add(1, Ordering::Relaxed),
                };
            }
            Ok::<_, AppError>(latencies)
        }));
    }
    let mut latencies_us = Vec::new();
    for task in tasks {
        latencies_us.extend(task.await??);
    }
    let elapsed = started.elapsed();
    latencies_us.sort_unstable();
    Ok(Report {
        transfers: transfers.load(Ordering::Relaxed),
        refused: refused.load(Ordering::Relaxed),
        elapsed,
        latencies_us,
        check: check(&state.db).await?,
    })
}

/// `pairs` buyers and sellers, each buyer topped up.
async fn members(
    pool: &SqlitePool,
    count: usize,
) -> Result<Vec<(UserId, UserId)>, Box<dyn std::error::Error>> {
    let now = now_ms();
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let listing = PairListing {
        price: 1_000,
        stock: 1,
        status: "approved",
    };
    let rows = pairs(&mut tx, "ledger", count.max(1), listing, now).await?;
    let mut made = Vec::with_capacity(rows.len());
    for row in rows {
        let (buyer, seller) = (UserId(row.buyer), UserId(row.seller));
        for member in [buyer, seller] {
            store::post(
                &mut *tx,
                Account::Clearing,
                Account::Available(member),
                TOP_UP,
                Purpose::TopUp,
                None,
                now,
            )
            .await?;
        }
        made.push((buyer, seller));
    }
    tx.commit().await?;
    Ok(made)
}

/// One payment: into a hold, then released to the seller (or refunded).
/// `None` when the buyer's balance did not cover it (nothing moved).
async fn payment(
    state: &AppState,
    buyer: UserId,
    seller: UserId,
    amount: i64,
    refund: bool,
    latencies: &mut Vec<u64>,
) -> Result<Option<u64>, AppError> {
    let asked = Instant::now();
    let now = now_ms();
    let paid = group::write(state, now, (), move |conn, _| {
        Box::pin(async move {
            match hold_payment(conn, buyer, seller, None, amount, "bench", now).await {
                Ok(hold) => Ok((Some(hold), Vec::new())),
                // Refused: this write's savepoint is rolled back.
                Err(e) if store::is_overdraft(&e) => Err(AppError::Conflict),
                Err(e) => Err(e.into()),
            }
        })
    })
    .await;
    let hold = match paid {
        Ok(Some(hold)) => hold,
        Ok(None) | Err(AppError::Conflict) => return Ok(None),
        Err(e) => return Err(e),
    };
    latencies.push(asked.elapsed().as_micros() as u64);
    let asked = Instant::now();
    let how = if refund {
        Settlement::Refund
    } else {
        Settlement::Release
    };
    let currency = state.config.currency;
    let now = now_ms();
    group::write(state, now, (), move |conn, _| {
        Box::pin(async move {
            let row = store::load_hold(&mut *conn, hold)
                .await?
                .ok_or(AppError::NotFound)?;
            let settled = settle_hold(conn, &row, how, None, "bench", currency, now).await?;
            Ok((settled, Vec::new()))
        })
    })
    .await?;
    latencies.push(asked.elapsed().as_micros() as u64);
    Ok(Some(2))
}

/// Reads the ledger's invariants.
pub async fn check(pool: &SqlitePool) -> Result<Check, sqlx::Error> {
    let (drifted, sum) = store::audit(pool).await?;
    let (negative, bad_holds) = store::hold_and_balance_faults(pool).await?;
    Ok(Check {
        drifted,
        sum,
        negative,
        bad_holds,
    })
}

/// Prepares a server's state on a fresh data directory `dir` (its
/// database included) and runs the benchmark on it.
pub async fn run_in(
    dir: &std::path::Path,
    spec: Spec,
) -> Result<Report, Box<dyn std::error::Error>> {
    let data = dir.to_string_lossy().into_owned();
    let config = Config::from_lookup(|name| (name == "HAGGLE_DATA_DIR").then(|| data.clone()))?;
    let state = crate::prepare(config).await?;
    let report = run(&state, spec).await;
    state.db.close().await;
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_short_run_moves_money_and_leaves_a_sound_ledger() {
        let dir = tempfile::tempdir().unwrap();
        let spec = Spec {
            accounts: 20,
            clients: 4,
            duration: Duration::from_millis(300),
        };
        let report = run_in(dir.path(), spec).await.unwrap();
        assert!(report.transfers > 0, "{report:?}");
        assert_eq!(report.transfers % 2, 0, "every payment posts two transfers");
        assert!(report.check.sound(), "{:?}", report.check);
    }
}
