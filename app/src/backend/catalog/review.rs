//! Admin decisions on listings: approve or reject what waits, delist what is public.

use crate::backend::{
    AppState,
    effects::{self, Effect},
};
use crate::domain::catalog::check_text;
use crate::domain::form::{Field, Problem};
use crate::domain::id::ListingId;
use crate::error::AppError;
use sqlx::{SqliteConnection, SqlitePool};

pub const REASON_MAX: u32 = 500;

/// What an admin decided about a pending listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

fn reason(text: &str) -> Result<String, AppError> {
    let reason = check_text(text, REASON_MAX).map_err(|p| AppError::field(Field::Reason, p))?;
    if reason.is_empty() {
        return Err(AppError::field(Field::Reason, Problem::Required));
    }
    Ok(reason)
}

/// The admin console's review: decides, then applies what that implies.
pub async fn review(
    state: &AppState,
    id: ListingId,
    decision: Decision,
    reason_text: &str,
    now: i64,
) -> Result<(), AppError> {
    let effects = decide(&state.db, id, decision, reason_text, now).await?;
    effects::apply(state, &effects, now).await;
    Ok(())
}

/// The admin console's take-down: delists, then applies what that implies
/// (a live auction's room hears that bidding stopped).
pub async fn take_down(
    state: &AppState,
    id: ListingId,
    reason_text: &str,
    now: i64,
) -> Result<(), AppError> {
    let effects = delist(&state.db, id, reason_text, now).await?;
    effects::apply(state, &effects, now).await;
    Ok(())
}

/// Decides a pending listing; a rejection needs a reason for the seller.
/// Conflict when it is no longer pending (decided meanwhile, or edited away).
/// Returns what the change implies.
pub async fn decide(
    pool: &SqlitePool,
    id: ListingId,
    decision: Decision,
    reason_text: &str,
    now: i64,
) -> Result<Vec<Effect>, AppError> {
    let (status, reason) = match decision {
        Decision::Approve => ("approved", None),
        Decision::Reject => ("rejected", Some(reason(reason_text)?)),
    };
    // Nobody watches a listing under review: its auction's room has nothing
    // to hear, but an approved auction may be due to start already.
    let auction = move_status(pool, id, status, reason, "pending", false, now).await?;
    let mut effects = vec![Effect::CatalogChanged];
    if auction && decision == Decision::Approve {
        effects.push(Effect::ScheduleChanged);
    }
    Ok(effects)
}

/// Takes an approved listing down, with a reason for the seller. Returns
/// what the change implies.
pub async fn delist(
    pool: &SqlitePool,
    id: ListingId,
    reason_text: &str,
    now: i64,
) -> Result<Vec<Effect>, AppError> {
    let reason = reason(reason_text)?;
    let auction = move_status(pool, id, "delisted", Some(reason), "approved", true, now).await?;
    let mut effects = vec![Effect::CatalogChanged];
    if auction {
        effects.push(Effect::AuctionChanged(id));
    }
    Ok(effects)
}

/// Moves listing `id` from status `from` to `to`; returns whether it has an
/// auction. With `numbered`, that auction's number moves in the same
/// transaction: its room sees the listing leaving the public as a change of
/// the auction.
async fn move_status(
    pool: &SqlitePool,
    id: ListingId,
    to: &str,
    reason: Option<String>,
    from: &str,
    numbered: bool,
    now: i64,
) -> Result<bool, AppError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let done = sqlx::query(
        "UPDATE listings SET status = ?, reject_reason = ?, updated_at = max(updated_at + 1, ?)
          WHERE id = ? AND status = ?",
    )
    .bind(to)
    .bind(reason)
    .bind(now)
    .bind(id)
    .bind(from)
    .execute(&mut *tx)
    .await?;
    settled(&mut tx, id, done.rows_affected()).await?;
    let auction = sqlx::query("UPDATE auctions SET seq = seq + ? WHERE listing_id = ?")
        .bind(i64::from(numbered))
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    tx.commit().await?;
    Ok(auction)
}

/// Not found when there is no such listing; a conflict when it was in
/// another state.
async fn settled(conn: &mut SqliteConnection, id: ListingId, changed: u64) -> Result<(), AppError> {
    if changed == 1 {
        return Ok(());
    }
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM listings WHERE id = ?)")
        .bind(id)
        .fetch_one(conn)
        .await?;
    Err(if exists {
        AppError::Conflict
    } else {
        AppError::NotFound
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::testing::*;

    async fn state(pool: &SqlitePool, id: i64) -> (String, Option<String>, i64) {
        sqlx::query_as("SELECT status, reject_reason, updated_at FROM listings WHERE id = ?")
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn approving_makes_a_listing_public() {
        let (pool, _dir) = temp_db().await;
        let mei = user(&pool, "mei").await;
        let id = submitted(&pool, mei, &input("Kindle Paperwhite"), NOW).await;
        decide(
            &pool,
            ListingId(id),
            Decision::Approve,
            "ignored for approvals",
            NOW + HOUR,
        )
        .await
        .unwrap();
        assert_eq!(
            state(&pool, id).await,
            ("approved".into(), None, NOW + HOUR)
        );
        // The clock going backwards still moves `updated_at` forward.
        let other = submitted(&pool, mei, &input("Lamp"), NOW).await;
        decide(&pool, ListingId(other), Decision::Approve, "", NOW - DAY)
            .await
            .unwrap();
        assert_eq!(state(&pool, other).await.2, NOW + 1);
    }

    #[tokio::test]
    async fn a_rejection_needs_a_reason() {
        let (pool, _dir) = temp_db().await;
        let mei = user(&pool, "mei").await;
        let id = submitted(&pool, mei, &input("Kindle Paperwhite"), NOW).await;
        for blank in ["", "   ", "\n\n"] {
            let err = decide(&pool, ListingId(id), Decision::Reject, blank, NOW + 1)
                .await
                .unwrap_err();
            assert_eq!(
                err,
                AppError::field(Field::Reason, Problem::Required),
                "{blank:?}"
            );
        }
        let err = decide(
            &pool,
            ListingId(id),
            Decision::Reject,
            &"x".repeat(501),
            NOW + 1,
        )
        .await
        .unwrap_err();
        assert_eq!(
            err.problem_with(Field::Reason),
            Some(Problem::TooLong { max: REASON_MAX })
        );
        let err = decide(
            &pool,
            ListingId(id),
            Decision::Reject,
            "bad\u{7}bell",
            NOW + 1,
        )
        .await
        .unwrap_err();
        assert_eq!(err.problem_with(Field::Reason), Some(Problem::InvalidChars));
        assert_eq!(
            state(&pool, id).await,
            ("pending".into(), None, NOW),
            "still waiting"
        );

        decide(
            &pool,
            ListingId(id),
            Decision::Reject,
            "  Blurry photos.\r\nPlease retake.  ",
            NOW + 1,
        )
        .await
        .unwrap();
        assert_eq!(
            state(&pool, id).await,
            (
                "rejected".into(),
                Some("Blurry photos.\nPlease retake.".into()),
                NOW + 1
            )
        );
        // Exactly the longest reason is fine.
        let other = submitted(&pool, mei, &input("Lamp"), NOW).await;
        decide(
            &pool,
            ListingId(other),
            Decision::Reject,
            &"y".repeat(500),
            NOW + 1,
        )
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn a_listing_is_decided_once() {
        let (pool, _dir) = temp_db().await;
        let mei = user(&pool, "mei").await;
        let approved = submitted(&pool, mei, &input("Kindle Paperwhite"), NOW).await;
        decide(&pool, ListingId(approved), Decision::Approve, "", NOW)
            .await
            .unwrap();
        for decision in [Decision::Approve, Decision::Reject] {
            assert_eq!(
                decide(&pool, ListingId(approved), decision, "Too late", NOW + 1)
                    .await
                    .unwrap_err(),
                AppError::Conflict
            );
        }
        assert_eq!(state(&pool, approved).await.0, "approved");

        let rejected = submitted(&pool, mei, &input("Lamp"), NOW).await;
        decide(&pool, ListingId(rejected), Decision::Reject, "Blurry", NOW)
            .await
            .unwrap();
        assert_eq!(
            decide(&pool, ListingId(rejected), Decision::Approve, "", NOW + 1)
                .await
                .unwrap_err(),
            AppError::Conflict
        );
        assert_eq!(state(&pool, rejected).await.1.as_deref(), Some("Blurry"));

        // A sold or delisted listing is not waiting either.
        set_status(&pool, approved, "sold").await;
        assert_eq!(
            decide(&pool, ListingId(approved), Decision::Approve, "", NOW + 2)
                .await
                .unwrap_err(),
            AppError::Conflict
        );
    }

    #[tokio::test]
    async fn unknown_listings_are_not_found() {
        let (pool, _dir) = temp_db().await;
        assert_eq!(
            decide(&pool, ListingId(42), Decision::Approve, "", NOW)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            decide(&pool, ListingId(42), Decision::Reject, "Blurry", NOW)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            delist(&pool, ListingId(42), "Counterfeit", NOW)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        // An empty reason is reported before looking the listing up.
        assert_eq!(
            decide(&pool, ListingId(42), Decision::Reject, "", NOW)
                .await
                .unwrap_err(),
            AppError::field(Field::Reason, Problem::Required)
        );
    }

    #[tokio::test]
    async fn only_approved_listings_can_be_delisted() {
        let (pool, _dir) = temp_db().await;
        let mei = user(&pool, "mei").await;
        let id = listed(&pool, mei, &input("Kindle Paperwhite"), NOW).await;
        assert_eq!(
            delist(&pool, ListingId(id), " ", NOW + 1)
                .await
                .unwrap_err(),
            AppError::field(Field::Reason, Problem::Required)
        );
        assert_eq!(state(&pool, id).await.0, "approved");
        delist(&pool, ListingId(id), "Counterfeit", NOW + HOUR)
            .await
            .unwrap();
        assert_eq!(
            state(&pool, id).await,
            ("delisted".into(), Some("Counterfeit".into()), NOW + HOUR)
        );
        assert_eq!(
            delist(&pool, ListingId(id), "Again", NOW + 2)
                .await
                .unwrap_err(),
            AppError::Conflict
        );
        assert_eq!(state(&pool, id).await.1.as_deref(), Some("Counterfeit"));

        let waiting = submitted(&pool, mei, &input("Lamp"), NOW).await;
        let rejected = submitted(&pool, mei, &input("Chair"), NOW).await;
        decide(&pool, ListingId(rejected), Decision::Reject, "Blurry", NOW)
            .await
            .unwrap();
        let sold = listed(&pool, mei, &input("Desk"), NOW).await;
        set_status(&pool, sold, "sold").await;
        for (other, status) in [(waiting, "pending"), (rejected, "rejected"), (sold, "sold")] {
            assert_eq!(
                delist(&pool, ListingId(other), "Counterfeit", NOW + 1)
                    .await
                    .unwrap_err(),
                AppError::Conflict,
                "{status}"
            );
            assert_eq!(state(&pool, other).await.0, status);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn parallel_decisions_on_one_listing_settle_once() {
        let (pool, _dir) = temp_db().await;
        let mei = user(&pool, "mei").await;
        for round in 0..5 {
            let id = submitted(&pool, mei, &input(&format!("Lamp {round}")), NOW).await;
            let start = std::sync::Arc::new(tokio::sync::Barrier::new(8));
            let tasks: Vec<_> = (0..8)
                .map(|i| {
                    let (pool, start) = (pool.clone(), start.clone());
                    tokio::spawn(async move {
                        let decision = if i % 2 == 0 {
                            Decision::Approve
                        } else {
                            Decision::Reject
                        };
                        start.wait().await;
                        (
                            decision,
                            decide(&pool, ListingId(id), decision, "Blurry", NOW + i).await,
                        )
                    })
                })
                .collect();
            let mut winners = Vec::new();
            for task in tasks {
                match task.await.unwrap() {
                    (decision, Ok(_)) => winners.push(decision),
                    (_, Err(AppError::Conflict)) => {}
                    (_, Err(other)) => panic!("unexpected {other:?}"),
                }
            }
            assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
            let (status, reason, _) = state(&pool, id).await;
            match winners[0] {
                Decision::Approve => assert_eq!((status.as_str(), reason), ("approved", None)),
                Decision::Reject => {
                    assert_eq!(
                        (status.as_str(), reason.as_deref()),
                        ("rejected", Some("Blurry"))
                    )
                }
            }
        }
    }
}
