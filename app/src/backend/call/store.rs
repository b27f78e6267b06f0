//! The call area's SQL. Each function runs one statement on the executor it
//! is given (the caller's transaction) and decides nothing.
//!
//! A call's log line is a message of its conversation, written by the chat
//! area's statements (`chat::store::insert_call_line`, `bump_quietly`).

use crate::domain::{
    call::Outcome,
    id::{CallId, ConversationId, UserId},
};
use sqlx::SqliteExecutor;

/// A conversation as calls need it: its two members and what it is about.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConversationRow {
    pub id: ConversationId,
    pub public_id: String,
    pub buyer_id: UserId,
    pub seller_id: UserId,
    pub title: String,
    pub buyer_name: String,
    pub buyer_status: String,
    pub buyer_until: Option<i64>,
    pub seller_name: String,
    pub seller_status: String,
    pub seller_until: Option<i64>,
}

impl ConversationRow {
    /// Whether `user` is one of the two members.
    pub fn has(&self, user: UserId) -> bool {
        self.buyer_id == user || self.seller_id == user
    }

    /// The member who is not `user`.
    pub fn other(&self, user: UserId) -> UserId {
        if self.buyer_id == user {
            self.seller_id
        } else {
            self.buyer_id
        }
    }
}

const CONVERSATION: &str = "
    SELECT c.id, c.public_id, c.buyer_id, c.seller_id, l.title,
           b.nickname AS buyer_name, b.status AS buyer_status, b.suspended_until AS buyer_until,
           s.nickname AS seller_name, s.status AS seller_status, s.suspended_until AS seller_until
      FROM conversations c
      JOIN listings l ON l.id = c.listing_id
      JOIN users b ON b.id = c.buyer_id
      JOIN users s ON s.id = c.seller_id";

pub async fn load_conversation(
    ex: impl SqliteExecutor<'_>,
    public_id: &str,
) -> Result<Option<ConversationRow>, sqlx::Error> {
    sqlx::query_as(&format!("{CONVERSATION} WHERE c.public_id = ?"))
        .bind(public_id)
        .fetch_optional(ex)
        .await
}

pub async fn load_conversation_by_id(
    ex: impl SqliteExecutor<'_>,
    id: ConversationId,
) -> Result<Option<ConversationRow>, sqlx::Error> {
    sqlx::query_as(&format!("{CONVERSATION} WHERE c.id = ?"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// Whether either of `a` and `b` blocked the other.
pub async fn blocked_between(
    ex: impl SqliteExecutor<'_>,
    a: UserId,
    b: UserId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM blocks
                         WHERE (blocker_id = ?1 AND blocked_id = ?2)
                            OR (blocker_id = ?2 AND blocked_id = ?1))",
    )
    .bind(a)
    .bind(b)
    .fetch_one(ex)
    .await
}

/// A stored call.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallRow {
    pub id: CallId,
    pub conversation_id: ConversationId,
    pub caller_id: UserId,
    pub started_at: i64,
    pub answered_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub outcome: Option<String>,
}

const CALL: &str =
    "SELECT id, conversation_id, caller_id, started_at, answered_at, ended_at, outcome FROM calls";

/// The conversation's call that rings or runs, if any.
pub async fn open_call(
    ex: impl SqliteExecutor<'_>,
    conversation: ConversationId,
) -> Result<Option<CallRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{CALL} WHERE conversation_id = ? AND ended_at IS NULL"
    ))
    .bind(conversation)
    .fetch_optional(ex)
    .await
}

pub async fn load_call(
    ex: impl SqliteExecutor<'_>,
    call: CallId,
) -> Result<Option<CallRow>, sqlx::Error> {
    sqlx::query_as(&format!("{CALL} WHERE id = ?"))
        .bind(call)
        .fetch_optional(ex)
        .await
}

/// Starts a call; `None` when the conversation already has an open one
/// (the partial unique index `calls_open` decides, so two at once cannot
/// both ring).
pub async fn insert_call(
    ex: impl SqliteExecutor<'_>,
    conversation: ConversationId,
    caller: UserId,
    now: i64,
) -> Result<Option<CallId>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO calls (conversation_id, caller_id, started_at) VALUES (?, ?, ?)
         ON CONFLICT (conversation_id) WHERE ended_at IS NULL DO NOTHING
         RETURNING id",
    )
    .bind(conversation)
    .bind(caller)
    .bind(now)
    .fetch_optional(ex)
    .await
}

/// Marks a ringing call answered; 0 rows when it no longer rings.
pub async fn answer(
    ex: impl SqliteExecutor<'_>,
    call: CallId,
    at: i64,
) -> Result<u64, sqlx::Error> {
    sqlx::query(
        "UPDATE calls SET answered_at = ?
          WHERE id = ? AND answered_at IS NULL AND ended_at IS NULL",
    )
    .bind(at)
    .bind(call)
    .execute(ex)
    .await
    .map(|r| r.rows_affected())
}

/// Ends an open call that is still as it was decided on (answered or
/// not); 0 rows when it changed meanwhile.
pub async fn end(
    ex: impl SqliteExecutor<'_>,
    call: CallId,
    was_answered: bool,
    at: i64,
    outcome: Outcome,
) -> Result<u64, sqlx::Error> {
    sqlx::query(
        "UPDATE calls SET ended_at = ?, outcome = ?
          WHERE id = ? AND ended_at IS NULL AND (answered_at IS NOT NULL) = ?",
    )
    .bind(at)
    .bind(outcome.as_str())
    .bind(call)
    .bind(was_answered)
    .execute(ex)
    .await
    .map(|r| r.rows_affected())
}

/// Open calls whose ringing timed out (started at or before
/// `rang_since`) or that ran too long (answered at or before
/// `answered_since`).
pub async fn due_calls(
    ex: impl SqliteExecutor<'_>,
    rang_since: i64,
    answered_since: i64,
) -> Result<Vec<CallRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{CALL} WHERE ended_at IS NULL
            AND ((answered_at IS NULL AND started_at <= ?)
              OR (answered_at IS NOT NULL AND answered_at <= ?))
          ORDER BY id LIMIT 500"
    ))
    .bind(rang_since)
    .bind(answered_since)
    .fetch_all(ex)
    .await
}

/// The earliest start and answer of the open calls: when the next one may
/// fall due.
pub async fn earliest_open(
    ex: impl SqliteExecutor<'_>,
) -> Result<(Option<i64>, Option<i64>), sqlx::Error> {
    sqlx::query_as(
        "SELECT min(CASE WHEN answered_at IS NULL THEN started_at END), min(answered_at)
           FROM calls WHERE ended_at IS NULL",
    )
    .fetch_one(ex)
    .await
}

/// Calls ringing for `user` (a member, not the caller) that started after
/// `since` (earlier ones have rung out).
pub async fn ringing_for(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    since: i64,
) -> Result<Vec<CallRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT k.id, k.conversation_id, k.caller_id, k.started_at, k.answered_at, k.ended_at,
                k.outcome
           FROM calls k JOIN conversations c ON c.id = k.conversation_id
          WHERE k.ended_at IS NULL AND k.answered_at IS NULL AND k.started_at > ?2
            AND k.caller_id <> ?1 AND (c.buyer_id = ?1 OR c.seller_id = ?1)
          ORDER BY k.id LIMIT 10",
    )
    .bind(user)
    .bind(since)
    .fetch_all(ex)
    .await
}
