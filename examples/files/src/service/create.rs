//! Creating a file: its `files` row and its first `file_versions` row, together or not at all.

use super::error::{Error, Result, violates_unique};
use super::folders::ensure_folder;
use crate::schema::File;
use sqlx::PgPool;
use uuid::Uuid;

/// An upload the storage layer has already written to `storage_path` under `storage_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The folder to put the file in (the caller's own); `None` is the root.
    pub parent_folder_id: Option<Uuid>,
    pub name: String,
    pub mime_type: String,
    pub size: i64,
    pub storage_path: String,
    pub storage_key: String,
    pub description: Option<String>,
}

/// Records `upload` as a new file of `user_id` with version 1, in one transaction: a file without its
/// first version would be listed but could not be downloaded, so a failure of either insert leaves nothing.
pub async fn create_file(pool: &PgPool, user_id: &str, upload: &Upload) -> Result<File> {
    let mut tx = pool.begin().await?;
    if let Some(folder) = upload.parent_folder_id {
        ensure_folder(&mut tx, user_id, folder).await?;
    }
    let file: File = sqlx::query_as(
        "INSERT INTO files (user_id, parent_folder_id, name, mime_type, size, storage_path, storage_key, description) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
    )
    .bind(user_id)
    .bind(upload.parent_folder_id)
    .bind(&upload.name)
    .bind(&upload.mime_type)
    .bind(upload.size)
    .bind(&upload.storage_path)
    .bind(&upload.storage_key)
    .bind(&upload.description)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match violates_unique(&e, "files_storage_key_key") {
        true => Error::StorageKeyTaken(upload.storage_key.clone()),
        false => Error::Database(e),
    })?;
    sqlx::query("INSERT INTO file_versions (file_id, version_number, storage_path, size) VALUES ($1, 1, $2, $3)")
        .bind(file.id)
        .bind(&file.storage_path)
        .bind(file.size)
        .execute(&mut *tx)
        .await?;
    // Dropping `tx` on an early return above rolls back.
    tx.commit().await?;
    Ok(file)
}
