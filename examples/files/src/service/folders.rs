//! Folders: create one (at the root or inside another), list what a folder holds.

use super::error::{Error, Kind, Result};
use crate::schema::{File, Folder};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// What a folder directly holds, each list ordered by name.
#[derive(Debug, Clone)]
pub struct FolderContents {
    pub folders: Vec<Folder>,
    pub files: Vec<File>,
}

/// Creates folder `name` of `user_id` inside `parent` (the user's own, not deleted), or at the root.
pub async fn create_folder(pool: &PgPool, user_id: &str, name: &str, parent: Option<Uuid>) -> Result<Folder> {
    let Some(parent) = parent else {
        let folder = sqlx::query_as("INSERT INTO folders (user_id, name) VALUES ($1, $2) RETURNING *")
            .bind(user_id)
            .bind(name)
            .fetch_one(pool)
            .await?;
        return Ok(folder);
    };
    // The parent check and the insert are one statement: no such parent of this user, no row.
    let folder: Option<Folder> = sqlx::query_as(
        "INSERT INTO folders (user_id, parent_folder_id, name) \
         SELECT user_id, id, $3 FROM folders WHERE id = $2 AND user_id = $1 AND is_deleted = false \
         RETURNING *",
    )
    .bind(user_id)
    .bind(parent)
    .bind(name)
    .fetch_optional(pool)
    .await?;
    folder.ok_or(Error::not_found(Kind::Folder, parent))
}

/// The folders and files directly inside `folder` (`None`: the root) of `user_id`. The two lists are read
/// in parallel on two pooled connections.
pub async fn folder_contents(pool: &PgPool, user_id: &str, folder: Option<Uuid>) -> Result<FolderContents> {
    if let Some(id) = folder {
        ensure_folder(&mut *pool.acquire().await?, user_id, id).await?;
    }
    let folders = sqlx::query_as(
        "SELECT * FROM folders WHERE user_id = $1 AND parent_folder_id IS NOT DISTINCT FROM $2 \
           AND is_deleted = false ORDER BY name, id",
    )
    .bind(user_id)
    .bind(folder)
    .fetch_all(pool);
    let files = sqlx::query_as(
        "SELECT * FROM files WHERE user_id = $1 AND parent_folder_id IS NOT DISTINCT FROM $2 \
           AND is_deleted = false ORDER BY name, id",
    )
    .bind(user_id)
    .bind(folder)
    .fetch_all(pool);
    let (folders, files) = tokio::try_join!(folders, files)?;
    Ok(FolderContents { folders, files })
}

/// `Ok` when `id` is a folder of `user_id` that is not deleted.
pub(crate) async fn ensure_folder(conn: &mut PgConnection, user_id: &str, id: Uuid) -> Result<()> {
    let found: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM folders WHERE id = $1 AND user_id = $2 AND is_deleted = false)",
    )
    .bind(id)
    .bind(user_id)
    .fetch_one(conn)
    .await?;
    if found { Ok(()) } else { Err(Error::not_found(Kind::Folder, id)) }
}
