use super::ColumnType;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A domain (`CREATE DOMAIN ... AS base`), declared in SQL: a base type with a default, `NOT NULL` and
/// named checks that every column of the domain gets. Expressions are kept as PostgreSQL prints them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    /// The type the domain is based on.
    #[serde(rename = "base_type")]
    pub base: ColumnType,
    /// A collation other than the base type's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// The `DEFAULT` expression, as SQL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// `NOT NULL`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_null: bool,
    /// `CONSTRAINT name CHECK (...)`, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub checks: BTreeMap<String, DomainCheck>,
    /// `COMMENT ON DOMAIN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Domain {
    /// A domain over `base` with nothing else set.
    pub fn new(base: ColumnType) -> Domain {
        Domain { base, collation: None, default: None, not_null: false, checks: BTreeMap::new(), comment: None }
    }
}

/// A check of a domain: the boolean expression over `VALUE`, and whether it was added `NOT VALID` and
/// not validated since (existing values were not checked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainCheck {
    /// The boolean expression over `VALUE`, as the server prints it.
    pub expression: String,
    /// Added `NOT VALID` and not validated since.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_valid: bool,
}

impl DomainCheck {
    /// A validated check of `expression`.
    pub fn new(expression: impl Into<String>) -> DomainCheck {
        DomainCheck { expression: expression.into(), not_valid: false }
    }
}
