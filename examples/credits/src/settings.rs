//! User settings, written by upsert.

use sqlx::PgPool;
use sqlx::types::Json;

use crate::documents::Settings;
use crate::error::CreditsError;
use crate::schema::UserSettingsRow;

/// Stores `settings` as the user's settings: inserts the row on first use, otherwise replaces the document,
/// bumps `version` and `updated_at` (the row keeps its `id` and `created_at`). One statement, so concurrent
/// calls for the same user never fail on the unique `user_id`: PostgreSQL turns the losers' inserts into
/// updates.
pub async fn upsert_settings(
    pool: &PgPool,
    user_id: &str,
    settings: &Settings,
) -> Result<UserSettingsRow, CreditsError> {
    let row = sqlx::query_as(
        "INSERT INTO user_settings (user_id, settings) VALUES ($1, $2) \
         ON CONFLICT (user_id) DO UPDATE \
         SET settings = EXCLUDED.settings, version = user_settings.version + 1, updated_at = now() \
         RETURNING *",
    )
    .bind(user_id)
    .bind(Json(settings))
    .fetch_one(pool)
    .await?;
    Ok(row)
}

/// The user's settings row, if they ever saved settings.
pub async fn get_settings(pool: &PgPool, user_id: &str) -> Result<Option<UserSettingsRow>, CreditsError> {
    let row =
        sqlx::query_as("SELECT * FROM user_settings WHERE user_id = $1").bind(user_id).fetch_optional(pool).await?;
    Ok(row)
}
