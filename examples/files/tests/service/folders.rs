//! Folders: nesting, and listing what a folder (or the root) directly holds.

use super::{ALICE, BOB, migrated, upload};
use keel_example_files::service::{self, Error, Kind};

#[tokio::test]
async fn folders_nest_and_list_their_direct_children() {
    let db = migrated().await;
    let pool = &db.pool;
    let documents = service::create_folder(pool, ALICE, "Documents", None).await.expect("root folder");
    let photos = service::create_folder(pool, ALICE, "Photos", None).await.expect("root folder");
    let taxes = service::create_folder(pool, ALICE, "Taxes", Some(documents.id)).await.expect("child");
    let y2025 = service::create_folder(pool, ALICE, "2025", Some(taxes.id)).await.expect("grandchild");
    let letters = service::create_folder(pool, ALICE, "Letters", Some(documents.id)).await.expect("child");
    assert_eq!((taxes.parent_folder_id, y2025.parent_folder_id), (Some(documents.id), Some(taxes.id)));
    let mut new = upload("cv.pdf", 1);
    new.parent_folder_id = Some(documents.id);
    let cv = service::create_file(pool, ALICE, &new).await.expect("file in Documents");
    let loose = service::create_file(pool, ALICE, &upload("loose.txt", 1)).await.expect("file at the root");
    service::create_folder(pool, BOB, "Bob's root", None).await.expect("his folder");

    let names = |folders: &[keel_example_files::Folder]| folders.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
    let root = service::folder_contents(pool, ALICE, None).await.expect("root");
    assert_eq!(names(&root.folders), ["Documents", "Photos"]);
    assert_eq!(root.files.iter().map(|f| f.id).collect::<Vec<_>>(), [loose.id]);
    let inside = service::folder_contents(pool, ALICE, Some(documents.id)).await.expect("Documents");
    assert_eq!(names(&inside.folders), ["Letters", "Taxes"], "direct children only, by name");
    assert_eq!(inside.files.iter().map(|f| f.id).collect::<Vec<_>>(), [cv.id]);
    let taxes_inside = service::folder_contents(pool, ALICE, Some(taxes.id)).await.expect("Taxes");
    assert_eq!(names(&taxes_inside.folders), ["2025"]);
    assert!(taxes_inside.files.is_empty());
    let empty = service::folder_contents(pool, ALICE, Some(photos.id)).await.expect("Photos");
    assert!(empty.folders.is_empty() && empty.files.is_empty());
    assert_eq!(letters.user_id, ALICE);

    // A soft-deleted folder is neither listed nor a parent.
    sqlx::query("UPDATE folders SET is_deleted = true, deleted_at = now() WHERE id = $1")
        .bind(photos.id)
        .execute(pool)
        .await
        .unwrap();
    let root = service::folder_contents(pool, ALICE, None).await.expect("root");
    assert_eq!(names(&root.folders), ["Documents"]);
    let error = service::create_folder(pool, ALICE, "Summer", Some(photos.id)).await.expect_err("deleted parent");
    assert!(matches!(error, Error::NotFound { kind: Kind::Folder, id } if id == photos.id), "{error:?}");
    db.drop().await;
}

#[tokio::test]
async fn another_users_folder_is_not_found() {
    let db = migrated().await;
    let pool = &db.pool;
    let his = service::create_folder(pool, BOB, "Private", None).await.expect("his folder");
    let error = service::create_folder(pool, ALICE, "Inside", Some(his.id)).await.expect_err("not hers");
    assert!(matches!(error, Error::NotFound { kind: Kind::Folder, id } if id == his.id), "{error:?}");
    let error = service::folder_contents(pool, ALICE, Some(his.id)).await.expect_err("not hers to list");
    assert!(matches!(error, Error::NotFound { kind: Kind::Folder, id } if id == his.id), "{error:?}");
    let folders: i64 = sqlx::query_scalar("SELECT count(*) FROM folders").fetch_one(pool).await.unwrap();
    assert_eq!(folders, 1, "nothing was created inside his folder");
    db.drop().await;
}
