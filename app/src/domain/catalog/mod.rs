//! A listing's vocabulary and the rules for creating and editing one. The
//! browser runs them as the seller types; the server runs them as the authority.

pub mod category;
pub mod search;
pub mod search_text;

use super::{
    account::{is_invisible, length},
    form::{Field, FieldError, Problem},
    money::{Currency, Money, MoneyError},
};
use category::Category;
use serde::{Deserialize, Serialize};

/// How a listing is sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleMode {
    Fixed,
    Offers,
    Auction,
}

/// Physical state of the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    New,
    LikeNew,
    Good,
    Fair,
    ForParts,
}

/// Generates the string form used in the database and URLs, and its inverse.
macro_rules! string_enum {
    ($ty:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<$ty> {
                match text { $($text => Some($ty::$variant),)+ _ => None }
            }
        }
    };
}

string_enum!(SaleMode { Fixed => "fixed", Offers => "offers", Auction => "auction" });
string_enum!(Condition {
    New => "new",
    LikeNew => "like_new",
    Good => "good",
    Fair => "fair",
    ForParts => "for_parts",
});

/// Where a listing is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for an admin.
    Pending,
    /// Public.
    Approved,
    Rejected,
    /// Taken down by an admin after approval.
    Delisted,
    Sold,
}

string_enum!(Status {
    Pending => "pending",
    Approved => "approved",
    Rejected => "rejected",
    Delisted => "delisted",
    Sold => "sold",
});

impl Status {
    /// Anyone may see it; other states only its seller and admins.
    pub fn is_public(self) -> bool {
        matches!(self, Status::Approved | Status::Sold)
    }
}

/// The listing form as typed. Amounts are text in the currency's usual
/// notation; auction times are Unix milliseconds (the browser converts the
/// seller's local time).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
// Form encodings leave out empty lists and absent options.
#[serde(default)]
pub struct ListingInput {
    pub title: String,
    pub description: String,
    pub price: String,
    pub stock: String,
    pub category: String,
    pub tags: Vec<String>,
    pub condition: String,
    pub meetup: bool,
    pub area: String,
    pub meetup_place: String,
    pub shipping: bool,
    pub sale_mode: String,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub start_price: String,
    pub reserve: String,
    pub buy_now: String,
    /// Delivery secrets of a digital item; empty for none.
    pub secret: String,
    /// Uploaded image ids, in display order.
    pub images: Vec<i64>,
}

/// An auction's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuctionTerms {
    pub starts_at: i64,
    pub ends_at: i64,
    pub start_price: i64,
    pub reserve: Option<i64>,
    pub buy_now: Option<i64>,
}

/// A listing that passed every rule, in stored form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingDraft {
    pub title: String,
    pub description: String,
    /// Minor units; an auction's start price.
    pub price: i64,
    pub stock: i64,
    pub category: &'static Category,
    pub tags: Vec<String>,
    pub condition: Condition,
    pub meetup: bool,
    pub area: String,
    pub meetup_place: String,
    pub shipping: bool,
    pub sale_mode: SaleMode,
    pub auction: Option<AuctionTerms>,
    pub secret: Option<String>,
    pub images: Vec<i64>,
}

pub const TITLE_LEN: (u32, u32) = (2, 80);
pub const DESCRIPTION_MAX: u32 = 5000;
pub const STOCK_RANGE: (i64, i64) = (1, 9999);
pub const MAX_TAGS: u32 = 10;
pub const TAG_LEN: (u32, u32) = (1, 20);
pub const AREA_MAX: u32 = 40;
pub const PLACE_MAX: u32 = 80;
pub const SECRET_MAX: u32 = 2000;
pub const MAX_IMAGES: u32 = 10;
pub const AUCTION_MIN_MINUTES: u32 = 5;
pub const AUCTION_MAX_DAYS: u32 = 30;
/// How far ahead an auction may be scheduled.
pub const SCHEDULE_MAX_DAYS: u32 = 30;
/// Highest amount accepted, in major units, whatever the currency.
pub const MAX_MAJOR: i64 = 1_000_000_000;
const DAY_MS: i64 = 86_400_000;
/// A start time this close to now counts as "now" (the form took a moment).
const START_SLACK_MS: i64 = 5 * 60_000;

/// One line of text: blank space collapsed, invisible characters refused.
fn check_line(input: &str, len: (u32, u32)) -> Result<String, Problem> {
    let line = input.split_whitespace().collect::<Vec<_>>().join(" ");
    length(&line, len)?;
    if line.chars().any(is_invisible) {
        return Err(Problem::InvalidChars);
    }
    Ok(line)
}

/// Optional one line of text, at most `max` characters.
fn check_optional_line(input: &str, max: u32) -> Result<String, Problem> {
    if input.trim().is_empty() {
        Ok(String::new())
    } else {
        check_line(input, (1, max))
    }
}

/// Free text: line breaks kept, other control characters refused.
pub fn check_text(input: &str, max: u32) -> Result<String, Problem> {
    let text = input.trim().replace("\r\n", "\n");
    if text.chars().count() > max as usize {
        return Err(Problem::TooLong { max });
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Problem::InvalidChars);
    }
    Ok(text)
}

/// A price typed in `currency`; zero is allowed (a giveaway).
pub fn check_amount(input: &str, currency: Currency) -> Result<i64, Problem> {
    let money = Money::parse(input, currency).map_err(|e| match e {
        MoneyError::Empty => Problem::Required,
        MoneyError::TooManyDecimals { allowed } => Problem::TooManyDecimals { allowed },
        MoneyError::TooLarge => Problem::AmountTooHigh,
        _ => Problem::NotAnAmount,
    })?;
    if money.minor > MAX_MAJOR * 10i64.pow(currency.decimals()) {
        return Err(Problem::AmountTooHigh);
    }
    Ok(money.minor)
}

fn check_optional_amount(input: &str, currency: Currency) -> Result<Option<i64>, Problem> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        check_amount(input, currency).map(Some)
    }
}

/// A tag as stored: lower case, no leading `#`, single spaces.
pub fn normalize_tag(input: &str) -> Result<String, Problem> {
    let tag = check_line(input.trim().trim_start_matches('#'), TAG_LEN)?;
    if tag
        .chars()
        .any(|c| matches!(c, ',' | '#' | '<' | '>' | '"'))
    {
        return Err(Problem::InvalidChars);
    }
    Ok(tag.to_lowercase())
}

/// Tags without blanks or repeats, in the order given.
fn check_tags(input: &[String]) -> Result<Vec<String>, Problem> {
    let mut tags: Vec<String> = Vec::new();
    for raw in input.iter().filter(|t| !t.trim().is_empty()) {
        let tag = normalize_tag(raw)?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS as usize {
        return Err(Problem::TooMany { max: MAX_TAGS });
    }
    Ok(tags)
}

fn check_stock(input: &str) -> Result<i64, Problem> {
    let (min, max) = STOCK_RANGE;
    let text = input.trim();
    if text.is_empty() {
        return Err(Problem::Required);
    }
    match text.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(Problem::OutOfRange { min, max }),
    }
}

/// Collects every field's problem while checking.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn check<T>(&mut self, field: Field, result: Result<T, Problem>) -> Option<T> {
        result
            .map_err(|problem| self.0.push(FieldError { field, problem }))
            .ok()
    }

    fn add(&mut self, field: Field, problem: Problem) {
        self.0.push(FieldError { field, problem });
    }
}

/// Checks a whole listing form at time `now` and reports every problem at once.
pub fn check_listing(
    input: &ListingInput,
    currency: Currency,
    now: i64,
) -> Result<ListingDraft, Vec<FieldError>> {
    check_listing_edit(input, currency, now, None)
}

/// Like [`check_listing`], for an edit of an auction that has already
/// started: its terms are fixed (the form shows them read-only), so the
/// stored `started` terms stand in for whatever the form sent.
pub fn check_listing_edit(
    input: &ListingInput,
    currency: Currency,
    now: i64,
    started: Option<AuctionTerms>,
) -> Result<ListingDraft, Vec<FieldError>> {
    let mut e = Errors::default();
    let title = e.check(Field::Title, check_line(&input.title, TITLE_LEN));
    let description = e.check(
        Field::Description,
        check_text(&input.description, DESCRIPTION_MAX),
    );
    let category = e.check(
        Field::Category,
        category::find(input.category.trim()).ok_or(Problem::Required),
    );
    let tags = e.check(Field::Tags, check_tags(&input.tags));
    let condition = e.check(
        Field::Condition,
        Condition::parse(&input.condition).ok_or(Problem::Required),
    );
    let stock = e.check(Field::Stock, check_stock(&input.stock));
    if !input.meetup && !input.shipping {
        e.add(Field::TradeMethods, Problem::NoTradeMethod);
    }
    let area = if input.meetup {
        e.check(Field::Area, check_line(&input.area, (1, AREA_MAX)))
    } else {
        e.check(Field::Area, check_optional_line(&input.area, AREA_MAX))
    };
    let meetup_place = e.check(
        Field::MeetupPlace,
        check_optional_line(&input.meetup_place, PLACE_MAX),
    );
    let sale_mode = e.check(
        Field::SaleMode,
        SaleMode::parse(&input.sale_mode).ok_or(Problem::Required),
    );
    let (price, auction) = match sale_mode {
        Some(SaleMode::Auction) => {
            let terms = started.or_else(|| check_auction(input, currency, now, &mut e));
            (terms.map(|t| t.start_price), terms)
        }
        _ => (
            e.check(Field::Price, check_amount(&input.price, currency)),
            None,
        ),
    };
    let secret = e.check(Field::Secret, check_text(&input.secret, SECRET_MAX));
    let secret = match (secret, category) {
        (Some(s), _) if s.is_empty() => None,
        (Some(s), Some(c)) if c.digital => Some(s),
        (Some(_), Some(_)) => {
            e.add(Field::Secret, Problem::NotForThisCategory);
            None
        }
        _ => None,
    };
    let mut images = input.images.clone();
    images.dedup();
    if images.len() > MAX_IMAGES as usize {
        e.add(Field::Images, Problem::TooMany { max: MAX_IMAGES });
    }
    match (
        title,
        description,
        category,
        tags,
        condition,
        stock,
        area,
        meetup_place,
        sale_mode,
        price,
    ) {
        (
            Some(title),
            Some(description),
            Some(category),
            Some(tags),
            Some(condition),
            Some(stock),
            Some(area),
            Some(meetup_place),
            Some(sale_mode),
            Some(price),
        ) if e.0.is_empty() => Ok(ListingDraft {
            title,
            description,
            price,
            stock,
            category,
            tags,
            condition,
            meetup: input.meetup,
            area,
            meetup_place: if input.meetup {
                meetup_place
            } else {
                String::new()
            },
            shipping: input.shipping,
            sale_mode,
            auction,
            secret,
            images,
        }),
        _ => Err(e.0),
    }
}

fn check_auction(
    input: &ListingInput,
    currency: Currency,
    now: i64,
    e: &mut Errors,
) -> Option<AuctionTerms> {
    let start_price = e.check(
        Field::StartPrice,
        check_amount(&input.start_price, currency).and_then(|p| {
            if p > 0 {
                Ok(p)
            } else {
                Err(Problem::MustBePositive)
            }
        }),
    );
    let reserve = e.check(
        Field::Reserve,
        check_optional_amount(&input.reserve, currency),
    );
    let buy_now = e.check(
        Field::BuyNow,
        check_optional_amount(&input.buy_now, currency),
    );
    if let (Some(start), Some(Some(reserve))) = (start_price, reserve)
        && reserve < start
    {
        e.add(Field::Reserve, Problem::BelowStartPrice);
    }
    if let (Some(start), Some(Some(buy_now))) = (start_price, buy_now) {
        if buy_now <= start {
            e.add(Field::BuyNow, Problem::BelowStartPrice);
        } else if matches!(reserve, Some(Some(r)) if buy_now < r) {
            e.add(Field::BuyNow, Problem::BelowReserve);
        }
    }
    let starts_at = match input.starts_at {
        None => {
            e.add(Field::StartsAt, Problem::Required);
            None
        }
        Some(t) if t < now - START_SLACK_MS => {
            e.add(Field::StartsAt, Problem::InThePast);
            None
        }
        Some(t) if t > now + i64::from(SCHEDULE_MAX_DAYS) * DAY_MS => {
            e.add(
                Field::StartsAt,
                Problem::TooFarAhead {
                    days: SCHEDULE_MAX_DAYS,
                },
            );
            None
        }
        Some(t) => Some(t.max(now)),
    };
    let ends_at = match (input.ends_at, starts_at) {
        (None, _) => {
            e.add(Field::EndsAt, Problem::Required);
            None
        }
        (Some(end), Some(start)) if end - start < i64::from(AUCTION_MIN_MINUTES) * 60_000 => {
            e.add(
                Field::EndsAt,
                Problem::TooShortAuction {
                    minutes: AUCTION_MIN_MINUTES,
                },
            );
            None
        }
        (Some(end), Some(start)) if end - start > i64::from(AUCTION_MAX_DAYS) * DAY_MS => {
            e.add(
                Field::EndsAt,
                Problem::TooLongAuction {
                    days: AUCTION_MAX_DAYS,
                },
            );
            None
        }
        (Some(end), _) => Some(end),
    };
    Some(AuctionTerms {
        starts_at: starts_at?,
        ends_at: ends_at?,
        start_price: start_price?,
        reserve: reserve?,
        buy_now: buy_now?,
    })
}

/// What an admin reviewed: changing any of it sends an approved listing back
/// to the queue. Price, stock and trade details can change freely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reviewed {
    pub title: String,
    pub description: String,
    pub category: String,
    pub tags: Vec<String>,
    pub images: Vec<i64>,
}

impl Reviewed {
    /// A material change: the words, the category, the tags, or which images
    /// are shown (reordering the same images is not).
    pub fn materially_differs(&self, other: &Reviewed) -> bool {
        let sorted = |v: &[i64]| {
            let mut v = v.to_vec();
            v.sort_unstable();
            v
        };
        let tag_set = |v: &[String]| {
            let mut v = v.to_vec();
            v.sort();
            v
        };
        self.title != other.title
            || self.description != other.description
            || self.category != other.category
            || tag_set(&self.tags) != tag_set(&other.tags)
            || sorted(&self.images) != sorted(&other.images)
    }
}

/// The stored facts an edit is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Current {
    pub status: Status,
    pub price: i64,
    pub sale_mode: SaleMode,
    pub auction: Option<AuctionTerms>,
}

/// Fields an edit may not change: the price of a sold listing; the sale mode,
/// price and terms of an auction that has started.
pub fn locked_changes(current: &Current, draft: &ListingDraft, now: i64) -> Vec<FieldError> {
    let mut e = Errors::default();
    let started = current.auction.is_some_and(|a| a.starts_at <= now);
    if (current.status == Status::Sold || started) && draft.price != current.price {
        let field = if started {
            Field::StartPrice
        } else {
            Field::Price
        };
        e.add(field, Problem::Locked);
    }
    if started {
        if draft.sale_mode != current.sale_mode {
            e.add(Field::SaleMode, Problem::Locked);
        } else if draft.auction != current.auction {
            e.add(Field::EndsAt, Problem::Locked);
        }
    }
    e.0
}
#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> ListingInput {
        ListingInput {
            title: "  Kindle   Paperwhite ".into(),
            description: "Warm light.\r\nLike new.".into(),
            price: "2,300".into(),
            stock: "1".into(),
            category: "computers".into(),
            tags: vec![
                "#Kindle".into(),
                "e-reader".into(),
                "kindle".into(),
                " ".into(),
            ],
            condition: "like_new".into(),
            meetup: true,
            area: "Taipei".into(),
            meetup_place: "MRT Daan exit 2".into(),
            shipping: false,
            sale_mode: "fixed".into(),
            images: vec![3, 1, 2],
            ..ListingInput::default()
        }
    }

    fn problems(input: &ListingInput) -> Vec<(Field, Problem)> {
        check_listing(input, Currency::Twd, NOW)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.problem))
            .collect()
    }

    const NOW: i64 = 1_800_000_000_000;
    const HOUR: i64 = 3_600_000;

    #[test]
    fn a_valid_form_is_cleaned_up() {
        let draft = check_listing(&valid(), Currency::Twd, NOW).unwrap();
        assert_eq!(draft.title, "Kindle Paperwhite");
        assert_eq!(draft.description, "Warm light.\nLike new.");
        assert_eq!(draft.price, 2300);
        assert_eq!(draft.tags, vec!["kindle", "e-reader"]);
        assert_eq!(draft.category.slug, "computers");
        assert_eq!(draft.images, vec![3, 1, 2]);
        assert_eq!(draft.auction, None);
        assert_eq!(draft.secret, None);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let input = ListingInput {
            title: "x".into(),
            price: "12.5".into(),
            stock: "0".into(),
            category: "spaceships".into(),
            condition: "mint".into(),
            meetup: false,
            shipping: false,
            sale_mode: "fixed".into(),
            tags: (0..11).map(|i| format!("t{i}")).collect(),
            images: (0..11).collect(),
            secret: "password: hunter2".into(),
            ..ListingInput::default()
        };
        let found = problems(&input);
        for expected in [
            (Field::Title, Problem::TooShort { min: 2 }),
            (Field::Price, Problem::TooManyDecimals { allowed: 0 }),
            (Field::Stock, Problem::OutOfRange { min: 1, max: 9999 }),
            (Field::Category, Problem::Required),
            (Field::Condition, Problem::Required),
            (Field::TradeMethods, Problem::NoTradeMethod),
            (Field::Tags, Problem::TooMany { max: 10 }),
            (Field::Images, Problem::TooMany { max: 10 }),
        ] {
            assert!(
                found.contains(&expected),
                "{expected:?} missing from {found:?}"
            );
        }
        let mut meetup_without_area = valid();
        meetup_without_area.area = " ".into();
        assert_eq!(
            problems(&meetup_without_area),
            vec![(Field::Area, Problem::Required)]
        );
    }

    #[test]
    fn secrets_only_for_digital_categories() {
        let mut input = valid();
        input.secret = "login: a / pw: b".into();
        assert_eq!(
            problems(&input),
            vec![(Field::Secret, Problem::NotForThisCategory)]
        );
        input.category = "game_accounts".into();
        let draft = check_listing(&input, Currency::Twd, NOW).unwrap();
        assert_eq!(draft.secret.as_deref(), Some("login: a / pw: b"));
    }

    fn auction() -> ListingInput {
        ListingInput {
            sale_mode: "auction".into(),
            price: String::new(),
            start_price: "100".into(),
            reserve: "300".into(),
            buy_now: "900".into(),
            starts_at: Some(NOW + HOUR),
            ends_at: Some(NOW + 25 * HOUR),
            ..valid()
        }
    }

    #[test]
    fn auction_terms_are_checked() {
        let draft = check_listing(&auction(), Currency::Twd, NOW).unwrap();
        assert_eq!(draft.price, 100);
        assert_eq!(
            draft.auction,
            Some(AuctionTerms {
                starts_at: NOW + HOUR,
                ends_at: NOW + 25 * HOUR,
                start_price: 100,
                reserve: Some(300),
                buy_now: Some(900),
            })
        );
        let with = |f: fn(&mut ListingInput)| {
            let mut input = auction();
            f(&mut input);
            problems(&input)
        };
        assert_eq!(
            with(|i| i.reserve = "50".into()),
            [(Field::Reserve, Problem::BelowStartPrice)]
        );
        assert_eq!(
            with(|i| i.buy_now = "100".into()),
            [(Field::BuyNow, Problem::BelowStartPrice)]
        );
        assert_eq!(
            with(|i| i.buy_now = "200".into()),
            [(Field::BuyNow, Problem::BelowReserve)]
        );
        assert_eq!(
            with(|i| i.starts_at = Some(NOW - HOUR)),
            [(Field::StartsAt, Problem::InThePast)]
        );
        assert_eq!(
            with(|i| i.starts_at = Some(NOW + 31 * 24 * HOUR)),
            [(Field::StartsAt, Problem::TooFarAhead { days: 30 })]
        );
        assert_eq!(
            with(|i| i.ends_at = Some(NOW + HOUR + 60_000)),
            [(Field::EndsAt, Problem::TooShortAuction { minutes: 5 })]
        );
        assert_eq!(
            with(|i| i.ends_at = Some(NOW + 32 * 24 * HOUR)),
            [(Field::EndsAt, Problem::TooLongAuction { days: 30 })]
        );
        assert_eq!(
            with(|i| i.start_price = "0.5".into()),
            [(Field::StartPrice, Problem::TooManyDecimals { allowed: 0 })]
        );
        // A start a moment ago (the form took a while) means "now".
        let draft = check_listing(
            &ListingInput {
                starts_at: Some(NOW - 60_000),
                ..auction()
            },
            Currency::Twd,
            NOW,
        )
        .unwrap();
        assert_eq!(draft.auction.unwrap().starts_at, NOW);
    }

    #[test]
    fn amounts_follow_the_currency() {
        assert_eq!(check_amount("12.50", Currency::Usd), Ok(1250));
        assert_eq!(check_amount("NT$ 1,200", Currency::Twd), Ok(1200));
        assert_eq!(
            check_amount("abc", Currency::Twd),
            Err(Problem::NotAnAmount)
        );
        assert_eq!(check_amount("", Currency::Twd), Err(Problem::Required));
        assert_eq!(
            check_amount("1000000001", Currency::Twd),
            Err(Problem::AmountTooHigh)
        );
        assert_eq!(
            check_amount("99999999999999999999", Currency::Twd),
            Err(Problem::AmountTooHigh)
        );
    }

    #[test]
    fn tags_are_normalized() {
        assert_eq!(normalize_tag("  #Switch  OLED "), Ok("switch oled".into()));
        assert_eq!(normalize_tag("芒果"), Ok("芒果".into()));
        assert_eq!(normalize_tag("a,b"), Err(Problem::InvalidChars));
        assert_eq!(normalize_tag("<b>"), Err(Problem::InvalidChars));
        assert_eq!(
            normalize_tag(&"x".repeat(21)),
            Err(Problem::TooLong { max: 20 })
        );
        assert_eq!(normalize_tag("a\u{200B}b"), Err(Problem::InvalidChars));
    }

    #[test]
    fn reordering_images_is_not_a_material_change() {
        let before = Reviewed {
            title: "t".into(),
            description: "d".into(),
            category: "books".into(),
            tags: vec!["a".into(), "b".into()],
            images: vec![1, 2],
        };
        let same = Reviewed {
            images: vec![2, 1],
            tags: vec!["b".into(), "a".into()],
            ..before.clone()
        };
        assert!(!before.materially_differs(&same));
        for changed in [
            Reviewed {
                title: "T".into(),
                ..before.clone()
            },
            Reviewed {
                description: "e".into(),
                ..before.clone()
            },
            Reviewed {
                category: "comics".into(),
                ..before.clone()
            },
            Reviewed {
                tags: vec!["a".into()],
                ..before.clone()
            },
            Reviewed {
                images: vec![1, 3],
                ..before.clone()
            },
        ] {
            assert!(before.materially_differs(&changed), "{changed:?}");
        }
    }

    #[test]
    fn a_started_auction_can_be_edited_with_its_terms_kept() {
        let started = check_listing(&auction(), Currency::Twd, NOW)
            .unwrap()
            .auction;
        // Hours later the stored start is in the past, which a new listing
        // could not have; the edit keeps the stored terms instead.
        let later = NOW + 3 * HOUR;
        let edit = ListingInput {
            title: "Kindle, with cover".into(),
            starts_at: Some(NOW - HOUR),
            ..auction()
        };
        assert!(check_listing(&edit, Currency::Twd, later).is_err());
        let draft = check_listing_edit(&edit, Currency::Twd, later, started).unwrap();
        assert_eq!(draft.auction, started);
        assert_eq!(draft.title, "Kindle, with cover");
        assert_eq!(Some(draft.price), started.map(|t| t.start_price));
    }

    #[test]
    fn sold_prices_and_started_auctions_are_locked() {
        let draft = check_listing(&valid(), Currency::Twd, NOW).unwrap();
        let current = Current {
            status: Status::Approved,
            price: 2000,
            sale_mode: SaleMode::Fixed,
            auction: None,
        };
        assert!(locked_changes(&current, &draft, NOW).is_empty());
        let sold = Current {
            status: Status::Sold,
            ..current
        };
        assert_eq!(
            locked_changes(&sold, &draft, NOW),
            vec![FieldError {
                field: Field::Price,
                problem: Problem::Locked
            }]
        );
        let same_price = Current {
            price: 2300,
            ..sold
        };
        assert!(locked_changes(&same_price, &draft, NOW).is_empty());

        let terms = check_listing(&auction(), Currency::Twd, NOW).unwrap();
        let running = Current {
            status: Status::Approved,
            price: 100,
            sale_mode: SaleMode::Auction,
            auction: terms.auction,
        };
        // Before it starts, everything may change.
        assert!(locked_changes(&running, &draft, NOW).is_empty());
        let later = NOW + 2 * HOUR;
        let fields: Vec<Field> = locked_changes(&running, &draft, later)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec![Field::StartPrice, Field::SaleMode]);
        let longer = ListingDraft {
            auction: terms.auction.map(|a| AuctionTerms {
                ends_at: a.ends_at + HOUR,
                ..a
            }),
            ..terms.clone()
        };
        let fields: Vec<Field> = locked_changes(&running, &longer, later)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec![Field::EndsAt]);
        assert!(locked_changes(&running, &terms, later).is_empty());
    }

    #[test]
    fn only_approved_and_sold_are_public() {
        let public: Vec<Status> = Status::ALL
            .iter()
            .copied()
            .filter(|s| s.is_public())
            .collect();
        assert_eq!(public, vec![Status::Approved, Status::Sold]);
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(*s));
        }
    }

    #[test]
    fn string_forms_round_trip_and_match_serde() {
        for mode in SaleMode::ALL {
            assert_eq!(SaleMode::parse(mode.as_str()), Some(*mode));
            assert_eq!(
                serde_json::to_string(mode).unwrap(),
                format!("\"{}\"", mode.as_str())
            );
        }
        for cond in Condition::ALL {
            assert_eq!(Condition::parse(cond.as_str()), Some(*cond));
            assert_eq!(
                serde_json::to_string(cond).unwrap(),
                format!("\"{}\"", cond.as_str())
            );
        }
        assert_eq!(SaleMode::parse("FIXED"), None);
        assert_eq!(Condition::parse(""), None);
    }
}
