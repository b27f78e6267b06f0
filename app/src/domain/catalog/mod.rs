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
/// More entries than this is no list a person typed (a form sends at most
/// `MAX_TAGS` and a few blanks): refused before any work.
const RAW_TAGS_MAX: usize = 4 * MAX_TAGS as usize;
/// A raw tag longer than this (in bytes, blank space included) cannot shrink
/// to `TAG_LEN` characters: refused before it is normalised.
const RAW_TAG_BYTES_MAX: usize = 16 * TAG_LEN.1 as usize;

fn check_tags(input: &[String]) -> Result<Vec<String>, Problem> {
    let too_many = Problem::TooMany { max: MAX_TAGS };
    if input.len() > RAW_TAGS_MAX {
        return Err(too_many);
    }
    let mut tags: Vec<String> = Vec::new();
    for raw in input.iter().filter(|t| !t.trim().is_empty()) {
        if raw.len() > RAW_TAG_BYTES_MAX {
            return Err(Problem::TooLong { max: TAG_LEN.1 });
        }
        let tag = normalize_tag(raw)?;
        if !tags.contains(&tag) {
            tags.push(tag);
            // The duplicate check stays over at most MAX_TAGS + 1 tags.
            if tags.len() > MAX_TAGS as usize {
                return Err(too_many);
            }
        }
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
        !self.changed_fields(other).is_empty()
    }

    /// The fields of `after` that differ materially, each refused with
    /// `problem`: for a listing whose words may no longer change (sold, or an
    /// auction with bids: bidders bid on these words and photos, and a
    /// material change would send a running auction back to review, which
    /// stops it).
    pub fn refuse_changes(&self, after: &Reviewed, problem: Problem) -> Vec<FieldError> {
        self.changed_fields(after)
            .into_iter()
            .map(|field| FieldError { field, problem })
            .collect()
    }

    fn changed_fields(&self, other: &Reviewed) -> Vec<Field> {
        fn as_set<T: Ord + Clone>(v: &[T]) -> Vec<T> {
            let mut v = v.to_vec();
            v.sort_unstable();
            v
        }
        [
            (self.title != other.title, Field::Title),
            (self.description != other.description, Field::Description),
            (self.category != other.category, Field::Category),
            (as_set(&self.tags) != as_set(&other.tags), Field::Tags),
            (as_set(&self.images) != as_set(&other.images), Field::Images),
        ]
        .into_iter()
        .filter_map(|(changed, field)| changed.then_some(field))
        .collect()
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
mod tests;
