//! What the wallet page reads: the balance and open holds, the statement
//! (filtered, in pages, or whole for a CSV export), and a top-up's state.
//! Every read is of the caller's own money only.

use super::store;

#[cfg(test)]
mod tests;
use crate::{
    backend::AppState,
    domain::{
        id::UserId,
        money::{Currency, Money},
        wallet::{Account, Purpose},
    },
    error::AppError,
    model::{
        HoldLine, StatementFilter, StatementLine, StatementPage, TopUpState, TopUpView,
        WalletSummary,
    },
};

/// Lines on one page of the statement.
pub const PAGE: u32 = 25;
/// The most lines a CSV export holds (about a megabyte): a member with more
/// narrows the dates.
pub const EXPORT_MAX: u32 = 10_000;
/// Open holds listed on either side.
const HOLDS_SHOWN: i64 = 50;

/// `user`'s wallet at a glance.
pub async fn summary(state: &AppState, user: UserId) -> Result<WalletSummary, AppError> {
    let currency = state.config.currency;
    let mut conn = state.db.acquire().await?;
    let (id_verified, frozen) = store::standing(&mut *conn, user)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let balance = store::balance(&mut *conn, Account::Available(user)).await?;
    let holds = |rows: Vec<store::OpenHoldRow>| {
        rows.into_iter()
            .map(|r| HoldLine {
                amount: Money::new(r.amount, currency),
                order: r.order_id,
                title: r.title,
                at: r.created_at,
            })
            .collect()
    };
    let as_buyer = store::open_holds(&mut *conn, user, true, HOLDS_SHOWN).await?;
    let as_seller = store::open_holds(&mut *conn, user, false, HOLDS_SHOWN).await?;
    Ok(WalletSummary {
        balance: Money::new(balance, currency),
        frozen,
        id_verified,
        holds_as_buyer: holds(as_buyer),
        holds_as_seller: holds(as_seller),
    })
}

fn line(row: store::StatementRow, currency: Currency) -> Option<StatementLine> {
    Some(StatementLine {
        at: row.created_at,
        purpose: Purpose::parse(&row.purpose)?,
        title: row.title,
        order: row.order_id,
        amount: Money::new(row.amount, currency),
        balance_after: Money::new(row.balance_after, currency),
    })
}

/// Page `page` (1-based) of `user`'s statement under `filter`, newest first.
pub async fn statement(
    state: &AppState,
    user: UserId,
    filter: &StatementFilter,
    page: u32,
) -> Result<StatementPage, AppError> {
    let page = page.max(1);
    let offset = i64::from(page - 1) * i64::from(PAGE);
    // One more than a page tells whether another follows.
    let mut rows = store::statement(
        &state.db,
        user,
        filter.purpose,
        filter.from,
        filter.to,
        i64::from(PAGE) + 1,
        offset,
    )
    .await?;
    let more = rows.len() > PAGE as usize;
    rows.truncate(PAGE as usize);
    let currency = state.config.currency;
    Ok(StatementPage {
        lines: rows.into_iter().filter_map(|r| line(r, currency)).collect(),
        page,
        more,
    })
}

/// `user`'s statement under `filter` for an export: the newest
/// [`EXPORT_MAX`] lines at most.
pub async fn export(
    state: &AppState,
    user: UserId,
    filter: &StatementFilter,
) -> Result<Vec<StatementLine>, AppError> {
    let rows = store::statement(
        &state.db,
        user,
        filter.purpose,
        filter.from,
        filter.to,
        i64::from(EXPORT_MAX),
        0,
    )
    .await?;
    let currency = state.config.currency;
    Ok(rows.into_iter().filter_map(|r| line(r, currency)).collect())
}

/// `user`'s top-up `id` as it stands: another member's is not found, so its
/// existence is not told either.
pub async fn top_up_state(state: &AppState, user: UserId, id: &str) -> Result<TopUpView, AppError> {
    let row = store::load_own_top_up(&state.db, user, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(TopUpView {
        id: row.public_id,
        amount: Money::new(row.amount, state.config.currency),
        card_last4: row.card_last4,
        state: TopUpState::parse(&row.state).unwrap_or(TopUpState::Failed),
        at: row.created_at,
    })
}

/// The filter a page or an export link asks for: `purpose` by its name
/// ("" for all), and dates (`YYYY-MM-DD`, "" for open) read as whole days
/// in the deployment's time zone, `to` included. Anything unreadable is
/// left out rather than refused: a filter only narrows what the member sees.
pub fn filter_of(state: &AppState, purpose: &str, from: &str, to: &str) -> StatementFilter {
    let tz = state.config.timezone;
    let day_start = |date: &str| {
        crate::domain::date::parse_local_input_in(&format!("{}T00:00", date.trim()), |ms| {
            offset_at(tz, ms)
        })
    };
    StatementFilter {
        purpose: Purpose::parse(purpose.trim()),
        from: day_start(from),
        // The next day's start: the `to` day is included.
        to: day_start(to).map(|ms| ms + 24 * 60 * 60 * 1000),
    }
}

/// Minutes east of UTC in `tz` at `ms`.
pub fn offset_at(tz: chrono_tz::Tz, ms: i64) -> i32 {
    use chrono::{Offset, TimeZone};
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|at| {
            tz.offset_from_utc_datetime(&at.naive_utc())
                .fix()
                .local_minus_utc()
                / 60
        })
        .unwrap_or(0)
}
