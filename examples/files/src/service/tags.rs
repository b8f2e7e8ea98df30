//! Tags: create one, put it on a file, take it off.

use super::error::{Error, Kind, Result, violates_unique};
use crate::schema::Tag;
use sqlx::PgPool;
use uuid::Uuid;

/// Creates tag `name` of `user_id`; `color` is `#rrggbb`.
pub async fn create_tag(pool: &PgPool, user_id: &str, name: &str, color: Option<&str>) -> Result<Tag> {
    sqlx::query_as("INSERT INTO tags (user_id, name, color) VALUES ($1, $2, $3) RETURNING *")
        .bind(user_id)
        .bind(name)
        .bind(color)
        .fetch_one(pool)
        .await
        .map_err(|e| match violates_unique(&e, "tags_user_id_name_key") {
            true => Error::TagExists(name.to_string()),
            false => Error::Database(e),
        })
}

/// Puts tag `tag_id` on file `file_id`, both `user_id`'s (the file not deleted). Tagging twice is a
/// no-op. One statement checks both owners and inserts; its result says which one was missing.
pub async fn tag_file(pool: &PgPool, user_id: &str, file_id: Uuid, tag_id: Uuid) -> Result<()> {
    let (file_found, tag_found): (bool, bool) = sqlx::query_as(
        "WITH f AS (SELECT id FROM files WHERE id = $1 AND user_id = $3 AND is_deleted = false), \
              t AS (SELECT id FROM tags WHERE id = $2 AND user_id = $3), \
              linked AS (INSERT INTO file_tags (file_id, tag_id) SELECT f.id, t.id FROM f, t \
                         ON CONFLICT DO NOTHING RETURNING 1) \
         SELECT EXISTS (SELECT 1 FROM f), EXISTS (SELECT 1 FROM t)",
    )
    .bind(file_id)
    .bind(tag_id)
    .bind(user_id)
    .fetch_one(pool)
    .await?;
    match (file_found, tag_found) {
        (false, _) => Err(Error::not_found(Kind::File, file_id)),
        (_, false) => Err(Error::not_found(Kind::Tag, tag_id)),
        (true, true) => Ok(()),
    }
}

/// Takes tag `tag_id` off file `file_id` of `user_id`; whether it was on.
pub async fn untag_file(pool: &PgPool, user_id: &str, file_id: Uuid, tag_id: Uuid) -> Result<bool> {
    let removed = sqlx::query(
        "DELETE FROM file_tags ft USING files f \
         WHERE ft.file_id = f.id AND f.id = $1 AND f.user_id = $3 AND ft.tag_id = $2",
    )
    .bind(file_id)
    .bind(tag_id)
    .bind(user_id)
    .execute(pool)
    .await?;
    Ok(removed.rows_affected() > 0)
}
