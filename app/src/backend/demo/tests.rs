use super::*;
use crate::backend::{catalog::categories, platform::db::testing::temp_db};
use crate::domain::{account, catalog};

async fn scalar(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// Auctions whose window relates to `now` as `condition` says.
async fn auctions_where(pool: &SqlitePool, condition: &str, now: i64) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM auctions WHERE {condition}");
    sqlx::query_scalar(&sql)
        .bind(now)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn seeds_a_lively_market_once() {
    let (pool, dir) = temp_db().await;
    categories::sync(&pool).await.unwrap();
    let media = MediaStore::open(dir.path().join("media")).unwrap();
    let outcome = seed_if_empty(&pool, &media, Currency::Twd).await.unwrap();
    let SeedOutcome::Seeded { users, listings } = outcome else {
        panic!("demo data was not seeded");
    };
    assert_eq!(users, USERS.len());
    assert!(listings >= 200, "{listings} listings");
    let total = listings as i64;
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM listings").await, total);
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM users").await,
        users as i64
    );
    assert!(scalar(&pool, "SELECT COUNT(DISTINCT seller_id) FROM listings").await >= 10);
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM listings WHERE status = 'pending'"
        )
        .await,
        3
    );
    // Two sold before the demo deals; those sold out by a deal have an order.
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM listings l
              WHERE status = 'sold'
                AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.listing_id = l.id)"
        )
        .await,
        2
    );

    // Something in every category, and something public under every top one.
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM categories c
              WHERE NOT EXISTS (SELECT 1 FROM listings l WHERE l.category_id = c.id)"
        )
        .await,
        0
    );
    for top in category::top_level() {
        let approved: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM listings l
               JOIN categories c ON c.id = l.category_id
               LEFT JOIN categories p ON p.id = c.parent_id
              WHERE l.status = 'approved' AND (c.slug = ?1 OR p.slug = ?1)",
        )
        .bind(top.slug)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(approved > 0, "nothing approved under {}", top.slug);
    }

    // Most listings have tags and pictures, but not all.
    let untagged = scalar(
        &pool,
        "SELECT COUNT(*) FROM listings l
          WHERE NOT EXISTS (SELECT 1 FROM listing_tags t WHERE t.listing_id = l.id)",
    )
    .await;
    assert!(
        untagged > 0 && untagged < total / 4,
        "{untagged} without tags"
    );
    let bare = scalar(
        &pool,
        "SELECT COUNT(*) FROM listings l
          WHERE NOT EXISTS (SELECT 1 FROM images i WHERE i.listing_id = l.id)",
    )
    .await;
    assert!(bare > 0 && bare < total / 4, "{bare} without images");
    assert!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM (SELECT listing_id FROM images GROUP BY listing_id
                                    HAVING COUNT(*) > 1)"
        )
        .await
            > 0
    );
    // Positions run 0, 1, 2… and pictures belong to the seller.
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM (SELECT listing_id FROM images GROUP BY listing_id
                                    HAVING MAX(position) + 1 <> COUNT(*))"
        )
        .await,
        0
    );
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM images i JOIN listings l ON l.id = i.listing_id
              WHERE i.owner_id <> l.seller_id"
        )
        .await,
        0
    );
    assert!(
        scalar(
            &pool,
            "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM listing_tags GROUP BY listing_id)"
        )
        .await
            <= 4
    );
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM tags")
        .fetch_all(&pool)
        .await
        .unwrap();
    for name in &names {
        assert_eq!(catalog::normalize_tag(name).as_deref(), Ok(name.as_str()));
    }

    // Auctions in every phase, each with terms matching its listing.
    let now = now_ms();
    let live = auctions_where(&pool, "starts_at <= ?1 AND ends_at > ?1", now).await;
    let scheduled = auctions_where(&pool, "starts_at > ?1", now).await;
    let ended = auctions_where(&pool, "ends_at <= ?1", now).await;
    assert!(
        live >= 3 && scheduled >= 2 && ended >= 1,
        "{live} live, {scheduled} scheduled, {ended} ended"
    );
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM listings WHERE sale_mode = 'auction'"
        )
        .await,
        live + scheduled + ended
    );
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM auctions a JOIN listings l ON l.id = a.listing_id
              WHERE l.sale_mode <> 'auction' OR l.price <> a.start_price
                 OR l.created_at > a.starts_at OR l.status <> 'approved'"
        )
        .await,
        0
    );

    // Running auctions are live with bids from members other than the
    // seller, and their stored price is the last bid's.
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM auctions WHERE phase = 'live' AND bids > 0"
        )
        .await,
        live
    );
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM auctions a JOIN listings l ON l.id = a.listing_id
              WHERE a.phase = 'live' AND (a.leader_id = l.seller_id
                 OR a.price <> (SELECT b.price FROM bids b WHERE b.listing_id = a.listing_id
                                 ORDER BY b.id DESC LIMIT 1)
                 OR a.bids <> (SELECT COUNT(*) FROM bids b WHERE b.listing_id = a.listing_id))"
        )
        .await,
        0
    );

    // Favorites agree with the counters and never come from the seller.
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM listings l
              WHERE l.favorites <> (SELECT COUNT(*) FROM favorites f WHERE f.listing_id = l.id)"
        )
        .await,
        0
    );
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM favorites f JOIN listings l ON l.id = f.listing_id
              WHERE f.user_id = l.seller_id OR l.status = 'pending'"
        )
        .await,
        0
    );
    assert!(scalar(&pool, "SELECT COUNT(*) FROM favorites").await > total / 2);
    assert!(scalar(&pool, "SELECT COUNT(DISTINCT views) FROM listings").await > 30);

    // Every stored picture is on disk.
    let files: Vec<(String, String)> = sqlx::query_as("SELECT file_name, thumb_name FROM images")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(files.len() > 200, "{} images", files.len());
    for (file, thumb) in &files {
        assert!(media.root().join(file).is_file(), "{file}");
        assert!(media.root().join(thumb).is_file(), "{thumb}");
    }

    // Titles in Chinese, Korean and English, three scripts on the first row.
    let titles: Vec<String> = sqlx::query_scalar("SELECT title FROM listings")
        .fetch_all(&pool)
        .await
        .unwrap();
    let has = |pred: fn(char) -> bool| titles.iter().any(|t| t.chars().any(pred));
    assert!(has(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    assert!(has(|c| ('\u{ac00}'..='\u{d7a3}').contains(&c)));
    assert!(titles.iter().any(|t| t.is_ascii()));
    let newest: Vec<String> = sqlx::query_scalar(
        "SELECT title FROM listings WHERE status = 'approved'
          ORDER BY created_at DESC, id DESC LIMIT 12",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let newest = newest.join(" | ");
    assert!(
        newest.contains("芒果千層蛋糕")
            && newest.contains("브라우니")
            && newest.contains("MacBook"),
        "{newest}"
    );

    assert_eq!(
        seed_if_empty(&pool, &media, Currency::Twd).await.unwrap(),
        SeedOutcome::AlreadyHasData
    );
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM listings").await, total);
}

/// (state, count) of `table`'s rows, by state.
async fn states(pool: &SqlitePool, table: &str) -> HashMap<String, i64> {
    sqlx::query_as(&format!(
        "SELECT state, COUNT(*) FROM {table} GROUP BY state"
    ))
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .collect()
}

#[tokio::test]
async fn seeded_deals_follow_the_rules_and_the_stock() {
    let (pool, dir) = temp_db().await;
    categories::sync(&pool).await.unwrap();
    let media = MediaStore::open(dir.path().join("media")).unwrap();
    let before = now_ms();
    seed_if_empty(&pool, &media, Currency::Twd).await.unwrap();
    let now = now_ms();

    // Every story was told: orders and offers in every state.
    let orders = states(&pool, "orders").await;
    let offers = states(&pool, "offers").await;
    let count = |map: &HashMap<String, i64>, state: &str| map.get(state).copied().unwrap_or(0);
    for (state, n) in [
        ("negotiating", 2),
        ("buyer_confirmed", 1),
        ("established", 3),
        ("completed", 2),
        ("cancelled", 1),
    ] {
        assert_eq!(count(&orders, state), n, "{state} orders: {orders:?}");
    }
    for (state, n) in [
        ("pending", 2),
        ("countered", 1),
        ("accepted", 1),
        ("declined", 1),
        ("withdrawn", 1),
        ("expired", 1),
    ] {
        assert_eq!(count(&offers, state), n, "{state} offers: {offers:?}");
    }
    assert_eq!(
        count(&orders, "awaiting_payment"),
        0,
        "no auction has ended in the seeding"
    );

    // Stock: never negative; sold exactly when none is left; and what is
    // left is what the plan listed minus the units open and completed
    // orders hold (listing ids follow the plan's order).
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM listings WHERE stock < 0").await,
        0
    );
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM listings
              WHERE sale_mode <> 'auction' AND status IN ('approved', 'sold')
                AND (status = 'sold') <> (stock = 0)"
        )
        .await,
        0
    );
    let planned = demo_market(now, Currency::Twd);
    let held: Vec<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT l.id, l.title, l.stock,
                COALESCE(SUM(CASE WHEN o.state <> 'cancelled' THEN o.quantity END), 0)
           FROM listings l JOIN orders o ON o.listing_id = l.id
          GROUP BY l.id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(held.len(), 9, "one listing per order story: {held:?}");
    for (id, title, stock, held) in held {
        let row = &planned[id as usize - 1];
        assert_eq!(row.plan.title, title);
        assert_eq!(stock + held, row.stock, "{title}");
    }
    assert!(
        scalar(&pool, "SELECT COUNT(*) FROM listings WHERE status = 'sold'").await > 2,
        "a deal sold something out"
    );

    // Orders: between the listing's seller and another member, after it was
    // listed, amount and ticks as the room left them, the handover code
    // exactly for established and completed ones, whose meet-up is set.
    assert_eq!(
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM orders o JOIN listings l ON l.id = o.listing_id
              WHERE o.seller_id <> l.seller_id OR o.buyer_id = o.seller_id
                 OR o.created_at < l.created_at OR o.updated_at < o.created_at
                 OR o.updated_at > ?1 OR o.quantity < 1 OR o.amount <= 0
                 OR length(o.public_id) <> 32 OR o.public_id GLOB '*[^0-9a-f]*'
                 OR o.seq < MAX(o.rev_quantity, o.rev_price, o.rev_place, o.rev_time)
                 OR o.source NOT IN ('order', 'offer') OR o.pay_by IS NOT NULL"
        )
        .bind(now)
        .fetch_one(&pool)
        .await
        .unwrap(),
        0
    );
    assert_eq!(
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM orders
              WHERE (state IN ('established', 'completed'))
                    <> (handover_code IS NOT NULL AND length(handover_code) = 6
                        AND handover_code NOT GLOB '*[^0-9]*')
                 OR (state IN ('buyer_confirmed', 'established', 'completed')
                     AND (ticks <> 15 OR place = '' OR meet_at IS NULL))
                 OR (state = 'established' AND (established_at IS NULL OR completed_at IS NOT NULL))
                 OR (state = 'completed' AND (established_at IS NULL OR completed_at IS NULL))
                 OR (state NOT IN ('established', 'completed')
                     AND (established_at IS NOT NULL OR completed_at IS NOT NULL))
                 OR (state = 'established' AND meet_at <= ?1)
                 OR (state = 'completed' AND (meet_at > completed_at OR completed_at < established_at))
                 OR (state = 'negotiating' AND ticks = 15)
                 OR (state = 'cancelled') <> (cancelled_by IS NOT NULL AND cancel_reason <> '')"
        )
        .bind(now)
        .fetch_one(&pool)
        .await
        .unwrap(),
        0
    );

    // Offers: every accepted one has its established order (source 'offer',
    // same listing and buyer, at its price); a counter answers a countered
    // offer and waits; pending ones expire ahead, expired ones behind.
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM offers f LEFT JOIN orders o ON o.id = f.order_id
              WHERE f.state = 'accepted'
                AND (o.id IS NULL OR o.source <> 'offer' OR o.state <> 'established'
                     OR o.listing_id <> f.listing_id OR o.buyer_id <> f.buyer_id
                     OR o.amount <> f.amount * f.quantity OR f.decided_at IS NULL)"
        )
        .await,
        0
    );
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM orders WHERE source = 'offer'").await,
        scalar(
            &pool,
            "SELECT COUNT(*) FROM offers WHERE state = 'accepted'"
        )
        .await
    );
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM offers c JOIN offers f ON f.id = c.parent_id
              WHERE c.by_seller = 1 AND c.state = 'pending' AND f.state = 'countered'
                AND f.by_seller = 0 AND c.buyer_id = f.buyer_id AND c.listing_id = f.listing_id
                AND c.created_at = f.decided_at AND c.amount > f.amount"
        )
        .await,
        1
    );
    assert_eq!(
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM offers f JOIN listings l ON l.id = f.listing_id
              WHERE l.sale_mode <> 'offers' OR f.seller_id <> l.seller_id
                 OR f.buyer_id = f.seller_id OR f.created_at < l.created_at
                 OR (f.state = 'pending') <> (f.decided_at IS NULL)
                 OR (f.state = 'pending' AND f.expires_at <= ?1)
                 OR (f.state = 'expired' AND f.expires_at > ?2)
                 OR (f.parent_id IS NULL) = (f.by_seller = 1)"
        )
        .bind(now)
        .bind(before)
        .fetch_one(&pool)
        .await
        .unwrap(),
        0
    );

    // Several demo members on both sides; Sam and Mei have deals as buyers
    // and, like most sellers, as sellers too.
    assert!(scalar(&pool, "SELECT COUNT(DISTINCT buyer_id) FROM orders").await >= 5);
    assert!(scalar(&pool, "SELECT COUNT(DISTINCT seller_id) FROM orders").await >= 3);
    for name in ["sam", "mei"] {
        let mine: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM orders o WHERE o.buyer_id = u.id)
                  + (SELECT COUNT(*) FROM offers f WHERE f.buyer_id = u.id)
               FROM users u WHERE u.username = ?",
        )
        .bind(name)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(mine >= 2, "{name}: {mine}");
    }

    // Sam and Mei paid by wallet: Sam's established order is held in
    // escrow, Mei's completed one released to its seller; the others are
    // cash. Each paid its price, topped up with the test card just before,
    // and the ledger is sound.
    let holds: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT u.username, o.state, h.state, h.amount, o.amount
           FROM holds h JOIN orders o ON o.id = h.order_id JOIN users u ON u.id = h.buyer_id
          ORDER BY u.username",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let shape: Vec<(&str, &str, &str)> = holds
        .iter()
        .map(|(who, order, hold, _, _)| (who.as_str(), order.as_str(), hold.as_str()))
        .collect();
    assert_eq!(
        shape,
        [
            ("mei", "completed", "posted"),
            ("sam", "established", "pending")
        ]
    );
    assert!(holds.iter().all(|h| h.3 == h.4), "{holds:?}");
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM top_ups t JOIN transfers x ON x.id = t.transfer_id
              WHERE t.state = 'succeeded' AND t.card_last4 = '4242'"
        )
        .await,
        2
    );
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM wallet_audit WHERE transfer_id IS NOT NULL"
        )
        .await,
        scalar(&pool, "SELECT COUNT(*) FROM transfers").await,
        "every movement has its audit line"
    );
    assert_eq!(
        crate::backend::wallet::store::audit(&pool).await.unwrap(),
        (0, 0)
    );
    assert_eq!(
        crate::backend::wallet::store::hold_and_balance_faults(&pool)
            .await
            .unwrap(),
        (0, 0)
    );
}

#[tokio::test]
async fn seeding_needs_the_categories() {
    let (pool, dir) = temp_db().await;
    sqlx::query("DELETE FROM categories")
        .execute(&pool)
        .await
        .unwrap();
    let media = MediaStore::open(dir.path().join("media")).unwrap();
    let err = seed_if_empty(&pool, &media, Currency::Twd)
        .await
        .unwrap_err();
    assert!(matches!(err, SeedError::UnknownCategory(_)), "{err}");
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn bulk_listings_fill_a_benchmark_database() {
    let (pool, _dir) = temp_db().await;
    categories::sync(&pool).await.unwrap();
    assert_eq!(bulk_listings(&pool, 500, Currency::Krw).await.unwrap(), 500);
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM listings WHERE status = 'approved'"
        )
        .await,
        500
    );
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM listings").await, 500);
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM users").await,
        USERS.len() as i64
    );
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM images").await, 0);
    assert!(scalar(&pool, "SELECT COUNT(DISTINCT title) FROM listings").await > 200);
    assert!(scalar(&pool, "SELECT COUNT(DISTINCT category_id) FROM listings").await >= 20);
    assert!(scalar(&pool, "SELECT COUNT(DISTINCT seller_id) FROM listings").await >= 10);
    assert!(scalar(&pool, "SELECT COUNT(*) FROM listing_tags").await > 500);
    assert!(scalar(&pool, "SELECT COUNT(*) FROM auctions").await >= 1);
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM listings l
              WHERE l.favorites <> (SELECT COUNT(*) FROM favorites f WHERE f.listing_id = l.id)"
        )
        .await,
        0
    );

    // More batches than one, reusing the demo users and tags.
    assert_eq!(
        bulk_listings(&pool, 1_500, Currency::Krw).await.unwrap(),
        1_500
    );
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM listings").await, 2_000);
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM users").await,
        USERS.len() as i64
    );
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM listings WHERE status <> 'approved'"
        )
        .await,
        0
    );
}

#[test]
fn templates_and_users_obey_the_rules() {
    let longest_flourish = [TW, CN, KO, EN]
        .iter()
        .flat_map(|p| p.flourishes)
        .map(|f| f.chars().count())
        .max()
        .unwrap_or(0);
    for t in FEATURED.iter().chain(CATALOG) {
        assert!(category::find(t.category).is_some(), "{}", t.category);
        assert!(!t.variants.is_empty(), "{}", t.title);
        assert!((1..=3).contains(&t.tags.len()), "{}", t.title);
        assert!(t.price_twd >= 0, "{}", t.title);
        for variant in t.variants {
            let title = format!("{} {variant}", t.title);
            let chars = title.trim().chars().count();
            assert!(
                chars >= 2 && chars + 1 + longest_flourish <= catalog::TITLE_LEN.1 as usize,
                "{title}"
            );
        }
        for tag in t.tags {
            assert_eq!(catalog::normalize_tag(tag).as_deref(), Ok(*tag));
        }
        assert!(catalog::check_text(t.description, catalog::DESCRIPTION_MAX).is_ok());
    }
    for phrases in [TW, CN, KO, EN] {
        for tag in [phrases.meetup_tag, phrases.shipping_tag] {
            assert_eq!(catalog::normalize_tag(tag).as_deref(), Ok(tag));
        }
    }
    for user in USERS {
        assert_eq!(
            account::check_username(user.username).as_deref(),
            Ok(user.username)
        );
        assert_eq!(
            account::check_nickname(user.nickname).as_deref(),
            Ok(user.nickname)
        );
        assert!(account::check_intro(user.intro).is_ok());
        assert!(
            user.areas
                .iter()
                .all(|a| a.chars().count() <= catalog::AREA_MAX as usize)
        );
    }
    for lang in [Tw, Cn, Ko, En] {
        assert!(USERS.iter().any(|u| u.writes.contains(&lang)));
    }
}

#[test]
fn auction_terms_satisfy_the_schema_in_every_currency() {
    for currency in Currency::ALL {
        for slot in 0..SCHEDULES.len() {
            for price in [10, 350, 9_800, 52_000] {
                let terms = auction_terms(slot, price, 0, currency);
                assert!(terms.ends_at > terms.starts_at);
                assert!(terms.start_price > 0);
                assert!(terms.reserve.is_none_or(|r| r >= terms.start_price));
                assert!(terms.buy_now.is_none_or(|b| b > terms.start_price));
            }
        }
    }
}

#[test]
fn demo_prices_look_like_prices_in_every_currency() {
    assert_eq!(demo_price(680, Currency::Twd), 680);
    assert_eq!(demo_price(680, Currency::Krw), 29_200);
    assert_eq!(demo_price(680, Currency::Jpy), 3_190);
    assert_eq!(demo_price(680, Currency::Cny), 14_900);
    assert_eq!(demo_price(680, Currency::Usd), 2_100);
    for c in Currency::ALL {
        assert!(demo_price(1, c) > 0);
    }
    assert_eq!(to_currency(0, Currency::Krw), 0);
    assert_eq!(round_twd(1_234), 1_200);
    assert_eq!(round_twd(987), 990);
    assert_eq!(round_twd(23_456), 23_500);
}

#[tokio::test]
async fn demo_members_log_in_with_the_demo_password_once_set() {
    let (pool, _dir) = temp_db().await;
    let mut conn = pool.acquire().await.unwrap();
    ensure_users(&mut conn, crate::backend::testing::NOW)
        .await
        .unwrap();
    drop(conn);
    // Someone who signed up on their own keeps their password.
    let outsider = crate::backend::testing::user(&pool, "outsider").await;
    assert_eq!(
        open_demo_logins(&pool, "haggle-demo").await.unwrap(),
        USERS.len() as u64
    );
    let (hash, verified): (String, Option<i64>) =
        sqlx::query_as("SELECT password_hash, email_verified_at FROM users WHERE username = 'sam'")
            .fetch_one(&pool)
            .await
            .unwrap();
    use argon2::{PasswordHash, PasswordVerifier};
    let parsed = PasswordHash::new(&hash).unwrap();
    assert!(
        argon2::Argon2::default()
            .verify_password(b"haggle-demo", &parsed)
            .is_ok()
    );
    assert!(verified.is_some());
    let untouched: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = ?")
        .bind(outsider)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(untouched, "");
    // A restart sets nothing again: a member's own change stands.
    assert_eq!(open_demo_logins(&pool, "other").await.unwrap(), 0);
}
