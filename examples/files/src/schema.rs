//! The file storage schema from the team's database guidelines, declared with keel's derives.
//!
//! `files` is the guidelines' table pattern verbatim; `folders` (a self reference), `file_versions` and
//! `tags` with the `file_tags` junction (a composite primary key) complete it.

use chrono::{DateTime, Utc};
use keel::Table;
use uuid::Uuid;

#[derive(Debug, Clone, Table, sqlx::FromRow)]
#[keel(comment = "Folders nest: a folder's parent is another folder", touch_updated_at)]
pub struct Folder {
    pub id: Uuid,
    pub user_id: String,
    #[keel(references = "folders(id)", on_delete = "cascade", index = "idx_folders_parent_folder")]
    pub parent_folder_id: Option<Uuid>,
    #[keel(varchar = 255)]
    pub name: String,
    pub is_deleted: bool,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Table, sqlx::FromRow)]
// `updated_at` is kept current by a trigger (keel's shared `keel_touch_updated_at()`), so no update can
// forget it.
#[keel(touch_updated_at)]
pub struct File {
    // Primary key - always UUID with auto-generation
    pub id: Uuid,
    // User ID - always TEXT (the auth system issues non-UUID ids)
    #[keel(index)]
    pub user_id: String,
    #[keel(references = "folders(id)", on_delete = "set null", index = "idx_files_parent_folder")]
    pub parent_folder_id: Option<Uuid>,
    #[keel(varchar = 500)]
    pub name: String,
    #[keel(varchar = 255)]
    pub mime_type: String,
    pub size: i64,
    #[keel(varchar = 1000)]
    pub storage_path: String,
    #[keel(varchar = 500, unique)]
    pub storage_key: String,
    pub description: Option<String>,
    pub is_favorite: bool,
    pub is_public: bool,
    // Soft delete
    pub is_deleted: bool,
    pub deleted_at: Option<DateTime<Utc>>,
    #[keel(index)]
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    // Added in the second release (migration `add_download_count`): last, where PostgreSQL appends it. The
    // constant default fills existing rows without rewriting the table.
    #[keel(default = "0", check = "download_count >= 0")]
    pub download_count: i32,
}

#[derive(Debug, Clone, Table, sqlx::FromRow)]
#[keel(unique(columns = "file_id, version_number"), touch_updated_at)]
pub struct FileVersion {
    pub id: Uuid,
    #[keel(references = "files(id)", on_delete = "cascade", index)]
    pub file_id: Uuid,
    #[keel(check = "version_number > 0")]
    pub version_number: i32,
    #[keel(varchar = 1000)]
    pub storage_path: String,
    pub size: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Table, sqlx::FromRow)]
#[keel(unique(columns = "user_id, name"), touch_updated_at)]
pub struct Tag {
    pub id: Uuid,
    pub user_id: String,
    #[keel(varchar = 100)]
    pub name: String,
    #[keel(varchar = 7)]
    pub color: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Junction table: `{entity1}_{entity2}`, composite primary key.
#[derive(Debug, Clone, Table, sqlx::FromRow)]
#[keel(primary_key(columns = "file_id, tag_id"))]
pub struct FileTag {
    #[keel(references = "files(id)", on_delete = "cascade")]
    pub file_id: Uuid,
    #[keel(references = "tags(id)", on_delete = "cascade", index)]
    pub tag_id: Uuid,
    pub created_at: DateTime<Utc>,
}
