//! The handover: the buyer shows a one-time code (and its QR code) at the
//! meet-up, the seller types it, and the right code completes the order.
//! Six digits are guessable in bulk, so wrong codes pause entry. A payment
//! in escrow is released to the seller in the completing transaction.

use super::{cancellation, deal_of, live_of, party_of, store, turn};
use crate::{
    backend::{
        AppState,
        effects::Effect,
        notify::{self, DealLink},
        platform::group::{self, Written},
        wallet,
    },
    domain::{
        form::{Field, Problem},
        id::UserId,
        order::{Step, apply},
        wallet::Settlement,
    },
    error::AppError,
    model::{Handover, NoticeKind},
};
use sqlx::SqliteConnection;

/// Wrong codes in a row before entry pauses.
pub const CODE_TRIES: i64 = 5;
/// How long entry pauses after [`CODE_TRIES`] wrong codes.
pub const CODE_PAUSE_MS: i64 = 15 * 60 * 1000;

/// The buyer's proof of handover: the code and its QR code, drawn here as
/// a self-contained `<svg>` element (no XML declaration, so it can sit
/// inside an HTML page).
pub(super) fn handover(code: &str) -> Option<Handover> {
    let qr = qrcode::QrCode::new(code.as_bytes()).ok()?;
    let svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    let start = svg.find("<svg")?;
    Some(Handover {
        code: code.to_owned(),
        qr_svg: svg[start..].to_owned(),
    })
}

/// Whether `typed` is `code`, in time independent of where they differ
/// (the length, six digits, is no secret).
fn same_code(typed: &str, code: &str) -> bool {
    typed.len() == code.len()
        && typed
            .bytes()
            .zip(code.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// The seller types the buyer's handover code at the meet-up; the right
/// code completes the order, wrong ones are counted and pause entry.
pub async fn complete(
    state: &AppState,
    seller: UserId,
    order: &str,
    code: &str,
    now: i64,
) -> Result<(), AppError> {
    // Spaces a seller types between digit groups do not count.
    let typed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let _turn = turn(order).await;
    let input = (state.clone(), order.to_owned(), typed);
    group::write(state, now, input, move |conn, (state, order, typed)| {
        Box::pin(complete_in_group(state, conn, seller, order, typed, now))
    })
    .await?
}

/// `complete`'s write, in the group transaction. A wrong code is counted
/// (kept) and refused: the refusal is the answer, not a failed write.
async fn complete_in_group(
    state: &AppState,
    conn: &mut SqliteConnection,
    seller: UserId,
    order: &str,
    typed: &str,
    now: i64,
) -> Result<Written<Result<(), AppError>>, AppError> {
    let row = store::load_order(&mut *conn, order)
        .await?
        .ok_or(AppError::NotFound)?;
    let who = party_of(&row, seller).ok_or(AppError::NotFound)?;
    let deal = deal_of(&row)?;
    // The state and the side first: a code is only weighed (and a wrong one
    // only counted) when completing is what this seller may do now.
    let applied = apply(&deal, who, &Step::Complete, 0, now)?;
    if row.code_paused_until.is_some_and(|until| until > now) {
        return Err(AppError::field(Field::Code, Problem::TooManyTries));
    }
    if typed.len() != 6 || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::field(Field::Code, Problem::NotACode));
    }
    let Some(right) = row.handover_code.as_deref() else {
        tracing::error!(order, "an established order without a handover code");
        return Err(AppError::Internal);
    };
    if !same_code(typed, right) {
        let failures = row.code_failures + 1;
        let paused = failures >= CODE_TRIES;
        let (failures, until) = if paused {
            (0, Some(now + CODE_PAUSE_MS))
        } else {
            (failures, None)
        };
        store::set_code_failures(&mut *conn, row.id, failures, until).await?;
        tracing::info!(order, paused, "wrong handover code");
        let problem = if paused {
            Problem::TooManyTries
        } else {
            Problem::Wrong
        };
        return Ok((Err(AppError::field(Field::Code, problem)), Vec::new()));
    }
    let next = applied.deal;
    let stored = store::update_deal(
        &mut *conn,
        row.id,
        &row.state,
        row.seq,
        &store::Change {
            completed_at: Some(now),
            ..store::Change::of(&next)
        },
        now,
    )
    .await?;
    if !stored {
        return Err(AppError::Conflict);
    }
    store::set_code_failures(&mut *conn, row.id, 0, None).await?;
    // Paid into escrow: the money reaches the seller with the handover, in
    // this transaction.
    wallet::escrow::settle_order(
        &mut *conn,
        row.id,
        Settlement::Release,
        Some(seller),
        state.config.currency,
        now,
    )
    .await?;
    let notice = notify::store_deal(
        &mut *conn,
        row.buyer_id,
        NoticeKind::OrderCompleted,
        row.listing_id,
        Some(next.terms.price),
        DealLink::Order(row.id),
        now,
    )
    .await?;
    let live = live_of(&row, &next, cancellation(&row), state.config.currency);
    tracing::info!(order, "order completed");
    Ok((
        Ok(()),
        vec![Effect::OrderChanged(live), Effect::Notified(vec![notice])],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_compare_whole() {
        assert!(same_code("012345", "012345"));
        assert!(!same_code("012346", "012345"));
        assert!(!same_code("112345", "012345"));
        assert!(!same_code("01234", "012345"));
    }

    #[test]
    fn the_qr_code_is_an_svg_element_of_the_code() {
        let shown = handover("042042").unwrap();
        assert_eq!(shown.code, "042042");
        assert!(shown.qr_svg.starts_with("<svg"), "{}", &shown.qr_svg[..40]);
        assert!(shown.qr_svg.ends_with("</svg>"));
        // The code itself is drawn, not written out.
        assert!(!shown.qr_svg.contains("042042"));
    }
}
