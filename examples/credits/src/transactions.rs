//! Reading the ledger.

use sqlx::PgPool;
use sqlx::types::Json;

use crate::documents::Metadata;
use crate::error::CreditsError;
use crate::schema::CreditTransaction;

/// The user's ledger entries whose metadata contains `fragment` (jsonb `@>`: every field set in the fragment
/// has that value, every tag in it is among the entry's tags), newest first. The GIN index on `metadata`
/// serves the containment; `idx_credit_transactions_user_id_created_at` the user and the order.
pub async fn find_transactions_by_metadata(
    pool: &PgPool,
    user_id: &str,
    fragment: &Metadata,
) -> Result<Vec<CreditTransaction>, CreditsError> {
    let rows = sqlx::query_as(
        "SELECT * FROM credit_transactions WHERE user_id = $1 AND metadata @> $2 ORDER BY created_at DESC, id",
    )
    .bind(user_id)
    .bind(Json(fragment))
    .fetch_all(pool)
    .await?;
    Ok(rows)
}

/// The user's whole ledger, newest first.
pub async fn list_transactions(pool: &PgPool, user_id: &str) -> Result<Vec<CreditTransaction>, CreditsError> {
    let rows = sqlx::query_as("SELECT * FROM credit_transactions WHERE user_id = $1 ORDER BY created_at DESC, id")
        .bind(user_id)
        .fetch_all(pool)
        .await?;
    Ok(rows)
}
