//! Soft delete hides a file from every read and keeps the row; hard delete removes it and, through the
//! foreign keys' `ON DELETE CASCADE`, its versions and tag links.

use super::{ALICE, count, migrated, upload};
use keel_example_files::service::{self, Error, Kind, PageRequest};

fn is_missing_file<T: std::fmt::Debug>(result: Result<T, Error>, file: uuid::Uuid) -> bool {
    matches!(result, Err(Error::NotFound { kind: Kind::File, id }) if id == file)
}

#[tokio::test]
async fn a_soft_deleted_file_disappears_from_every_read_but_its_row_stays() {
    let db = migrated().await;
    let pool = &db.pool;
    let folder = service::create_folder(pool, ALICE, "Documents", None).await.expect("folder");
    let mut new = upload("gone.pdf", 1);
    new.parent_folder_id = Some(folder.id);
    let gone = service::create_file(pool, ALICE, &new).await.expect("file");
    new = upload("kept.pdf", 2);
    new.parent_folder_id = Some(folder.id);
    let kept = service::create_file(pool, ALICE, &new).await.expect("file");
    let work = service::create_tag(pool, ALICE, "work", None).await.expect("tag");
    service::tag_file(pool, ALICE, gone.id, work.id).await.expect("tag it");

    service::soft_delete_file(pool, ALICE, gone.id).await.expect("soft delete");

    let page = PageRequest::new(1, 10).unwrap();
    assert!(is_missing_file(service::get_file(pool, ALICE, gone.id).await, gone.id));
    let listed = service::list_files(pool, ALICE, page).await.expect("list");
    assert_eq!((listed.items.iter().map(|f| f.id).collect::<Vec<_>>(), listed.total), (vec![kept.id], 1));
    let tagged = service::list_files_with_tags(pool, ALICE, page).await.expect("list with tags");
    assert_eq!(tagged.iter().map(|f| f.file.id).collect::<Vec<_>>(), [kept.id]);
    let contents = service::folder_contents(pool, ALICE, Some(folder.id)).await.expect("contents");
    assert_eq!(contents.files.iter().map(|f| f.id).collect::<Vec<_>>(), [kept.id]);
    assert!(is_missing_file(service::file_versions(pool, ALICE, gone.id).await, gone.id));
    assert!(is_missing_file(service::record_download(pool, ALICE, gone.id).await, gone.id));
    assert!(is_missing_file(service::tag_file(pool, ALICE, gone.id, work.id).await, gone.id));
    assert!(is_missing_file(service::soft_delete_file(pool, ALICE, gone.id).await, gone.id));

    // The row, its version and its tag link are all still there, marked; the table's trigger moved
    // `updated_at` (the service's UPDATE does not set it).
    let (is_deleted, deleted_at_set, download_count, touched): (bool, bool, i32, bool) = sqlx::query_as(
        "SELECT is_deleted, deleted_at IS NOT NULL, download_count, updated_at > $2 FROM files WHERE id = $1",
    )
    .bind(gone.id)
    .bind(gone.updated_at)
    .fetch_one(pool)
    .await
    .expect("the row exists");
    assert_eq!((is_deleted, deleted_at_set, download_count, touched), (true, true, 0, true));
    assert_eq!(count(pool, "SELECT count(*) FROM file_versions WHERE file_id = $1", gone.id).await, 1);
    assert_eq!(count(pool, "SELECT count(*) FROM file_tags WHERE file_id = $1", gone.id).await, 1);
    let kept_row: (bool, bool) = sqlx::query_as("SELECT is_deleted, deleted_at IS NULL FROM files WHERE id = $1")
        .bind(kept.id)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(kept_row, (false, true), "only the one file was deleted");

    // Emptying the trash removes it for good.
    service::hard_delete_file(pool, ALICE, gone.id).await.expect("hard delete from the trash");
    assert_eq!(count(pool, "SELECT count(*) FROM files WHERE id = $1", gone.id).await, 0);
    db.drop().await;
}

#[tokio::test]
async fn hard_delete_removes_the_file_its_versions_and_tag_links() {
    let db = migrated().await;
    let pool = &db.pool;
    let doomed = service::create_file(pool, ALICE, &upload("doomed.pdf", 1)).await.expect("file");
    let other = service::create_file(pool, ALICE, &upload("other.pdf", 2)).await.expect("file");
    sqlx::query("INSERT INTO file_versions (file_id, version_number, storage_path, size) VALUES ($1, 2, 'v2', 3)")
        .bind(doomed.id)
        .execute(pool)
        .await
        .expect("a second version");
    for name in ["work", "urgent"] {
        let tag = service::create_tag(pool, ALICE, name, None).await.expect("tag");
        service::tag_file(pool, ALICE, doomed.id, tag.id).await.expect("tag doomed");
        service::tag_file(pool, ALICE, other.id, tag.id).await.expect("tag other");
    }
    assert_eq!(count(pool, "SELECT count(*) FROM file_versions WHERE file_id = $1", doomed.id).await, 2);
    assert_eq!(count(pool, "SELECT count(*) FROM file_tags WHERE file_id = $1", doomed.id).await, 2);

    service::hard_delete_file(pool, ALICE, doomed.id).await.expect("hard delete");

    assert_eq!(count(pool, "SELECT count(*) FROM files WHERE id = $1", doomed.id).await, 0);
    assert_eq!(count(pool, "SELECT count(*) FROM file_versions WHERE file_id = $1", doomed.id).await, 0);
    assert_eq!(count(pool, "SELECT count(*) FROM file_tags WHERE file_id = $1", doomed.id).await, 0);
    // The tags themselves and the other file's rows stay.
    let tags: i64 = sqlx::query_scalar("SELECT count(*) FROM tags").fetch_one(pool).await.unwrap();
    assert_eq!(tags, 2);
    assert_eq!(count(pool, "SELECT count(*) FROM file_versions WHERE file_id = $1", other.id).await, 1);
    assert_eq!(count(pool, "SELECT count(*) FROM file_tags WHERE file_id = $1", other.id).await, 2);
    assert!(is_missing_file(service::hard_delete_file(pool, ALICE, doomed.id).await, doomed.id));
    db.drop().await;
}

/// The `active_files` view (declared in schema/views.sql, created by a keel-generated migration) shows
/// exactly what soft delete leaves visible.
#[tokio::test]
async fn the_active_files_view_leaves_out_soft_deleted_files() {
    let db = migrated().await;
    let pool = &db.pool;
    let gone = service::create_file(pool, ALICE, &upload("gone.pdf", 1)).await.expect("file");
    let kept = service::create_file(pool, ALICE, &upload("kept.pdf", 2)).await.expect("file");
    service::soft_delete_file(pool, ALICE, gone.id).await.expect("soft delete");

    let active: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT id FROM active_files WHERE user_id = $1")
        .bind(ALICE)
        .fetch_all(pool)
        .await
        .expect("the view reads");
    assert_eq!(active, [kept.id]);
    db.drop().await;
}
