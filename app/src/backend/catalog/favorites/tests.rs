use super::*;
use crate::backend::testing::*;

async fn counters(pool: &SqlitePool, listing: i64) -> (i64, i64) {
    sqlx::query_as("SELECT favorites, views FROM listings WHERE id = ?")
        .bind(listing)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn rows(pool: &SqlitePool, table: &str, listing: i64) -> i64 {
    sqlx::query_scalar(&format!(
        "SELECT count(*) FROM {table} WHERE listing_id = ?"
    ))
    .bind(listing)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_favorite_counts_once_and_comes_off() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let kim = user(&pool, "kim").await;
    let lee = user(&pool, "lee").await;
    let id = listed(&pool, mei, &input("Kindle Paperwhite"), NOW).await;

    assert_eq!(
        set(&pool, kim, id, true, NOW).await.unwrap(),
        FavoriteState { on: true, count: 1 }
    );
    assert_eq!(
        set(&pool, kim, id, true, NOW + 1).await.unwrap(),
        FavoriteState { on: true, count: 1 },
        "twice is once"
    );
    assert_eq!(set(&pool, lee, id, true, NOW).await.unwrap().count, 2);
    assert_eq!(rows(&pool, "favorites", id).await, 2);

    assert_eq!(
        set(&pool, kim, id, false, NOW).await.unwrap(),
        FavoriteState {
            on: false,
            count: 1
        }
    );
    assert_eq!(
        set(&pool, kim, id, false, NOW).await.unwrap(),
        FavoriteState {
            on: false,
            count: 1
        },
        "off twice does not go below the real count"
    );
    // Someone who never favorited it turning it off changes nothing.
    let sam = user(&pool, "sam").await;
    assert_eq!(set(&pool, sam, id, false, NOW).await.unwrap().count, 1);
    assert_eq!(
        counters(&pool, id).await.0,
        rows(&pool, "favorites", id).await
    );

    // A sold listing is still public, so it can be kept as a favorite.
    set_status(&pool, id, "sold").await;
    assert_eq!(set(&pool, kim, id, true, NOW).await.unwrap().count, 2);
}

#[tokio::test]
async fn only_someone_elses_public_listing_can_be_favorited() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let kim = user(&pool, "kim").await;
    let public = listed(&pool, mei, &input("Kindle Paperwhite"), NOW).await;
    assert_eq!(
        set(&pool, mei, public, true, NOW).await.unwrap_err(),
        AppError::Forbidden
    );
    let waiting = submitted(&pool, mei, &input("Lamp"), NOW).await;
    let delisted = listed(&pool, mei, &input("Chair"), NOW).await;
    set_status(&pool, delisted, "delisted").await;
    let rejected = submitted(&pool, mei, &input("Desk"), NOW).await;
    set_status(&pool, rejected, "rejected").await;
    for id in [waiting, delisted, rejected, 9999] {
        for on in [true, false] {
            assert_eq!(
                set(&pool, kim, id, on, NOW).await.unwrap_err(),
                AppError::NotFound,
                "{id} {on}"
            );
        }
    }
    // Not even its seller sees their pending listing as favoritable.
    assert_eq!(
        set(&pool, mei, waiting, true, NOW).await.unwrap_err(),
        AppError::NotFound
    );
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM favorites")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(total, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_counter_matches_the_rows_under_parallel_toggles() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let id = listed(&pool, mei, &input("Kindle Paperwhite"), NOW).await;
    let mut fans = Vec::new();
    for i in 0..20 {
        fans.push(user(&pool, &format!("fan{i}")).await);
    }
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(fans.len()));
    let tasks: Vec<_> = fans
        .iter()
        .enumerate()
        .map(|(i, &fan)| {
            let (pool, start) = (pool.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                // Every fan turns it on; every third turns it off again, and
                // every other one repeats the "on".
                set(&pool, fan, id, true, NOW).await?;
                if i % 3 == 0 {
                    set(&pool, fan, id, false, NOW).await?;
                }
                if i % 2 == 0 {
                    set(&pool, fan, id, i % 3 != 0, NOW).await?;
                }
                Ok::<_, AppError>(())
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().expect("every toggle succeeds");
    }
    let (favorites, _) = counters(&pool, id).await;
    assert_eq!(favorites, rows(&pool, "favorites", id).await);
    let expected = (0..20).filter(|i| i % 3 != 0).count() as i64;
    assert_eq!(favorites, expected);
}

#[tokio::test]
async fn a_view_counts_once_per_viewer_per_day() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let id = listed(&pool, mei, &input("Kindle Paperwhite"), NOW).await;
    let day_start = NOW - NOW.rem_euclid(DAY);

    assert!(record_view(&pool, id, "u:2", day_start).await.unwrap());
    assert!(
        !record_view(&pool, id, "u:2", day_start + HOUR)
            .await
            .unwrap()
    );
    assert!(
        !record_view(&pool, id, "u:2", day_start + DAY - 1)
            .await
            .unwrap(),
        "same UTC day"
    );
    assert!(
        record_view(&pool, id, "a:0123456789abcdef", day_start + 1)
            .await
            .unwrap()
    );
    assert!(
        record_view(&pool, id, "u:2", day_start + DAY)
            .await
            .unwrap(),
        "a new day"
    );
    assert!(
        !record_view(&pool, id, "u:2", day_start + DAY + 5)
            .await
            .unwrap()
    );
    let (_, views) = counters(&pool, id).await;
    assert_eq!(views, 3);
    assert_eq!(views, rows(&pool, "listing_views", id).await);

    // Each listing counts its own views.
    let other = listed(&pool, mei, &input("Lamp"), NOW).await;
    assert!(record_view(&pool, other, "u:2", day_start).await.unwrap());
    assert_eq!(counters(&pool, other).await.1, 1);
    assert_eq!(counters(&pool, id).await.1, 3);
}

#[tokio::test]
async fn old_view_rows_are_pruned_but_the_counter_stays() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let id = listed(&pool, mei, &input("Kindle Paperwhite"), NOW).await;
    for days_ago in [0, 1, 29, 30, 31, 90] {
        assert!(
            record_view(&pool, id, "u:9", NOW - days_ago * DAY)
                .await
                .unwrap()
        );
    }
    assert_eq!(
        prune_views(&pool, NOW, 30).await.unwrap(),
        2,
        "31 and 90 days ago"
    );
    let days: Vec<i64> =
        sqlx::query_scalar("SELECT day FROM listing_views WHERE listing_id = ? ORDER BY day")
            .bind(id)
            .fetch_all(&pool)
            .await
            .unwrap();
    let today = NOW.div_euclid(DAY);
    assert_eq!(days, vec![today - 30, today - 29, today - 1, today]);
    assert_eq!(
        counters(&pool, id).await.1,
        6,
        "the total is history, not rows"
    );
    assert_eq!(prune_views(&pool, NOW, 30).await.unwrap(), 0);
    assert_eq!(prune_views(&pool, NOW, 0).await.unwrap(), 3);
}
