//! Group commit. SQLite has one writer, and each small write spends most of
//! its time on the way in and out: beginning, committing, and a round trip
//! to the connection's thread for every statement, each with pool traffic
//! when many requests contend. Chat messages at a couple of thousand a
//! second, or payments at a few thousand, saturate the writer that way.
//!
//! So a write joins a queue, and whoever holds the writer's turn next runs
//! every waiting write on one connection in one transaction, each inside
//! its own savepoint: a write that fails (an overdraft, a refused message)
//! is rolled back alone and the others stand. After the commit the kept
//! writes' effects are applied in queue order, still under the turn (so the
//! tabs hear changes in the order they were stored), and only then is each
//! caller answered: nothing is acknowledged before it is durable.
//!
//! A write runs in its own task: a caller that goes away (a closed socket,
//! a dropped request) cannot cut short a transaction that holds other
//! members' writes, and a payment that was asked for is decided even if
//! nobody waits for the answer.

use super::db;
use crate::{
    backend::{
        AppState,
        effects::{self, Effect},
    },
    error::AppError,
};
use futures::future::BoxFuture;
use sqlx::{Acquire, SqliteConnection};
use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};
use tokio::sync::oneshot;

/// Most writes one transaction runs: a longer queue is left for the next
/// turn, so one commit (and the wait of the first in line) stays short.
const GROUP: usize = 256;

/// What a write leaves standing when it is kept: its caller's answer and
/// the effects of its change.
pub type Written<T> = (T, Vec<Effect>);

/// Writes waiting for the writer.
#[derive(Clone, Default)]
pub struct Writes(Arc<Mutex<VecDeque<Job>>>);

/// A queued write with its answer type erased: run it, then (once the
/// group's fate is known) answer its caller.
type Job = Box<dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Ran> + Send>;

/// A write that ran: what its commit implies, and how to answer its caller
/// once the group is committed (`true`) or lost (`false`).
struct Ran {
    effects: Vec<Effect>,
    now: i64,
    answer: Box<dyn FnOnce(bool) + Send>,
}

impl Writes {
    fn push(&self, job: Job) {
        if let Ok(mut queue) = self.0.lock() {
            queue.push_back(job);
        }
    }

    /// Writes waiting now.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.lock().map(|queue| queue.len()).unwrap_or(0)
    }

    fn take(&self) -> Vec<Job> {
        self.0
            .lock()
            .map(|mut queue| {
                let n = queue.len().min(GROUP);
                queue.drain(..n).collect()
            })
            .unwrap_or_default()
    }
}

/// Runs `work` in the next group transaction and returns its answer once
/// that transaction is committed. An `Err` from `work` rolls back its own
/// changes only; a write that must keep something and still refuse (a
/// wrong code counted) answers `Ok` with its refusal inside `T`. `now`
/// dates the effects. The caller must not hold the writer's turn.
pub async fn write<T, F>(state: &AppState, now: i64, work: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<Written<T>, AppError>>
        + Send
        + 'static,
{
    let (reply, outcome) = oneshot::channel();
    state.writes.push(job(move |conn| {
        Box::pin(async move {
            let (result, effects) = match in_savepoint(conn, work).await {
                Ok((answer, effects)) => (Ok(answer), effects),
                Err(e) => (Err(e), Vec::new()),
            };
            Ran {
                effects,
                now,
                answer: Box::new(move |committed| {
                    let _ = reply.send(if committed {
                        result
                    } else {
                        Err(AppError::Internal)
                    });
                }),
            }
        })
    }));
    // Each write spawns one turn, so every queued write is taken by some
    // turn; most find the queue already empty.
    let turn = state.clone();
    tokio::spawn(async move { run_waiting(&turn).await });
    outcome.await.unwrap_or(Err(AppError::Internal))
}

/// `f` as a queued job (a function, so the closure's signature is the one
/// `Job` names).
fn job<F>(f: F) -> Job
where
    F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Ran> + Send + 'static,
{
    Box::new(f)
}

/// `work` inside a savepoint of the group's transaction: released when it
/// answers `Ok`, rolled back otherwise.
async fn in_savepoint<T, F>(conn: &mut SqliteConnection, work: F) -> Result<Written<T>, AppError>
where
    F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<Written<T>, AppError>>,
{
    let mut savepoint = conn.begin().await?;
    let result = work(&mut savepoint).await;
    if result.is_ok() {
        savepoint.commit().await?;
    } else {
        savepoint.rollback().await?;
    }
    result
}

/// Under the writer's turn: runs the waiting writes in one transaction,
/// applies the kept ones' effects, then answers every caller.
async fn run_waiting(state: &AppState) {
    let writing = db::write_turn().await;
    let group = state.writes.take();
    if group.is_empty() {
        return;
    }
    let size = group.len();
    let (mut ran, committed) = match run_group(state, group).await {
        Ok(ran) => (ran, true),
        Err((ran, e)) => {
            tracing::error!(error = %e, writes = size, "a group of writes failed");
            (ran, false)
        }
    };
    if committed && let Some(now) = ran.iter().map(|r| r.now).max() {
        let follow: Vec<Effect> = ran
            .iter_mut()
            .flat_map(|r| std::mem::take(&mut r.effects))
            .collect();
        effects::apply(state, &follow, now).await;
    }
    drop(writing);
    for r in ran {
        (r.answer)(committed);
    }
}

/// One transaction for `group`. On failure, the writes that ran (to answer
/// them) with the error; writes never reached are answered by their
/// dropped reply, as lost.
async fn run_group(state: &AppState, group: Vec<Job>) -> Result<Vec<Ran>, (Vec<Ran>, sqlx::Error)> {
    let mut ran = Vec::with_capacity(group.len());
    let mut tx = match state.db.begin_with("BEGIN IMMEDIATE").await {
        Ok(tx) => tx,
        Err(e) => return Err((ran, e)),
    };
    for job in group {
        ran.push(job(&mut tx).await);
    }
    match tx.commit().await {
        Ok(()) => Ok(ran),
        Err(e) => Err((ran, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{platform::db::testing::temp_db, testing::app_state};

    /// A write that stores `name` in a scratch table, then (if `refuse`)
    /// refuses after its insert.
    async fn store(state: &AppState, name: &'static str, refuse: bool) -> Result<i64, AppError> {
        write(state, 1, move |conn| {
            Box::pin(async move {
                let id: i64 =
                    sqlx::query_scalar("INSERT INTO scratch (name) VALUES (?) RETURNING id")
                        .bind(name)
                        .fetch_one(&mut *conn)
                        .await?;
                if refuse {
                    return Err(AppError::Conflict);
                }
                Ok((id, Vec::new()))
            })
        })
        .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn waiting_writes_commit_together_and_a_refused_one_leaves_the_rest() {
        let (pool, dir) = temp_db().await;
        let state = app_state(&pool, &dir);
        sqlx::query("CREATE TABLE scratch (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            .execute(&pool)
            .await
            .unwrap();
        // While the writer is busy, three writes queue; the middle one
        // refuses after writing.
        let busy = db::write_turn().await;
        let tasks: Vec<_> = [("a", false), ("b", true), ("c", false)]
            .into_iter()
            .enumerate()
            .map(|(i, (name, refuse))| {
                let state = state.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(std::time::Duration::from_millis(20 * i as u64)).await;
                    store(&state, name, refuse).await
                })
            })
            .collect();
        while state.writes.len() < 3 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        // Nothing is answered before its group commits.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(tasks.iter().all(|t| !t.is_finished()));
        drop(busy);
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.unwrap());
        }
        assert_eq!(outcomes[1], Err(AppError::Conflict));
        let (a, c) = (outcomes[0].clone().unwrap(), outcomes[2].clone().unwrap());
        let names: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM scratch ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_eq!(names, vec![(a, "a".to_owned()), (c, "c".to_owned())]);
        assert_eq!(state.writes.len(), 0);
    }
}
