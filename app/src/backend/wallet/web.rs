//! The wallet's own HTTP routes, beside the pages: the payment provider's
//! callback (`POST /hooks/payments`) and the statement as a CSV download
//! (`GET /wallet/statement.csv`).

use super::{
    provider::SIGNATURE_HEADER,
    statement::{self, filter_of},
    top_up,
};
use crate::{
    backend::{AppState, platform::clock::now_ms, web::session},
    domain::{date::date_time_at, id::UserId, money::Money},
    error::AppError,
    model::StatementLine,
};
use axum::{
    body::Body,
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

/// A callback's body, at most: an event is a few hundred bytes.
pub const CALLBACK_MAX: usize = 64 * 1024;

/// The provider's signed callback: 200 when applied (or applied before: a
/// provider retries until it gets a 2xx), 400 when the signature is bad or
/// stale or the body unreadable (retrying cannot help), 500 when it could
/// not be stored (a retry may).
pub async fn payment_callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(bytes) = axum::body::to_bytes(body, CALLBACK_MAX).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "too large").into_response();
    };
    let Ok(body) = std::str::from_utf8(&bytes) else {
        return (StatusCode::BAD_REQUEST, "not UTF-8").into_response();
    };
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match top_up::provider_event(&state, body, signature, now_ms()).await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(AppError::Forbidden) => {
            tracing::warn!("a payment callback with a bad signature was refused");
            (StatusCode::BAD_REQUEST, "bad signature").into_response()
        }
        Err(AppError::Conflict) => (StatusCode::BAD_REQUEST, "unreadable event").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a payment callback was not applied");
            (StatusCode::INTERNAL_SERVER_ERROR, "try again").into_response()
        }
    }
}

/// The statement's filters, as the wallet page's link carries them.
#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// The caller's statement under the page's filters as a CSV file (the
/// newest [`statement::EXPORT_MAX`] lines at most). Anonymous visitors are
/// sent to log in.
pub async fn statement_csv(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<ExportQuery>,
) -> Response {
    let account = match session::account(&state, &session).await {
        Ok(Some(account)) => account,
        Ok(None) => return Redirect::to("/login?next=/wallet").into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let filter = filter_of(&state, &query.purpose, &query.from, &query.to);
    let lines = match statement::export(&state, UserId(account.id), &filter).await {
        Ok(lines) => lines,
        Err(e) => {
            tracing::error!(error = %e, "exporting a statement failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let tz = state.config.timezone;
    let csv = to_csv(&lines, |ms| date_time_at(ms, statement::offset_at(tz, ms)));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"haggle-statement.csv\"",
            ),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        csv,
    )
        .into_response()
}

/// The lines as CSV (RFC 4180): date, purpose, order, item, amount,
/// balance after, currency.
pub fn to_csv(lines: &[StatementLine], date: impl Fn(i64) -> String) -> String {
    let mut out = String::from("date,purpose,order,item,amount,balance_after,currency\r\n");
    for l in lines {
        let row = [
            date(l.at),
            l.purpose.as_str().to_owned(),
            l.order.clone().unwrap_or_default(),
            l.title.clone().unwrap_or_default(),
            plain(l.amount),
            plain(l.balance_after),
            l.amount.currency.code().to_owned(),
        ];
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// An amount as a plain number a spreadsheet reads: `-1200.50`.
fn plain(money: Money) -> String {
    let decimals = money.currency.decimals();
    let scale = 10i64.pow(decimals);
    let sign = if money.minor < 0 { "-" } else { "" };
    let abs = money.minor.unsigned_abs();
    let whole = abs / scale.unsigned_abs();
    if decimals == 0 {
        format!("{sign}{whole}")
    } else {
        let frac = abs % scale.unsigned_abs();
        format!("{sign}{whole}.{frac:0width$}", width = decimals as usize)
    }
}

/// One CSV cell. Text a spreadsheet would run as a formula (a listing's
/// title is whatever its seller typed: `=HYPERLINK(…)`, `@SUM(…)`) is
/// prefixed with `'`, which makes it text; our own numbers (`-1200`) stay
/// numbers. Then quoted when it holds a comma, a quote or a line break.
pub fn cell(value: &str) -> String {
    let risky = value
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    let number = value.parse::<f64>().is_ok() && !value.contains(['e', 'E', 'i', 'n', 'N']);
    let value = if risky && !number {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{money::Currency, wallet::Purpose};

    #[test]
    fn cells_that_would_be_formulas_become_text() {
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("+cmd"), "'+cmd");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(
            cell("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        assert_eq!(cell("-1200"), "-1200");
        assert_eq!(cell("-12.50"), "-12.50");
        assert_eq!(cell("-inf"), "'-inf");
        assert_eq!(cell("a, b"), "\"a, b\"");
        assert_eq!(cell("plain"), "plain");
    }

    #[test]
    fn a_statement_as_csv() {
        let line = StatementLine {
            at: 0,
            purpose: Purpose::Escrow,
            title: Some("=cmd|' /C calc'!A0".into()),
            order: Some("abc".into()),
            amount: Money::new(-120_050, Currency::Usd),
            balance_after: Money::new(5, Currency::Usd),
        };
        let csv = to_csv(&[line], |_| "2026-12-07 10:00 GMT+8".into());
        assert_eq!(
            csv,
            "date,purpose,order,item,amount,balance_after,currency\r\n\
             2026-12-07 10:00 GMT+8,escrow,abc,'=cmd|' /C calc'!A0,-1200.50,0.05,USD\r\n"
        );
    }
}
