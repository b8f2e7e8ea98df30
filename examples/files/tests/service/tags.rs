//! Tags: creating, tagging and untagging, and the one-query listing of files with their tag names.

use super::{ALICE, BOB, migrated, upload};
use keel_example_files::service::{self, Error, Kind, PageRequest};
use std::collections::BTreeMap;

#[tokio::test]
async fn files_list_with_their_own_tags_and_untagged_files_with_none() {
    let db = migrated().await;
    let pool = &db.pool;
    let both = service::create_file(pool, ALICE, &upload("both.pdf", 1)).await.expect("file");
    let one = service::create_file(pool, ALICE, &upload("one.pdf", 1)).await.expect("file");
    let none = service::create_file(pool, ALICE, &upload("none.pdf", 1)).await.expect("file");
    let work = service::create_tag(pool, ALICE, "work", Some("#ff0000")).await.expect("tag");
    let archive = service::create_tag(pool, ALICE, "archive", None).await.expect("tag");
    service::tag_file(pool, ALICE, both.id, work.id).await.expect("tag");
    service::tag_file(pool, ALICE, both.id, archive.id).await.expect("tag");
    service::tag_file(pool, ALICE, one.id, work.id).await.expect("tag");
    service::tag_file(pool, ALICE, one.id, work.id).await.expect("tagging twice is a no-op");
    // Bob's own file and tag, with the same tag name, stay out of her listing.
    let bobs = service::create_file(pool, BOB, &upload("bob.pdf", 1)).await.expect("file");
    let bobs_work = service::create_tag(pool, BOB, "work", None).await.expect("the name is per user");
    service::tag_file(pool, BOB, bobs.id, bobs_work.id).await.expect("tag");

    let listed = service::list_files_with_tags(pool, ALICE, PageRequest::new(1, 10).unwrap()).await.expect("list");
    let tags: BTreeMap<_, _> = listed.iter().map(|f| (f.file.name.as_str(), f.tags.clone())).collect();
    let expected: BTreeMap<&str, Vec<String>> = [
        ("both.pdf", vec!["archive".to_string(), "work".to_string()]),
        ("one.pdf", vec!["work".to_string()]),
        ("none.pdf", vec![]),
    ]
    .into();
    assert_eq!(tags, expected);
    // The rows are whole files, in the listing's order.
    let ids: Vec<_> = listed.iter().map(|f| f.file.id).collect();
    let page = service::list_files(pool, ALICE, PageRequest::new(1, 10).unwrap()).await.expect("list");
    assert_eq!(ids, page.items.iter().map(|f| f.id).collect::<Vec<_>>());
    assert!(listed.iter().all(|f| f.file.user_id == ALICE));
    assert!(ids.contains(&none.id));

    // Untagging takes one name off one file.
    assert!(service::untag_file(pool, ALICE, both.id, work.id).await.expect("untag"));
    assert!(!service::untag_file(pool, ALICE, both.id, work.id).await.expect("untag again"), "it was not on");
    let listed = service::list_files_with_tags(pool, ALICE, PageRequest::new(1, 10).unwrap()).await.expect("list");
    let tags: BTreeMap<_, _> = listed.iter().map(|f| (f.file.name.as_str(), f.tags.clone())).collect();
    assert_eq!(tags["both.pdf"], ["archive"]);
    assert_eq!(tags["one.pdf"], ["work"]);

    // A page of the joined listing is a page of files, not of file-tag pairs.
    let first = service::list_files_with_tags(pool, ALICE, PageRequest::new(1, 2).unwrap()).await.expect("page");
    let second = service::list_files_with_tags(pool, ALICE, PageRequest::new(2, 2).unwrap()).await.expect("page");
    let paged: Vec<_> = first.iter().chain(&second).map(|f| f.file.id).collect();
    assert_eq!(paged, ids);
    db.drop().await;
}

#[tokio::test]
async fn tag_names_are_unique_per_user() {
    let db = migrated().await;
    service::create_tag(&db.pool, ALICE, "work", None).await.expect("tag");
    let error = service::create_tag(&db.pool, ALICE, "work", Some("#000000")).await.expect_err("a duplicate");
    assert!(matches!(&error, Error::TagExists(name) if name == "work"), "{error:?}");
    service::create_tag(&db.pool, BOB, "work", None).await.expect("another user's tag of the same name");
    db.drop().await;
}

#[tokio::test]
async fn tagging_needs_the_users_own_file_and_tag() {
    let db = migrated().await;
    let pool = &db.pool;
    let hers = service::create_file(pool, ALICE, &upload("hers.pdf", 1)).await.expect("file");
    let her_tag = service::create_tag(pool, ALICE, "mine", None).await.expect("tag");
    let his = service::create_file(pool, BOB, &upload("his.pdf", 1)).await.expect("file");
    let his_tag = service::create_tag(pool, BOB, "his", None).await.expect("tag");

    let error = service::tag_file(pool, ALICE, his.id, her_tag.id).await.expect_err("his file");
    assert!(matches!(error, Error::NotFound { kind: Kind::File, id } if id == his.id), "{error:?}");
    let error = service::tag_file(pool, ALICE, hers.id, his_tag.id).await.expect_err("his tag");
    assert!(matches!(error, Error::NotFound { kind: Kind::Tag, id } if id == his_tag.id), "{error:?}");
    let links: i64 = sqlx::query_scalar("SELECT count(*) FROM file_tags").fetch_one(pool).await.unwrap();
    assert_eq!(links, 0, "nothing was linked");

    service::tag_file(pool, BOB, his.id, his_tag.id).await.expect("his own");
    assert!(!service::untag_file(pool, ALICE, his.id, his_tag.id).await.expect("untag"), "not hers to untag");
    let links: i64 = sqlx::query_scalar("SELECT count(*) FROM file_tags").fetch_one(pool).await.unwrap();
    assert_eq!(links, 1, "his link is still there");
    db.drop().await;
}
