//! What a form can get wrong, per field: every area's checks answer with
//! these, and forms show them beside the field they name.

use serde::{Deserialize, Serialize};

/// A form field that can be wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Username,
    Nickname,
    Email,
    Password,
    NewPassword,
    Code,
    Captcha,
    Phone,
    Intro,
    Avatar,
    IdNumber,
    IdPhoto,
    // Listings
    Title,
    Description,
    Price,
    Stock,
    Category,
    Tags,
    Condition,
    TradeMethods,
    Area,
    MeetupPlace,
    SaleMode,
    StartsAt,
    EndsAt,
    StartPrice,
    Reserve,
    BuyNow,
    Secret,
    Images,
    Reason,
    /// A chat line.
    Message,
    /// A bid typed in chat; an offer's amount.
    Amount,
    // Orders and offers
    Quantity,
    Remark,
    /// A meet-up time.
    MeetAt,
    // Wallet
    CardNumber,
}

/// What is wrong with a field; the UI turns it into a translated sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    Required,
    TooShort {
        min: u32,
    },
    TooLong {
        max: u32,
    },
    /// Characters outside what the field allows.
    InvalidChars,
    /// Must start with a letter.
    MustStartWithLetter,
    NeedsLetter,
    NeedsDigit,
    NeedsSymbol,
    /// Not an email address.
    InvalidFormat,
    /// Not a phone number in international form.
    NotAPhoneNumber,
    /// Not a valid ID number (wrong shape or check digit).
    NotAnIdNumber,
    /// Not six digits.
    NotACode,
    /// The email's domain is not on this deployment's allow-list.
    DomainNotAllowed,
    /// Another account uses it.
    Taken,
    /// Code or answer does not match.
    Wrong,
    Expired,
    /// Too many wrong tries; a new code is needed.
    TooManyTries,
    /// The same as what is already there.
    Unchanged,
    /// Not an image we accept (JPEG, PNG or WebP).
    NotAnImage,
    /// The file is larger than allowed.
    FileTooLarge {
        max_mb: u32,
    },
    /// Asked again too soon; wait this long.
    TooSoon {
        secs: u32,
    },
    /// Not an amount of money.
    NotAnAmount,
    /// More decimals than the currency has.
    TooManyDecimals {
        allowed: u32,
    },
    /// Zero where more is needed (an auction's start price).
    MustBePositive,
    /// More than any price Haggle accepts.
    AmountTooHigh,
    /// A whole number outside the allowed range.
    OutOfRange {
        min: i64,
        max: i64,
    },
    /// More items than allowed (tags, images).
    TooMany {
        max: u32,
    },
    /// Neither meet-up nor shipping chosen.
    NoTradeMethod,
    /// Reserve or buy-it-now price not above the start price.
    BelowStartPrice,
    /// Buy-it-now price below the reserve.
    BelowReserve,
    /// A time that has already passed.
    InThePast,
    /// Too far in the future (days).
    TooFarAhead {
        days: u32,
    },
    /// An auction shorter than this many minutes.
    TooShortAuction {
        minutes: u32,
    },
    /// An auction longer than this many days.
    TooLongAuction {
        days: u32,
    },
    /// Not possible for this category.
    NotForThisCategory,
    /// Can no longer be changed (sold, or the auction has started).
    Locked,
    /// Needs a verified e-mail address first (talking in a room).
    VerifyEmailFirst,
    /// Needs a verified identity first (withdrawing money).
    VerifyIdentityFirst,
    /// The same as the sender's previous line, just now.
    Repeated,
    /// Bidders are counting on it: an auction with bids keeps what they bid on.
    HasBids,
    /// A photo that cannot be of an ID card (its shape or size).
    NotAnIdCard,
    /// The ID number already verifies another member (an admin approving).
    VerifiesAnother,
    /// The other member of a conversation blocked the sender.
    BlockedYou,
    /// The sender blocked the other member (unblocking is in settings).
    YouBlocked,
}

// Read by tag_first! (the tag is the first key): no buffered copy of the
// message, see domain::tagged.
crate::domain::tagged::tag_first!(
    Problem,
    "problem",
    "required" => Required,
    "too_short" => TooShort { min: u32 },
    "too_long" => TooLong { max: u32 },
    "invalid_chars" => InvalidChars,
    "must_start_with_letter" => MustStartWithLetter,
    "needs_letter" => NeedsLetter,
    "needs_digit" => NeedsDigit,
    "needs_symbol" => NeedsSymbol,
    "invalid_format" => InvalidFormat,
    "not_a_phone_number" => NotAPhoneNumber,
    "not_an_id_number" => NotAnIdNumber,
    "not_a_code" => NotACode,
    "domain_not_allowed" => DomainNotAllowed,
    "taken" => Taken,
    "wrong" => Wrong,
    "expired" => Expired,
    "too_many_tries" => TooManyTries,
    "unchanged" => Unchanged,
    "not_an_image" => NotAnImage,
    "file_too_large" => FileTooLarge { max_mb: u32 },
    "too_soon" => TooSoon { secs: u32 },
    "not_an_amount" => NotAnAmount,
    "too_many_decimals" => TooManyDecimals { allowed: u32 },
    "must_be_positive" => MustBePositive,
    "amount_too_high" => AmountTooHigh,
    "out_of_range" => OutOfRange { min: i64, max: i64 },
    "too_many" => TooMany { max: u32 },
    "no_trade_method" => NoTradeMethod,
    "below_start_price" => BelowStartPrice,
    "below_reserve" => BelowReserve,
    "in_the_past" => InThePast,
    "too_far_ahead" => TooFarAhead { days: u32 },
    "too_short_auction" => TooShortAuction { minutes: u32 },
    "too_long_auction" => TooLongAuction { days: u32 },
    "not_for_this_category" => NotForThisCategory,
    "locked" => Locked,
    "verify_email_first" => VerifyEmailFirst,
    "verify_identity_first" => VerifyIdentityFirst,
    "repeated" => Repeated,
    "has_bids" => HasBids,
    "not_an_id_card" => NotAnIdCard,
    "verifies_another" => VerifiesAnother,
    "blocked_you" => BlockedYou,
    "you_blocked" => YouBlocked,
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: Field,
    pub problem: Problem,
}
