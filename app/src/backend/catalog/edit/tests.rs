use super::*;
use crate::backend::testing::*;
use crate::backend::{
    catalog::{
        for_edit,
        review::{self, Decision},
    },
    platform::db::testing::temp_db,
};
use crate::domain::{catalog::ListingInput, money::Currency};
use crate::model::NoticeKind;

fn problem(err: &AppError, field: Field) -> Option<Problem> {
    err.problem_with(field)
}

async fn count(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn create_stores_every_part_and_waits_for_review() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let a = upload(&pool, &media, mei, NOW).await;
    let b = upload(&pool, &media, mei, NOW).await;
    let input = ListingInput {
        tags: vec!["#Kindle".into(), "e-reader".into()],
        images: vec![b.id, a.id],
        ..auction("Kindle Paperwhite", NOW + HOUR, DAY)
    };
    let id = submitted(&pool, mei, &input, NOW).await;
    assert_eq!(status_of(&pool, id).await, "pending");

    let edit = for_edit(&pool, Currency::Twd, &vault(), mei, id)
        .await
        .unwrap();
    assert_eq!(edit.status, Status::Pending);
    assert_eq!(edit.input.title, "Kindle Paperwhite");
    assert_eq!(edit.input.tags, vec!["kindle", "e-reader"]);
    assert_eq!(edit.input.images, vec![b.id, a.id], "display order kept");
    assert_eq!(edit.input.starts_at, Some(NOW + HOUR));
    assert_eq!(edit.input.ends_at, Some(NOW + HOUR + DAY));
    assert_eq!(edit.input.start_price, "100");
    assert_eq!(edit.input.secret, "");
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM images WHERE listing_id IS NULL"
        )
        .await,
        0,
        "both uploads were adopted"
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM listing_search").await,
        1,
        "indexed on creation"
    );
}

#[tokio::test]
async fn only_the_seller_may_update_or_delete() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let kim = user(&pool, "kim").await;
    let id = listed(&pool, mei, &input("Kindle Paperwhite"), NOW).await;
    let changed = draft(&input("Mine now"), NOW);

    let err = update(&pool, &vault(), &media, kim, id, &changed, NOW + 1)
        .await
        .unwrap_err();
    assert_eq!(err, AppError::Forbidden);
    assert_eq!(
        delete(&pool, &media, kim, id).await.unwrap_err(),
        AppError::Forbidden
    );
    // Nothing changed.
    let title: String = sqlx::query_scalar("SELECT title FROM listings WHERE id = ?")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(title, "Kindle Paperwhite");
    assert_eq!(status_of(&pool, id).await, "approved");

    assert_eq!(
        update(&pool, &vault(), &media, mei, id + 100, &changed, NOW + 1)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        delete(&pool, &media, mei, id + 100).await.unwrap_err(),
        AppError::NotFound
    );
}

#[tokio::test]
async fn a_draft_may_only_use_the_sellers_own_loose_uploads() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let kim = user(&pool, "kim").await;
    let theirs = upload(&pool, &media, kim, NOW).await;
    let mine = upload(&pool, &media, mei, NOW).await;

    // Someone else's upload: refused, and nothing is written.
    let stolen = ListingInput {
        images: vec![mine.id, theirs.id],
        ..input("Kindle Paperwhite")
    };
    let err = create(&pool, &vault(), mei, &draft(&stolen, NOW), NOW)
        .await
        .unwrap_err();
    assert_eq!(problem(&err, Field::Images), Some(Problem::Wrong));
    assert_eq!(count(&pool, "SELECT count(*) FROM listings").await, 0);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM images WHERE listing_id IS NULL"
        )
        .await,
        2,
        "the failed save adopted nothing"
    );

    // An id that does not exist at all.
    let made_up = ListingInput {
        images: vec![9999],
        ..input("Kindle Paperwhite")
    };
    let err = create(&pool, &vault(), mei, &draft(&made_up, NOW), NOW)
        .await
        .unwrap_err();
    assert_eq!(problem(&err, Field::Images), Some(Problem::Wrong));

    // An upload already on one of the seller's listings cannot be reused on another.
    let first = submitted(
        &pool,
        mei,
        &ListingInput {
            images: vec![mine.id],
            ..input("First")
        },
        NOW,
    )
    .await;
    let reuse = ListingInput {
        images: vec![mine.id],
        ..input("Second")
    };
    let err = create(&pool, &vault(), mei, &draft(&reuse, NOW), NOW)
        .await
        .unwrap_err();
    assert_eq!(problem(&err, Field::Images), Some(Problem::Wrong));

    // Nor can an edit slip someone else's upload in.
    let edit = ListingInput {
        images: vec![mine.id, theirs.id],
        ..input("First")
    };
    let err = update(
        &pool,
        &vault(),
        &media,
        mei,
        first,
        &draft(&edit, NOW),
        NOW + 1,
    )
    .await
    .unwrap_err();
    assert_eq!(problem(&err, Field::Images), Some(Problem::Wrong));
    let owner_listing: Option<i64> =
        sqlx::query_scalar("SELECT listing_id FROM images WHERE id = ?")
            .bind(theirs.id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(owner_listing, None, "kim's upload stayed loose");
}

#[tokio::test]
async fn edits_go_back_to_review_when_material() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let a = upload(&pool, &media, mei, NOW).await;
    let b = upload(&pool, &media, mei, NOW).await;
    let base = ListingInput {
        tags: vec!["kindle".into(), "reader".into()],
        images: vec![a.id, b.id],
        ..input("Kindle Paperwhite")
    };
    let id = listed(&pool, mei, &base, NOW).await;
    let save = |input: ListingInput, at: i64| {
        let (pool, media) = (pool.clone(), media.clone());
        async move { update(&pool, &vault(), &media, mei, id, &draft(&input, at), at).await }
    };

    // Price, stock, trade details and the order of images or tags: no review.
    let cheaper = ListingInput {
        price: "800".into(),
        stock: "3".into(),
        area: "Taichung".into(),
        shipping: true,
        images: vec![b.id, a.id],
        tags: vec!["reader".into(), "kindle".into()],
        ..base.clone()
    };
    assert_eq!(
        save(cheaper.clone(), NOW + 1).await.unwrap(),
        Status::Approved
    );
    assert_eq!(status_of(&pool, id).await, "approved");

    // A new title: back to the queue.
    let retitled = ListingInput {
        title: "Kindle Paperwhite 11th gen".into(),
        ..cheaper.clone()
    };
    assert_eq!(
        save(retitled.clone(), NOW + 2).await.unwrap(),
        Status::Pending
    );
    assert_eq!(status_of(&pool, id).await, "pending");
    // Editing while pending keeps it pending.
    assert_eq!(
        save(retitled.clone(), NOW + 3).await.unwrap(),
        Status::Pending
    );

    // A different set of images is material too (reordering was not).
    review::decide(&pool, ListingId(id), Decision::Approve, "", NOW + 4)
        .await
        .unwrap();
    let fewer = ListingInput {
        images: vec![a.id],
        ..retitled
    };
    assert_eq!(save(fewer, NOW + 5).await.unwrap(), Status::Pending);

    // Every other material change does the same, each on a fresh approved listing.
    let plain = ListingInput {
        tags: vec!["oak".into()],
        ..input("Desk")
    };
    let changes = [
        ListingInput {
            description: "Now with a drawer.".into(),
            ..plain.clone()
        },
        ListingInput {
            category: "furniture".into(),
            ..plain.clone()
        },
        ListingInput {
            tags: vec!["oak".into(), "vintage".into()],
            ..plain.clone()
        },
        ListingInput {
            tags: vec![],
            ..plain.clone()
        },
    ];
    for changed in changes {
        let other = listed(&pool, mei, &plain, NOW).await;
        let status = update(
            &pool,
            &vault(),
            &media,
            mei,
            other,
            &draft(&changed, NOW),
            NOW + 1,
        )
        .await
        .unwrap();
        assert_eq!(status, Status::Pending, "{changed:?}");
        assert_eq!(status_of(&pool, other).await, "pending");
    }
}

#[tokio::test]
async fn editing_a_rejected_or_delisted_listing_resubmits_it() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let form = input("Kindle Paperwhite");
    let id = submitted(&pool, mei, &form, NOW).await;
    review::decide(
        &pool,
        ListingId(id),
        Decision::Reject,
        "Blurry photos",
        NOW + 1,
    )
    .await
    .unwrap();

    // Even a price-only edit goes back to review, and the old reason is gone.
    let cheaper = ListingInput {
        price: "900".into(),
        ..form.clone()
    };
    let status = update(
        &pool,
        &vault(),
        &media,
        mei,
        id,
        &draft(&cheaper, NOW),
        NOW + 2,
    )
    .await
    .unwrap();
    assert_eq!(status, Status::Pending);
    let (status, reason): (String, Option<String>) =
        sqlx::query_as("SELECT status, reject_reason FROM listings WHERE id = ?")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), reason), ("pending", None));

    review::decide(&pool, ListingId(id), Decision::Approve, "", NOW + 3)
        .await
        .unwrap();
    review::delist(&pool, ListingId(id), "Counterfeit", NOW + 4)
        .await
        .unwrap();
    let status = update(
        &pool,
        &vault(),
        &media,
        mei,
        id,
        &draft(&cheaper, NOW),
        NOW + 5,
    )
    .await
    .unwrap();
    assert_eq!(status, Status::Pending);
    let reason: Option<String> =
        sqlx::query_scalar("SELECT reject_reason FROM listings WHERE id = ?")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(reason, None);
}

#[tokio::test]
async fn a_sold_price_and_a_started_auction_are_locked() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;

    let form = input("Kindle Paperwhite");
    let sold = listed(&pool, mei, &form, NOW).await;
    set_status(&pool, sold, "sold").await;
    let cheaper = ListingInput {
        price: "1".into(),
        ..form.clone()
    };
    let err = update(
        &pool,
        &vault(),
        &media,
        mei,
        sold,
        &draft(&cheaper, NOW),
        NOW + 1,
    )
    .await
    .unwrap_err();
    assert_eq!(problem(&err, Field::Price), Some(Problem::Locked));
    let price: i64 = sqlx::query_scalar("SELECT price FROM listings WHERE id = ?")
        .bind(sold)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(price, 1000);
    // Keeping the price, a sold listing may still be touched up, and stays sold.
    let touched = ListingInput {
        stock: "2".into(),
        ..form
    };
    let status = update(
        &pool,
        &vault(),
        &media,
        mei,
        sold,
        &draft(&touched, NOW),
        NOW + 2,
    )
    .await
    .unwrap();
    assert_eq!(status, Status::Sold);

    // An auction that started at NOW.
    let terms = auction("Signed vinyl", NOW, DAY);
    let running = listed(&pool, mei, &terms, NOW).await;
    let later = NOW + HOUR;
    let longer = ListingInput {
        ends_at: Some(NOW + 2 * DAY),
        ..terms.clone()
    };
    // Checked at NOW: the form's start time is in the past by `later`, and
    // the lock is what this test is about.
    let err = update(
        &pool,
        &vault(),
        &media,
        mei,
        running,
        &draft(&longer, NOW),
        later,
    )
    .await
    .unwrap_err();
    assert_eq!(problem(&err, Field::EndsAt), Some(Problem::Locked));
    let higher = ListingInput {
        start_price: "500".into(),
        ..terms.clone()
    };
    let err = update(
        &pool,
        &vault(),
        &media,
        mei,
        running,
        &draft(&higher, NOW),
        later,
    )
    .await
    .unwrap_err();
    assert_eq!(problem(&err, Field::StartPrice), Some(Problem::Locked));
    let fixed = ListingInput {
        sale_mode: "fixed".into(),
        price: "100".into(),
        ..terms.clone()
    };
    let err = update(
        &pool,
        &vault(),
        &media,
        mei,
        running,
        &draft(&fixed, NOW),
        later,
    )
    .await
    .unwrap_err();
    assert_eq!(problem(&err, Field::SaleMode), Some(Problem::Locked));
    let ends_at: i64 = sqlx::query_scalar("SELECT ends_at FROM auctions WHERE listing_id = ?")
        .bind(running)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(ends_at, NOW + DAY, "terms untouched");

    // Before it starts, the terms may change freely.
    let scheduled = listed(&pool, mei, &auction("Poster", NOW + DAY, DAY), NOW).await;
    let moved = auction("Poster", NOW + 2 * DAY, 2 * DAY);
    update(
        &pool,
        &vault(),
        &media,
        mei,
        scheduled,
        &draft(&moved, NOW),
        NOW + 1,
    )
    .await
    .unwrap();
    let terms: (i64, i64, i64) = sqlx::query_as(
        "SELECT starts_at, ends_at, count(*) OVER () FROM auctions WHERE listing_id = ?",
    )
    .bind(scheduled)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(terms, (NOW + 2 * DAY, NOW + 4 * DAY, 1));
}

#[tokio::test]
async fn removed_images_are_deleted_with_their_files() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let a = upload(&pool, &media, mei, NOW).await;
    let b = upload(&pool, &media, mei, NOW).await;
    let form = ListingInput {
        images: vec![a.id, b.id],
        ..input("Kindle Paperwhite")
    };
    let id = submitted(&pool, mei, &form, NOW).await;
    let on_disk = |url: &str| media.root().join(file_of(url)).exists();
    assert!(on_disk(&b.url) && on_disk(&b.thumb_url));

    let c = upload(&pool, &media, mei, NOW).await;
    let edit = ListingInput {
        images: vec![c.id, a.id],
        ..form
    };
    update(
        &pool,
        &vault(),
        &media,
        mei,
        id,
        &draft(&edit, NOW),
        NOW + 1,
    )
    .await
    .unwrap();
    let kept: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM images WHERE listing_id = ? ORDER BY position")
            .bind(id)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(kept, vec![c.id, a.id]);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM images").await,
        2,
        "b's row is gone"
    );
    assert!(
        !on_disk(&b.url) && !on_disk(&b.thumb_url),
        "b's files are gone"
    );
    assert!(on_disk(&a.url) && on_disk(&a.thumb_url) && on_disk(&c.url));
}

#[tokio::test]
async fn tags_are_created_on_demand_and_shared() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let kim = user(&pool, "kim").await;
    let switch = ListingInput {
        tags: vec!["Nintendo".into(), "switch".into()],
        ..input("Switch OLED")
    };
    let one = submitted(&pool, mei, &switch, NOW).await;
    let zelda = ListingInput {
        tags: vec!["#nintendo".into(), "zelda".into()],
        ..input("Zelda")
    };
    let two = submitted(&pool, kim, &zelda, NOW).await;
    let tags: Vec<String> = sqlx::query_scalar("SELECT name FROM tags ORDER BY name")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(tags, vec!["nintendo", "switch", "zelda"]);
    let shared: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT lt.listing_id) FROM listing_tags lt JOIN tags t ON t.id = lt.tag_id
          WHERE t.name = 'nintendo'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(shared, 2);

    // Dropping the tag from one listing leaves the other's alone.
    let untagged = ListingInput {
        tags: vec!["switch".into(), "oled".into()],
        ..switch
    };
    update(
        &pool,
        &vault(),
        &media,
        mei,
        one,
        &draft(&untagged, NOW),
        NOW + 1,
    )
    .await
    .unwrap();
    let of = |id: i64| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT t.name FROM listing_tags lt JOIN tags t ON t.id = lt.tag_id
                  WHERE lt.listing_id = ? ORDER BY lt.position",
            )
            .bind(id)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(of(one).await, vec!["switch", "oled"]);
    assert_eq!(of(two).await, vec!["nintendo", "zelda"]);
    assert_eq!(count(&pool, "SELECT count(*) FROM tags").await, 4);
}

#[tokio::test]
async fn delivery_secrets_are_sealed_and_open_for_the_seller_only() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let kim = user(&pool, "kim").await;
    let plain = "login: mei_gamer / password: hunter2-swordfish";
    let form = ListingInput {
        category: "game_accounts".into(),
        secret: plain.into(),
        ..input("Level 80 account")
    };
    let id = submitted(&pool, mei, &form, NOW).await;
    let raw = || {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, Option<Vec<u8>>>("SELECT secret FROM listings WHERE id = ?")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let sealed = raw().await.expect("a secret is stored");
    for needle in [plain.as_bytes(), b"hunter2", b"swordfish", b"mei_gamer"] {
        assert!(
            !sealed.windows(needle.len()).any(|w| w == needle),
            "plaintext {:?} leaked",
            String::from_utf8_lossy(needle)
        );
    }
    // Stored as a blob, not as text.
    let kind: String = sqlx::query_scalar("SELECT typeof(secret) FROM listings WHERE id = ?")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(kind, "blob");

    let edit = for_edit(&pool, Currency::Twd, &vault(), mei, id)
        .await
        .unwrap();
    assert_eq!(edit.input.secret, plain);
    assert_eq!(
        for_edit(&pool, Currency::Twd, &vault(), kim, id)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        for_edit(&pool, Currency::Twd, &vault(), mei, id + 1)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    // Another key cannot open it: the form shows no secret rather than garbage.
    let other_key = Vault::new([8; 32]);
    let edit = for_edit(&pool, Currency::Twd, &other_key, mei, id)
        .await
        .unwrap();
    assert_eq!(edit.input.secret, "");

    // An edit re-seals; clearing the field removes the secret.
    let changed = ListingInput {
        secret: "login: mei_gamer / password: new-pass".into(),
        ..form.clone()
    };
    update(
        &pool,
        &vault(),
        &media,
        mei,
        id,
        &draft(&changed, NOW),
        NOW + 1,
    )
    .await
    .unwrap();
    let resealed = raw().await.unwrap();
    assert!(!resealed.windows(8).any(|w| w == b"new-pass"));
    assert_eq!(
        vault().open(mei, &resealed).as_deref(),
        Some("login: mei_gamer / password: new-pass")
    );
    let cleared = ListingInput {
        secret: String::new(),
        ..form
    };
    update(
        &pool,
        &vault(),
        &media,
        mei,
        id,
        &draft(&cleared, NOW),
        NOW + 2,
    )
    .await
    .unwrap();
    assert_eq!(raw().await, None);
}

#[tokio::test]
async fn delete_removes_the_listing_its_images_and_files() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let kim = user(&pool, "kim").await;
    let a = upload(&pool, &media, mei, NOW).await;
    let form = ListingInput {
        images: vec![a.id],
        tags: vec!["kindle".into()],
        ..input("Kindle Paperwhite")
    };
    let id = listed(&pool, mei, &form, NOW).await;
    crate::backend::catalog::favorites::set(&pool, kim, id, true, NOW)
        .await
        .unwrap();
    delete(&pool, &media, mei, id).await.unwrap();
    for table in [
        "listings",
        "images",
        "listing_tags",
        "favorites",
        "listing_search",
    ] {
        assert_eq!(
            count(&pool, &format!("SELECT count(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    assert!(!media.root().join(file_of(&a.url)).exists());
    assert!(!media.root().join(file_of(&a.thumb_url)).exists());
    assert_eq!(
        delete(&pool, &media, mei, id).await.unwrap_err(),
        AppError::NotFound
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sellers_saving_at_the_same_time_all_succeed() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mut sellers = Vec::new();
    for i in 0..8 {
        let seller = user(&pool, &format!("seller{i}")).await;
        let id = listed(&pool, seller, &input(&format!("Lamp {i}")), NOW).await;
        sellers.push((seller, id));
    }
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(sellers.len()));
    let tasks: Vec<_> = sellers
        .iter()
        .map(|&(seller, id)| {
            let (pool, media, start) = (pool.clone(), media.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                let new =
                    create(&pool, &vault(), seller, &draft(&input("Chair"), NOW), NOW).await?;
                let cheaper = ListingInput {
                    price: "10".into(),
                    ..input(&format!("Lamp {seller}"))
                };
                update(
                    &pool,
                    &vault(),
                    &media,
                    seller,
                    id,
                    &draft(&cheaper, NOW),
                    NOW + 1,
                )
                .await?;
                delete(&pool, &media, seller, new).await
            })
        })
        .collect();
    for task in tasks {
        task.await
            .unwrap()
            .expect("no save fails because another ran");
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM listings").await, 8);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM listings WHERE price = 10").await,
        8
    );
}

#[tokio::test]
async fn sold_listings_cannot_be_deleted() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let a = upload(&pool, &media, mei, NOW).await;
    let form = ListingInput {
        images: vec![a.id],
        ..input("Kindle Paperwhite")
    };
    let id = listed(&pool, mei, &form, NOW).await;
    set_status(&pool, id, "sold").await;
    let err = delete(&pool, &media, mei, id).await.unwrap_err();
    assert!(
        matches!(&err, AppError::Validation(e) if e.iter().any(|e| e.problem == Problem::Locked)),
        "{err:?}"
    );
    assert_eq!(status_of(&pool, id).await, "sold");
    assert!(media.root().join(file_of(&a.url)).exists());
    assert_eq!(count(&pool, "SELECT count(*) FROM listing_search").await, 1);
}

#[tokio::test]
async fn an_auction_with_bids_keeps_its_words_and_cannot_be_deleted() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let terms = auction("Signed vinyl", NOW, DAY);
    let running = listed(&pool, mei, &terms, NOW).await;
    // Before any bid, the words may still change (back to review).
    let retitled = ListingInput {
        title: "Signed vinyl, first press".into(),
        ..terms.clone()
    };
    update(
        &pool,
        &vault(),
        &media,
        mei,
        running,
        &draft(&retitled, NOW),
        NOW + 1,
    )
    .await
    .unwrap();
    set_status(&pool, running, "approved").await;
    let bid = sqlx::query("UPDATE auctions SET bids = 1 WHERE listing_id = ?")
        .bind(running)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(bid.rows_affected(), 1);

    let reworded = ListingInput {
        title: "Unsigned vinyl".into(),
        ..retitled.clone()
    };
    let err = update(
        &pool,
        &vault(),
        &media,
        mei,
        running,
        &draft(&reworded, NOW),
        NOW + 2,
    )
    .await
    .unwrap_err();
    assert_eq!(problem(&err, Field::Title), Some(Problem::HasBids));
    assert_eq!(status_of(&pool, running).await, "approved", "still bidding");
    // Trade details are not what bidders bid on: they may still change.
    let more_stock = ListingInput {
        stock: "2".into(),
        ..retitled
    };
    let status = update(
        &pool,
        &vault(),
        &media,
        mei,
        running,
        &draft(&more_stock, NOW),
        NOW + 3,
    )
    .await
    .unwrap();
    assert_eq!(status, Status::Approved);

    let err = delete(&pool, &media, mei, running).await.unwrap_err();
    assert_eq!(problem(&err, Field::Title), Some(Problem::HasBids));
    assert_eq!(count(&pool, "SELECT count(*) FROM auctions").await, 1);
}

#[tokio::test]
async fn an_approval_counts_only_for_the_version_the_admin_saw() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let form = input("Kindle Paperwhite");
    let id = submitted(&pool, mei, &form, NOW).await;
    let seen: i64 = sqlx::query_scalar("SELECT updated_at FROM listings WHERE id = ?")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    // While the admin looks, the seller swaps the words.
    let swapped = ListingInput {
        title: "Something else entirely".into(),
        ..form
    };
    update(
        &pool,
        &vault(),
        &media,
        mei,
        id,
        &draft(&swapped, NOW),
        NOW + 1,
    )
    .await
    .unwrap();
    let err = review::decide_seen(
        &pool,
        ListingId(id),
        Decision::Approve,
        "",
        Some(seen),
        NOW + 2,
    )
    .await
    .unwrap_err();
    assert_eq!(err, AppError::Conflict);
    assert_eq!(status_of(&pool, id).await, "pending");
    let now_seen: i64 = sqlx::query_scalar("SELECT updated_at FROM listings WHERE id = ?")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    review::decide_seen(
        &pool,
        ListingId(id),
        Decision::Approve,
        "",
        Some(now_seen),
        NOW + 3,
    )
    .await
    .unwrap();
    assert_eq!(status_of(&pool, id).await, "approved");
}

#[tokio::test]
async fn a_sold_listing_keeps_its_words() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let form = input("Kindle Paperwhite");
    let sold = listed(&pool, mei, &form, NOW).await;
    set_status(&pool, sold, "sold").await;
    let rewritten = ListingInput {
        description: "Now with a link to my other shop".into(),
        ..form
    };
    let err = update(
        &pool,
        &vault(),
        &media,
        mei,
        sold,
        &draft(&rewritten, NOW),
        NOW + 1,
    )
    .await
    .unwrap_err();
    assert_eq!(problem(&err, Field::Description), Some(Problem::Locked));
    assert_eq!(status_of(&pool, sold).await, "sold");
}

#[tokio::test]
async fn others_see_only_reviewed_titles_and_tags() {
    use crate::backend::{catalog::favorites, notify};
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let (mei, ann) = (user(&pool, "mei").await, user(&pool, "ann").await);
    let form = ListingInput {
        tags: vec!["kindle".into()],
        ..input("Kindle Paperwhite")
    };
    let id = listed(&pool, mei, &form, NOW).await;
    favorites::set(&pool, ann, id, true, NOW).await.unwrap();
    for who in [ann, mei] {
        let mut conn = pool.acquire().await.unwrap();
        notify::store(&mut conn, who, NoticeKind::AuctionStarted, id, None, NOW)
            .await
            .unwrap();
    }
    // A never-approved listing's tags are not suggested to anyone.
    let pending = ListingInput {
        tags: vec!["kinky-stuff".into()],
        ..input("Something")
    };
    submitted(&pool, mei, &pending, NOW).await;
    assert_eq!(
        catalog::suggest_tags(&pool, "kin").await.unwrap(),
        vec!["kindle".to_owned()]
    );
    // A material edit sends it back to review: the seller sees the new
    // title, others keep seeing the approved one.
    let retitled = ListingInput {
        title: "Unreviewed words".into(),
        ..form
    };
    update(
        &pool,
        &vault(),
        &media,
        mei,
        id,
        &draft(&retitled, NOW),
        NOW + 1,
    )
    .await
    .unwrap();
    let title_for = |who: i64| {
        let pool = pool.clone();
        async move {
            notify::list(&pool, who, Currency::Twd).await.unwrap().items[0]
                .title
                .clone()
        }
    };
    assert_eq!(title_for(ann).await, "Kindle Paperwhite");
    assert_eq!(title_for(mei).await, "Unreviewed words");
}
