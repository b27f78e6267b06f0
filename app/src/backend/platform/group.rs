//! Group commit. SQLite has one writer, and each small write spends most of
//! its time on the way in and out: beginning, committing, and a round trip
//! to the connection's thread for every statement, each with pool traffic
//! when many requests contend. Chat messages at a couple of thousand a
//! second, or payments at a few thousand, saturate the writer that way.
//!
//! So a write joins a queue, and whoever holds the writer's turn next runs
//! every waiting write on one connection in one transaction. Most writes
//! are kept, so they first run straight in it; if one is refused (an
//! overdraft, a blocked member's message) after it may have written, the
//! transaction is rolled back and the group runs again with each write in
//! its own savepoint, so the refused one is rolled back alone and the
//! others stand. (A write is therefore a function of its input that may
//! run twice; only what the committed run did counts.) After the commit
//! the kept writes' effects are applied in queue order, still under the
//! turn (so the tabs hear changes in the order they were stored), and only
//! then is each caller answered: nothing is acknowledged before it is
//! durable.
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
pub struct Writes(Arc<Mutex<VecDeque<Box<dyn Queued>>>>);

impl Writes {
    fn push(&self, write: Box<dyn Queued>) {
        if let Ok(mut queue) = self.0.lock() {
            queue.push_back(write);
        }
    }

    /// Writes waiting now.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.lock().map(|queue| queue.len()).unwrap_or(0)
    }

    fn take(&self) -> Vec<Box<dyn Queued>> {
        self.0
            .lock()
            .map(|mut queue| {
                let n = queue.len().min(GROUP);
                queue.drain(..n).collect()
            })
            .unwrap_or_default()
    }
}

/// A queued write, its types erased.
trait Queued: Send {
    /// Runs the write on `conn` (again, if its group starts over), keeping
    /// its outcome: whether it is to be kept.
    fn run<'c>(&'c mut self, conn: &'c mut SqliteConnection) -> BoxFuture<'c, bool>;
    /// What its change implies, once its group is committed.
    fn effects(&mut self) -> Vec<Effect>;
    fn now(&self) -> i64;
    /// Answers its caller: its outcome if the group was committed, as lost
    /// otherwise.
    fn answer(self: Box<Self>, committed: bool);
}

/// A write waiting for its group: its input, its work, and its outcome
/// once run.
struct Pending<I, T, F> {
    input: I,
    work: F,
    now: i64,
    outcome: Option<Result<Written<T>, AppError>>,
    reply: oneshot::Sender<Result<T, AppError>>,
}

/// A write's work: what it does with the group's connection and its
/// input (a name for the bound `write` and its queue entry share).
pub trait Work<I, T>:
    for<'c> Fn(&'c mut SqliteConnection, &'c I) -> BoxFuture<'c, Result<Written<T>, AppError>>
    + Send
    + 'static
{
}

impl<I, T, F> Work<I, T> for F where
    F: for<'c> Fn(&'c mut SqliteConnection, &'c I) -> BoxFuture<'c, Result<Written<T>, AppError>>
        + Send
        + 'static
{
}

impl<I, T, F> Queued for Pending<I, T, F>
where
    I: Send + Sync + 'static,
    T: Send + 'static,
    F: Work<I, T>,
{
    fn run<'c>(&'c mut self, conn: &'c mut SqliteConnection) -> BoxFuture<'c, bool> {
        Box::pin(async move {
            let outcome = (self.work)(conn, &self.input).await;
            let kept = outcome.is_ok();
            self.outcome = Some(outcome);
            kept
        })
    }

    fn effects(&mut self) -> Vec<Effect> {
        match &mut self.outcome {
            Some(Ok((_, effects))) => std::mem::take(effects),
            _ => Vec::new(),
        }
    }

    fn now(&self) -> i64 {
        self.now
    }

    fn answer(self: Box<Self>, committed: bool) {
        let result = match (committed, self.outcome) {
            (true, Some(Ok((answer, _)))) => Ok(answer),
            (true, Some(Err(e))) => Err(e),
            _ => Err(AppError::Internal),
        };
        let _ = self.reply.send(result);
    }
}

/// Runs `work` on `input` in the next group transaction and returns its
/// answer once that transaction is committed. An `Err` from `work` undoes
/// its own changes only; a write that must keep something and still
/// refuse (a wrong code counted) answers `Ok` with its refusal inside `T`.
/// `work` may run twice (see the module's notes): it takes what it needs
/// from `input` and the database only. `now` dates the effects. The caller
/// must not hold the writer's turn.
pub async fn write<I, T, F>(state: &AppState, now: i64, input: I, work: F) -> Result<T, AppError>
where
    I: Send + Sync + 'static,
    T: Send + 'static,
    F: Work<I, T>,
{
    let (reply, outcome) = oneshot::channel();
    state.writes.push(Box::new(Pending {
        input,
        work,
        now,
        outcome: None,
        reply,
    }));
    // Each write spawns one turn, so every queued write is taken by some
    // turn; most find the queue already empty.
    let turn = state.clone();
    tokio::spawn(async move { run_waiting(&turn).await });
    outcome.await.unwrap_or(Err(AppError::Internal))
}

/// Under the writer's turn: runs the waiting writes in one transaction,
/// applies the kept ones' effects, then answers every caller.
async fn run_waiting(state: &AppState) {
    let writing = db::write_turn().await;
    let mut group = state.writes.take();
    if group.is_empty() {
        return;
    }
    let committed = match run_group(state, &mut group).await {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(error = %e, writes = group.len(), "a group of writes failed");
            false
        }
    };
    if committed && let Some(now) = group.iter().map(|w| w.now()).max() {
        let follow: Vec<Effect> = group.iter_mut().flat_map(|w| w.effects()).collect();
        effects::apply(state, &follow, now).await;
    }
    drop(writing);
    for write in group {
        write.answer(committed);
    }
}

/// One transaction for `group`: every write straight in it, or (one was
/// refused) again from the start with each in its own savepoint.
async fn run_group(state: &AppState, group: &mut [Box<dyn Queued>]) -> Result<(), sqlx::Error> {
    let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
    let mut all_kept = true;
    for write in group.iter_mut() {
        if !write.run(&mut tx).await {
            all_kept = false;
            break;
        }
    }
    if all_kept {
        return tx.commit().await;
    }
    tx.rollback().await?;
    let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
    for write in group.iter_mut() {
        let mut savepoint = (&mut *tx).begin().await?;
        if write.run(&mut savepoint).await {
            savepoint.commit().await?;
        } else {
            savepoint.rollback().await?;
        }
    }
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{platform::db::testing::temp_db, testing::app_state};

    /// A write that stores `name` in a scratch table, then (if `refuse`)
    /// refuses after its insert.
    async fn store(state: &AppState, name: &'static str, refuse: bool) -> Result<i64, AppError> {
        write(state, 1, (), move |conn, _| {
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
