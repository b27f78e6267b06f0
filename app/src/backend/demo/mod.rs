//! Demo data for a first run, so a newcomer sees a living market.

mod art;

use super::{
    clock::now_ms,
    media::{MediaStore, StoredImage},
};
use crate::domain::{
    listing::{Condition, SaleMode},
    money::Currency,
};
use sqlx::SqlitePool;

const CATEGORIES: [&str; 7] = [
    "desserts",
    "electronics",
    "books",
    "fashion",
    "games",
    "home",
    "sports",
];

/// (username, nickname)
const USERS: [(&str, &str); 6] = [
    ("mei", "Mei 梅子甜點"),
    ("junho", "준호"),
    ("linda", "林小姐"),
    ("sam", "Sam"),
    ("yuna", "유나"),
    ("xiaowei", "小伟"),
];

struct DemoListing {
    category: &'static str,
    title: &'static str,
    description: &'static str,
    /// In New Taiwan dollars; converted for other deployment currencies.
    price_twd: i64,
    condition: Condition,
    mode: SaleMode,
    area: &'static str,
    seller: usize,
}

#[expect(
    clippy::too_many_arguments,
    reason = "one positional row per listing keeps the table below readable"
)]
const fn item(
    category: &'static str,
    title: &'static str,
    description: &'static str,
    price_twd: i64,
    condition: Condition,
    mode: SaleMode,
    area: &'static str,
    seller: usize,
) -> DemoListing {
    DemoListing {
        category,
        title,
        description,
        price_twd,
        condition,
        mode,
        area,
        seller,
    }
}

use Condition::{Good, LikeNew, New};
use SaleMode::{Auction, Fixed, Offers};

const LISTINGS: [DemoListing; 32] = [
    item(
        "desserts",
        "芒果千層蛋糕 6吋",
        "當天現做，可面交取貨，請提前一天預訂。",
        680,
        New,
        Fixed,
        "台北 大安區",
        0,
    ),
    item(
        "desserts",
        "Basque burnt cheesecake, whole",
        "Baked this morning. Pick up near the station, bring a bag.",
        450,
        New,
        Fixed,
        "Taichung West",
        0,
    ),
    item(
        "desserts",
        "수제 초코 브라우니 12개",
        "직접 구운 브라우니입니다. 직거래 선호해요.",
        420,
        New,
        Offers,
        "서울 마포구",
        4,
    ),
    item(
        "desserts",
        "土鳳梨酥禮盒 10入",
        "南投在地鳳梨，送禮自用兩相宜。",
        350,
        New,
        Fixed,
        "台中 西屯區",
        2,
    ),
    item(
        "electronics",
        "iPhone 13 128GB, battery 89%",
        "Always in a case, no scratches on the screen. Charger included.",
        11_500,
        Good,
        Offers,
        "Taipei Xinyi",
        3,
    ),
    item(
        "electronics",
        "MacBook Air M1 8G/256G 二手",
        "電池循環 210 次，附原廠充電器與盒子。",
        17_800,
        LikeNew,
        Auction,
        "台北 信義區",
        2,
    ),
    item(
        "electronics",
        "소니 WH-1000XM4 헤드폰",
        "노이즈 캔슬링 잘 됩니다. 케이스 포함.",
        4_200,
        Good,
        Offers,
        "서울 강남구",
        1,
    ),
    item(
        "electronics",
        "Kindle Paperwhite (11th gen)",
        "Warm light, 8 GB. Screen protector since day one.",
        2_300,
        LikeNew,
        Fixed,
        "Kaohsiung",
        3,
    ),
    item(
        "electronics",
        "小米手环 8 全新未拆",
        "抽奖中的，全新未拆封，深圳可面交。",
        700,
        New,
        Fixed,
        "深圳 南山区",
        5,
    ),
    item(
        "books",
        "Calculus: Early Transcendentals, 8th ed.",
        "A few pencil notes in chapter 3. Meet on campus.",
        650,
        Good,
        Fixed,
        "NTU campus",
        3,
    ),
    item(
        "books",
        "哈利波特 全七冊 繁體中文版",
        "書況良好，有書盒，無劃線。",
        1_200,
        Good,
        Auction,
        "新北 板橋區",
        2,
    ),
    item(
        "books",
        "토익 RC+LC 기본서 세트",
        "한 번 풀었어요. 필기 거의 없음.",
        500,
        LikeNew,
        Fixed,
        "서울 관악구",
        4,
    ),
    item(
        "books",
        "三体 三部曲（简体）",
        "看过一遍，品相很好。",
        260,
        Good,
        Offers,
        "上海 徐汇区",
        5,
    ),
    item(
        "fashion",
        "Vintage Levi's 501, W30 L32",
        "Classic stonewash, worn a handful of times.",
        1_100,
        Good,
        Offers,
        "Taipei Zhongshan",
        3,
    ),
    item(
        "fashion",
        "Uniqlo 輕羽絨外套 深藍 M",
        "只穿過一季，已送洗。",
        800,
        LikeNew,
        Fixed,
        "台北 中正區",
        0,
    ),
    item(
        "fashion",
        "루이비통 스피디 25 정품",
        "영수증 있습니다. 모서리 약간 사용감.",
        28_000,
        Good,
        Auction,
        "부산 해운대구",
        1,
    ),
    item(
        "fashion",
        "帆布托特包 全新",
        "設計師品牌，買了沒用過。",
        390,
        New,
        Fixed,
        "台南 東區",
        2,
    ),
    item(
        "games",
        "Nintendo Switch OLED + 2 games",
        "White model with Zelda and Mario Kart. Joy-cons don't drift.",
        8_200,
        LikeNew,
        Offers,
        "Taichung North",
        3,
    ),
    item(
        "games",
        "原神账号 AR58 十二个五星",
        "可换绑，附赠送详细角色截图。",
        3_500,
        Good,
        Auction,
        "线上交易",
        5,
    ),
    item(
        "games",
        "PS5 光碟版 含兩支手把",
        "保固內，附發票。",
        12_800,
        Good,
        Auction,
        "桃園 中壢區",
        2,
    ),
    item(
        "games",
        "Pokémon TCG Scarlet & Violet booster box",
        "Sealed. Stored away from sunlight.",
        2_600,
        New,
        Fixed,
        "Taipei Da'an",
        3,
    ),
    item(
        "games",
        "스위치 젤다 왕국의 눈물 칩",
        "한 번 클리어했어요. 케이스 있음.",
        1_300,
        LikeNew,
        Offers,
        "서울 송파구",
        1,
    ),
    item(
        "home",
        "IKEA POÄNG armchair, birch",
        "Comfortable, cushion washed. You carry it down two floors.",
        1_500,
        Good,
        Fixed,
        "New Taipei Xindian",
        3,
    ),
    item(
        "home",
        "大同電鍋 10人份 紅色",
        "搬家出清，功能正常。",
        1_800,
        LikeNew,
        Offers,
        "台北 士林區",
        0,
    ),
    item(
        "home",
        "무인양품 초음파 가습기",
        "겨울 한 철 사용. 필터 새것.",
        1_100,
        Good,
        Fixed,
        "서울 성동구",
        4,
    ),
    item(
        "home",
        "Dyson V8 cordless vacuum",
        "New battery in March. All heads included.",
        4_800,
        Good,
        Auction,
        "Hsinchu East",
        3,
    ),
    item(
        "sports",
        "Giant Escape 3 city bike, size M",
        "Recently serviced, new tyres. Lock included.",
        5_500,
        Good,
        Offers,
        "Taipei Neihu",
        3,
    ),
    item(
        "sports",
        "Yonex Astrox 88D 羽球拍",
        "穿線 26 磅，附拍套。",
        2_900,
        LikeNew,
        Fixed,
        "台中 南屯區",
        2,
    ),
    item(
        "sports",
        "요가 매트 + 폼롤러 세트",
        "두세 번 사용했어요.",
        600,
        LikeNew,
        Fixed,
        "서울 마포구",
        4,
    ),
    item(
        "sports",
        "Decathlon 2-person tent",
        "Used for two weekends. Dry and complete.",
        1_700,
        Good,
        Offers,
        "Yilan",
        3,
    ),
    item(
        "sports",
        "Mizuno running shoes 27 cm",
        "About 100 km on them. Washed.",
        1_300,
        Good,
        Fixed,
        "Taoyuan",
        3,
    ),
    item(
        "sports",
        "骑行头盔 全新 L码",
        "买大了，吊牌还在。",
        450,
        New,
        Fixed,
        "北京 朝阳区",
        5,
    ),
];

/// Converts a demo price in TWD into the deployment's currency, rounded to a
/// price a person would ask.
pub fn demo_price(price_twd: i64, currency: Currency) -> i64 {
    match currency {
        Currency::Twd => price_twd,
        Currency::Krw => (price_twd * 43).div_euclid(100).max(1) * 100,
        Currency::Jpy => (price_twd * 47).div_euclid(100).max(1) * 10,
        Currency::Cny => (price_twd * 22).div_euclid(100).max(1) * 100,
        Currency::Usd => (price_twd * 31).div_euclid(1000).max(1) * 100,
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum SeedOutcome {
    Seeded { users: usize, listings: usize },
    AlreadyHasData,
}

/// Fills an empty database with demo users and listings (with generated images).
/// Does nothing when any user exists.
pub async fn seed_if_empty(
    pool: &SqlitePool,
    media: &MediaStore,
    currency: Currency,
) -> Result<SeedOutcome, SeedError> {
    let has_users: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users)")
        .fetch_one(pool)
        .await?;
    if has_users {
        return Ok(SeedOutcome::AlreadyHasData);
    }
    let media = media.clone();
    let images = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<StoredImage>> {
        LISTINGS
            .iter()
            .enumerate()
            .map(|(i, l)| {
                media.store_with_thumbnail(&art::illustrate(l.category, (i as f32 * 47.0) % 360.0))
            })
            .collect()
    })
    .await
    .map_err(|e| SeedError::Image(std::io::Error::other(e)))??;

    let now = now_ms();
    let mut tx = pool.begin().await?;
    let mut user_ids = Vec::with_capacity(USERS.len());
    for (i, (username, nickname)) in USERS.iter().enumerate() {
        let joined = now - (400 - i as i64 * 30) * 86_400_000;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, nickname, email, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(username)
        .bind(nickname)
        .bind(format!("{username}@demo.haggle.test"))
        .bind(joined)
        .fetch_one(&mut *tx)
        .await?;
        user_ids.push(id);
    }
    let mut category_ids = Vec::with_capacity(CATEGORIES.len());
    for (pos, slug) in CATEGORIES.iter().enumerate() {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO categories (slug, position) VALUES (?, ?)
             ON CONFLICT (slug) DO UPDATE SET position = excluded.position RETURNING id",
        )
        .bind(slug)
        .bind(pos as i64)
        .fetch_one(&mut *tx)
        .await?;
        category_ids.push((*slug, id));
    }
    for (i, (listing, image)) in LISTINGS.iter().zip(&images).enumerate() {
        // Spread creation over the last day, interleaving categories (7 is coprime
        // with the count) so the newest row is not all one kind of thing.
        let slot = (i * 7) % LISTINGS.len();
        let created = now - slot as i64 * 37 * 60_000;
        let category = category_ids
            .iter()
            .find(|(slug, _)| *slug == listing.category)
            .map(|(_, id)| *id)
            .ok_or(SeedError::UnknownCategory(listing.category))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO listings (seller_id, category_id, title, description, price, stock, condition,
                                   sale_mode, area, status, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, 'approved', ?, ?) RETURNING id",
        )
        .bind(user_ids[listing.seller])
        .bind(category)
        .bind(listing.title)
        .bind(listing.description)
        .bind(demo_price(listing.price_twd, currency))
        .bind(listing.condition.as_str())
        .bind(listing.mode.as_str())
        .bind(listing.area)
        .bind(created)
        .bind(created)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO listing_images (listing_id, position, file_name, thumb_name, width, height)
             VALUES (?, 0, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(&image.file_name)
        .bind(&image.thumb_name)
        .bind(i64::from(image.width))
        .bind(i64::from(image.height))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(SeedOutcome::Seeded {
        users: USERS.len(),
        listings: LISTINGS.len(),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("image: {0}")]
    Image(#[from] std::io::Error),
    #[error("demo listing names unknown category {0}")]
    UnknownCategory(&'static str),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{db::testing::temp_db, listings::newest_cards};

    #[tokio::test]
    async fn seeds_once_with_images_on_disk() {
        let (pool, dir) = temp_db().await;
        let media = MediaStore::open(dir.path().join("media")).unwrap();
        let outcome = seed_if_empty(&pool, &media, Currency::Twd).await.unwrap();
        assert_eq!(
            outcome,
            SeedOutcome::Seeded {
                users: 6,
                listings: 32
            }
        );

        let cards = newest_cards(&pool, Currency::Twd, 100).await.unwrap();
        assert!(cards.len() >= 24);
        for card in &cards {
            let thumb = card
                .thumb_url
                .as_deref()
                .unwrap()
                .trim_start_matches("/media/");
            assert!(media.root().join(thumb).is_file());
        }
        let categories: i64 =
            sqlx::query_scalar("SELECT COUNT(DISTINCT category_id) FROM listings")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert!(categories >= 5);
        // Titles in English, Chinese and Korean.
        let has = |pred: fn(char) -> bool| cards.iter().any(|c| c.title.chars().any(pred));
        assert!(has(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
        assert!(has(|c| ('\u{ac00}'..='\u{d7a3}').contains(&c)));
        assert!(cards.iter().any(|c| c.title.is_ascii()));

        assert_eq!(
            seed_if_empty(&pool, &media, Currency::Twd).await.unwrap(),
            SeedOutcome::AlreadyHasData
        );
        let listings: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM listings")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(listings, 32);
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
    }
}
