//! Demo data for a first run, so a newcomer sees a living market: a dozen people
//! in Taiwan, Korea and China selling a couple of hundred things in every
//! category, with pictures, tags, favorites, auctions in every phase, and
//! orders and offers in every state (`deals`).
//!
//! Listings come from hand-written item templates; each variant of a template (a
//! size, a colour, a model) becomes its own listing. Sellers, areas, delivery,
//! times and popularity are spread over them by a deterministic mix of the
//! listing's number, so every run seeds the same market without a random-number
//! generator. `bulk_listings` reuses the same templates to fill a database for
//! benchmarks.

mod art;
mod chats;
mod deals;

use crate::backend::platform::{
    clock::now_ms,
    media::{MediaStore, StoredImage, THUMB_SIZE},
};
use crate::domain::{
    catalog::{AuctionTerms, Condition, SaleMode, Status, category},
    money::Currency,
};
use sqlx::{SqliteConnection, SqlitePool};
use std::collections::HashMap;

const MINUTE: i64 = 60_000;
const DAY: i64 = 86_400_000;

/// Demo pictures are drawn at thumbnail size (480×360): enough for a listing
/// page, and the thumbnail is then a copy rather than a resampling, which keeps
/// seeding a few hundred pictures quick even in unoptimised test builds.
const ART_SCALE: f32 = THUMB_SIZE as f32 / art::WIDTH as f32;

/// The language a listing is written in; it decides who sells it and how they
/// phrase things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    /// Traditional Chinese, as in Taiwan.
    Tw,
    /// Simplified Chinese, as in mainland China.
    Cn,
    Ko,
    En,
}

use Lang::{Cn, En, Ko, Tw};

/// What sellers writing in one language add around a listing.
struct Phrases {
    /// The area of something delivered online.
    online: &'static str,
    meetup_places: [&'static str; 4],
    /// A last line some sellers add to the description.
    closers: [&'static str; 4],
    meetup_tag: &'static str,
    shipping_tag: &'static str,
    /// Words a hurried seller adds to a title (bulk listings only); none of them
    /// contradicts a condition.
    flourishes: [&'static str; 5],
}

const TW: Phrases = Phrases {
    online: "線上交易",
    meetup_places: ["捷運站出口", "7-11 門口", "全家便利商店", "社區大門口"],
    closers: [
        "可小議，謝謝。",
        "下班後可面交。",
        "有問題歡迎私訊。",
        "先付先得，不保留。",
    ],
    meetup_tag: "面交",
    shipping_tag: "可寄送",
    flourishes: ["急售", "搬家出清", "可議", "便宜賣", "誠售"],
};

const CN: Phrases = Phrases {
    online: "线上交易",
    meetup_places: ["地铁站出口", "小区门口", "公司楼下", "便利店门口"],
    closers: [
        "价格可小刀。",
        "有问题随时问。",
        "同城优先。",
        "诚心要的私聊。",
    ],
    meetup_tag: "同城",
    shipping_tag: "包邮",
    flourishes: ["急出", "可小刀", "低价出", "诚心出", "亏本出"],
};

const KO: Phrases = Phrases {
    online: "온라인 거래",
    meetup_places: ["지하철역 출구", "편의점 앞", "아파트 정문", "역 근처 카페"],
    closers: [
        "네고 가능해요.",
        "문의 환영합니다.",
        "퇴근 후 거래 가능해요.",
        "찔러보기 사절이에요.",
    ],
    meetup_tag: "직거래",
    shipping_tag: "택배가능",
    flourishes: [
        "급처",
        "네고가능",
        "빠른 거래",
        "가격 내림",
        "오늘만 이 가격",
    ],
};

const EN: Phrases = Phrases {
    online: "Online",
    meetup_places: [
        "Nearest MRT exit",
        "Outside 7-Eleven",
        "Campus main gate",
        "Coffee shop nearby",
    ],
    closers: [
        "Price is a little negotiable.",
        "Message me with any questions.",
        "Evenings and weekends work best.",
        "First come, first served.",
    ],
    meetup_tag: "pickup",
    shipping_tag: "shipping ok",
    flourishes: ["OBO", "moving sale", "quick sale", "price drop", "must go"],
};

impl Lang {
    fn phrases(self) -> &'static Phrases {
        match self {
            Tw => &TW,
            Cn => &CN,
            Ko => &KO,
            En => &EN,
        }
    }
}

struct DemoUser {
    username: &'static str,
    nickname: &'static str,
    intro: &'static str,
    /// The languages their listings are written in.
    writes: &'static [Lang],
    /// Where they meet buyers, in their own words.
    areas: &'static [&'static str],
}

/// Mei bakes: every dessert written in Chinese or English is hers.
const MEI: usize = 0;

const USERS: &[DemoUser] = &[
    DemoUser {
        username: "mei",
        nickname: "Mei 梅子甜點",
        intro: "週末烘焙，蛋糕甜點請提前一天預訂。",
        writes: &[Tw],
        areas: &["台北 大安區", "台北 信義區"],
    },
    DemoUser {
        username: "junho",
        nickname: "준호",
        intro: "전자기기 좋아하는 직장인입니다. 퇴근 후 거래 가능해요.",
        writes: &[Ko],
        areas: &["서울 강남구", "서울 송파구"],
    },
    DemoUser {
        username: "linda",
        nickname: "林小姐",
        intro: "搬家出清中，東西都很新，歡迎詢問。",
        writes: &[Tw],
        areas: &["台中 西屯區", "台中 南屯區", "台中 北區"],
    },
    DemoUser {
        username: "sam",
        nickname: "Sam",
        intro: "Grad student in Taipei. Happy to meet near an MRT station.",
        writes: &[En],
        areas: &["Taipei Xinyi", "Taipei Da'an", "NTU campus"],
    },
    DemoUser {
        username: "yuna",
        nickname: "유나",
        intro: "홈베이킹이랑 요가를 좋아해요.",
        writes: &[Ko],
        areas: &["서울 마포구", "서울 성동구"],
    },
    DemoUser {
        username: "xiaowei",
        nickname: "小伟",
        intro: "数码爱好者，深圳同城可面交。",
        writes: &[Cn],
        areas: &["深圳 南山区", "深圳 福田区"],
    },
    DemoUser {
        username: "ahkuo",
        nickname: "阿國二手3C",
        intro: "二手 3C 買賣十年，每台出貨前都有檢測。",
        writes: &[Tw],
        areas: &["新北 板橋區", "桃園 中壢區", "新竹 東區"],
    },
    DemoUser {
        username: "chloe",
        nickname: "Chloe 克蘿伊",
        intro: "Closet clean-out! 衣服包包陸續上架。",
        writes: &[En],
        areas: &["台南 東區", "台南 中西區"],
    },
    DemoUser {
        username: "minseo",
        nickname: "민서네",
        intro: "부산 직거래 환영합니다. 아이 용품 정리 중이에요.",
        writes: &[Ko],
        areas: &["부산 해운대구", "부산 수영구"],
    },
    DemoUser {
        username: "jiayi",
        nickname: "佳怡",
        intro: "断舍离中，闲置好物低价出。",
        writes: &[Cn],
        areas: &["上海 徐汇区", "上海 静安区", "上海 浦东新区"],
    },
    DemoUser {
        username: "tom",
        nickname: "Tom 湯姆",
        intro: "English teacher in Kaohsiung, selling up before I move home.",
        writes: &[En],
        areas: &["Kaohsiung Zuoying", "Kaohsiung Lingya"],
    },
    DemoUser {
        username: "haoran",
        nickname: "浩然",
        intro: "北京同城，周末可面交。",
        writes: &[Cn],
        areas: &["北京 朝阳区", "北京 海淀区"],
    },
];

/// A kind of thing people sell; each variant becomes one listing.
struct Template {
    lang: Lang,
    category: &'static str,
    title: &'static str,
    /// Added to the title ("" for the bare title): a size, a colour, a model.
    variants: &'static [&'static str],
    description: &'static str,
    /// In New Taiwan dollars; converted for other deployment currencies.
    price_twd: i64,
    condition: Condition,
    /// `Auction` applies to the first variant only; the others take offers.
    mode: SaleMode,
    /// Lower case, at most three: the generator may add one more.
    tags: &'static [&'static str],
}

#[expect(
    clippy::too_many_arguments,
    reason = "one positional row per template keeps the tables below readable"
)]
const fn item(
    lang: Lang,
    category: &'static str,
    title: &'static str,
    variants: &'static [&'static str],
    description: &'static str,
    price_twd: i64,
    condition: Condition,
    mode: SaleMode,
    tags: &'static [&'static str],
) -> Template {
    Template {
        lang,
        category,
        title,
        variants,
        description,
        price_twd,
        condition,
        mode,
        tags,
    }
}

use Condition::{Fair, ForParts, Good, LikeNew, New};
use SaleMode::{Auction, Fixed, Offers};

/// The first variant of each is among the newest listings, in this order, so the
/// home page's first rows mix categories and scripts. Further variants join the
/// rest of the market.
const FEATURED: &[Template] = &[
    item(
        Tw,
        "desserts",
        "芒果千層蛋糕",
        &["6吋", "6吋 芒果加量"],
        "當天現做，可面交取貨，請提前一天預訂。",
        680,
        New,
        Fixed,
        &["千層蛋糕", "手作"],
    ),
    item(
        Tw,
        "computers",
        "MacBook Air M1 8G/256G",
        &["二手", "金色"],
        "電池循環 210 次，附原廠充電器與盒子。",
        17_800,
        LikeNew,
        Auction,
        &["apple", "macbook", "筆電"],
    ),
    item(
        Ko,
        "desserts",
        "수제 초코 브라우니 12개",
        &[""],
        "직접 구운 브라우니입니다. 직거래 선호해요.",
        420,
        New,
        Offers,
        &["브라우니", "수제"],
    ),
    item(
        En,
        "phones",
        "iPhone 13",
        &[
            "128GB, battery 89%",
            "mini 128GB, battery 85%",
            "128GB Starlight",
        ],
        "Always in a case, no scratches on the screen. Charger included.",
        11_500,
        Good,
        Offers,
        &["apple", "iphone"],
    ),
    item(
        En,
        "clothing",
        "Vintage Levi's 501",
        &["W30 L32", "W32 L32"],
        "Classic stonewash, worn a handful of times.",
        1_100,
        Good,
        Offers,
        &["levi's", "vintage", "jeans"],
    ),
    item(
        En,
        "consoles",
        "Nintendo Switch OLED",
        &["+ 2 games", "Neon + 2 games"],
        "Comes with Zelda and Mario Kart. Joy-cons don't drift.",
        8_200,
        LikeNew,
        Offers,
        &["nintendo", "switch"],
    ),
    item(
        Cn,
        "books",
        "三体 三部曲（简体）",
        &["", "重庆出版社"],
        "看过一遍，品相很好。",
        260,
        Good,
        Offers,
        &["三体", "科幻", "刘慈欣"],
    ),
    item(
        Tw,
        "kitchen",
        "大同電鍋 10人份",
        &["紅色", "綠色"],
        "搬家出清，功能正常。",
        1_800,
        LikeNew,
        Offers,
        &["大同電鍋", "搬家出清"],
    ),
    item(
        En,
        "bikes",
        "Giant Escape 3 city bike",
        &["size M", "size S"],
        "Recently serviced, new tyres. Lock included.",
        5_500,
        Good,
        Offers,
        &["giant", "city bike"],
    ),
    item(
        Ko,
        "audio",
        "소니 WH-1000XM4 헤드폰",
        &["", "블루"],
        "노이즈 캔슬링 잘 됩니다. 케이스 포함.",
        4_200,
        Good,
        Offers,
        &["소니", "헤드폰"],
    ),
    item(
        Ko,
        "bags",
        "루이비통 스피디 25 정품",
        &[""],
        "영수증 있습니다. 모서리 약간 사용감.",
        28_000,
        Good,
        Auction,
        &["루이비통", "명품", "정품"],
    ),
    item(
        En,
        "collectibles",
        "Pokémon TCG Scarlet & Violet booster box",
        &[""],
        "Sealed. Stored away from sunlight.",
        2_600,
        New,
        Fixed,
        &["pokemon", "tcg", "sealed"],
    ),
    item(
        En,
        "textbooks",
        "Calculus: Early Transcendentals",
        &["8th ed.", "9th ed."],
        "A few pencil notes in chapter 3.",
        650,
        Good,
        Fixed,
        &["textbook", "calculus", "stewart"],
    ),
    item(
        Cn,
        "electronics",
        "小米手环 8",
        &["全新未拆", "NFC版 全新未拆"],
        "抽奖中的，全新未拆封，可面交。",
        700,
        New,
        Fixed,
        &["小米", "手环", "全新"],
    ),
    item(
        En,
        "furniture",
        "IKEA POÄNG armchair, birch",
        &[""],
        "Comfortable, cushion washed. You carry it down two floors.",
        1_500,
        Good,
        Fixed,
        &["ikea", "armchair"],
    ),
    item(
        Cn,
        "game_accounts",
        "原神账号 AR58 十二个五星",
        &[""],
        "可换绑，附赠送详细角色截图。",
        3_500,
        Good,
        Auction,
        &["原神", "账号"],
    ),
    item(
        En,
        "desserts",
        "Basque burnt cheesecake",
        &["(whole)", "with berry compote"],
        "Baked this morning. Pick up near the station, bring a bag.",
        450,
        New,
        Fixed,
        &["cheesecake", "homemade"],
    ),
    item(
        Tw,
        "sports",
        "Yonex Astrox 88D 羽球拍",
        &["", "3U"],
        "穿線 26 磅，附拍套。",
        2_900,
        LikeNew,
        Fixed,
        &["yonex", "羽球拍"],
    ),
    item(
        Tw,
        "clothing",
        "Uniqlo 輕羽絨外套",
        &["深藍 M", "黑色 L"],
        "只穿過一季，已送洗。",
        800,
        LikeNew,
        Fixed,
        &["uniqlo", "羽絨外套"],
    ),
    item(
        Tw,
        "consoles",
        "PS5 光碟版 含兩支手把",
        &[""],
        "保固內，附發票。",
        12_800,
        Good,
        Auction,
        &["ps5", "sony"],
    ),
    item(
        Ko,
        "home",
        "무인양품 초음파 가습기",
        &["", "2023년형"],
        "겨울 한 철 사용. 필터 새것.",
        1_100,
        Good,
        Fixed,
        &["무인양품", "가습기"],
    ),
    item(
        Ko,
        "textbooks",
        "토익 RC+LC 기본서 세트",
        &[""],
        "한 번 풀었어요. 필기 거의 없음.",
        500,
        LikeNew,
        Fixed,
        &["토익", "교재"],
    ),
    item(
        En,
        "electronics",
        "Kindle Paperwhite",
        &["(11th gen)", "(11th gen), black"],
        "Warm light works perfectly. Screen protector since day one, fabric cover included.",
        2_300,
        LikeNew,
        Fixed,
        &["kindle", "e-reader"],
    ),
    item(
        Tw,
        "books",
        "哈利波特 全七冊 繁體中文版",
        &[""],
        "書況良好，有書盒，無劃線。",
        1_200,
        Good,
        Auction,
        &["哈利波特", "小說"],
    ),
    item(
        En,
        "outdoor",
        "Decathlon 2-person tent",
        &["", "with footprint"],
        "Used for two weekends. Dry and complete.",
        1_700,
        Good,
        Offers,
        &["decathlon", "camping"],
    ),
    item(
        Ko,
        "video_games",
        "스위치 젤다 왕국의 눈물 칩",
        &[""],
        "한 번 클리어했어요. 케이스 있음.",
        1_300,
        LikeNew,
        Offers,
        &["젤다", "스위치"],
    ),
    item(
        Tw,
        "bags",
        "帆布托特包",
        &["全新", "米白 全新"],
        "設計師品牌，買了沒用過。",
        390,
        New,
        Fixed,
        &["托特包", "全新"],
    ),
    item(
        En,
        "home",
        "Dyson V8 cordless vacuum",
        &[""],
        "New battery in March. All heads included.",
        4_800,
        Good,
        Auction,
        &["dyson", "vacuum"],
    ),
    item(
        Ko,
        "sports",
        "요가 매트 + 폼롤러 세트",
        &[""],
        "두세 번 사용했어요.",
        600,
        LikeNew,
        Fixed,
        &["요가", "홈트"],
    ),
    item(
        En,
        "shoes",
        "Mizuno running shoes",
        &["27 cm", "26.5 cm"],
        "About 100 km on them. Washed.",
        1_300,
        Good,
        Fixed,
        &["mizuno", "running"],
    ),
    item(
        Tw,
        "desserts",
        "土鳳梨酥禮盒",
        &["10入", "10入 附提袋"],
        "南投在地鳳梨，送禮自用兩相宜。",
        350,
        New,
        Fixed,
        &["鳳梨酥", "伴手禮"],
    ),
    item(
        Cn,
        "bikes",
        "骑行头盔 全新",
        &["L码", "M码"],
        "买大了，吊牌还在。",
        450,
        New,
        Fixed,
        &["骑行", "头盔", "全新"],
    ),
];

/// The rest of the market, grouped by category in the order of the tree.
const CATALOG: &[Template] = &[
    // electronics
    item(
        Tw,
        "electronics",
        "iPad Air 5 64G WiFi",
        &["太空灰", "星光色"],
        "主要拿來看影片和做筆記，一直有貼保護貼和戴殼，電池健康度 92%。",
        13_500,
        LikeNew,
        Offers,
        &["apple", "ipad", "平板"],
    ),
    item(
        Ko,
        "electronics",
        "갤럭시 워치5 44mm",
        &["그라파이트", "실버"],
        "충전기 포함, 스트랩 새로 교체했어요. 화면 기스 없어요.",
        3_800,
        Good,
        Offers,
        &["삼성", "갤럭시워치"],
    ),
    item(
        En,
        "electronics",
        "Anker 737 power bank",
        &["24,000 mAh"],
        "Used on two trips. Charges a laptop over USB-C at 140 W.",
        1_600,
        LikeNew,
        Fixed,
        &["anker", "power bank"],
    ),
    // phones
    item(
        Tw,
        "phones",
        "iPhone 15 Pro 256G",
        &["原色鈦金屬", "黑色鈦金屬"],
        "公司貨，保固到明年三月，電池健康度 100%，盒裝配件齊全。",
        29_800,
        LikeNew,
        Offers,
        &["apple", "iphone 15 pro", "保固內"],
    ),
    item(
        Ko,
        "phones",
        "갤럭시 S23 울트라 256GB",
        &["팬텀 블랙", "라벤더"],
        "자급제 폰이고 케이스 끼고 사용했어요. 배터리 성능 좋아요.",
        19_000,
        Good,
        Offers,
        &["삼성", "갤럭시"],
    ),
    item(
        Cn,
        "phones",
        "小米 14 12+256G",
        &["白色", "黑色"],
        "国行正品，屏幕贴了膜，无磕碰，配件齐全。",
        12_000,
        LikeNew,
        Fixed,
        &["小米", "手机"],
    ),
    item(
        Tw,
        "phones",
        "Google Pixel 8 128G",
        &["曜石黑", "薄荷綠"],
        "拍照很好用，換新機所以出清。背面有細微使用痕跡。",
        13_800,
        Good,
        Offers,
        &["google", "pixel"],
    ),
    item(
        En,
        "phones",
        "iPhone XR for parts",
        &[""],
        "Cracked screen and Face ID doesn't work. Boots fine; good for parts or repair.",
        1_500,
        ForParts,
        Fixed,
        &["iphone", "for parts"],
    ),
    item(
        Tw,
        "phones",
        "Samsung Galaxy Z Flip5",
        &["薄荷綠"],
        "折痕正常，外螢幕無刮傷，附原廠殼。",
        15_500,
        Good,
        Offers,
        &["samsung", "摺疊機"],
    ),
    // computers
    item(
        En,
        "computers",
        "ThinkPad X1 Carbon Gen 9",
        &["i7 / 16 GB / 512 GB", "i5 / 16 GB / 256 GB"],
        "Keyboard is perfect, battery lasts about six hours. Windows freshly reinstalled.",
        21_000,
        Good,
        Offers,
        &["thinkpad", "lenovo", "laptop"],
    ),
    item(
        Ko,
        "computers",
        "LG 그램 16인치 2022",
        &["화이트"],
        "가볍고 배터리 오래가요. 박스 있습니다.",
        24_000,
        Good,
        Offers,
        &["lg", "그램", "노트북"],
    ),
    item(
        Cn,
        "computers",
        "罗技 MX Keys 键盘",
        &["", "白色"],
        "办公用，按键手感很好，键帽无打油。",
        2_200,
        LikeNew,
        Fixed,
        &["罗技", "键盘"],
    ),
    item(
        Tw,
        "computers",
        "Dell 27吋 4K 螢幕 U2723QE",
        &[""],
        "無亮點無壞點，附 USB-C 線。",
        8_500,
        Good,
        Offers,
        &["dell", "螢幕", "4k"],
    ),
    item(
        En,
        "computers",
        "Mac mini M2",
        &["8 GB / 256 GB", "8 GB / 256 GB, AppleCare+"],
        "Used as a home server for a year. Box and power cable included.",
        14_500,
        LikeNew,
        Fixed,
        &["apple", "mac mini"],
    ),
    item(
        Tw,
        "computers",
        "RTX 3070 顯示卡",
        &["技嘉 Gaming OC", "華碩 TUF"],
        "非礦卡，自用打遊戲，溫度正常，附盒子。",
        9_000,
        Good,
        Offers,
        &["顯示卡", "nvidia", "rtx 3070"],
    ),
    // audio
    item(
        Tw,
        "audio",
        "AirPods Pro 2",
        &["USB-C 版", "Lightning 版"],
        "耳塞套已換新並消毒，保固還有半年。",
        5_200,
        LikeNew,
        Fixed,
        &["apple", "airpods"],
    ),
    item(
        En,
        "audio",
        "Audio-Technica AT-LP60X turntable",
        &[""],
        "Belt drive, works great. A perfect first record player.",
        3_300,
        Good,
        Offers,
        &["audio-technica", "turntable", "vinyl"],
    ),
    item(
        Cn,
        "audio",
        "Bose SoundLink Flex 蓝牙音箱",
        &["黑色", "蓝色"],
        "防水，露营用过几次，音质很好。",
        2_600,
        Good,
        Fixed,
        &["bose", "蓝牙音箱"],
    ),
    item(
        Tw,
        "audio",
        "Marshall Stanmore II 藍牙喇叭",
        &[""],
        "復古外型，聲音很好，搬家空間不夠所以出清。",
        7_500,
        Good,
        Offers,
        &["marshall", "喇叭"],
    ),
    item(
        En,
        "audio",
        "Sennheiser HD 600 headphones",
        &[""],
        "Open-back classic. New ear pads last month.",
        8_800,
        Good,
        Offers,
        &["sennheiser", "headphones"],
    ),
    item(
        Tw,
        "audio",
        "Sony WF-1000XM5 真無線耳機",
        &["黑色"],
        "音質好降噪強，只是耳朵小戴不習慣。",
        6_800,
        LikeNew,
        Fixed,
        &["sony", "耳機"],
    ),
    // cameras
    item(
        Tw,
        "cameras",
        "Fujifilm X100V 銀色",
        &[""],
        "快門數約八千，附原廠皮套和兩顆電池。",
        42_000,
        LikeNew,
        Auction,
        &["fujifilm", "x100v", "相機"],
    ),
    item(
        En,
        "cameras",
        "Sony A7 III body",
        &["", "with L-bracket"],
        "Shutter count around 25k. Sensor cleaned last month. Two batteries.",
        28_000,
        Good,
        Offers,
        &["sony", "a7iii", "camera"],
    ),
    item(
        Ko,
        "cameras",
        "캐논 EOS R6 바디",
        &[""],
        "셔터 1만 컷 미만이에요. 박스 풀구성입니다.",
        45_000,
        LikeNew,
        Offers,
        &["캐논", "미러리스"],
    ),
    item(
        Cn,
        "cameras",
        "大疆 Osmo Pocket 3",
        &["标准版", "标准版 送保护壳"],
        "旅行拍 vlog 用，云台正常，无进水无摔。",
        13_000,
        LikeNew,
        Fixed,
        &["大疆", "dji", "vlog"],
    ),
    item(
        Tw,
        "cameras",
        "Olympus μ-II 底片相機",
        &[""],
        "測試過可正常過片與閃光，鏡頭乾淨無霉。",
        6_500,
        Good,
        Offers,
        &["底片相機", "olympus", "vintage"],
    ),
    item(
        En,
        "cameras",
        "Instax Mini 12",
        &["Pastel Blue", "Clay White"],
        "A gift I hardly used. Comes with half a pack of film.",
        1_800,
        LikeNew,
        Fixed,
        &["instax", "fujifilm"],
    ),
    item(
        Tw,
        "cameras",
        "GoPro HERO11 Black",
        &[""],
        "潛水用過兩次，附三顆電池和防水殼。",
        8_800,
        Good,
        Offers,
        &["gopro"],
    ),
    // fashion
    item(
        Tw,
        "fashion",
        "Ray-Ban 經典墨鏡 RB2140",
        &["黑框"],
        "公司貨，附原廠盒與擦拭布，鏡片無刮痕。",
        2_800,
        LikeNew,
        Fixed,
        &["ray-ban", "墨鏡"],
    ),
    item(
        En,
        "fashion",
        "Casio G-Shock DW-5600",
        &["black", "olive"],
        "The classic square. New battery in January.",
        1_700,
        Good,
        Fixed,
        &["casio", "g-shock", "watch"],
    ),
    item(
        Ko,
        "fashion",
        "까르띠에 트리니티 반지 50호",
        &[""],
        "정품 보증서 있어요. 생활기스 약간 있어요.",
        26_000,
        Good,
        Offers,
        &["까르띠에", "명품", "반지"],
    ),
    item(
        Cn,
        "fashion",
        "羊绒围巾",
        &["驼色", "灰色"],
        "去年买的，只戴过几次，已干洗。",
        900,
        LikeNew,
        Fixed,
        &["围巾", "羊绒"],
    ),
    item(
        Tw,
        "fashion",
        "Omega × Swatch MoonSwatch",
        &["Mission to Mars", "Mission to the Moon"],
        "專櫃排隊買的，戴過幾次，盒子說明書都在。",
        9_500,
        LikeNew,
        Offers,
        &["moonswatch", "swatch", "omega"],
    ),
    // clothing
    item(
        Ko,
        "clothing",
        "노스페이스 눕시 패딩",
        &["블랙 100", "베이지 95"],
        "작년 겨울에 구매했고 세탁 완료했어요.",
        5_500,
        Good,
        Offers,
        &["노스페이스", "눕시", "패딩"],
    ),
    item(
        Cn,
        "clothing",
        "优衣库 摇粒绒外套",
        &["男款 L"],
        "穿过几次，无起球，已清洗。",
        350,
        Good,
        Fixed,
        &["优衣库", "摇粒绒"],
    ),
    item(
        Tw,
        "clothing",
        "Patagonia Better Sweater 刷毛外套",
        &["女 S", "男 M"],
        "登山和通勤都穿，保暖好搭，無破損。",
        2_600,
        Good,
        Offers,
        &["patagonia", "刷毛"],
    ),
    item(
        En,
        "clothing",
        "Arc'teryx Beta jacket",
        &["men's M"],
        "Gore-Tex, still waterproof. Small mark on the left sleeve.",
        9_500,
        Good,
        Offers,
        &["arc'teryx", "gore-tex"],
    ),
    item(
        Tw,
        "clothing",
        "伴娘禮服",
        &["霧粉色 S"],
        "只穿過一次，已送乾洗，附防塵套。",
        1_200,
        LikeNew,
        Fixed,
        &["禮服", "伴娘"],
    ),
    item(
        Ko,
        "clothing",
        "무신사 스탠다드 옥스포드 셔츠",
        &["M"],
        "사이즈가 안 맞아서 팔아요. 한 번씩만 입었어요.",
        600,
        LikeNew,
        Fixed,
        &["무신사", "셔츠"],
    ),
    // bags
    item(
        En,
        "bags",
        "Herschel Little America backpack",
        &["black", "navy"],
        "Laptop sleeve fits 15 inches. All zips work.",
        1_400,
        Good,
        Fixed,
        &["herschel", "backpack"],
    ),
    item(
        Cn,
        "bags",
        "COACH 斜挎包",
        &["焦糖色"],
        "专柜购入，有购物小票，五金无划痕。",
        3_800,
        LikeNew,
        Offers,
        &["coach", "斜挎包"],
    ),
    item(
        Tw,
        "bags",
        "Longchamp Le Pliage 水餃包 L",
        &["深藍", "黑色"],
        "日本購入，使用約半年，無破損。",
        1_900,
        Good,
        Fixed,
        &["longchamp", "水餃包"],
    ),
    item(
        En,
        "bags",
        "Rimowa Essential Cabin",
        &[""],
        "A few scuffs from travel; wheels and handle are perfect.",
        14_000,
        Good,
        Offers,
        &["rimowa", "luggage"],
    ),
    // shoes
    item(
        Tw,
        "shoes",
        "Nike Air Force 1 白",
        &["US 9", "US 10"],
        "穿過三四次，鞋盒還在，鞋底乾淨。",
        2_200,
        LikeNew,
        Fixed,
        &["nike", "af1"],
    ),
    item(
        Ko,
        "shoes",
        "뉴발란스 530",
        &["240", "255"],
        "사이즈 미스로 두 번 신었어요. 박스 있어요.",
        2_000,
        LikeNew,
        Offers,
        &["뉴발란스", "운동화"],
    ),
    item(
        Cn,
        "shoes",
        "安踏 跑鞋",
        &["全新 42码"],
        "买错尺码，吊牌未拆。",
        700,
        New,
        Fixed,
        &["安踏", "跑鞋", "全新"],
    ),
    item(
        Tw,
        "shoes",
        "Dr. Martens 1460 八孔靴",
        &["UK 5", "UK 7"],
        "已經穿軟了不磨腳，定期上油保養。",
        3_200,
        Good,
        Offers,
        &["dr. martens", "馬汀"],
    ),
    item(
        En,
        "shoes",
        "Birkenstock Arizona",
        &["EU 39"],
        "Worn one summer. Cork in good shape.",
        1_500,
        Good,
        Fixed,
        &["birkenstock", "sandals"],
    ),
    // home
    item(
        Tw,
        "home",
        "小米空氣清淨機 4",
        &["", "附全新濾網"],
        "濾網上個月剛換，噪音小，搬家出清。",
        2_800,
        Good,
        Fixed,
        &["小米", "空氣清淨機"],
    ),
    item(
        Cn,
        "home",
        "北欧风落地灯",
        &["暖光"],
        "搬家带不走，灯泡正常。",
        300,
        Good,
        Fixed,
        &["落地灯", "北欧"],
    ),
    item(
        Tw,
        "home",
        "琴葉榕 盆栽 約120cm",
        &[""],
        "養了兩年很健康，連盆一起。",
        800,
        Good,
        Offers,
        &["植物", "琴葉榕"],
    ),
    item(
        Ko,
        "home",
        "발뮤다 그린팬 선풍기",
        &[""],
        "작년 여름에 샀어요. 리모컨 포함입니다.",
        7_000,
        LikeNew,
        Offers,
        &["발뮤다", "선풍기"],
    ),
    item(
        En,
        "home",
        "Philips Hue starter kit",
        &["3 bulbs + bridge"],
        "Moved to a flat with built-in lights. Everything works.",
        2_400,
        LikeNew,
        Fixed,
        &["philips hue", "smart home"],
    ),
    // furniture
    item(
        Tw,
        "furniture",
        "實木書桌 120cm",
        &["胡桃色", "原木色"],
        "桌面有小刮痕，結構很穩，需自行搬運。",
        2_500,
        Good,
        Offers,
        &["書桌", "實木"],
    ),
    item(
        Ko,
        "furniture",
        "한샘 3인용 패브릭 소파",
        &[""],
        "반려동물 없고 비흡연 가정이에요. 직접 가져가셔야 해요.",
        9_000,
        Good,
        Offers,
        &["한샘", "소파"],
    ),
    item(
        Cn,
        "furniture",
        "宜家 KALLAX 书架",
        &["4x4 白色", "4x4 橡木纹"],
        "用了两年，无破损，需要自己拆装带走。",
        1_200,
        Good,
        Fixed,
        &["宜家", "书架"],
    ),
    item(
        Tw,
        "furniture",
        "Herman Miller Aeron 人體工學椅 B size",
        &[""],
        "公司搬遷出清，功能正常，網面無破。",
        18_000,
        Good,
        Offers,
        &["herman miller", "人體工學椅"],
    ),
    item(
        En,
        "furniture",
        "Standing desk frame, dual motor",
        &[""],
        "Goes from 62 to 127 cm with memory presets. Top not included.",
        4_500,
        Good,
        Fixed,
        &["standing desk", "wfh"],
    ),
    item(
        Tw,
        "furniture",
        "無印良品 懶骨頭沙發",
        &["灰色"],
        "布套已洗，坐起來很舒服，限面交。",
        2_000,
        Good,
        Fixed,
        &["無印良品", "懶骨頭"],
    ),
    // kitchen
    item(
        En,
        "kitchen",
        "Nespresso Vertuo Next",
        &["", "matte black"],
        "Descaled last week; 20 capsules included.",
        2_400,
        Good,
        Fixed,
        &["nespresso", "coffee"],
    ),
    item(
        Ko,
        "kitchen",
        "르크루제 무쇠 냄비 22cm",
        &["체리레드"],
        "몇 번 안 썼어요. 법랑 깨짐 없어요.",
        5_500,
        LikeNew,
        Offers,
        &["르크루제", "냄비"],
    ),
    item(
        Cn,
        "kitchen",
        "九阳 破壁机",
        &[""],
        "用了半年，功能正常，附说明书。",
        600,
        Good,
        Fixed,
        &["九阳", "破壁机"],
    ),
    item(
        Tw,
        "kitchen",
        "象印 保溫瓶 480ml",
        &["全新", "全新 粉色"],
        "日本帶回來多買的，全新未使用。",
        650,
        New,
        Fixed,
        &["象印", "保溫瓶", "全新"],
    ),
    item(
        En,
        "kitchen",
        "KitchenAid Artisan stand mixer",
        &[""],
        "Empire red, all three attachments included.",
        9_800,
        Good,
        Offers,
        &["kitchenaid", "baking"],
    ),
    item(
        Tw,
        "kitchen",
        "Staub 鑄鐵鍋 20cm",
        &[""],
        "只用過幾次，琺瑯完好。",
        4_200,
        LikeNew,
        Offers,
        &["staub", "鑄鐵鍋"],
    ),
    // books
    item(
        En,
        "books",
        "Sapiens by Yuval Noah Harari",
        &["paperback"],
        "Read once. Clean pages, slight crease on the spine.",
        250,
        Good,
        Fixed,
        &["sapiens", "non-fiction"],
    ),
    item(
        Ko,
        "books",
        "한강 소설 3권 세트",
        &[""],
        "채식주의자, 소년이 온다, 작별하지 않는다. 깨끗해요.",
        700,
        LikeNew,
        Fixed,
        &["한강", "소설"],
    ),
    item(
        Tw,
        "books",
        "村上春樹 小說 一箱",
        &["12本"],
        "搬家清書，大部分只看過一次，一起帶走優先。",
        900,
        Good,
        Offers,
        &["村上春樹", "二手書"],
    ),
    item(
        En,
        "books",
        "Lonely Planet Japan",
        &["18th ed."],
        "Used on one trip, a few dog-ears.",
        350,
        Good,
        Fixed,
        &["travel", "japan"],
    ),
    item(
        Cn,
        "books",
        "东野圭吾 推理小说 6本",
        &[""],
        "白夜行、解忧杂货店等，书况好。",
        300,
        Good,
        Fixed,
        &["东野圭吾", "推理"],
    ),
    // textbooks
    item(
        Tw,
        "textbooks",
        "國考 會計學 參考書 全套",
        &[""],
        "去年的版本，有螢光筆劃重點，考上了出清。",
        1_500,
        Good,
        Offers,
        &["國考", "會計"],
    ),
    item(
        Cn,
        "textbooks",
        "考研数学 张宇 全套",
        &["2025版"],
        "做过一半的题，笔记比较多，介意慎拍。",
        150,
        Fair,
        Fixed,
        &["考研", "张宇"],
    ),
    item(
        En,
        "textbooks",
        "Campbell Biology",
        &["12th ed."],
        "Hardcover, highlighting in the first four chapters.",
        900,
        Good,
        Offers,
        &["textbook", "biology"],
    ),
    item(
        Tw,
        "textbooks",
        "新制多益 單字 + 題庫",
        &["3本"],
        "幾乎沒寫，附音檔下載序號。",
        450,
        LikeNew,
        Fixed,
        &["多益", "toeic"],
    ),
    item(
        Ko,
        "textbooks",
        "정보처리기사 필기 수제비",
        &["2024"],
        "합격해서 팝니다. 필기 조금 있어요.",
        350,
        Good,
        Fixed,
        &["정보처리기사", "수험서"],
    ),
    // comics
    item(
        Tw,
        "comics",
        "航海王 1-105 集",
        &[""],
        "全套私藏，書況九成新。",
        6_800,
        Good,
        Offers,
        &["航海王", "漫畫", "全套"],
    ),
    item(
        Ko,
        "comics",
        "나루토 전권 세트",
        &[""],
        "책장에 보관해서 햇빛 안 받았어요.",
        5_500,
        Good,
        Offers,
        &["나루토", "만화책"],
    ),
    item(
        Cn,
        "comics",
        "灌篮高手 完全版 全24册",
        &[""],
        "经典收藏，带塑封。",
        1_600,
        LikeNew,
        Offers,
        &["灌篮高手", "漫画"],
    ),
    item(
        En,
        "comics",
        "Watchmen deluxe hardcover",
        &[""],
        "Read twice, dust jacket intact.",
        900,
        LikeNew,
        Fixed,
        &["dc", "graphic novel"],
    ),
    item(
        Tw,
        "comics",
        "進擊的巨人 1-34 完",
        &["首刷"],
        "有書套保護，附首刷特典小卡。",
        3_400,
        LikeNew,
        Offers,
        &["進擊的巨人", "漫畫"],
    ),
    item(
        Tw,
        "comics",
        "鬼滅之刃 全套 1-23 集",
        &["", "有書套"],
        "小孩看完了，書況良好。",
        1_800,
        Good,
        Fixed,
        &["鬼滅之刃", "漫畫"],
    ),
    item(
        Ko,
        "comics",
        "슬램덩크 신장재편판 전권",
        &[""],
        "한 번 읽었어요. 상태 최상이에요.",
        2_400,
        LikeNew,
        Fixed,
        &["슬램덩크", "만화책"],
    ),
    // games
    item(
        En,
        "games",
        "Catan",
        &["base game", "base game (2015 edition)"],
        "All pieces counted; box corners a bit worn.",
        900,
        Good,
        Fixed,
        &["catan", "board game"],
    ),
    item(
        Tw,
        "games",
        "桌遊 璀璨寶石 中文版",
        &[""],
        "玩過幾次，配件完整，有牌套。",
        900,
        LikeNew,
        Fixed,
        &["桌遊", "splendor"],
    ),
    item(
        Ko,
        "games",
        "루미큐브 클래식",
        &[""],
        "가족끼리 몇 번 했어요. 타일 다 있어요.",
        600,
        Good,
        Fixed,
        &["루미큐브", "보드게임"],
    ),
    item(
        Cn,
        "games",
        "GAN 12 磁力魔方",
        &[""],
        "比赛用，手感顺滑，附收纳包。",
        600,
        Good,
        Fixed,
        &["魔方", "gan"],
    ),
    // consoles
    item(
        Ko,
        "consoles",
        "PS5 슬림 디지털 에디션",
        &[""],
        "작년 크리스마스 선물인데 거의 안 했어요.",
        13_000,
        LikeNew,
        Offers,
        &["ps5", "플스"],
    ),
    item(
        Cn,
        "consoles",
        "Xbox Series X 国行",
        &[""],
        "附两个手柄，无拆修。",
        11_000,
        Good,
        Offers,
        &["xbox", "微软"],
    ),
    item(
        Tw,
        "consoles",
        "Nintendo Switch Lite",
        &["珊瑚粉", "藍綠色"],
        "小孩換新機，機身有小刮痕，功能正常。",
        3_800,
        Good,
        Fixed,
        &["nintendo", "switch lite"],
    ),
    item(
        En,
        "consoles",
        "Steam Deck OLED 512 GB",
        &[""],
        "Bought in March, battery health perfect, case included.",
        14_500,
        LikeNew,
        Offers,
        &["steam deck", "valve"],
    ),
    item(
        Tw,
        "consoles",
        "Game Boy Advance SP",
        &["透明藍"],
        "古董機，螢幕已換 IPS，附充電器。",
        3_000,
        Good,
        Auction,
        &["game boy", "vintage", "任天堂"],
    ),
    // video games
    item(
        Tw,
        "video_games",
        "PS5 艾爾登法環",
        &["中文版", "中文版 附地圖"],
        "破關了，光碟無刮。",
        900,
        Good,
        Fixed,
        &["ps5", "艾爾登法環"],
    ),
    item(
        En,
        "video_games",
        "Mario Kart 8 Deluxe",
        &[""],
        "Cartridge only, works perfectly.",
        1_100,
        Good,
        Fixed,
        &["mario kart", "switch"],
    ),
    item(
        Cn,
        "video_games",
        "塞尔达传说 旷野之息 卡带",
        &["中文版"],
        "通关了，卡带无划痕，盒子说明书都在。",
        1_000,
        Good,
        Fixed,
        &["塞尔达", "switch"],
    ),
    item(
        Tw,
        "video_games",
        "寶可夢",
        &["朱 卡帶", "紫 卡帶"],
        "圖鑑都收集完了，賣掉換新遊戲。",
        1_200,
        Good,
        Offers,
        &["寶可夢", "switch"],
    ),
    item(
        Ko,
        "video_games",
        "파이널 판타지 7 리버스 PS5",
        &[""],
        "한글판이고 디스크 깨끗합니다.",
        1_600,
        LikeNew,
        Fixed,
        &["ff7", "ps5"],
    ),
    item(
        En,
        "video_games",
        "Baldur's Gate 3 for PS5",
        &[""],
        "Deluxe steelbook case. Disc is spotless.",
        1_300,
        LikeNew,
        Fixed,
        &["baldur's gate 3", "ps5"],
    ),
    item(
        Tw,
        "video_games",
        "超級瑪利歐兄弟 驚奇 卡帶",
        &[""],
        "玩完了，跟新的一樣。",
        1_300,
        LikeNew,
        Fixed,
        &["瑪利歐", "switch"],
    ),
    // game accounts
    item(
        Tw,
        "game_accounts",
        "Pokémon GO 帳號 等級 40",
        &[""],
        "傳說寶可夢 50 隻以上，可換綁信箱。",
        2_500,
        Good,
        Offers,
        &["pokemon go", "帳號"],
    ),
    item(
        Ko,
        "game_accounts",
        "로스트아크 계정 1620 워로드",
        &[""],
        "원정대 레벨 높아요. 거래 후 메일 변경해 드려요.",
        4_000,
        Good,
        Offers,
        &["로스트아크", "계정"],
    ),
    item(
        En,
        "game_accounts",
        "Steam account, 80+ games",
        &[""],
        "Original email included. Mostly indie games and a few big titles.",
        3_000,
        Good,
        Offers,
        &["steam", "account"],
    ),
    item(
        Cn,
        "game_accounts",
        "王者荣耀 V8 账号",
        &["安卓QQ区"],
        "皮肤 300+，可换绑手机。",
        1_800,
        Good,
        Fixed,
        &["王者荣耀", "账号"],
    ),
    item(
        Tw,
        "game_accounts",
        "楓之谷 帳號",
        &["200 等 主教"],
        "伺服器：艾麗亞，裝備齊全，可換綁。",
        1_500,
        Good,
        Offers,
        &["楓之谷", "帳號"],
    ),
    // sports
    item(
        En,
        "sports",
        "Adjustable dumbbells 2 × 24 kg",
        &[""],
        "Quick-change dial, no rust.",
        4_200,
        Good,
        Offers,
        &["dumbbells", "home gym"],
    ),
    item(
        Cn,
        "sports",
        "迪卡侬 篮球 7号",
        &[""],
        "室内用，气足，几乎全新。",
        250,
        LikeNew,
        Fixed,
        &["迪卡侬", "篮球"],
    ),
    item(
        Tw,
        "sports",
        "Garmin Forerunner 255 跑錶",
        &[""],
        "錶面有貼保護貼，附充電線。",
        5_200,
        Good,
        Offers,
        &["garmin", "跑錶"],
    ),
    item(
        Ko,
        "sports",
        "테일러메이드 스텔스2 드라이버",
        &["10.5도"],
        "헤드커버 포함, 필드에서 열 번 정도 썼어요.",
        9_500,
        Good,
        Offers,
        &["테일러메이드", "골프"],
    ),
    item(
        En,
        "sports",
        "Wilson Clash 100 tennis racket",
        &[""],
        "Restrung in April, new grip.",
        2_600,
        Good,
        Fixed,
        &["wilson", "tennis"],
    ),
    // bikes
    item(
        Tw,
        "bikes",
        "Brompton M6L 折疊車",
        &["黑色"],
        "原廠六速，附前袋，定期保養。",
        52_000,
        Good,
        Auction,
        &["brompton", "折疊車"],
    ),
    item(
        Ko,
        "bikes",
        "삼천리 전기자전거 팬텀",
        &[""],
        "배터리 상태 좋아요. 충전기 포함이에요.",
        12_000,
        Good,
        Offers,
        &["전기자전거", "삼천리"],
    ),
    item(
        Tw,
        "bikes",
        "Merida Scultura 400 公路車",
        &["52 cm"],
        "Shimano 105 套件，車況好，可試騎。",
        22_000,
        Good,
        Offers,
        &["merida", "公路車"],
    ),
    // outdoor
    item(
        Tw,
        "outdoor",
        "Snow Peak 焚火台 M",
        &[""],
        "露營用過幾次，有正常燻黑痕跡。",
        3_500,
        Good,
        Fixed,
        &["snow peak", "露營"],
    ),
    item(
        Ko,
        "outdoor",
        "헬리녹스 체어원",
        &["블랙", "코요테"],
        "캠핑 몇 번 다녀왔어요. 파우치 포함.",
        2_300,
        Good,
        Fixed,
        &["헬리녹스", "캠핑"],
    ),
    item(
        Cn,
        "outdoor",
        "牧高笛 睡袋 -5°C",
        &[""],
        "用过两次，已清洗。",
        500,
        Good,
        Fixed,
        &["睡袋", "露营"],
    ),
    item(
        Tw,
        "outdoor",
        "Osprey 登山背包 38L",
        &[""],
        "背負系統很舒服，爬過幾座百岳，無破損。",
        3_200,
        Good,
        Offers,
        &["osprey", "登山"],
    ),
    item(
        En,
        "outdoor",
        "Coleman camping stove",
        &["dual burner"],
        "Works great, one gas canister included.",
        1_200,
        Good,
        Fixed,
        &["coleman", "camping"],
    ),
    // desserts
    item(
        Cn,
        "desserts",
        "手工曲奇 礼盒装",
        &["原味", "抹茶"],
        "黄油现烤，保质期七天，同城自提。",
        300,
        New,
        Fixed,
        &["曲奇", "手工"],
    ),
    item(
        Ko,
        "desserts",
        "마카롱 10구 세트",
        &[""],
        "주문 후 만들어요. 하루 전에 연락 주세요.",
        550,
        New,
        Fixed,
        &["마카롱", "디저트"],
    ),
    // collectibles
    item(
        Tw,
        "collectibles",
        "周杰倫 范特西 首版 CD",
        &["簽名版"],
        "收藏多年，歌詞本完整，附簽名照片。",
        5_800,
        Good,
        Auction,
        &["周杰倫", "cd", "簽名"],
    ),
    item(
        Ko,
        "collectibles",
        "BTS 포토카드 정국",
        &["Proof", "Butter"],
        "미개봉 앨범에서 나온 거예요. 탑로더에 보관했어요.",
        800,
        LikeNew,
        Fixed,
        &["bts", "포카", "정국"],
    ),
    item(
        Cn,
        "collectibles",
        "泡泡玛特 Labubu 盲盒",
        &["前方高能系列", "坐坐派对系列"],
        "拆盒确认款式，内袋未拆。",
        600,
        New,
        Offers,
        &["泡泡玛特", "labubu", "盲盒"],
    ),
    item(
        En,
        "collectibles",
        "Charizard VMAX PSA 10",
        &[""],
        "Graded slab, no scratches on the case.",
        6_000,
        LikeNew,
        Auction,
        &["pokemon", "psa 10", "charizard"],
    ),
    item(
        Tw,
        "collectibles",
        "Beatles 黑膠唱片 Abbey Road",
        &["1969 英版"],
        "封套有歲月痕跡，唱片播放無跳針。",
        8_500,
        Fair,
        Auction,
        &["黑膠", "beatles", "vintage"],
    ),
    item(
        Tw,
        "collectibles",
        "鋼彈 MG 模型 已組",
        &["RX-78-2 Ver.3.0", "獨角獸"],
        "自己組的，有上墨線，沒有缺件。",
        1_500,
        Good,
        Offers,
        &["鋼彈", "模型"],
    ),
    // kids
    item(
        Tw,
        "kids",
        "樂高 Duplo 大顆粒積木",
        &["一箱"],
        "小孩長大了，已用消毒液清洗。",
        900,
        Good,
        Fixed,
        &["樂高", "duplo", "積木"],
    ),
    item(
        En,
        "kids",
        "Stokke Tripp Trapp high chair",
        &["natural"],
        "Baby set and cushion included. Wiped down and ready.",
        4_200,
        Good,
        Offers,
        &["stokke", "high chair"],
    ),
    item(
        Ko,
        "kids",
        "뽀로로 타요 장난감 일괄",
        &[""],
        "아이가 커서 정리해요. 작동 잘 돼요.",
        500,
        Good,
        Fixed,
        &["뽀로로", "장난감"],
    ),
    item(
        Cn,
        "kids",
        "好孩子 婴儿推车",
        &[""],
        "可坐可躺，带雨罩，车况好。",
        1_500,
        Good,
        Offers,
        &["好孩子", "婴儿车"],
    ),
    item(
        Tw,
        "kids",
        "LEGO 42115 藍寶堅尼",
        &["全新未拆"],
        "盒子有點壓痕，內容物全新未拆。",
        9_800,
        New,
        Auction,
        &["lego", "technic", "全新"],
    ),
    item(
        Tw,
        "kids",
        "兒童繪本 20 本",
        &["英文", "中文"],
        "小孩看過，書況不錯，一起帶走。",
        600,
        Good,
        Fixed,
        &["繪本", "童書"],
    ),
    item(
        En,
        "kids",
        "Ergobaby Omni 360 baby carrier",
        &[""],
        "Washed; all buckles fine. Used for a year.",
        2_000,
        Good,
        Fixed,
        &["ergobaby", "baby"],
    ),
    item(
        Ko,
        "kids",
        "베이비뵨 바운서",
        &[""],
        "사용감 적고 커버 세탁했어요.",
        2_800,
        Good,
        Offers,
        &["베이비뵨", "바운서"],
    ),
    // other
    item(
        Ko,
        "other",
        "야마하 디지털 피아노 P-45",
        &[""],
        "건반 상태 좋고 스탠드 포함이에요.",
        9_000,
        Good,
        Offers,
        &["야마하", "디지털피아노"],
    ),
    item(
        Tw,
        "other",
        "搬家紙箱 免費送",
        &["20 個"],
        "搬完家剩下的，大部分只用過一次，自取。",
        0,
        Good,
        Fixed,
        &["免費", "紙箱"],
    ),
    item(
        En,
        "other",
        "Fender Player Stratocaster",
        &["3-color sunburst"],
        "Plays great, new strings. Gig bag included.",
        18_000,
        Good,
        Offers,
        &["fender", "guitar"],
    ),
    item(
        Cn,
        "other",
        "猫爬架 大型",
        &[""],
        "猫咪不喜欢，几乎没用过。",
        400,
        LikeNew,
        Fixed,
        &["猫爬架", "宠物"],
    ),
    item(
        Tw,
        "other",
        "Brother 縫紉機",
        &[""],
        "功能正常，附壓布腳配件。",
        2_800,
        Good,
        Offers,
        &["brother", "縫紉機"],
    ),
    item(
        En,
        "other",
        "Kala concert ukulele",
        &[""],
        "Solid top, warm sound. Comes with a tuner.",
        2_100,
        Good,
        Fixed,
        &["ukulele", "kala"],
    ),
];

/// Too big to post, or perishable: handed over in person only.
const MEETUP_ONLY: [&str; 3] = ["furniture", "bikes", "desserts"];

/// When demo auctions run, in minutes from now (start, end), handed out in
/// table order: most are live, some wait for their start, two are over.
const SCHEDULES: [(i64, i64); 13] = [
    (-120, 20),
    (-300, 180),
    (-60, 1_440),
    (90, 1_530),
    (-1_440, 2_880),
    (-2_880, -60),
    (-30, 4_320),
    (360, 2_160),
    (-720, 45),
    (1_440, 4_320),
    (-4_320, -1_440),
    (-180, 600),
    (600, 2_040),
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

/// Like `demo_price`, but a giveaway stays free in every currency.
fn to_currency(price_twd: i64, currency: Currency) -> i64 {
    if price_twd == 0 {
        0
    } else {
        demo_price(price_twd, currency)
    }
}

/// Rounds a price in TWD the way a seller would ask it.
fn round_twd(price: i64) -> i64 {
    let step = if price < 1_000 {
        10
    } else if price < 10_000 {
        100
    } else {
        500
    };
    (price + step / 2) / step * step
}

/// The decisions the generator makes per listing; each rolls its own number.
#[derive(Debug, Clone, Copy)]
enum Roll {
    Seller = 1,
    Area,
    Delivery,
    Place,
    Spot,
    Closer,
    Price,
    Stock,
    Restock,
    NoTags,
    ExtraTag,
    Popularity,
    Crowd,
    Fans,
    Views,
    ViewsPerFan,
    ViewsPerDay,
    NoPhoto,
    Photos,
    Template,
    Flourish,
    Age,
}

/// A number in `0..range` for listing `n` and decision `what`, well spread
/// (SplitMix64) so decisions look independent of each other and of neighbours.
fn roll(n: usize, what: Roll, range: usize) -> usize {
    let mut z = (n as u64) ^ ((what as u64) << 40);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z % range.max(1) as u64) as usize
}

/// Another seller's price for the same thing: 15 % lower to 10 % higher.
fn jitter(price_twd: i64, n: usize) -> i64 {
    round_twd(price_twd * (85 + roll(n, Roll::Price, 26) as i64) / 100)
}

/// One listing to create, worked out from a template variant.
struct Plan {
    /// The listing's number: seeds its rolls.
    n: usize,
    template: &'static Template,
    title: String,
    description: String,
    price_twd: i64,
    mode: SaleMode,
    /// Which of the `SCHEDULES` an auction follows.
    auction_slot: Option<usize>,
    /// Index into `USERS`.
    seller: usize,
    area: &'static str,
    meetup: bool,
    meetup_place: &'static str,
    shipping: bool,
    stock: i64,
    tags: Vec<&'static str>,
    /// How many demo users favorite it.
    popularity: usize,
}

fn plan(t: &'static Template, variant: usize, n: usize, auction_slot: Option<usize>) -> Plan {
    let phrases = t.lang.phrases();
    let seller = seller_for(t, n);
    let digital = category::find(t.category).is_some_and(|c| c.digital);
    let (meetup, shipping) = if digital {
        (false, false)
    } else if t.price_twd == 0 || MEETUP_ONLY.contains(&t.category) {
        (true, false)
    } else {
        match roll(n, Roll::Delivery, 4) {
            0 => (false, true),
            1 => (true, false),
            _ => (true, true),
        }
    };
    let areas = USERS[seller].areas;
    let area = if digital {
        phrases.online
    } else {
        areas[roll(n, Roll::Area, areas.len())]
    };
    let meetup_place = if meetup && roll(n, Roll::Place, 3) > 0 {
        phrases.meetup_places[roll(n, Roll::Spot, phrases.meetup_places.len())]
    } else {
        ""
    };
    let title = match t.variants.get(variant) {
        Some(v) if !v.is_empty() => format!("{} {v}", t.title),
        _ => t.title.to_owned(),
    };
    // One roll in five adds no closing line.
    let description = match phrases
        .closers
        .get(roll(n, Roll::Closer, phrases.closers.len() + 1))
    {
        Some(closer) => format!("{}\n{closer}", t.description),
        None => t.description.to_owned(),
    };
    // The first variant keeps the hand-written price.
    let price_twd = if variant == 0 {
        t.price_twd
    } else {
        jitter(t.price_twd, n)
    };
    let mode = match (auction_slot, t.mode) {
        (Some(_), _) => SaleMode::Auction,
        (None, SaleMode::Auction) => SaleMode::Offers,
        (None, mode) => mode,
    };
    let stock = if auction_slot.is_some() || digital {
        1
    } else if t.category == "desserts" {
        2 + roll(n, Roll::Stock, 7) as i64
    } else if t.condition == Condition::New && roll(n, Roll::Stock, 4) == 0 {
        2 + roll(n, Roll::Restock, 3) as i64
    } else {
        1
    };
    let mut tags: Vec<&'static str> = Vec::new();
    // One seller in ten never bothers with tags.
    if roll(n, Roll::NoTags, 10) > 0 {
        tags.extend(t.tags);
        let extra = match roll(n, Roll::ExtraTag, 3) {
            0 if meetup => Some(phrases.meetup_tag),
            1 if shipping => Some(phrases.shipping_tag),
            _ => None,
        };
        if let Some(tag) = extra
            && !tags.contains(&tag)
        {
            tags.push(tag);
        }
    }
    Plan {
        n,
        template: t,
        title,
        description,
        price_twd,
        mode,
        auction_slot,
        seller,
        area,
        meetup,
        meetup_place,
        shipping,
        stock,
        tags,
        popularity: popularity(n),
    }
}

/// A demo user who writes in the template's language.
fn seller_for(t: &Template, n: usize) -> usize {
    if t.category == "desserts" && matches!(t.lang, Tw | En) {
        return MEI;
    }
    let writers = || {
        USERS
            .iter()
            .enumerate()
            .filter(|(_, u)| u.writes.contains(&t.lang))
            .map(|(i, _)| i)
    };
    writers()
        .nth(roll(n, Roll::Seller, writers().count()))
        .unwrap_or(MEI)
}

/// How many demo users favorite listing `n`: most get little attention, a few
/// a lot.
fn popularity(n: usize) -> usize {
    match roll(n, Roll::Popularity, 100) {
        0..40 => 0,
        40..70 => 1,
        70..85 => 2,
        85..95 => 3 + roll(n, Roll::Crowd, 2),
        _ => 5 + roll(n, Roll::Crowd, 5),
    }
}

/// Demo users (indexes into `USERS`) who favorite the listing, never its seller,
/// each some time after it was listed.
fn fans_of(plan: &Plan, created: i64, now: i64) -> Vec<(usize, i64)> {
    let start = roll(plan.n, Roll::Fans, USERS.len());
    let count = plan.popularity.min(USERS.len() - 1);
    (0..USERS.len())
        .map(|k| (start + k) % USERS.len())
        .filter(|&user| user != plan.seller)
        .take(count)
        .enumerate()
        .map(|(k, user)| {
            let at = created + (now - created) * (k as i64 + 1) / (count as i64 + 1);
            (user, at)
        })
        .collect()
}

/// Page views: a few on day one, a trickle every day after, more for what
/// people like.
fn views(n: usize, favorites: usize, age_ms: i64) -> i64 {
    let first_day = 2 + roll(n, Roll::Views, 40) + favorites * (6 + roll(n, Roll::ViewsPerFan, 20));
    first_day as i64 + age_ms.max(0) / DAY * (1 + roll(n, Roll::ViewsPerDay, 6) as i64)
}

/// How many pictures a seeded listing gets: some sellers post none, some a few
/// angles. Featured listings always show one.
fn picture_count(n: usize, featured: bool) -> usize {
    if !featured && roll(n, Roll::NoPhoto, 9) == 0 {
        return 0;
    }
    match roll(n, Roll::Photos, 20) {
        0..3 => 2,
        3 => 3,
        _ => 1,
    }
}

/// Terms of the auction in `SCHEDULES[slot]` for something worth `price_twd`: it
/// starts at 60 %, every third has a reserve and every other a buy-now price.
fn auction_terms(slot: usize, price_twd: i64, now: i64, currency: Currency) -> AuctionTerms {
    let (start, end) = SCHEDULES[slot % SCHEDULES.len()];
    let start_price = to_currency(round_twd(price_twd * 3 / 5).max(10), currency);
    let reserve = (slot % 3 == 1)
        .then(|| to_currency(round_twd(price_twd * 9 / 10), currency).max(start_price));
    let buy_now = slot
        .is_multiple_of(2)
        .then(|| to_currency(round_twd(price_twd * 13 / 10), currency))
        .filter(|&price| price > start_price);
    AuctionTerms {
        starts_at: now + start * MINUTE,
        ends_at: now + end * MINUTE,
        start_price,
        reserve,
        buy_now,
    }
}

/// Everything stored for one demo listing.
struct Row {
    plan: Plan,
    status: Status,
    /// In the deployment's currency; an auction's start price.
    price: i64,
    stock: i64,
    created: i64,
    views: i64,
    auction: Option<AuctionTerms>,
    /// Demo users (indexes into `USERS`) who favorited it, and when.
    fans: Vec<(usize, i64)>,
    /// How many pictures to draw; `images` holds them once stored.
    pictures: usize,
    images: Vec<StoredImage>,
}

fn row(
    plan: Plan,
    created: i64,
    status: Status,
    pictures: usize,
    now: i64,
    currency: Currency,
) -> Row {
    let auction = plan
        .auction_slot
        .map(|slot| auction_terms(slot, plan.price_twd, now, currency));
    // An auction is listed a while before it starts.
    let created = auction.map_or(created, |a| created.min(a.starts_at - 30 * MINUTE));
    let price = auction.map_or_else(|| to_currency(plan.price_twd, currency), |a| a.start_price);
    // Nobody but the seller and admins has seen a listing awaiting review.
    let public = status != Status::Pending;
    let fans = if public {
        fans_of(&plan, created, now)
    } else {
        Vec::new()
    };
    let views = if public {
        views(plan.n, fans.len(), now - created)
    } else {
        0
    };
    let stock = if status == Status::Sold {
        0
    } else {
        plan.stock
    };
    Row {
        plan,
        status,
        price,
        stock,
        created,
        views,
        auction,
        fans,
        pictures,
        images: Vec::new(),
    }
}

/// Every template variant in table order, and whether it is a featured one.
fn all_variants() -> impl Iterator<Item = (&'static Template, usize, bool)> {
    [(FEATURED, true), (CATALOG, false)]
        .into_iter()
        .flat_map(|(table, featured)| {
            table.iter().flat_map(move |t| {
                (0..t.variants.len()).map(move |variant| (t, variant, featured && variant == 0))
            })
        })
}

/// The seeded market. The featured listings are the newest, over the last day;
/// the rest reach back about two weeks, ever sparser.
fn demo_market(now: i64, currency: Currency) -> Vec<Row> {
    let mut featured = Vec::new();
    let mut others = Vec::new();
    let mut auctions = 0;
    for (n, (t, variant, is_featured)) in all_variants().enumerate() {
        let slot = (t.mode == SaleMode::Auction && variant == 0).then(|| {
            auctions += 1;
            auctions - 1
        });
        let p = plan(t, variant, n, slot);
        if is_featured {
            featured.push(p);
        } else {
            others.push(p);
        }
    }

    let mut rows = Vec::with_capacity(featured.len() + others.len());
    for (i, p) in featured.into_iter().enumerate() {
        let pictures = picture_count(p.n, true);
        let created = now - (3 + 37 * i as i64) * MINUTE;
        rows.push(row(p, created, Status::Approved, pictures, now, currency));
    }

    // The tables group by category; stepping through them by a stride coprime
    // with their length spreads every category over the weeks.
    let count = others.len();
    let stride = [7, 11, 13, 17, 19]
        .into_iter()
        .find(|&s| !count.is_multiple_of(s))
        .unwrap_or(1);
    let mut by_age: Vec<(usize, Plan)> = others
        .into_iter()
        .enumerate()
        .map(|(j, p)| (j * stride % count, p))
        .collect();
    by_age.sort_by_key(|(age, _)| *age);
    // The three newest were just posted and wait for review, so the admin queue
    // has something; the two oldest have been sold. Neither is an auction.
    let sellable: Vec<usize> = by_age
        .iter()
        .filter(|(_, p)| p.auction_slot.is_none())
        .map(|(age, _)| *age)
        .collect();
    let pending = &sellable[..sellable.len().min(3)];
    let sold = &sellable[sellable.len().saturating_sub(2)..];
    for (age, p) in by_age {
        let (status, created) = match pending.iter().position(|&a| a == age) {
            Some(i) => (Status::Pending, now - (6 + 17 * i as i64) * MINUTE),
            None => {
                let minutes = 20 * 60 + 55 * age + age * age / 3;
                let status = if sold.contains(&age) {
                    Status::Sold
                } else {
                    Status::Approved
                };
                (status, now - minutes as i64 * MINUTE)
            }
        };
        let pictures = picture_count(p.n, false);
        rows.push(row(p, created, status, pictures, now, currency));
    }
    rows
}

#[derive(Debug, PartialEq, Eq)]
pub enum SeedOutcome {
    Seeded { users: usize, listings: usize },
    AlreadyHasData,
}

/// Fills an empty database with demo users and listings (with generated images).
/// Does nothing when any user exists. The categories must exist already.
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
    let categories = category_ids(pool).await?;
    let now = now_ms();
    let mut rows = demo_market(now, currency);

    // Pictures first, outside the transaction: drawing and encoding take a moment.
    let jobs: Vec<(&'static str, f32)> = rows
        .iter()
        .enumerate()
        .flat_map(|(i, row)| {
            (0..row.pictures).map(move |pos| {
                // Each listing its own colours; further angles shift them a bit.
                let hue = (i * 47 + pos * 131) % 360;
                (row.plan.template.category, hue as f32)
            })
        })
        .collect();
    let media = media.clone();
    let mut pictures = tokio::task::spawn_blocking(move || draw_all(&media, &jobs))
        .await
        .map_err(|e| SeedError::Image(std::io::Error::other(e)))??
        .into_iter();
    for row in &mut rows {
        row.images = pictures.by_ref().take(row.pictures).collect();
    }

    let mut tx = pool.begin().await?;
    let users = ensure_users(&mut tx, now).await?;
    insert_rows(&mut tx, &rows, &users, &categories, &mut TagIds::default()).await?;
    bid_in_running_auctions(&mut tx, &users, now, currency).await?;
    deals::seed(&mut tx, &users, currency, now).await?;
    chats::seed(&mut tx, &users, now).await?;
    tx.commit().await?;
    Ok(SeedOutcome::Seeded {
        users: USERS.len(),
        listings: rows.len(),
    })
}

/// Gives the auctions already running a few bids from demo members, placed
/// by the real rules at times between their start and now, so their rooms
/// show a price history. They start live here rather than at the scheduler's
/// first pass.
async fn bid_in_running_auctions(
    conn: &mut SqliteConnection,
    users: &[i64],
    now: i64,
    currency: Currency,
) -> Result<(), sqlx::Error> {
    use crate::domain::auction::increment::IncrementTable;
    use crate::domain::auction::{self, Auction, Bidder, Book, Phase, Terms};
    #[derive(sqlx::FromRow)]
    struct Running {
        listing_id: i64,
        seller_id: i64,
        starts_at: i64,
        ends_at: i64,
        start_price: i64,
        reserve: Option<i64>,
        buy_now: Option<i64>,
    }
    let running: Vec<Running> = sqlx::query_as(
        "SELECT a.listing_id, l.seller_id, a.starts_at, a.ends_at, a.start_price, a.reserve,
                a.buy_now
           FROM auctions a JOIN listings l ON l.id = a.listing_id
          WHERE l.status = 'approved' AND a.starts_at <= ? AND a.ends_at > ?
          ORDER BY a.listing_id",
    )
    .bind(now)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    let table = IncrementTable::default_for(currency);
    for (n, auction) in running.into_iter().enumerate() {
        let Running {
            listing_id: listing,
            seller_id: seller,
            starts_at,
            ends_at,
            ..
        } = auction;
        let terms = Terms {
            start_price: auction.start_price,
            reserve: auction.reserve,
            buy_now: auction.buy_now,
        };
        let mut current = Auction {
            seller,
            phase: Phase::Live,
            ends_at,
            terms,
            book: Book::opening(&terms),
        };
        let bidders: Vec<i64> = users
            .iter()
            .copied()
            .filter(|&u| u != seller)
            .skip(n % 5)
            .take(3)
            .collect();
        let rounds = 2 + n % 4;
        for round in 0..rounds {
            let bidder = bidders[round % bidders.len()];
            let at = starts_at + (now - starts_at) * (round as i64 + 1) / (rounds as i64 + 1);
            // Some bid the minimum, some set a maximum a few steps above it.
            let minimum = auction::minimum_bid(&current.terms, &current.book, &table);
            let amount = minimum + table.step(minimum) * ((n + round) % 3) as i64;
            let who = Bidder {
                id: bidder,
                restricted: false,
            };
            let Ok(accepted) = auction::place(&current, &table, who, amount, at, 0) else {
                continue;
            };
            current.book = accepted.book;
            sqlx::query(
                "INSERT INTO bids (listing_id, bidder_id, amount, price, created_at)
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(listing)
            .bind(bidder)
            .bind(amount)
            .bind(current.book.price)
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
        let book = current.book;
        sqlx::query(
            "UPDATE auctions SET phase = 'live', price = ?, leader_id = ?, leader_max = ?,
                    second_max = ?, bids = ?, seq = ? + 1
              WHERE listing_id = ?",
        )
        .bind(book.price)
        .bind(book.leader.map(|l| l.bidder))
        .bind(book.leader.map(|l| l.max))
        .bind(book.second_max)
        .bind(i64::from(book.bids))
        .bind(i64::from(book.bids))
        .bind(listing)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Listings per transaction in `bulk_listings`: enough to amortise the commit.
const BULK_BATCH: usize = 1_000;
/// One bulk listing in this many is an auction.
const BULK_AUCTION_EVERY: usize = 500;
/// Bulk listings are spread over the past year.
const BULK_SPAN: i64 = 365 * DAY;
/// Bulk listings number their rolls from here, apart from the seeded market's.
const BULK_FIRST: usize = 1 << 20;

/// Adds `count` approved listings without pictures, for benchmarks: the demo
/// templates from every category and language with varied sellers, prices,
/// tags, ages and popularity, and an auction now and then. Creates the demo
/// users if they are missing; the categories must exist. Returns how many
/// listings were added. It may run beside a live server, so each batch takes
/// the write lock when it begins and waits for the server's writes rather
/// than failing to upgrade a read.
pub async fn bulk_listings(
    pool: &SqlitePool,
    count: usize,
    currency: Currency,
) -> Result<usize, SeedError> {
    let categories = category_ids(pool).await?;
    let now = now_ms();
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let users = ensure_users(&mut tx, now).await?;
    tx.commit().await?;

    let variants: Vec<(&'static Template, usize)> =
        all_variants().map(|(t, variant, _)| (t, variant)).collect();
    let mut tags = TagIds::default();
    for first in (0..count).step_by(BULK_BATCH) {
        let rows: Vec<Row> = (first..count.min(first + BULK_BATCH))
            .map(|i| bulk_row(i, count, &variants, now, currency))
            .collect();
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        insert_rows(&mut tx, &rows, &users, &categories, &mut tags).await?;
        tx.commit().await?;
    }
    Ok(count)
}

/// Bulk listing `i` of `count`: a template variant picked at random, newer the
/// smaller `i`.
fn bulk_row(
    i: usize,
    count: usize,
    variants: &[(&'static Template, usize)],
    now: i64,
    currency: Currency,
) -> Row {
    let n = BULK_FIRST + i;
    let (t, variant) = variants[roll(n, Roll::Template, variants.len())];
    let slot = i
        .is_multiple_of(BULK_AUCTION_EVERY)
        .then_some(i / BULK_AUCTION_EVERY);
    let mut p = plan(t, variant, n, slot);
    // The same thing from many sellers: each asks a slightly different price,
    // and every other one adds a word to the title.
    p.price_twd = jitter(t.price_twd, n);
    let flourishes = &t.lang.phrases().flourishes;
    if let Some(word) = flourishes.get(roll(n, Roll::Flourish, 2 * flourishes.len())) {
        p.title.push(' ');
        p.title.push_str(word);
    }
    let age = i as i64 * BULK_SPAN / count.max(1) as i64 + roll(n, Roll::Age, 90) as i64 * MINUTE;
    row(p, now - MINUTE - age, Status::Approved, 0, now, currency)
}

/// Ids of the categories the templates use, by slug.
async fn category_ids(pool: &SqlitePool) -> Result<HashMap<&'static str, i64>, SeedError> {
    let mut ids = HashMap::new();
    for t in FEATURED.iter().chain(CATALOG) {
        if ids.contains_key(t.category) {
            continue;
        }
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM categories WHERE slug = ?")
            .bind(t.category)
            .fetch_optional(pool)
            .await?;
        ids.insert(
            t.category,
            id.ok_or(SeedError::UnknownCategory(t.category))?,
        );
    }
    Ok(ids)
}

/// Lets the demo members log in with `password` (their e-mails verified):
/// sets it for those who have none yet, so a restart keeps what a member
/// changed. Returns how many were set.
pub async fn open_demo_logins(pool: &SqlitePool, password: &str) -> Result<u64, sqlx::Error> {
    use argon2::{Argon2, PasswordHasher, password_hash::SaltString};
    // One hash for all: the password is public anyway.
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| sqlx::Error::Protocol(e.to_string()))?
        .to_string();
    let mut set = 0;
    for user in USERS {
        set += sqlx::query(
            "UPDATE users SET password_hash = ?, email_verified_at = COALESCE(email_verified_at, ?)
              WHERE username = ? AND password_hash = '' AND email LIKE '%@demo.haggle.test'",
        )
        .bind(&hash)
        .bind(now_ms())
        .bind(user.username)
        .execute(pool)
        .await?
        .rows_affected();
    }
    Ok(set)
}

/// The demo users' ids in `USERS` order, creating whichever are missing.
async fn ensure_users(conn: &mut SqliteConnection, now: i64) -> Result<Vec<i64>, sqlx::Error> {
    let mut ids = Vec::with_capacity(USERS.len());
    for (i, user) in USERS.iter().enumerate() {
        let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = ?")
            .bind(user.username)
            .fetch_optional(&mut *conn)
            .await?;
        let id = match existing {
            Some(id) => id,
            None => {
                // A month apart, so profiles show different ages.
                let joined = now - (400 - 30 * i as i64) * DAY;
                sqlx::query_scalar::<_, i64>(
                    "INSERT INTO users (username, nickname, email, intro, created_at)
                     VALUES (?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(user.username)
                .bind(user.nickname)
                .bind(format!("{}@demo.haggle.test", user.username))
                .bind(user.intro)
                .bind(joined)
                .fetch_one(&mut *conn)
                .await?
            }
        };
        ids.push(id);
    }
    Ok(ids)
}

/// Tag ids by name, looked up (or created) once per name.
#[derive(Default)]
struct TagIds(HashMap<&'static str, i64>);

impl TagIds {
    async fn resolve(
        &mut self,
        conn: &mut SqliteConnection,
        rows: &[Row],
    ) -> Result<(), sqlx::Error> {
        for &name in rows.iter().flat_map(|row| &row.plan.tags) {
            if self.0.contains_key(name) {
                continue;
            }
            // DO UPDATE rather than DO NOTHING so an existing tag returns its id.
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO tags (name) VALUES (?)
                 ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id",
            )
            .bind(name)
            .fetch_one(&mut *conn)
            .await?;
            self.0.insert(name, id);
        }
        Ok(())
    }
}

/// Most values bound in one statement: SQLite's oldest default limit, which any
/// build accepts.
const MAX_PARAMS: usize = 999;

/// `head VALUES (?, …), (?, …)…` for `rows` rows of `columns` values.
fn values_sql(head: &str, columns: usize, rows: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    format!("{head} VALUES {}", vec![row; rows].join(", "))
}

/// Inserts the listings with their images, tags, auction terms and favorites,
/// many rows per statement: one statement per row would make 50,000 bulk
/// listings crawl.
async fn insert_rows(
    conn: &mut SqliteConnection,
    rows: &[Row],
    users: &[i64],
    categories: &HashMap<&'static str, i64>,
    tags: &mut TagIds,
) -> Result<(), SeedError> {
    tags.resolve(conn, rows).await?;

    const LISTING_COLUMNS: usize = 17;
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(MAX_PARAMS / LISTING_COLUMNS) {
        let sql = values_sql(
            "INSERT INTO listings (seller_id, category_id, title, description, price, stock,
                                   condition, sale_mode, area, status, created_at, updated_at,
                                   meetup, meetup_place, shipping, favorites, views)",
            LISTING_COLUMNS,
            chunk.len(),
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            let p = &row.plan;
            let slug = p.template.category;
            let category = categories
                .get(slug)
                .copied()
                .ok_or(SeedError::UnknownCategory(slug))?;
            query = query
                .bind(users[p.seller])
                .bind(category)
                .bind(p.title.as_str())
                .bind(p.description.as_str())
                .bind(row.price)
                .bind(row.stock)
                .bind(p.template.condition.as_str())
                .bind(p.mode.as_str())
                .bind(p.area)
                .bind(row.status.as_str())
                .bind(row.created)
                .bind(row.created)
                .bind(p.meetup)
                .bind(p.meetup_place)
                .bind(p.shipping)
                .bind(row.fans.len() as i64)
                .bind(row.views);
        }
        let last = query.execute(&mut *conn).await?.last_insert_rowid();
        // Rows inserted without an id get consecutive ones in VALUES order, so
        // this chunk's ids are the ones ending at the last.
        ids.extend(last + 1 - chunk.len() as i64..=last);
    }

    let mut images = Vec::new();
    let mut labels = Vec::new();
    let mut auctions = Vec::new();
    let mut favorites = Vec::new();
    for (row, &id) in rows.iter().zip(&ids) {
        let seller = users[row.plan.seller];
        for (position, image) in row.images.iter().enumerate() {
            images.push((seller, id, position as i64, image, row.created));
        }
        for (position, &name) in row.plan.tags.iter().enumerate() {
            // Every name was resolved above.
            if let Some(&tag) = tags.0.get(name) {
                labels.push((id, tag, position as i64));
            }
        }
        if let Some(terms) = row.auction {
            auctions.push((id, terms));
        }
        for &(fan, at) in &row.fans {
            favorites.push((users[fan], id, at));
        }
    }

    for chunk in images.chunks(MAX_PARAMS / 8) {
        let sql = values_sql(
            "INSERT INTO images (owner_id, listing_id, position, file_name, thumb_name,
                                 width, height, created_at)",
            8,
            chunk.len(),
        );
        let mut query = sqlx::query(&sql);
        for &(owner, listing, position, image, created) in chunk {
            query = query
                .bind(owner)
                .bind(listing)
                .bind(position)
                .bind(image.file_name.as_str())
                .bind(image.thumb_name.as_str())
                .bind(i64::from(image.width))
                .bind(i64::from(image.height))
                .bind(created);
        }
        query.execute(&mut *conn).await?;
    }
    for chunk in labels.chunks(MAX_PARAMS / 3) {
        let sql = values_sql(
            "INSERT INTO listing_tags (listing_id, tag_id, position)",
            3,
            chunk.len(),
        );
        let mut query = sqlx::query(&sql);
        for &(listing, tag, position) in chunk {
            query = query.bind(listing).bind(tag).bind(position);
        }
        query.execute(&mut *conn).await?;
    }
    for chunk in auctions.chunks(MAX_PARAMS / 7) {
        let sql = values_sql(
            "INSERT INTO auctions (listing_id, starts_at, ends_at, start_price, reserve, buy_now, price)",
            7,
            chunk.len(),
        );
        let mut query = sqlx::query(&sql);
        for &(listing, terms) in chunk {
            query = query
                .bind(listing)
                .bind(terms.starts_at)
                .bind(terms.ends_at)
                .bind(terms.start_price)
                .bind(terms.reserve)
                .bind(terms.buy_now)
                .bind(terms.start_price);
        }
        query.execute(&mut *conn).await?;
    }
    for chunk in favorites.chunks(MAX_PARAMS / 3) {
        let sql = values_sql(
            "INSERT INTO favorites (user_id, listing_id, created_at)",
            3,
            chunk.len(),
        );
        let mut query = sqlx::query(&sql);
        for &(user, listing, at) in chunk {
            query = query.bind(user).bind(listing).bind(at);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Draws and stores the pictures, in order, spread over the machine's cores:
/// encoding a few hundred JPEGs one by one would hold up the first start.
fn draw_all(media: &MediaStore, jobs: &[(&'static str, f32)]) -> std::io::Result<Vec<StoredImage>> {
    let threads = std::thread::available_parallelism().map_or(4, |n| n.get());
    let per_thread = jobs.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| -> std::io::Result<Vec<StoredImage>> {
        let handles: Vec<_> = jobs
            .chunks(per_thread)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|&(slug, hue)| {
                            media.store_with_thumbnail(&art::illustrate(slug, hue, ART_SCALE))
                        })
                        .collect::<std::io::Result<Vec<_>>>()
                })
            })
            .collect();
        let mut stored = Vec::with_capacity(jobs.len());
        for handle in handles {
            let part = handle
                .join()
                .map_err(|_| std::io::Error::other("drawing a demo picture panicked"))??;
            stored.extend(part);
        }
        Ok(stored)
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
mod tests;
