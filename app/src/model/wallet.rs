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
