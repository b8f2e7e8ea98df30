//! The typed jsonb documents.
//!
//! Absent fields are left out of the JSON rather than written as `null`: a [`Metadata`] with only some
//! fields set is then a containment pattern (`metadata @> '{"feature": "export"}'`) that matches every
//! document having those values, whatever else it holds.

use serde::{Deserialize, Serialize};

/// What a ledger entry is about. Every field is optional; `tags` match as a subset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Metadata {
    /// Where the change came from: `stripe`, `admin`, `api`, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The payment provider's order, for purchases and refunds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// The product feature that used credits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// A user's settings. Missing keys read as their defaults, so documents written by older releases decode.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Notify when the balance drops below this many credits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub low_balance_alert: Option<i64>,
    pub email_receipts: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}
