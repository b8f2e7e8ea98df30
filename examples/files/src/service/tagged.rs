//! Files with their tag names, in one query: the guidelines' join instead of a query per file (N+1).

use super::error::Result;
use super::page::PageRequest;
use crate::schema::File;
use sqlx::PgPool;

/// A file and the names of its tags, sorted; empty when it has none.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileWithTags {
    #[sqlx(flatten)]
    pub file: File,
    pub tags: Vec<String>,
}

/// A page of `user_id`'s active files (the order of [`list_files`](super::list_files)), each with its tags:
/// `files ⟕ file_tags ⟕ tags` grouped by file. `GROUP BY f.id` may select `f.*` because `id` is the
/// primary key; the `FILTER` keeps a file without tags from aggregating one `NULL`.
pub async fn list_files_with_tags(pool: &PgPool, user_id: &str, page: PageRequest) -> Result<Vec<FileWithTags>> {
    let files = sqlx::query_as(
        "SELECT f.*, \
                COALESCE(array_agg(t.name::text ORDER BY t.name) FILTER (WHERE t.id IS NOT NULL), '{}') AS tags \
         FROM files f \
         LEFT JOIN file_tags ft ON ft.file_id = f.id \
         LEFT JOIN tags t ON t.id = ft.tag_id AND t.user_id = f.user_id \
         WHERE f.user_id = $1 AND f.is_deleted = false \
         GROUP BY f.id \
         ORDER BY f.created_at DESC, f.id LIMIT $2 OFFSET $3",
    )
    .bind(user_id)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(pool)
    .await?;
    Ok(files)
}
