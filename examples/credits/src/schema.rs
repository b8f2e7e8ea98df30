//! The tables and the enum, declared with keel's derives. Each row struct is also an `sqlx::FromRow`, so the
//! struct keel migrates from is the struct the queries read into.
//!
//! jsonb columns hold typed documents ([`Metadata`], [`Settings`]) as `sqlx::types::Json<T>`: keel's `sqlx`
//! feature maps that type to jsonb, and sqlx encodes and decodes it with serde.

use chrono::{DateTime, Utc};
use keel::{PgEnum, Table};
use sqlx::types::Json;
use uuid::Uuid;

use crate::documents::{Metadata, Settings};

/// What moved credits: the guidelines' `transaction_type`. The sqlx attributes make the Rust enum bind and
/// decode as the PostgreSQL type keel creates from it. `Adjustment` (an operator's correction, either way)
/// came in the second release: keel adds the value in place (`ALTER TYPE ... ADD VALUE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PgEnum, sqlx::Type)]
#[sqlx(type_name = "transaction_type", rename_all = "snake_case")]
pub enum TransactionType {
    Purchase,
    Usage,
    Refund,
    Bonus,
    Adjustment,
}

impl TransactionType {
    /// Every value, in the order of the PostgreSQL type.
    pub const ALL: &'static [TransactionType] = &[
        TransactionType::Purchase,
        TransactionType::Usage,
        TransactionType::Refund,
        TransactionType::Bonus,
        TransactionType::Adjustment,
    ];
}

/// One user's balance. `version` is the optimistic lock: every write compares it and increments it, so a
/// write based on a stale read changes nothing.
#[derive(Debug, Clone, PartialEq, Table, sqlx::FromRow)]
pub struct CreditBalance {
    pub id: Uuid,
    #[keel(unique)]
    pub user_id: String,
    #[keel(check = "balance >= 0", default = "0")]
    pub balance: i64,
    #[keel(optimistic_lock)]
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The ledger: one row per change of a balance, written in the same transaction as the change. `amount` is
/// signed (usage is negative); `balance_after` is the balance the change produced.
#[derive(Debug, Clone, PartialEq, Table, sqlx::FromRow)]
#[keel(index(columns = "user_id, created_at DESC"))]
pub struct CreditTransaction {
    pub id: Uuid,
    pub user_id: String,
    pub transaction_type: TransactionType,
    #[keel(check = "amount <> 0")]
    pub amount: i64,
    #[keel(check = "balance_after >= 0")]
    pub balance_after: i64,
    /// Queried with `@>`, which a GIN index serves.
    #[keel(default = "'{}'::jsonb", index(method = "gin"))]
    pub metadata: Json<Metadata>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A user's settings, written by upsert. `version` counts the writes.
#[derive(Debug, Clone, PartialEq, Table, sqlx::FromRow)]
#[keel(table = "user_settings")]
pub struct UserSettingsRow {
    pub id: Uuid,
    #[keel(unique)]
    pub user_id: String,
    #[keel(default = "'{}'::jsonb")]
    pub settings: Json<Settings>,
    #[keel(optimistic_lock)]
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
