//! Orders as other areas show them.

use crate::domain::money::Money;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    AwaitingPayment,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub public_id: String,
    pub amount: Money,
    pub state: OrderState,
    /// Pay by this time (Unix ms), while awaiting payment.
    pub pay_by: Option<i64>,
}
