//! The wallet area's SQL. Each function runs on the executor it is given
//! (the caller's transaction). The ledger's rules live in the schema too
//! (`migrations/20261210000001_wallet.sql`): posting a transfer writes its
//! two entries and moves both balances in one statement, a member's balance
//! CHECK refuses an overdraft, and entries cannot be updated or deleted.

use crate::domain::{
    id::{HoldId, OrderId, TransferId, UserId},
    wallet::{Account, HoldState, Purpose},
};
use sqlx::{SqliteConnection, SqliteExecutor};

/// How to find `account`'s row: its key (the member or the hold; none for
/// a platform account) and the statements that read its id and its
/// balance. Each names its `kind` literally, so SQLite searches that
/// kind's partial unique index: with the kind bound as a parameter it
/// cannot prove the index applies and scanned every account, holds
/// included, on each lookup. Every account exists before it is used: the
/// platform's from the migration, a member's and a hold's made with their
/// row by the database.
struct Locator {
    key: Option<i64>,
    id: &'static str,
    balance: &'static str,
}

fn locate(account: Account) -> Locator {
    match account {
        Account::Available(user) => Locator {
            key: Some(user.get()),
            id: "SELECT id FROM ledger_accounts WHERE kind = 'available' AND user_id = ?",
            balance: "SELECT COALESCE((SELECT balance FROM ledger_accounts
                                        WHERE kind = 'available' AND user_id = ?), 0)",
        },
        Account::Held(hold) => Locator {
            key: Some(hold.get()),
            id: "SELECT id FROM ledger_accounts WHERE kind = 'held' AND hold_id = ?",
            balance: "SELECT COALESCE((SELECT balance FROM ledger_accounts
                                        WHERE kind = 'held' AND hold_id = ?), 0)",
        },
        Account::Clearing => Locator {
            key: None,
            id: "SELECT id FROM ledger_accounts WHERE kind = 'clearing'",
            balance: "SELECT COALESCE((SELECT balance FROM ledger_accounts
                                        WHERE kind = 'clearing'), 0)",
        },
        Account::Fees => Locator {
            key: None,
            id: "SELECT id FROM ledger_accounts WHERE kind = 'fees'",
            balance: "SELECT COALESCE((SELECT balance FROM ledger_accounts
                                        WHERE kind = 'fees'), 0)",
        },
    }
}

/// The ledger account row for `account`.
pub async fn account_id(ex: impl SqliteExecutor<'_>, account: Account) -> Result<i64, sqlx::Error> {
    let at = locate(account);
    keyed(ex, at.id, at.key)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// What `account` holds (0 for an account never used).
pub async fn balance(ex: impl SqliteExecutor<'_>, account: Account) -> Result<i64, sqlx::Error> {
    let at = locate(account);
    keyed(ex, at.balance, at.key)
        .await
        .map(Option::unwrap_or_default)
}

/// Runs `sql`, binding `key` when the account has one, for one number.
async fn keyed(
    ex: impl SqliteExecutor<'_>,
    sql: &'static str,
    key: Option<i64>,
) -> Result<Option<i64>, sqlx::Error> {
    let query = sqlx::query_scalar(sql);
    match key {
        Some(key) => query.bind(key).fetch_optional(ex).await,
        None => query.fetch_optional(ex).await,
    }
}

/// Whether `e` is the database refusing a balance below zero.
pub fn is_overdraft(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.message().contains("CHECK constraint failed"))
}

/// The statement that posts a transfer from `from` to `to`, finding both
/// accounts itself (a missing one is a NULL the schema refuses), and its
/// accounts' keys to bind first. Built from the two kinds' literal lookups
/// only (no value is ever spliced in); each connection keeps the few
/// shapes prepared.
fn transfer_sql(from: Account, to: Account) -> (String, [Option<i64>; 2]) {
    let (from, to) = (locate(from), locate(to));
    let sql = format!(
        "INSERT INTO transfers (from_account, to_account, amount, purpose, hold_id, created_at)
         VALUES (({}), ({}), ?, ?, ?, ?)",
        from.id, to.id
    );
    (sql, [from.key, to.key])
}

/// Posts one transfer of `amount` (minor units) from `from` to `to`: its
/// entries and both balances move with it, or (an overdraft) nothing does.
/// One statement. Money a member moves goes through [`post_audited`]; this
/// bare form sets up balances in tests and load runs.
pub async fn post(
    ex: impl SqliteExecutor<'_>,
    from: Account,
    to: Account,
    amount: i64,
    purpose: Purpose,
    hold: Option<HoldId>,
    now: i64,
) -> Result<TransferId, sqlx::Error> {
    let (sql, keys) = transfer_sql(from, to);
    let sql = format!("{sql} RETURNING id");
    let mut query = sqlx::query_scalar(&sql);
    for key in keys.into_iter().flatten() {
        query = query.bind(key);
    }
    query
        .bind(amount)
        .bind(purpose.as_str())
        .bind(hold)
        .bind(now)
        .fetch_one(ex)
        .await
}

/// A movement of money and who made it why, for [`post_audited`].
pub struct Posting<'a> {
    pub from: Account,
    pub to: Account,
    pub amount: i64,
    pub purpose: Purpose,
    pub hold: Option<HoldId>,
    /// Who moved it (none for the platform or the provider), and why.
    pub actor: Option<UserId>,
    pub action: &'a str,
    pub detail: &'a str,
}

/// Posts `posting` as [`post`] does, with its audit line, in one round trip to the database: two statements in one
/// query, the audit naming the transfer just inserted.
pub async fn post_audited(
    ex: impl SqliteExecutor<'_>,
    posting: Posting<'_>,
    now: i64,
) -> Result<TransferId, sqlx::Error> {
    let (sql, keys) = transfer_sql(posting.from, posting.to);
    let sql = format!(
        "{sql};
         INSERT INTO wallet_audit (actor_id, action, transfer_id, detail, created_at)
         VALUES (?, ?, last_insert_rowid(), ?, ?) RETURNING transfer_id"
    );
    let mut query = sqlx::query_scalar(&sql);
    for key in keys.into_iter().flatten() {
        query = query.bind(key);
    }
    // `fetch_all`, not `fetch_one`: the driver stops a query at its first
    // row, and every statement must run.
    let ids: Vec<TransferId> = query
        .bind(posting.amount)
        .bind(posting.purpose.as_str())
        .bind(posting.hold)
        .bind(now)
        .bind(posting.actor)
        .bind(posting.action)
        .bind(posting.detail)
        .bind(now)
        .fetch_all(ex)
        .await?;
    ids.into_iter().next().ok_or(sqlx::Error::RowNotFound)
}

/// A hold as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HoldRow {
    pub id: HoldId,
    pub buyer_id: UserId,
    pub seller_id: UserId,
    pub order_id: Option<OrderId>,
    pub amount: i64,
    pub state: String,
}

pub async fn insert_hold(
    ex: impl SqliteExecutor<'_>,
    buyer: UserId,
    seller: UserId,
    order: Option<OrderId>,
    amount: i64,
    now: i64,
) -> Result<HoldId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO holds (buyer_id, seller_id, order_id, amount, created_at)
         VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(buyer)
    .bind(seller)
    .bind(order)
    .bind(amount)
    .bind(now)
    .fetch_one(ex)
    .await
}

pub async fn load_hold(
    ex: impl SqliteExecutor<'_>,
    id: HoldId,
) -> Result<Option<HoldRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, buyer_id, seller_id, order_id, amount, state FROM holds WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// The order's hold still in escrow, if any.
pub async fn pending_hold_of_order(
    ex: impl SqliteExecutor<'_>,
    order: OrderId,
) -> Result<Option<HoldRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, buyer_id, seller_id, order_id, amount, state FROM holds
          WHERE order_id = ? AND state = 'pending'",
    )
    .bind(order)
    .fetch_optional(ex)
    .await
}

/// The order's hold as the room shows it: the one in escrow or released
/// (at most one, by a unique index), else the latest refunded one.
pub async fn hold_of_order(
    ex: impl SqliteExecutor<'_>,
    order: OrderId,
) -> Result<Option<HoldRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, buyer_id, seller_id, order_id, amount, state FROM holds
          WHERE order_id = ? ORDER BY state = 'voided', id DESC LIMIT 1",
    )
    .bind(order)
    .fetch_optional(ex)
    .await
}

/// Moves a pending hold to `state`; false when it was already settled (by a
/// concurrent settlement, say), which changes nothing.
pub async fn settle_hold(
    ex: impl SqliteExecutor<'_>,
    id: HoldId,
    state: HoldState,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE holds SET state = ?, settled_at = ? WHERE id = ? AND state = 'pending'",
    )
    .bind(state.as_str())
    .bind(now)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Accounts whose balance is not the sum of their entries, and the sum of
/// every balance (0 in a sound ledger): what a check after a crash or a
/// benchmark reads.
pub async fn audit(ex: impl SqliteExecutor<'_>) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM ledger_accounts a
                  WHERE a.balance <> (SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e
                                       WHERE e.account_id = a.id)),
                (SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts)",
    )
    .fetch_one(ex)
    .await
}

/// Member and hold accounts below zero, and holds whose account, state and
/// transfers disagree (pending: its amount, by one transfer; settled:
/// nothing, by two): with [`audit`], what a check after a crash or a
/// benchmark reads.
pub async fn hold_and_balance_faults(
    ex: impl SqliteExecutor<'_>,
) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM ledger_accounts WHERE kind <> 'clearing' AND balance < 0),
                (SELECT count(*) FROM holds h
                   LEFT JOIN ledger_accounts a ON a.kind = 'held' AND a.hold_id = h.id
                  WHERE COALESCE(a.balance, 0) <> CASE h.state WHEN 'pending' THEN h.amount ELSE 0 END
                     OR (SELECT count(*) FROM transfers t WHERE t.hold_id = h.id)
                        <> CASE h.state WHEN 'pending' THEN 1 ELSE 2 END)",
    )
    .fetch_one(ex)
    .await
}

/// What an idempotency key says about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First use: the caller decides and stores the outcome.
    New,
    /// Used before for the same request: its stored outcome.
    Replay(String),
    /// Used before for another request (other parameters), or the first
    /// request's outcome is not stored yet.
    Refused,
}

/// Claims `key` for `user`'s request with `fingerprint`, forgetting keys
/// older than `expired_before` first.
pub async fn claim(
    conn: &mut SqliteConnection,
    user: UserId,
    key: &str,
    fingerprint: &str,
    now: i64,
    expired_before: i64,
) -> Result<Claim, sqlx::Error> {
    sqlx::query("DELETE FROM money_requests WHERE user_id = ? AND key = ? AND created_at < ?")
        .bind(user)
        .bind(key)
        .bind(expired_before)
        .execute(&mut *conn)
        .await?;
    let made = sqlx::query(
        "INSERT INTO money_requests (user_id, key, fingerprint, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT DO NOTHING",
    )
    .bind(user)
    .bind(key)
    .bind(fingerprint)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if made.rows_affected() == 1 {
        return Ok(Claim::New);
    }
    let (stored, outcome): (String, Option<String>) = sqlx::query_as(
        "SELECT fingerprint, outcome FROM money_requests WHERE user_id = ? AND key = ?",
    )
    .bind(user)
    .bind(key)
    .fetch_one(&mut *conn)
    .await?;
    Ok(match outcome {
        Some(outcome) if stored == fingerprint => Claim::Replay(outcome),
        _ => Claim::Refused,
    })
}

/// Stores the outcome a claimed key answers with from now on.
pub async fn answer(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    key: &str,
    outcome: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE money_requests SET outcome = ? WHERE user_id = ? AND key = ?")
        .bind(outcome)
        .bind(user)
        .bind(key)
        .execute(ex)
        .await
        .map(|_| ())
}

/// A top-up as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TopUpRow {
    pub id: i64,
    pub public_id: String,
    pub user_id: UserId,
    pub amount: i64,
    pub card_last4: String,
    pub state: String,
    pub created_at: i64,
}

pub async fn insert_top_up(
    ex: impl SqliteExecutor<'_>,
    public_id: &str,
    user: UserId,
    amount: i64,
    card_last4: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO top_ups (public_id, user_id, amount, card_last4, created_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(public_id)
    .bind(user)
    .bind(amount)
    .bind(card_last4)
    .bind(now)
    .execute(ex)
    .await
    .map(|_| ())
}

pub async fn load_top_up(
    ex: impl SqliteExecutor<'_>,
    public_id: &str,
) -> Result<Option<TopUpRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, public_id, user_id, amount, card_last4, state, created_at
           FROM top_ups WHERE public_id = ?",
    )
    .bind(public_id)
    .fetch_optional(ex)
    .await
}

/// Decides a pending top-up (`transfer`: the credit of a succeeded one).
pub async fn decide_top_up(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    state: &str,
    transfer: Option<TransferId>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE top_ups SET state = ?, transfer_id = ?, decided_at = ?
          WHERE id = ? AND state = 'pending'",
    )
    .bind(state)
    .bind(transfer)
    .bind(now)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a provider event; false when it was recorded before (a callback
/// delivered again).
pub async fn record_event(
    ex: impl SqliteExecutor<'_>,
    event_id: &str,
    kind: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO provider_events (event_id, kind, received_at) VALUES (?, ?, ?)
         ON CONFLICT DO NOTHING",
    )
    .bind(event_id)
    .bind(kind)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One line of the audit trail.
pub async fn audit_line(
    ex: impl SqliteExecutor<'_>,
    actor: Option<UserId>,
    action: &str,
    transfer: Option<TransferId>,
    detail: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO wallet_audit (actor_id, action, transfer_id, detail, created_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(actor)
    .bind(action)
    .bind(transfer)
    .bind(detail)
    .bind(now)
    .execute(ex)
    .await
    .map(|_| ())
}

/// Whether the member's identity is verified and their wallet frozen.
pub async fn standing(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
) -> Result<Option<(bool, bool)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id_verified_at IS NOT NULL, wallet_frozen_at IS NOT NULL FROM users WHERE id = ?",
    )
    .bind(user)
    .fetch_optional(ex)
    .await
}

pub async fn insert_withdrawal(
    ex: impl SqliteExecutor<'_>,
    public_id: &str,
    user: UserId,
    amount: i64,
    transfer: TransferId,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO withdrawals (public_id, user_id, amount, transfer_id, created_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(public_id)
    .bind(user)
    .bind(amount)
    .bind(transfer)
    .bind(now)
    .execute(ex)
    .await
    .map(|_| ())
}

/// A hold as the wallet page lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenHoldRow {
    pub amount: i64,
    pub order_id: Option<String>,
    pub title: Option<String>,
    pub created_at: i64,
}

/// `user`'s pending holds, as buyer (`as_buyer`) or as seller, newest first.
pub async fn open_holds(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    as_buyer: bool,
    limit: i64,
) -> Result<Vec<OpenHoldRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT h.amount, o.public_id AS order_id, l.title, h.created_at
           FROM holds h
           LEFT JOIN orders o ON o.id = h.order_id
           LEFT JOIN listings l ON l.id = o.listing_id
          WHERE h.state = 'pending'
            AND ((?2 AND h.buyer_id = ?1) OR (NOT ?2 AND h.seller_id = ?1))
          ORDER BY h.id DESC
          LIMIT ?3",
    )
    .bind(user)
    .bind(as_buyer)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// One entry on a member's available balance, with what it was for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatementRow {
    pub created_at: i64,
    pub purpose: String,
    pub title: Option<String>,
    pub order_id: Option<String>,
    pub amount: i64,
    pub balance_after: i64,
}

/// `user`'s entries newest first, filtered by `purpose` and the time range
/// `[from, to)`, `limit` of them after skipping `offset`. The balance after
/// each entry is a running sum over all the member's entries, taken before
/// the filters so a filtered line still shows the real balance.
#[allow(clippy::too_many_arguments)]
pub async fn statement(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    purpose: Option<Purpose>,
    from: Option<i64>,
    to: Option<i64>,
    limit: i64,
    offset: i64,
) -> Result<Vec<StatementRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.created_at, t.purpose, l.title, o.public_id AS order_id, e.amount,
                e.balance_after
           FROM (SELECT id, transfer_id, amount, created_at,
                        SUM(amount) OVER (ORDER BY id) AS balance_after
                   FROM ledger_entries
                  WHERE account_id = (SELECT id FROM ledger_accounts
                                       WHERE kind = 'available' AND user_id = ?1)) e
           JOIN transfers t ON t.id = e.transfer_id
           LEFT JOIN holds h ON h.id = t.hold_id
           LEFT JOIN orders o ON o.id = h.order_id
           LEFT JOIN listings l ON l.id = o.listing_id
          WHERE (?2 IS NULL OR t.purpose = ?2)
            AND (?3 IS NULL OR e.created_at >= ?3)
            AND (?4 IS NULL OR e.created_at < ?4)
          ORDER BY e.id DESC
          LIMIT ?5 OFFSET ?6",
    )
    .bind(user)
    .bind(purpose.map(Purpose::as_str))
    .bind(from)
    .bind(to)
    .bind(limit)
    .bind(offset)
    .fetch_all(ex)
    .await
}

/// `user`'s top-up by its public id; another member's is not found.
pub async fn load_own_top_up(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    public_id: &str,
) -> Result<Option<TopUpRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, public_id, user_id, amount, card_last4, state, created_at
           FROM top_ups WHERE public_id = ? AND user_id = ?",
    )
    .bind(public_id)
    .bind(user)
    .fetch_optional(ex)
    .await
}
