//! Balances under optimistic locking.
//!
//! A balance is read without a lock; a change is written only if the balance still has the `version` that was
//! read (`WHERE id = $1 AND version = $2`), which also increments it. Two writers that read the same version
//! cannot both succeed: the second one's `UPDATE` waits for the first to commit, then finds the version moved
//! on, updates nothing, and gets [`CreditsError::Conflict`]. The ledger row is inserted in the same
//! transaction, so a balance never changes without its entry.

use sqlx::PgPool;
use sqlx::types::Json;

use crate::documents::Metadata;
use crate::error::CreditsError;
use crate::schema::{CreditBalance, CreditTransaction, TransactionType};

/// A change to apply to a balance read earlier. `amount` is signed: what it adds to the balance.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub transaction_type: TransactionType,
    pub amount: i64,
    pub metadata: Metadata,
}

/// A change written: the balance after it and its ledger entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub balance: CreditBalance,
    pub transaction: CreditTransaction,
}

/// The user's balance with its current version, if the user has one.
pub async fn get_balance(pool: &PgPool, user_id: &str) -> Result<Option<CreditBalance>, CreditsError> {
    let balance =
        sqlx::query_as("SELECT * FROM credit_balances WHERE user_id = $1").bind(user_id).fetch_optional(pool).await?;
    Ok(balance)
}

/// The user's balance, created empty (0 credits, version 1) on first use. Safe to call concurrently: the
/// unique `user_id` makes a second insert a no-op.
pub async fn get_or_create_balance(pool: &PgPool, user_id: &str) -> Result<CreditBalance, CreditsError> {
    sqlx::query("INSERT INTO credit_balances (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING")
        .bind(user_id)
        .execute(pool)
        .await?;
    get_balance(pool, user_id).await?.ok_or_else(|| CreditsError::NoBalance(user_id.to_string()))
}

/// Applies `change` to the balance as it was when `read` was read: fails with [`CreditsError::Conflict`]
/// when it has been changed since, with [`CreditsError::InsufficientBalance`] when the result would be
/// negative. Nothing is written on failure.
pub async fn apply_change(pool: &PgPool, read: &CreditBalance, change: &Change) -> Result<Recorded, CreditsError> {
    if change.amount == 0 {
        return Err(CreditsError::InvalidAmount(0));
    }
    let new_balance =
        read.balance.checked_add(change.amount).ok_or_else(|| CreditsError::Overflow(read.user_id.clone()))?;
    if new_balance < 0 {
        return Err(CreditsError::InsufficientBalance { available: read.balance, requested: -change.amount });
    }

    let mut tx = pool.begin().await?;
    let balance: Option<CreditBalance> = sqlx::query_as(
        "UPDATE credit_balances SET balance = $3, version = version + 1, updated_at = now() \
         WHERE id = $1 AND version = $2 RETURNING *",
    )
    .bind(read.id)
    .bind(read.version)
    .bind(new_balance)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(balance) = balance else {
        // Dropping `tx` rolls back: nothing was changed anyway.
        return Err(CreditsError::Conflict { user_id: read.user_id.clone(), read_version: read.version });
    };
    let transaction: CreditTransaction = sqlx::query_as(
        "INSERT INTO credit_transactions (user_id, transaction_type, amount, balance_after, metadata) \
         VALUES ($1, $2, $3, $4, $5) RETURNING *",
    )
    .bind(&balance.user_id)
    .bind(change.transaction_type)
    .bind(change.amount)
    .bind(balance.balance)
    .bind(Json(&change.metadata))
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Recorded { balance, transaction })
}

/// Spends `amount` (positive) credits of the user's current balance, as a `usage` entry.
pub async fn spend(pool: &PgPool, user_id: &str, amount: i64, metadata: Metadata) -> Result<Recorded, CreditsError> {
    if amount <= 0 {
        return Err(CreditsError::InvalidAmount(amount));
    }
    let read = get_balance(pool, user_id).await?.ok_or_else(|| CreditsError::NoBalance(user_id.to_string()))?;
    let change = Change { transaction_type: TransactionType::Usage, amount: -amount, metadata };
    apply_change(pool, &read, &change).await
}

/// Adds `amount` (positive) credits to the user's balance, creating it on first use. `transaction_type` says
/// why: a purchase, a refund, a bonus; `usage` only ever takes credits and is refused here.
pub async fn grant(
    pool: &PgPool,
    user_id: &str,
    transaction_type: TransactionType,
    amount: i64,
    metadata: Metadata,
) -> Result<Recorded, CreditsError> {
    if transaction_type == TransactionType::Usage {
        return Err(CreditsError::NotACredit(transaction_type));
    }
    if amount <= 0 {
        return Err(CreditsError::InvalidAmount(amount));
    }
    let read = get_or_create_balance(pool, user_id).await?;
    apply_change(pool, &read, &Change { transaction_type, amount, metadata }).await
}

/// An operator's correction of the user's current balance, either way (`amount` is signed), as an
/// `adjustment` entry.
pub async fn adjust(pool: &PgPool, user_id: &str, amount: i64, metadata: Metadata) -> Result<Recorded, CreditsError> {
    let read = get_balance(pool, user_id).await?.ok_or_else(|| CreditsError::NoBalance(user_id.to_string()))?;
    apply_change(pool, &read, &Change { transaction_type: TransactionType::Adjustment, amount, metadata }).await
}
