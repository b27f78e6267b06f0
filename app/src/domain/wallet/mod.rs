//! The wallet as pure rules: a double-entry ledger of transfers between
//! accounts, escrow holds that settle exactly once, and who may move money.
//!
//! Every movement is one [`Transfer`] of a positive amount from one
//! [`Account`] to another, so the ledger sums to zero by construction. A
//! member's available balance and a hold never go below zero; only the
//! payment provider's clearing account does (it stands for money paid in
//! from outside). The backend stores the same model in SQLite, where the
//! database enforces these rules again ([`Ledger`] is their executable
//! statement, checked by property tests).

use crate::domain::{
    id::{HoldId, UserId},
    money::Money,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[cfg(test)]
mod tests;

/// The largest single movement, in minor units: far above any second-hand
/// deal, far below overflow when many are summed.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;
/// How long a money request's idempotency key is remembered.
pub const KEY_TTL_MS: i64 = 24 * 60 * 60 * 1000;
/// Characters of an idempotency key, at least (the browser makes a UUID,
/// 32 to 36)…
pub const KEY_MIN: usize = 16;
/// …and at most.
pub const KEY_MAX: usize = 64;

/// Where money sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Account {
    /// What a member may spend or withdraw.
    Available(UserId),
    /// One escrow hold: an order's or a won auction's payment, waiting for
    /// the handover.
    Held(HoldId),
    /// The payment provider's clearing account: top-ups come from it and
    /// withdrawals go to it, so it stands at minus what members hold.
    Clearing,
    /// The platform's fees.
    Fees,
}

impl Account {
    /// Only the provider's clearing account may go below zero.
    pub fn may_go_negative(self) -> bool {
        matches!(self, Account::Clearing)
    }
}

/// Why money moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    TopUp,
    Withdrawal,
    /// The buyer's payment into a hold.
    Escrow,
    /// A hold released to the seller (the handover).
    Release,
    /// A hold returned to the buyer (a cancellation).
    Refund,
    Fee,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::TopUp => "top_up",
            Purpose::Withdrawal => "withdrawal",
            Purpose::Escrow => "escrow",
            Purpose::Release => "release",
            Purpose::Refund => "refund",
            Purpose::Fee => "fee",
        }
    }

    pub fn parse(s: &str) -> Option<Purpose> {
        [
            Purpose::TopUp,
            Purpose::Withdrawal,
            Purpose::Escrow,
            Purpose::Release,
            Purpose::Refund,
            Purpose::Fee,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

/// One balanced movement: `amount` leaves `from` and arrives in `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    pub from: Account,
    pub to: Account,
    pub amount: Money,
    pub purpose: Purpose,
}

/// A hold's life: open until it is released to the seller or refunded to
/// the buyer, each at most once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldState {
    Pending,
    /// Released to the seller.
    Posted,
    /// Refunded to the buyer.
    Voided,
}

impl HoldState {
    pub fn as_str(self) -> &'static str {
        match self {
            HoldState::Pending => "pending",
            HoldState::Posted => "posted",
            HoldState::Voided => "voided",
        }
    }

    pub fn parse(s: &str) -> Option<HoldState> {
        match s {
            "pending" => Some(HoldState::Pending),
            "posted" => Some(HoldState::Posted),
            "voided" => Some(HoldState::Voided),
            _ => None,
        }
    }
}

/// An escrow hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub id: HoldId,
    pub buyer: UserId,
    pub seller: UserId,
    pub amount: Money,
    pub state: HoldState,
}

/// How a hold ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Settlement {
    /// To the seller.
    Release,
    /// Back to the buyer.
    Refund,
}

/// Why a movement is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum WalletRefusal {
    /// Not a positive amount, or above [`MAX_AMOUNT`].
    BadAmount,
    /// Not in the ledger's currency.
    WrongCurrency,
    /// Money cannot move from an account to itself.
    SameAccount,
    /// The account does not hold that much.
    Insufficient,
    /// The hold was already released or refunded.
    AlreadySettled,
    /// Withdrawals need a verified identity.
    IdentityNeeded,
    /// A frozen wallet may only top up and withdraw.
    Frozen,
}

/// Who the member is, as far as moving money goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WalletStanding {
    pub id_verified: bool,
    pub frozen: bool,
}

/// What a member asks to do with their money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    TopUp,
    Withdraw,
    /// Pay into escrow.
    Pay,
}

/// Whether `standing` allows `action`: withdrawing needs a verified
/// identity; a frozen wallet may top up and withdraw, nothing else.
pub fn may(action: Action, standing: WalletStanding) -> Result<(), WalletRefusal> {
    match action {
        Action::TopUp => Ok(()),
        Action::Withdraw if !standing.id_verified => Err(WalletRefusal::IdentityNeeded),
        Action::Withdraw => Ok(()),
        Action::Pay if standing.frozen => Err(WalletRefusal::Frozen),
        Action::Pay => Ok(()),
    }
}

/// A positive amount no larger than [`MAX_AMOUNT`].
pub fn check_amount(amount: Money) -> Result<(), WalletRefusal> {
    if amount.minor <= 0 || amount.minor > MAX_AMOUNT {
        Err(WalletRefusal::BadAmount)
    } else {
        Ok(())
    }
}

/// The transfer that settles `hold` as `how`, and the hold's new state.
/// A hold settles once: a second settlement of either kind is refused.
pub fn settle(hold: &Hold, how: Settlement) -> Result<(HoldState, Transfer), WalletRefusal> {
    if hold.state != HoldState::Pending {
        return Err(WalletRefusal::AlreadySettled);
    }
    let (state, to, purpose) = match how {
        Settlement::Release => (
            HoldState::Posted,
            Account::Available(hold.seller),
            Purpose::Release,
        ),
        Settlement::Refund => (
            HoldState::Voided,
            Account::Available(hold.buyer),
            Purpose::Refund,
        ),
    };
    Ok((
        state,
        Transfer {
            from: Account::Held(hold.id),
            to,
            amount: hold.amount,
            purpose,
        },
    ))
}

/// A key the browser makes before a money request's first attempt: 16 to 64
/// letters, digits, `-` or `_`.
pub fn check_key(key: &str) -> bool {
    (KEY_MIN..=KEY_MAX).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A card number as typed ("4242 4242 4242 4242") as its digits: 12 to 19
/// of them, spaces and dashes ignored, passing the Luhn check.
pub fn card_number(input: &str) -> Option<String> {
    let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if !(12..=19).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            match (i % 2 == 1, d * 2) {
                (false, _) => d,
                (true, twice) if twice > 9 => twice - 9,
                (true, twice) => twice,
            }
        })
        .sum();
    sum.is_multiple_of(10).then_some(digits)
}

/// The ledger in memory: what the database stores, as rules. Used by the
/// property tests to state the invariants the store must keep.
#[derive(Debug, Clone)]
pub struct Ledger {
    currency: crate::domain::money::Currency,
    balances: HashMap<Account, i64>,
    holds: HashMap<HoldId, Hold>,
    next_hold: i64,
}

impl Ledger {
    pub fn new(currency: crate::domain::money::Currency) -> Ledger {
        Ledger {
            currency,
            balances: HashMap::new(),
            holds: HashMap::new(),
            next_hold: 1,
        }
    }

    pub fn balance(&self, account: Account) -> i64 {
        self.balances.get(&account).copied().unwrap_or(0)
    }

    /// Every account's balance.
    pub fn balances(&self) -> impl Iterator<Item = (Account, i64)> + '_ {
        self.balances.iter().map(|(a, b)| (*a, *b))
    }

    pub fn hold(&self, id: HoldId) -> Option<&Hold> {
        self.holds.get(&id)
    }

    pub fn holds(&self) -> impl Iterator<Item = &Hold> {
        self.holds.values()
    }

    /// Applies `t` if the rules allow it; on refusal nothing changes.
    pub fn transfer(&mut self, t: Transfer) -> Result<(), WalletRefusal> {
        check_amount(t.amount)?;
        if t.amount.currency != self.currency {
            return Err(WalletRefusal::WrongCurrency);
        }
        if t.from == t.to {
            return Err(WalletRefusal::SameAccount);
        }
        let from = self.balance(t.from);
        if !t.from.may_go_negative() && from < t.amount.minor {
            return Err(WalletRefusal::Insufficient);
        }
        self.balances.insert(t.from, from - t.amount.minor);
        *self.balances.entry(t.to).or_insert(0) += t.amount.minor;
        Ok(())
    }

    /// A confirmed top-up: the provider's money reaches the member.
    pub fn top_up(&mut self, user: UserId, amount: Money) -> Result<(), WalletRefusal> {
        self.transfer(Transfer {
            from: Account::Clearing,
            to: Account::Available(user),
            amount,
            purpose: Purpose::TopUp,
        })
    }

    /// A withdrawal to the member's bank, if `standing` allows it.
    pub fn withdraw(
        &mut self,
        user: UserId,
        amount: Money,
        standing: WalletStanding,
    ) -> Result<(), WalletRefusal> {
        may(Action::Withdraw, standing)?;
        self.transfer(Transfer {
            from: Account::Available(user),
            to: Account::Clearing,
            amount,
            purpose: Purpose::Withdrawal,
        })
    }

    /// The buyer pays `amount` into a new hold for `seller`.
    pub fn pay(
        &mut self,
        buyer: UserId,
        seller: UserId,
        amount: Money,
        standing: WalletStanding,
    ) -> Result<HoldId, WalletRefusal> {
        may(Action::Pay, standing)?;
        let id = HoldId(self.next_hold);
        self.transfer(Transfer {
            from: Account::Available(buyer),
            to: Account::Held(id),
            amount,
            purpose: Purpose::Escrow,
        })?;
        self.next_hold += 1;
        self.holds.insert(
            id,
            Hold {
                id,
                buyer,
                seller,
                amount,
                state: HoldState::Pending,
            },
        );
        Ok(id)
    }

    /// Releases or refunds a hold, once.
    pub fn settle(&mut self, id: HoldId, how: Settlement) -> Result<(), WalletRefusal> {
        let hold = *self.holds.get(&id).ok_or(WalletRefusal::AlreadySettled)?;
        let (state, transfer) = settle(&hold, how)?;
        self.transfer(transfer)?;
        if let Some(h) = self.holds.get_mut(&id) {
            h.state = state;
        }
        Ok(())
    }
}
