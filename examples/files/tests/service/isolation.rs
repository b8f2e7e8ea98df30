//! A user never sees, changes or learns of another user's files: every call with another user's id answers
//! as if the file did not exist, and changes nothing.

use super::{ALICE, BOB, migrated, upload};
use keel_example_files::service::{self, Error, Kind, PageRequest};

#[tokio::test]
async fn another_users_file_does_not_exist_for_every_call() {
    let db = migrated().await;
    let pool = &db.pool;
    let hers = service::create_file(pool, ALICE, &upload("private.pdf", 1)).await.expect("file");
    let her_tag = service::create_tag(pool, ALICE, "private", None).await.expect("tag");
    service::tag_file(pool, ALICE, hers.id, her_tag.id).await.expect("tag");
    let missing = |result: Result<(), Error>| {
        assert!(matches!(result, Err(Error::NotFound { kind: Kind::File, id }) if id == hers.id), "{result:?}")
    };

    missing(service::get_file(pool, BOB, hers.id).await.map(|_| ()));
    missing(service::file_versions(pool, BOB, hers.id).await.map(|_| ()));
    missing(service::record_download(pool, BOB, hers.id).await.map(|_| ()));
    missing(service::soft_delete_file(pool, BOB, hers.id).await);
    missing(service::hard_delete_file(pool, BOB, hers.id).await);
    assert!(!service::untag_file(pool, BOB, hers.id, her_tag.id).await.expect("untag"));
    let page = PageRequest::new(1, 10).unwrap();
    let listed = service::list_files(pool, BOB, page).await.expect("list");
    assert_eq!((listed.items.len(), listed.total), (0, 0));
    assert!(service::list_files_with_tags(pool, BOB, page).await.expect("list").is_empty());
    assert!(service::folder_contents(pool, BOB, None).await.expect("root").files.is_empty());

    // Nothing changed: hers, unchanged, with its tag.
    let after = service::get_file(pool, ALICE, hers.id).await.expect("still hers");
    assert_eq!((after.is_deleted, after.download_count, after.updated_at), (false, 0, hers.updated_at));
    let listed = service::list_files_with_tags(pool, ALICE, page).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].tags, ["private"]);
    db.drop().await;
}
