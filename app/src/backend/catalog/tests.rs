use super::*;
use crate::backend::{
    catalog::{
        favorites,
        review::{self, Decision},
    },
    testing::*,
};
use crate::domain::catalog::Condition;

const ANYONE: Looker = Looker {
    user: None,
    admin: false,
};

fn member(user: i64) -> Looker {
    Looker {
        user: Some(user),
        admin: false,
    }
}

fn admin(user: i64) -> Looker {
    Looker {
        user: Some(user),
        admin: true,
    }
}

fn ids(cards: &[ListingCard]) -> Vec<i64> {
    cards.iter().map(|c| c.id).collect()
}

async fn show(pool: &SqlitePool, id: i64, looker: Looker) -> Result<ListingDetail, AppError> {
    detail(pool, Currency::Twd, id, looker).await
}

#[tokio::test]
async fn the_listing_page_shows_public_listings_to_everyone() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let kim = user(&pool, "kim").await;
    let photo = upload(&pool, &media, mei, NOW).await;
    let form = ListingInput {
        tags: vec!["kindle".into(), "e-reader".into()],
        images: vec![photo.id],
        meetup_place: "MRT Daan".into(),
        ..input("Kindle Paperwhite")
    };
    let id = listed(&pool, mei, &form, NOW).await;
    favorites::set(&pool, kim, id, true, NOW).await.unwrap();
    favorites::record_view(&pool, id, "a:visitor", NOW)
        .await
        .unwrap();

    let page = show(&pool, id, ANYONE).await.unwrap();
    assert_eq!(page.id, id);
    assert_eq!(page.title, "Kindle Paperwhite");
    assert_eq!(page.price, Money::new(1000, Currency::Twd));
    assert_eq!(page.category, "computers");
    assert_eq!(page.tags, vec!["kindle", "e-reader"]);
    assert_eq!(page.condition, Condition::Good);
    assert_eq!(page.status, Status::Approved);
    assert_eq!(page.meetup_place, "MRT Daan");
    assert_eq!(page.images, vec![photo]);
    assert_eq!(page.seller.username, "mei");
    assert_eq!(page.seller.nickname, "mei nick");
    assert!(!page.seller.id_verified);
    assert_eq!((page.favorites, page.views), (1, 1));
    assert_eq!(page.created_at, NOW);
    assert!(!page.favorited && !page.mine);
    assert_eq!(page.auction, None);

    let for_kim = show(&pool, id, member(kim)).await.unwrap();
    assert!(for_kim.favorited && !for_kim.mine);
    let for_mei = show(&pool, id, member(mei)).await.unwrap();
    assert!(for_mei.mine && !for_mei.favorited);

    // Sold listings stay visible, as a record.
    set_status(&pool, id, "sold").await;
    assert_eq!(show(&pool, id, ANYONE).await.unwrap().status, Status::Sold);
    assert_eq!(
        show(&pool, 9999, ANYONE).await.unwrap_err(),
        AppError::NotFound
    );
}

#[tokio::test]
async fn listings_not_public_are_shown_to_their_seller_and_admins_only() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let kim = user(&pool, "kim").await;
    let boss = user(&pool, "boss").await;
    let waiting = submitted(&pool, mei, &input("Kindle Paperwhite"), NOW).await;
    let rejected = submitted(&pool, mei, &input("Lamp"), NOW).await;
    review::decide(
        &pool,
        ListingId(rejected),
        Decision::Reject,
        "Blurry photos",
        NOW,
    )
    .await
    .unwrap();
    let delisted = listed(&pool, mei, &input("Chair"), NOW).await;
    review::delist(&pool, ListingId(delisted), "Counterfeit", NOW)
        .await
        .unwrap();

    for (id, reason) in [
        (waiting, None),
        (rejected, Some("Blurry photos")),
        (delisted, Some("Counterfeit")),
    ] {
        for stranger in [ANYONE, member(kim)] {
            assert_eq!(
                show(&pool, id, stranger).await.unwrap_err(),
                AppError::NotFound
            );
        }
        let for_seller = show(&pool, id, member(mei)).await.unwrap();
        assert!(for_seller.mine);
        assert_eq!(for_seller.reject_reason.as_deref(), reason);
        let for_admin = show(&pool, id, admin(boss)).await.unwrap();
        assert!(!for_admin.mine);
        assert_eq!(for_admin.reject_reason.as_deref(), reason);
    }
    // An admin flag without a user id still sees it (the gate decides who is admin).
    assert!(
        show(
            &pool,
            waiting,
            Looker {
                user: None,
                admin: true
            }
        )
        .await
        .is_ok()
    );

    // A reason left on a public listing is for the seller and admins only.
    let public = listed(&pool, mei, &input("Desk"), NOW).await;
    sqlx::query("UPDATE listings SET reject_reason = 'internal note' WHERE id = ?")
        .bind(public)
        .execute(&pool)
        .await
        .unwrap();
    for stranger in [ANYONE, member(kim)] {
        assert_eq!(
            show(&pool, public, stranger).await.unwrap().reject_reason,
            None
        );
    }
    for insider in [member(mei), admin(boss)] {
        assert_eq!(
            show(&pool, public, insider)
                .await
                .unwrap()
                .reject_reason
                .as_deref(),
            Some("internal note")
        );
    }
}

#[tokio::test]
async fn more_from_the_seller_leaves_out_this_listing_and_hidden_ones() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let kim = user(&pool, "kim").await;
    let this = listed(&pool, mei, &input("Kindle Paperwhite"), NOW).await;
    let older = listed(&pool, mei, &input("Lamp"), NOW + 1).await;
    let sold = listed(&pool, mei, &input("Chair"), NOW + 2).await;
    set_status(&pool, sold, "sold").await;
    let newer = listed(&pool, mei, &input("Desk"), NOW + 3).await;
    let _waiting = submitted(&pool, mei, &input("Sofa"), NOW + 4).await;
    let _someone_elses = listed(&pool, kim, &input("Rug"), NOW + 5).await;

    let page = show(&pool, this, ANYONE).await.unwrap();
    // For sale first (newest first), then sold.
    assert_eq!(ids(&page.more_from_seller), vec![newer, older, sold]);
    let page = show(&pool, newer, member(mei)).await.unwrap();
    assert_eq!(ids(&page.more_from_seller), vec![older, this, sold]);

    // At most six.
    for i in 0..8 {
        listed(&pool, mei, &input(&format!("Box {i}")), NOW + 10 + i).await;
    }
    let page = show(&pool, this, ANYONE).await.unwrap();
    assert_eq!(page.more_from_seller.len(), 6);
    assert!(!ids(&page.more_from_seller).contains(&this));
}

#[tokio::test]
async fn recommendations_follow_what_was_favorited() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let kim = user(&pool, "kim").await;
    let audio = |title: &str, tags: &[&str]| ListingInput {
        category: "audio".into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        ..input(title)
    };
    let liked = listed(
        &pool,
        mei,
        &audio("Sony WH-1000XM4", &["sony", "headphones"]),
        NOW,
    )
    .await;
    let same_category = listed(&pool, mei, &audio("Old speaker", &[]), NOW + 1).await;
    let one_tag = listed(
        &pool,
        mei,
        &ListingInput {
            category: "cameras".into(),
            tags: vec!["sony".into()],
            ..input("Sony a6000")
        },
        NOW + 2,
    )
    .await;
    let both = listed(
        &pool,
        mei,
        &audio("Sony WF earbuds", &["sony", "headphones"]),
        NOW + 3,
    )
    .await;
    let _unrelated = listed(&pool, mei, &input("Desk"), NOW + 4).await;
    let _hidden = submitted(&pool, mei, &audio("Sony amp", &["sony"]), NOW + 5).await;
    let kims = listed(
        &pool,
        kim,
        &audio("Kim's Sony headphones", &["sony", "headphones"]),
        NOW + 6,
    )
    .await;

    // Cold start: nothing to go on.
    let cards = recommended_cards(&pool, Currency::Twd, kim, 10)
        .await
        .unwrap();
    assert!(cards.is_empty());

    favorites::set(&pool, kim, liked, true, NOW).await.unwrap();
    let cards = recommended_cards(&pool, Currency::Twd, kim, 10)
        .await
        .unwrap();
    // Shared tags count double, the category once; the favorite itself, kim's
    // own listing, unrelated and hidden ones are left out.
    assert_eq!(ids(&cards), vec![both, one_tag, same_category]);
    let cards = recommended_cards(&pool, Currency::Twd, kim, 2)
        .await
        .unwrap();
    assert_eq!(ids(&cards), vec![both, one_tag]);

    // Looking at something counts too. The listing looked at is not left out
    // (only favorites are); equal overlap goes to the more popular.
    let sam = user(&pool, "sam").await;
    favorites::record_view(&pool, one_tag, &viewer_key(sam), NOW)
        .await
        .unwrap();
    let cards = recommended_cards(&pool, Currency::Twd, sam, 10)
        .await
        .unwrap();
    assert_eq!(ids(&cards), vec![one_tag, liked, kims, both]);
    // Anonymous views are not sam's.
    let lee = user(&pool, "lee").await;
    favorites::record_view(&pool, one_tag, &lee.to_string(), NOW)
        .await
        .unwrap();
    assert!(
        recommended_cards(&pool, Currency::Twd, lee, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn ending_soon_lists_running_auctions_by_their_end() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let late = listed(&pool, mei, &auction("Late", NOW, 3 * HOUR), NOW).await;
    let soon = listed(&pool, mei, &auction("Soon", NOW, 2 * HOUR), NOW).await;
    let _ended = listed(&pool, mei, &auction("Ended", NOW, 10 * MINUTE), NOW).await;
    let scheduled = listed(&pool, mei, &auction("Scheduled", NOW + DAY, HOUR), NOW).await;
    let _fixed = listed(&pool, mei, &input("Fixed"), NOW).await;
    let _waiting = submitted(
        &pool,
        mei,
        &auction("Waiting", NOW, HOUR + 30 * MINUTE),
        NOW,
    )
    .await;
    let at = NOW + HOUR;
    let cards = ending_soon_cards(&pool, Currency::Twd, at, 10)
        .await
        .unwrap();
    assert_eq!(ids(&cards), vec![soon, late, scheduled]);
    assert_eq!(cards[0].ends_at, Some(NOW + 2 * HOUR));
    let cards = ending_soon_cards(&pool, Currency::Twd, at, 1)
        .await
        .unwrap();
    assert_eq!(ids(&cards), vec![soon]);
    let cards = ending_soon_cards(&pool, Currency::Twd, NOW + 2 * HOUR, 10)
        .await
        .unwrap();
    assert_eq!(
        ids(&cards),
        vec![late, scheduled],
        "an auction ending now has ended"
    );
}

#[tokio::test]
async fn favorites_are_listed_newest_first_while_public() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let kim = user(&pool, "kim").await;
    let lamp = listed(&pool, mei, &input("Lamp"), NOW).await;
    let chair = listed(&pool, mei, &input("Chair"), NOW).await;
    let desk = listed(&pool, mei, &input("Desk"), NOW).await;
    let _not_favorited = listed(&pool, mei, &input("Sofa"), NOW).await;
    favorites::set(&pool, kim, chair, true, NOW).await.unwrap();
    favorites::set(&pool, kim, lamp, true, NOW + 1)
        .await
        .unwrap();
    favorites::set(&pool, kim, desk, true, NOW + 2)
        .await
        .unwrap();
    let cards = favorite_cards(&pool, Currency::Twd, kim).await.unwrap();
    assert_eq!(ids(&cards), vec![desk, lamp, chair]);
    assert_eq!(cards[0].favorites, 1);

    set_status(&pool, lamp, "sold").await;
    review::delist(&pool, ListingId(desk), "Counterfeit", NOW)
        .await
        .unwrap();
    let cards = favorite_cards(&pool, Currency::Twd, kim).await.unwrap();
    assert_eq!(ids(&cards), vec![lamp, chair], "sold stays, delisted goes");
    assert_eq!(cards[0].status, Status::Sold);
    assert!(
        favorite_cards(&pool, Currency::Twd, mei)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn own_listings_show_every_state() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let kim = user(&pool, "kim").await;
    let approved = listed(&pool, mei, &input("Approved"), NOW).await;
    let waiting = submitted(&pool, mei, &input("Pending"), NOW + 1).await;
    let rejected = submitted(&pool, mei, &input("Rejected"), NOW + 2).await;
    review::decide(&pool, ListingId(rejected), Decision::Reject, "Blurry", NOW)
        .await
        .unwrap();
    let delisted = listed(&pool, mei, &input("Delisted"), NOW + 3).await;
    review::delist(&pool, ListingId(delisted), "Counterfeit", NOW)
        .await
        .unwrap();
    let sold = listed(&pool, mei, &input("Sold"), NOW + 4).await;
    set_status(&pool, sold, "sold").await;
    let _kims = listed(&pool, kim, &input("Kim's"), NOW + 5).await;

    let cards = own_cards(&pool, Currency::Twd, mei).await.unwrap();
    assert_eq!(
        ids(&cards),
        vec![sold, delisted, rejected, waiting, approved]
    );
    let states: Vec<Status> = cards.iter().map(|c| c.status).collect();
    assert_eq!(
        states,
        vec![
            Status::Sold,
            Status::Delisted,
            Status::Rejected,
            Status::Pending,
            Status::Approved
        ]
    );
    assert_eq!(own_cards(&pool, Currency::Twd, kim).await.unwrap().len(), 1);
}

#[tokio::test]
async fn home_grids_and_the_review_queue() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let kim = user(&pool, "kim").await;
    let lamp = listed(&pool, mei, &input("Lamp"), NOW).await;
    let chair = listed(&pool, mei, &input("Chair"), NOW + 1).await;
    let waiting = submitted(
        &pool,
        mei,
        &ListingInput {
            tags: vec!["oak".into()],
            ..input("Desk")
        },
        NOW + 2,
    )
    .await;
    let newest = newest_cards(&pool, Currency::Twd, 10).await.unwrap();
    assert_eq!(ids(&newest), vec![chair, lamp]);
    favorites::set(&pool, kim, lamp, true, NOW).await.unwrap();
    let popular = popular_cards(&pool, Currency::Twd, 10).await.unwrap();
    assert_eq!(ids(&popular), vec![lamp, chair]);
    assert_eq!(
        ids(&popular_cards(&pool, Currency::Twd, 1).await.unwrap()),
        vec![lamp]
    );

    let queue = pending(&pool, Currency::Twd, 10).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].id, waiting);
    assert_eq!(queue[0].tags, vec!["oak"]);
    assert_eq!(queue[0].seller_username, "mei");
    assert_eq!(queue[0].category, "computers");
}
