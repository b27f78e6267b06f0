use super::*;
use crate::backend::{
    catalog::{
        edit, favorites,
        review::{self, Decision},
    },
    testing::*,
};
use crate::domain::catalog::{
    ListingInput, SaleMode,
    search::{Availability, Sort},
};

fn words(q: &str) -> SearchQuery {
    SearchQuery {
        q: q.into(),
        page: 1,
        ..SearchQuery::default()
    }
}

fn all() -> SearchQuery {
    words("")
}

async fn run(pool: &SqlitePool, query: &SearchQuery, now: i64) -> SearchResults {
    search(pool, query, Currency::Twd, now).await.unwrap()
}

/// The ids found, in order; also checks the total agrees on a single page.
async fn ids(pool: &SqlitePool, query: &SearchQuery) -> Vec<i64> {
    let found = run(pool, query, NOW).await;
    let ids: Vec<i64> = found.cards.iter().map(|c| c.id).collect();
    if ids.len() < PAGE_SIZE as usize && query.page <= 1 {
        assert_eq!(found.total, ids.len() as u64, "{query:?}");
    }
    ids
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort_unstable();
    v
}

#[tokio::test]
async fn title_matches_rank_above_tags_and_description() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let in_description = listed(
        &pool,
        mei,
        &ListingInput {
            description: "Great next to your kindle at night.".into(),
            ..input("Reading lamp")
        },
        NOW,
    )
    .await;
    let in_tags = listed(
        &pool,
        mei,
        &ListingInput {
            tags: vec!["kindle".into()],
            ..input("Leather cover")
        },
        NOW + 1,
    )
    .await;
    let in_title = listed(&pool, mei, &input("Kindle Paperwhite"), NOW + 2).await;
    let _unrelated = listed(&pool, mei, &input("Desk"), NOW + 3).await;

    assert_eq!(
        ids(&pool, &words("kindle")).await,
        vec![in_title, in_tags, in_description]
    );
    // The relevance order is the default with words, but any sort may be chosen.
    let newest = SearchQuery {
        sort: Some(Sort::New),
        ..words("kindle")
    };
    assert_eq!(
        ids(&pool, &newest).await,
        vec![in_title, in_tags, in_description]
    );
    let oldest_first = SearchQuery {
        sort: Some(Sort::Relevance),
        ..words("KINDLE")
    };
    assert_eq!(
        ids(&pool, &oldest_first).await[0],
        in_title,
        "case-insensitive"
    );
    // A tag-only word.
    assert_eq!(ids(&pool, &words("cover")).await, vec![in_tags]);
    // Every word must match.
    assert_eq!(
        ids(&pool, &words("kindle lamp")).await,
        vec![in_description]
    );
    assert!(ids(&pool, &words("kindle sofa")).await.is_empty());
}

#[tokio::test]
async fn chinese_words_are_found_inside_longer_runs() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let traditional = listed(
        &pool,
        mei,
        &ListingInput {
            category: "desserts".into(),
            ..input("芒果千層蛋糕")
        },
        NOW,
    )
    .await;
    let simplified = listed(
        &pool,
        mei,
        &ListingInput {
            category: "desserts".into(),
            ..input("芒果千层蛋糕")
        },
        NOW + 1,
    )
    .await;
    let mixed = listed(&pool, mei, &input("MacBook Air M1 二手"), NOW + 2).await;
    let in_description = listed(
        &pool,
        mei,
        &ListingInput {
            description: "自家做的戚風蛋糕，當天取貨".into(),
            ..input("甜點")
        },
        NOW + 3,
    )
    .await;

    let found = |q: &'static str| {
        let pool = pool.clone();
        async move { sorted(ids(&pool, &words(q)).await) }
    };
    // A two-character word inside a longer run.
    assert_eq!(
        found("蛋糕").await,
        sorted(vec![traditional, simplified, in_description])
    );
    assert_eq!(found("芒果").await, sorted(vec![traditional, simplified]));
    // Simplified and Traditional are different characters: no cross-matching.
    assert_eq!(found("千層").await, vec![traditional]);
    assert_eq!(found("千层").await, vec![simplified]);
    assert_eq!(found("千層蛋糕").await, vec![traditional]);
    // One character, wherever it is in the run (even its last).
    assert_eq!(found("層").await, vec![traditional]);
    assert_eq!(found("糕").await.len(), 3);
    // Characters that are not adjacent in the text are not a match.
    assert!(found("芒果蛋糕").await.is_empty());
    assert!(found("蛋果").await.is_empty());
    // Mixed with Latin words, with or without a space.
    assert_eq!(found("二手").await, vec![mixed]);
    assert_eq!(found("macbook 二手").await, vec![mixed]);
    assert_eq!(found("MacBook二手").await, vec![mixed]);
    assert_eq!(found("戚風").await, vec![in_description]);
}

#[tokio::test]
async fn korean_words_are_found_inside_longer_runs() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let headphones = listed(&pool, mei, &input("소니 헤드폰을 팝니다"), NOW).await;
    let shoes = listed(&pool, mei, &input("나이키 신발"), NOW + 1).await;
    assert_eq!(ids(&pool, &words("헤드폰")).await, vec![headphones]);
    assert_eq!(ids(&pool, &words("헤드")).await, vec![headphones]);
    assert_eq!(ids(&pool, &words("소니 헤드폰")).await, vec![headphones]);
    assert_eq!(ids(&pool, &words("신발")).await, vec![shoes]);
    assert_eq!(ids(&pool, &words("폰")).await, vec![headphones]);
    assert!(ids(&pool, &words("헤드셋")).await.is_empty());
}

#[tokio::test]
async fn english_words_match_as_they_are_typed() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let kindle = listed(&pool, mei, &input("Kindle Paperwhite"), NOW).await;
    let kind = listed(&pool, mei, &input("Kind words card"), NOW + 1).await;
    for typed in ["k", "ki", "kin", "kind"] {
        assert_eq!(
            sorted(ids(&pool, &words(typed)).await),
            sorted(vec![kindle, kind]),
            "{typed}"
        );
    }
    assert_eq!(ids(&pool, &words("kindl")).await, vec![kindle]);
    assert_eq!(ids(&pool, &words("kind pap")).await, vec![kindle]);
    assert_eq!(ids(&pool, &words("Paperwhite kindle")).await, vec![kindle]);
    assert!(ids(&pool, &words("kindlex")).await.is_empty());
    assert!(
        ids(&pool, &words("indle")).await.is_empty(),
        "prefixes, not infixes"
    );
}

/// Listings covering every filter; the names say what sets them apart.
struct Market {
    iphone: i64,
    switch: i64,
    zelda: i64,
    account: i64,
    cake: i64,
    sold_iphone: i64,
}

async fn market(pool: &SqlitePool) -> Market {
    let mei = user(pool, "mei").await;
    let iphone = listed(
        pool,
        mei,
        &ListingInput {
            category: "phones".into(),
            price: "12,000".into(),
            area: "Taipei Daan".into(),
            tags: vec!["apple".into()],
            ..input("iPhone 13")
        },
        NOW,
    )
    .await;
    let switch = listed(
        pool,
        mei,
        &ListingInput {
            category: "consoles".into(),
            price: "8000".into(),
            stock: "3".into(),
            area: "Taichung".into(),
            sale_mode: "offers".into(),
            tags: vec!["nintendo".into()],
            ..input("Switch OLED")
        },
        NOW + 1,
    )
    .await;
    let zelda = listed(
        pool,
        mei,
        &ListingInput {
            category: "video_games".into(),
            price: "1200".into(),
            stock: "5".into(),
            area: "Taipei Xinyi".into(),
            tags: vec!["nintendo".into(), "zelda".into()],
            ..input("Zelda cartridge")
        },
        NOW + 2,
    )
    .await;
    let account = listed(
        pool,
        mei,
        &ListingInput {
            category: "game_accounts".into(),
            start_price: "500".into(),
            area: "Kaohsiung".into(),
            ..auction("Level 80 account", NOW + 3, DAY)
        },
        NOW + 3,
    )
    .await;
    let cake = listed(
        pool,
        mei,
        &ListingInput {
            category: "desserts".into(),
            price: "450".into(),
            stock: "10".into(),
            area: "台北市大安區".into(),
            ..input("芒果千層蛋糕")
        },
        NOW + 4,
    )
    .await;
    let sold_iphone = listed(
        pool,
        mei,
        &ListingInput {
            category: "phones".into(),
            price: "3000".into(),
            area: "Taipei".into(),
            ..input("Old iPhone 8")
        },
        NOW + 5,
    )
    .await;
    set_status(pool, sold_iphone, "sold").await;
    Market {
        iphone,
        switch,
        zelda,
        account,
        cake,
        sold_iphone,
    }
}

#[tokio::test]
async fn every_filter_narrows_the_results() {
    let (pool, _dir) = temp_db().await;
    let m = market(&pool).await;
    let find = |query: SearchQuery| {
        let pool = pool.clone();
        async move { sorted(ids(&pool, &query).await) }
    };
    let everything_for_sale = sorted(vec![m.iphone, m.switch, m.zelda, m.account, m.cake]);
    assert_eq!(find(all()).await, everything_for_sale);

    // Category: a parent covers its children.
    let category = |slug: &str| SearchQuery {
        category: Some(slug.into()),
        ..all()
    };
    assert_eq!(
        find(category("games")).await,
        sorted(vec![m.switch, m.zelda, m.account])
    );
    assert_eq!(find(category("consoles")).await, vec![m.switch]);
    assert_eq!(find(category("electronics")).await, vec![m.iphone]);
    assert_eq!(find(category("phones")).await, vec![m.iphone]);
    assert!(find(category("books")).await.is_empty());

    // Tag, normalized as tags are stored.
    let tag = |t: &str| SearchQuery {
        tag: Some(t.into()),
        ..all()
    };
    assert_eq!(find(tag("nintendo")).await, sorted(vec![m.switch, m.zelda]));
    assert_eq!(
        find(tag(" #Nintendo ")).await,
        sorted(vec![m.switch, m.zelda])
    );
    assert_eq!(find(tag("zelda")).await, vec![m.zelda]);
    assert!(find(tag("sony")).await.is_empty());

    // Area: any part of it, with LIKE wildcards taken literally.
    let area = |a: &str| SearchQuery {
        area: a.into(),
        ..all()
    };
    assert_eq!(find(area("Taipei")).await, sorted(vec![m.iphone, m.zelda]));
    assert_eq!(find(area("taipei")).await, sorted(vec![m.iphone, m.zelda]));
    assert_eq!(find(area("大安")).await, vec![m.cake]);
    assert_eq!(find(area("Tai")).await.len(), 3);
    for wildcard in ["%", "_", "Tai%pei", "T_ipei", "\\"] {
        assert!(find(area(wildcard)).await.is_empty(), "{wildcard}");
    }

    // Price bounds as typed.
    let price = |min: &str, max: &str| SearchQuery {
        min: min.into(),
        max: max.into(),
        ..all()
    };
    assert_eq!(
        find(price("1,000", "8000")).await,
        sorted(vec![m.switch, m.zelda])
    );
    assert_eq!(
        find(price("", "NT$ 500")).await,
        sorted(vec![m.account, m.cake])
    );
    assert_eq!(find(price("12000", "")).await, vec![m.iphone]);
    assert_eq!(
        find(price("1200", "1200")).await,
        vec![m.zelda],
        "bounds are inclusive"
    );
    assert!(find(price("9000", "100")).await.is_empty());
    // Amounts that cannot be read are ignored rather than failing the search.
    assert_eq!(find(price("cheap", "12.5")).await, everything_for_sale);

    // Minimum stock.
    let stock = SearchQuery {
        stock: Some(3),
        ..all()
    };
    assert_eq!(find(stock).await, sorted(vec![m.switch, m.zelda, m.cake]));
    let stock = SearchQuery {
        stock: Some(10),
        ..all()
    };
    assert_eq!(find(stock).await, vec![m.cake]);

    // Sale mode.
    let mode = |mode| SearchQuery {
        mode: Some(mode),
        ..all()
    };
    assert_eq!(find(mode(SaleMode::Auction)).await, vec![m.account]);
    assert_eq!(find(mode(SaleMode::Offers)).await, vec![m.switch]);
    assert_eq!(
        find(mode(SaleMode::Fixed)).await,
        sorted(vec![m.iphone, m.zelda, m.cake])
    );

    // Availability.
    let status = |status| SearchQuery { status, ..all() };
    assert_eq!(find(status(Availability::Sold)).await, vec![m.sold_iphone]);
    let mut any = everything_for_sale.clone();
    any.push(m.sold_iphone);
    assert_eq!(find(status(Availability::Any)).await, sorted(any));
    assert_eq!(
        find(status(Availability::Available)).await,
        everything_for_sale
    );

    // Filters combine, with words too.
    let iphones = SearchQuery {
        status: Availability::Any,
        ..words("iphone")
    };
    assert_eq!(
        find(iphones.clone()).await,
        sorted(vec![m.iphone, m.sold_iphone])
    );
    assert_eq!(find(words("iphone")).await, vec![m.iphone]);
    let cheap_taipei_phones = SearchQuery {
        category: Some("electronics".into()),
        area: "Taipei".into(),
        max: "5000".into(),
        ..iphones
    };
    assert_eq!(find(cheap_taipei_phones).await, vec![m.sold_iphone]);
    let nintendo_in_taipei = SearchQuery {
        tag: Some("nintendo".into()),
        area: "Taipei".into(),
        mode: Some(SaleMode::Fixed),
        stock: Some(2),
        category: Some("games".into()),
        ..words("zelda")
    };
    assert_eq!(find(nintendo_in_taipei).await, vec![m.zelda]);
}

#[tokio::test]
async fn every_sort_orders_as_named() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let priced = |title: &str, price: &str| ListingInput {
        price: price.into(),
        ..input(title)
    };
    let mid = listed(&pool, mei, &priced("Lamp", "500"), NOW).await;
    let low = listed(&pool, mei, &priced("Chair", "100"), NOW + 1).await;
    let high = listed(&pool, mei, &priced("Desk", "9000"), NOW + 2).await;
    let free = listed(&pool, mei, &priced("Box", "0"), NOW + 3).await;
    let sort = |sort| SearchQuery {
        sort: Some(sort),
        ..all()
    };
    assert_eq!(
        ids(&pool, &sort(Sort::New)).await,
        vec![free, high, low, mid]
    );
    assert_eq!(
        ids(&pool, &all()).await,
        vec![free, high, low, mid],
        "new by default"
    );
    assert_eq!(
        ids(&pool, &sort(Sort::Relevance)).await,
        vec![free, high, low, mid],
        "relevance without words is newest"
    );
    assert_eq!(
        ids(&pool, &sort(Sort::PriceLow)).await,
        vec![free, low, mid, high]
    );
    assert_eq!(
        ids(&pool, &sort(Sort::PriceHigh)).await,
        vec![high, mid, low, free]
    );

    // Popularity: a favorite weighs as much as five views.
    let fans: Vec<i64> = {
        let mut v = Vec::new();
        for name in ["a", "b", "c", "d", "e", "f"] {
            v.push(user(&pool, name).await);
        }
        v
    };
    favorites::set(&pool, fans[0], low, true, NOW)
        .await
        .unwrap();
    for fan in &fans {
        favorites::record_view(&pool, mid, &fan.to_string(), NOW)
            .await
            .unwrap();
    }
    for fan in &fans[..3] {
        favorites::record_view(&pool, free, &fan.to_string(), NOW)
            .await
            .unwrap();
    }
    // mid 6, low 5, free 3, high 0.
    assert_eq!(
        ids(&pool, &sort(Sort::Popular)).await,
        vec![mid, low, free, high]
    );
}

#[tokio::test]
async fn ending_soon_puts_running_auctions_first_by_their_end() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let ended = listed(&pool, mei, &auction("Ended", NOW, 10 * MINUTE), NOW).await;
    let fixed_old = listed(&pool, mei, &input("Fixed old"), NOW + 1).await;
    let late = listed(&pool, mei, &auction("Late", NOW, 3 * HOUR), NOW + 2).await;
    let soon = listed(&pool, mei, &auction("Soon", NOW, 2 * HOUR), NOW + 3).await;
    let fixed_new = listed(&pool, mei, &input("Fixed new"), NOW + 4).await;
    let scheduled = listed(&pool, mei, &auction("Scheduled", NOW + DAY, HOUR), NOW + 5).await;
    let query = SearchQuery {
        sort: Some(Sort::EndingSoon),
        ..all()
    };
    let at = NOW + HOUR;
    let found: Vec<i64> = run(&pool, &query, at)
        .await
        .cards
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(&found[..3], &[soon, late, scheduled]);
    assert_eq!(
        sorted(found[3..].to_vec()),
        sorted(vec![ended, fixed_old, fixed_new])
    );
    let card = run(&pool, &query, at).await.cards.remove(0);
    assert_eq!(card.ends_at, Some(NOW + 2 * HOUR));
    assert_eq!(card.sale_mode, SaleMode::Auction);
    // Once the soonest has ended, it drops behind the running ones.
    let found: Vec<i64> = run(&pool, &query, NOW + 2 * HOUR)
        .await
        .cards
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(&found[..2], &[late, scheduled]);
}

#[tokio::test]
async fn pages_split_the_results_at_page_size() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let mut made = Vec::new();
    for i in 0..PAGE_SIZE as i64 {
        made.push(listed(&pool, mei, &input(&format!("Widget {i}")), NOW + i).await);
    }
    for query in [all(), words("widget")] {
        let first = run(&pool, &query, NOW).await;
        assert_eq!(first.total, u64::from(PAGE_SIZE));
        assert_eq!(first.cards.len(), PAGE_SIZE as usize);
        let second = run(&pool, &query.with_page(2), NOW).await;
        assert!(second.cards.is_empty());
        assert_eq!(second.total, u64::from(PAGE_SIZE));
    }

    made.push(listed(&pool, mei, &input("Widget last"), NOW + 100).await);
    for query in [all(), words("widget")] {
        let first = run(&pool, &query, NOW).await;
        let second = run(&pool, &query.with_page(2), NOW).await;
        let beyond = run(&pool, &query.with_page(3), NOW).await;
        let far_beyond = run(&pool, &query.with_page(50), NOW).await;
        assert_eq!(first.total, u64::from(PAGE_SIZE) + 1);
        assert_eq!(crate::domain::catalog::search::page_count(first.total), 2);
        assert_eq!(first.cards.len(), PAGE_SIZE as usize);
        assert_eq!(second.cards.len(), 1, "the last page is partial");
        assert_eq!(second.total, first.total);
        assert!(beyond.cards.is_empty() && far_beyond.cards.is_empty());
        assert_eq!(
            beyond.total, first.total,
            "the total stays right past the end"
        );
        assert_eq!(far_beyond.total, first.total);
        // No listing twice, none missing.
        let seen: Vec<i64> = first
            .cards
            .iter()
            .chain(&second.cards)
            .map(|c| c.id)
            .collect();
        assert_eq!(sorted(seen), sorted(made.clone()));
    }
    // Newest first: the last one made opens page 1 and the first closes page 2.
    let first = run(&pool, &all(), NOW).await;
    assert_eq!(first.cards[0].id, *made.last().unwrap());
    let second = run(&pool, &all().with_page(2), NOW).await;
    assert_eq!(second.cards[0].id, made[0]);
}

#[tokio::test]
async fn listings_without_tags_or_images_are_found_too() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let bare = listed(&pool, mei, &input("Plain stool"), NOW).await;
    let photo = upload(&pool, &media, mei, NOW).await;
    let pictured = listed(
        &pool,
        mei,
        &ListingInput {
            images: vec![photo.id],
            tags: vec!["stool".into()],
            ..input("Pictured stool")
        },
        NOW + 1,
    )
    .await;
    let found = run(&pool, &words("stool"), NOW).await;
    assert_eq!(found.total, 2);
    let card = |id| found.cards.iter().find(|c| c.id == id).unwrap();
    assert_eq!(card(bare).thumb_url, None);
    assert_eq!(
        card(pictured).thumb_url.as_deref(),
        Some(photo.thumb_url.as_str())
    );
    assert_eq!(card(bare).title, "Plain stool");
    assert_eq!(card(bare).price.minor, 1000);
    assert_eq!(card(bare).area, "Taipei");
    assert_eq!(ids(&pool, &words("plain")).await, vec![bare]);
}

#[tokio::test]
async fn listings_not_public_are_never_found() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let _pending = submitted(&pool, mei, &input("Hidden lamp pending"), NOW).await;
    let rejected = submitted(&pool, mei, &input("Hidden lamp rejected"), NOW + 1).await;
    review::decide(&pool, ListingId(rejected), Decision::Reject, "Blurry", NOW)
        .await
        .unwrap();
    let delisted = listed(&pool, mei, &input("Hidden lamp delisted"), NOW + 2).await;
    review::delist(&pool, ListingId(delisted), "Counterfeit", NOW)
        .await
        .unwrap();
    let public = listed(&pool, mei, &input("Hidden lamp public"), NOW + 3).await;
    for status in Availability::ALL {
        for q in ["", "hidden lamp", "pending", "rejected", "delisted"] {
            let query = SearchQuery { status, ..words(q) };
            let found = ids(&pool, &query).await;
            assert!(
                found.iter().all(|id| *id == public),
                "{q:?} {status:?}: {found:?}"
            );
        }
    }
    assert_eq!(ids(&pool, &words("hidden")).await, vec![public]);
}

#[tokio::test]
async fn hostile_query_text_is_harmless() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let kindle = listed(&pool, mei, &input("Kindle Paperwhite"), NOW).await;
    let hostile = [
        "\"",
        "\"\"",
        "'",
        "*",
        "**",
        "kindle*",
        "\"kindle",
        "kindle\"",
        "NEAR(",
        "NEAR(kindle paperwhite, 2)",
        "kindle NOT paperwhite",
        "kindle OR x",
        "AND",
        "OR",
        "NOT",
        "title:kindle",
        "{title description}: kindle",
        "^kindle",
        "-kindle",
        "+kindle",
        "(kindle)",
        "[kindle]",
        "kindle\\",
        "%",
        "_",
        "' OR 1=1 --",
        "\"; DROP TABLE listings; --",
        "\u{0}",
        "kindle\u{0}",
        "kin\u{0}dle",
        "\u{1}kindle\u{7f}\u{1b}[0m",
        "\u{200B}",
        "🔥🔥",
        "ｋｉｎｄｌｅ",
        &"kindle ".repeat(200),
        &"蛋".repeat(300),
    ];
    for q in hostile {
        for sort in Sort::ALL {
            let query = SearchQuery {
                sort: Some(sort),
                area: q.into(),
                tag: Some(q.into()),
                ..words(q)
            };
            if let Err(e) = search(&pool, &query, Currency::Twd, NOW).await {
                panic!("{q:?} failed: {e}");
            }
        }
    }
    // The words in hostile text are still searched for.
    for q in ["kindle*", "\"kindle", "(kindle)", "^kindle", "kindle\u{0}"] {
        assert_eq!(ids(&pool, &words(q)).await, vec![kindle], "{q}");
    }
    // Boolean operators are words, not operators: nothing says "NOT".
    assert!(ids(&pool, &words("kindle NOT paperwhite")).await.is_empty());
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM listings")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn edits_reindex_and_deletes_unindex() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let form = ListingInput {
        tags: vec!["ereader".into()],
        description: "Warm light".into(),
        ..input("Kindle Paperwhite")
    };
    let id = listed(&pool, mei, &form, NOW).await;
    assert_eq!(ids(&pool, &words("kindle")).await, vec![id]);

    let edited = ListingInput {
        title: "Kobo Clara".into(),
        tags: vec!["ebook".into()],
        description: "Cold light".into(),
        ..form
    };
    edit::update(
        &pool,
        &vault(),
        &media,
        mei,
        id,
        &draft(&edited, NOW),
        NOW + 1,
    )
    .await
    .unwrap();
    review::decide(&pool, ListingId(id), Decision::Approve, "", NOW + 2)
        .await
        .unwrap();
    for gone in ["kindle", "paperwhite", "ereader", "warm"] {
        assert!(ids(&pool, &words(gone)).await.is_empty(), "{gone}");
    }
    for now_there in ["kobo", "clara", "ebook", "cold"] {
        assert_eq!(ids(&pool, &words(now_there)).await, vec![id], "{now_there}");
    }
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM listing_search WHERE rowid = ?")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, 1, "one index row per listing, however often edited");

    edit::delete(&pool, &media, mei, id).await.unwrap();
    assert!(ids(&pool, &words("kobo")).await.is_empty());
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM listing_search")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, 0);
}

#[tokio::test]
async fn index_missing_catches_up_on_unindexed_listings() {
    let (pool, _dir) = temp_db().await;
    let mei = user(&pool, "mei").await;
    let indexed = listed(&pool, mei, &input("Kindle Paperwhite"), NOW).await;
    assert_eq!(index_missing(&pool).await.unwrap(), 0);

    // Written behind the index's back, as demo data and older databases are.
    let raw: i64 = sqlx::query_scalar(
        "INSERT INTO listings (seller_id, category_id, title, description, price, condition,
                               sale_mode, area, status, created_at, updated_at)
         VALUES (?, (SELECT id FROM categories WHERE slug = 'desserts'), '芒果千層蛋糕',
                 'Kindle-free zone', 450, 'new', 'fixed', 'Taipei', 'approved', ?, ?)
         RETURNING id",
    )
    .bind(mei)
    .bind(NOW + 1)
    .bind(NOW + 1)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(ids(&pool, &words("蛋糕")).await.is_empty());
    assert_eq!(
        ids(&pool, &all()).await,
        vec![raw, indexed],
        "filters need no index"
    );

    assert_eq!(index_missing(&pool).await.unwrap(), 1);
    assert_eq!(ids(&pool, &words("蛋糕")).await, vec![raw]);
    assert_eq!(
        sorted(ids(&pool, &words("kindle")).await),
        sorted(vec![indexed, raw])
    );
    assert_eq!(index_missing(&pool).await.unwrap(), 0, "nothing left to do");

    // Indexing twice leaves one row.
    let mut conn = pool.acquire().await.unwrap();
    index(&mut conn, raw).await.unwrap();
    index(&mut conn, raw).await.unwrap();
    // Indexing a listing that does not exist is a no-op.
    index(&mut conn, 9999).await.unwrap();
    drop(conn);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM listing_search")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, 2);
}
