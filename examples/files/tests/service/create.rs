//! `create_file`: the file and its version 1 commit together or not at all.

use super::{ALICE, BOB, migrated, upload};
use keel_example_files::service::{self, Error, Kind};

#[tokio::test]
async fn a_new_file_comes_with_version_one() {
    let db = migrated().await;
    let mut new = upload("report.pdf", 1204);
    new.description = Some("quarterly".into());
    let file = service::create_file(&db.pool, ALICE, &new).await.expect("create");
    assert_eq!(
        (file.user_id.as_str(), file.name.as_str(), file.size, file.storage_key.as_str()),
        (ALICE, "report.pdf", 1204, new.storage_key.as_str())
    );
    assert_eq!(file.description.as_deref(), Some("quarterly"));
    assert!(!file.is_deleted && file.deleted_at.is_none());
    assert_eq!(file.download_count, 0);

    let read = service::get_file(&db.pool, ALICE, file.id).await.expect("the file reads back");
    assert_eq!((read.id, read.created_at), (file.id, file.created_at));
    let versions = service::file_versions(&db.pool, ALICE, file.id).await.expect("versions");
    assert_eq!(versions.len(), 1);
    assert_eq!((versions[0].version_number, versions[0].size), (1, 1204));
    assert_eq!(versions[0].storage_path, new.storage_path);
    db.drop().await;
}

/// The version insert fails (a constraint this test adds to `file_versions` only): the file insert before
/// it, in the same transaction, must not survive.
#[tokio::test]
async fn a_failing_version_insert_leaves_no_file() {
    let db = migrated().await;
    sqlx::query("ALTER TABLE file_versions ADD CONSTRAINT test_small_versions CHECK (size < 1000)")
        .execute(&db.pool)
        .await
        .expect("add the test constraint");

    let error = service::create_file(&db.pool, ALICE, &upload("big.iso", 5000)).await.expect_err("versions refuse it");
    let Error::Database(sqlx::Error::Database(e)) = &error else { panic!("a database error, got {error:?}") };
    assert_eq!(e.constraint(), Some("test_small_versions"));
    let files: i64 = sqlx::query_scalar("SELECT count(*) FROM files").fetch_one(&db.pool).await.unwrap();
    let versions: i64 = sqlx::query_scalar("SELECT count(*) FROM file_versions").fetch_one(&db.pool).await.unwrap();
    assert_eq!((files, versions), (0, 0), "the file insert was rolled back with the version insert");

    // The same path commits both when the version insert succeeds.
    service::create_file(&db.pool, ALICE, &upload("small.txt", 10)).await.expect("a small file");
    let files: i64 = sqlx::query_scalar("SELECT count(*) FROM files").fetch_one(&db.pool).await.unwrap();
    assert_eq!(files, 1);
    db.drop().await;
}

#[tokio::test]
async fn a_storage_key_in_use_is_refused() {
    let db = migrated().await;
    let first = upload("a.pdf", 1);
    service::create_file(&db.pool, ALICE, &first).await.expect("first");
    let mut second = upload("b.pdf", 2);
    second.storage_key = first.storage_key.clone();
    // Keys name bucket objects: unique across users too.
    let error = service::create_file(&db.pool, BOB, &second).await.expect_err("the key is taken");
    assert!(matches!(&error, Error::StorageKeyTaken(key) if *key == first.storage_key), "{error:?}");
    let files: i64 = sqlx::query_scalar("SELECT count(*) FROM files").fetch_one(&db.pool).await.unwrap();
    assert_eq!(files, 1);
    db.drop().await;
}

#[tokio::test]
async fn a_file_goes_only_into_a_folder_of_its_owner() {
    let db = migrated().await;
    let bobs = service::create_folder(&db.pool, BOB, "Bob's", None).await.expect("folder");
    let mine = service::create_folder(&db.pool, ALICE, "Mine", None).await.expect("folder");

    let mut new = upload("a.pdf", 1);
    new.parent_folder_id = Some(bobs.id);
    let error = service::create_file(&db.pool, ALICE, &new).await.expect_err("not her folder");
    assert!(matches!(error, Error::NotFound { kind: Kind::Folder, id } if id == bobs.id), "{error:?}");
    let files: i64 = sqlx::query_scalar("SELECT count(*) FROM files").fetch_one(&db.pool).await.unwrap();
    assert_eq!(files, 0);

    new.parent_folder_id = Some(mine.id);
    let file = service::create_file(&db.pool, ALICE, &new).await.expect("her folder");
    assert_eq!(file.parent_folder_id, Some(mine.id));
    db.drop().await;
}
