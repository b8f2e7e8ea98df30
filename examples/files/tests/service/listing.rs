//! `list_files`: pages of a user's active files, newest first, with the total; `PageRequest` validation.

use super::{ALICE, BOB, migrated, upload};
use keel_example_files::File;
use keel_example_files::service::{self, Error, MAX_PAGE_SIZE, PageRequest};
use std::cmp::Reverse;

#[tokio::test]
async fn pages_cover_the_users_active_files_newest_first_with_the_total() {
    let db = migrated().await;
    let mut created: Vec<File> = Vec::new();
    for n in 0..7 {
        created.push(service::create_file(&db.pool, ALICE, &upload(&format!("a{n}.pdf"), n)).await.expect("file"));
    }
    for n in 0..2 {
        service::create_file(&db.pool, BOB, &upload(&format!("b{n}.pdf"), n)).await.expect("file");
    }
    // A deleted file of hers counts nowhere.
    let deleted = service::create_file(&db.pool, ALICE, &upload("deleted.pdf", 1)).await.expect("file");
    service::soft_delete_file(&db.pool, ALICE, deleted.id).await.expect("soft delete");
    // The order the service promises, computed here: created_at descending, ties by id.
    created.sort_by_key(|f| (Reverse(f.created_at), f.id));
    let expected: Vec<_> = created.iter().map(|f| f.id).collect();

    let mut seen = Vec::new();
    for (number, size) in [(1, 3), (2, 3), (3, 1)] {
        let page = service::list_files(&db.pool, ALICE, PageRequest::new(number, 3).unwrap()).await.expect("page");
        assert_eq!(page.total, 7, "page {number}");
        assert_eq!(page.items.len(), size, "page {number}");
        assert!(page.items.iter().all(|f| f.user_id == ALICE && !f.is_deleted));
        seen.extend(page.items.iter().map(|f| f.id));
    }
    assert_eq!(seen, expected, "the pages, in order, are every active file once, newest first");

    let past_the_end = service::list_files(&db.pool, ALICE, PageRequest::new(4, 3).unwrap()).await.expect("page");
    assert_eq!((past_the_end.items.len(), past_the_end.total), (0, 7));
    let bobs = service::list_files(&db.pool, BOB, PageRequest::new(1, 10).unwrap()).await.expect("page");
    assert_eq!((bobs.items.len(), bobs.total), (2, 2));
    let nobody = service::list_files(&db.pool, "nobody", PageRequest::new(1, 10).unwrap()).await.expect("page");
    assert_eq!((nobody.items.len(), nobody.total), (0, 0));
    db.drop().await;
}

#[test]
fn page_requests_are_validated() {
    for (page, per_page) in [(0, 10), (1, 0), (1, MAX_PAGE_SIZE + 1)] {
        let result = PageRequest::new(page, per_page);
        assert!(matches!(result, Err(Error::InvalidPage(_))), "page {page} of {per_page}: {result:?}");
    }
    let last = PageRequest::new(u32::MAX, MAX_PAGE_SIZE).expect("the largest request");
    assert_eq!((last.limit(), last.offset()), (100, (i64::from(u32::MAX) - 1) * 100));
    let first = PageRequest::new(1, 20).unwrap();
    assert_eq!((first.limit(), first.offset()), (20, 0));
}
