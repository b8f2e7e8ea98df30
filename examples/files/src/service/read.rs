//! Reading files: one by id, a page of a user's files with the total, a file's versions.

use super::error::{Error, Kind, Result};
use super::page::{Page, PageRequest};
use crate::schema::{File, FileVersion};
use sqlx::PgPool;
use uuid::Uuid;

/// File `id` of `user_id`, unless it is soft-deleted.
pub async fn get_file(pool: &PgPool, user_id: &str, id: Uuid) -> Result<File> {
    let file = sqlx::query_as("SELECT * FROM files WHERE id = $1 AND user_id = $2 AND is_deleted = false")
        .bind(id)
        .bind(user_id)
        .fetch_optional(pool)
        .await?;
    file.ok_or(Error::not_found(Kind::File, id))
}

/// A page of `user_id`'s active files, newest first (ties by id, so pages never overlap), and how many
/// active files the user has. The page and the count are two queries run in parallel on two pooled
/// connections; they are not one snapshot, so a file created in between can make them disagree by one.
pub async fn list_files(pool: &PgPool, user_id: &str, page: PageRequest) -> Result<Page<File>> {
    let items = sqlx::query_as(
        "SELECT * FROM files WHERE user_id = $1 AND is_deleted = false \
         ORDER BY created_at DESC, id LIMIT $2 OFFSET $3",
    )
    .bind(user_id)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(pool);
    let total = sqlx::query_scalar("SELECT count(*) FROM files WHERE user_id = $1 AND is_deleted = false")
        .bind(user_id)
        .fetch_one(pool);
    let (items, total) = tokio::try_join!(items, total)?;
    Ok(Page { items, total })
}

/// The versions of file `file_id` of `user_id`, oldest first.
pub async fn file_versions(pool: &PgPool, user_id: &str, file_id: Uuid) -> Result<Vec<FileVersion>> {
    let versions: Vec<FileVersion> = sqlx::query_as(
        "SELECT v.* FROM file_versions v JOIN files f ON f.id = v.file_id \
         WHERE f.id = $1 AND f.user_id = $2 AND f.is_deleted = false ORDER BY v.version_number",
    )
    .bind(file_id)
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    // Every file has version 1 (`create_file`), so no rows means no such file.
    if versions.is_empty() { Err(Error::not_found(Kind::File, file_id)) } else { Ok(versions) }
}
