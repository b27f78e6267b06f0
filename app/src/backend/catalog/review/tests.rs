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
