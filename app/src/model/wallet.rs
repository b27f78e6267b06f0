//! The wallet as pages show it.

use crate::domain::money::Money;
use serde::{Deserialize, Serialize};

/// Where a top-up stands: asked of the provider, then decided by its
/// callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopUpState {
    Pending,
    Succeeded,
    Declined,
    Failed,
}

impl TopUpState {
    pub fn as_str(self) -> &'static str {
        match self {
            TopUpState::Pending => "pending",
            TopUpState::Succeeded => "succeeded",
            TopUpState::Declined => "declined",
            TopUpState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<TopUpState> {
        [
            TopUpState::Pending,
            TopUpState::Succeeded,
            TopUpState::Declined,
            TopUpState::Failed,
        ]
        .into_iter()
        .find(|state| state.as_str() == s)
    }
}

/// One top-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopUpView {
    pub id: String,
    pub amount: Money,
    pub card_last4: String,
    pub state: TopUpState,
    pub at: i64,
}

/// One withdrawal, taken from the balance when asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawalView {
    pub id: String,
    pub amount: Money,
    pub at: i64,
}

/// One escrow hold the member is a party to, still waiting for its handover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldLine {
    pub amount: Money,
    /// The order's public id, for a link to its room.
    pub order: Option<String>,
    pub title: Option<String>,
    pub at: i64,
}

/// The wallet at a glance: the balance, whether it is frozen, and the money
/// waiting in escrow on either side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletSummary {
    pub balance: Money,
    pub frozen: bool,
    pub id_verified: bool,
    /// Paid by the member, waiting for their handover.
    pub holds_as_buyer: Vec<HoldLine>,
    /// Paid to the member, waiting for their handover.
    pub holds_as_seller: Vec<HoldLine>,
}

/// What a statement shows: one purpose or all, between two dates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementFilter {
    pub purpose: Option<crate::domain::wallet::Purpose>,
    /// Unix ms, inclusive.
    pub from: Option<i64>,
    /// Unix ms, exclusive.
    pub to: Option<i64>,
}

/// One movement of the member's available balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    pub at: i64,
    pub purpose: crate::domain::wallet::Purpose,
    /// The listing's title, for a movement about an order.
    pub title: Option<String>,
    /// The order's public id.
    pub order: Option<String>,
    /// Signed: negative when money left the balance.
    pub amount: Money,
    pub balance_after: Money,
}

/// One page of a statement, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementPage {
    pub lines: Vec<StatementLine>,
    /// 1-based.
    pub page: u32,
    pub more: bool,
}
