//! Counting downloads (`files.download_count`, added by the second migration).

use super::error::{Error, Kind, Result};
use sqlx::PgPool;
use uuid::Uuid;

/// Counts one download of file `id` of `user_id` and returns the new count. The increment happens in the
/// `UPDATE`, so concurrent downloads are all counted. The table's trigger moves `updated_at`, as it does for
/// every update of the row.
pub async fn record_download(pool: &PgPool, user_id: &str, id: Uuid) -> Result<i32> {
    let count = sqlx::query_scalar(
        "UPDATE files SET download_count = download_count + 1 \
         WHERE id = $1 AND user_id = $2 AND is_deleted = false RETURNING download_count",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    count.ok_or(Error::not_found(Kind::File, id))
}
