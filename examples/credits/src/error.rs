//! The service's errors: what a caller can act on, distinct from the database failing.

use crate::schema::TransactionType;

/// Why a credits operation did not happen. Nothing was written when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum CreditsError {
    /// The balance changed since it was read (its `version` moved on): read it again and retry.
    #[error("the balance of user {user_id} was changed by another operation since version {read_version} was read")]
    Conflict { user_id: String, read_version: i32 },
    /// The change would take the balance below zero.
    #[error("insufficient balance: {available} credits available, {requested} requested")]
    InsufficientBalance { available: i64, requested: i64 },
    #[error("user {0} has no credit balance")]
    NoBalance(String),
    /// Amounts are positive; the kind of transaction says which way they move the balance.
    #[error("invalid amount {0}: amounts are positive")]
    InvalidAmount(i64),
    /// `grant` adds credits; a `usage` entry only ever takes them.
    #[error("a {0:?} entry does not add credits")]
    NotACredit(TransactionType),
    /// The change would overflow the balance.
    #[error("the balance of user {0} would overflow")]
    Overflow(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}
