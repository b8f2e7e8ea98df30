//! Deleting files: soft (to the trash: the row stays, every read skips it) and hard (gone for good).

use super::error::{Error, Kind, Result};
use sqlx::PgPool;
use uuid::Uuid;

/// Moves file `id` of `user_id` to the trash: `is_deleted = true, deleted_at = now()`. The row stays (with
/// its versions and tags) but no read of this service returns it any more.
pub async fn soft_delete_file(pool: &PgPool, user_id: &str, id: Uuid) -> Result<()> {
    let updated = sqlx::query(
        // `updated_at` is the trigger's job (`#[keel(touch_updated_at)]`).
        "UPDATE files SET is_deleted = true, deleted_at = now() \
         WHERE id = $1 AND user_id = $2 AND is_deleted = false",
    )
    .bind(id)
    .bind(user_id)
    .execute(pool)
    .await?;
    if updated.rows_affected() == 1 { Ok(()) } else { Err(Error::not_found(Kind::File, id)) }
}

/// Removes file `id` of `user_id` permanently, soft-deleted or not (emptying the trash). Its versions and
/// tag links go with it through their `ON DELETE CASCADE` foreign keys.
pub async fn hard_delete_file(pool: &PgPool, user_id: &str, id: Uuid) -> Result<()> {
    let deleted =
        sqlx::query("DELETE FROM files WHERE id = $1 AND user_id = $2").bind(id).bind(user_id).execute(pool).await?;
    if deleted.rows_affected() == 1 { Ok(()) } else { Err(Error::not_found(Kind::File, id)) }
}
