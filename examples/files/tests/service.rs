//! The file service against real PostgreSQL, on databases built by the crate's own migrations.
//! One module per job of the service; `support` (shared with `evolution.rs`) makes the databases.

mod support;

#[path = "service/create.rs"]
mod create;
#[path = "service/delete.rs"]
mod delete;
#[path = "service/downloads.rs"]
mod downloads;
#[path = "service/folders.rs"]
mod folders;
#[path = "service/isolation.rs"]
mod isolation;
#[path = "service/listing.rs"]
mod listing;
#[path = "service/tags.rs"]
mod tags;

use keel_example_files::service::Upload;
use sqlx::PgPool;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::{TestDb, migrations};
use uuid::Uuid;

/// Two auth ids in the format the auth system issues (text, not UUIDs).
const ALICE: &str = "otUe1YrfENPdHnrF3g1vSBfpkQfambCZ";
const BOB: &str = "b0bZr4kE9wQn2LmP7xYcVt5uJhGfDsAa";

/// A database at the latest migration.
async fn migrated() -> TestDb {
    let db = TestDb::new().await;
    db.migrate(&migrations()).await;
    db
}

/// An upload at the root with a storage key no other upload of this test run uses.
fn upload(name: &str, size: i64) -> Upload {
    static NEXT_KEY: AtomicUsize = AtomicUsize::new(1);
    let key = format!("key-{}", NEXT_KEY.fetch_add(1, Ordering::Relaxed));
    Upload {
        parent_folder_id: None,
        name: name.to_string(),
        mime_type: "application/pdf".to_string(),
        size,
        storage_path: format!("/bucket/{key}"),
        storage_key: key,
        description: None,
    }
}

/// How many rows `sql` counts for `id`, read past the service (soft-deleted rows included).
async fn count(pool: &PgPool, sql: &'static str, id: Uuid) -> i64 {
    sqlx::query_scalar(sql).bind(id).fetch_one(pool).await.expect("count")
}
