//! `record_download`: the counter the second migration added.

use super::{ALICE, migrated, upload};
use keel_example_files::service;
use tokio::task::JoinSet;

#[tokio::test]
async fn downloads_are_counted_including_concurrent_ones() {
    let db = migrated().await;
    let file = service::create_file(&db.pool, ALICE, &upload("popular.pdf", 1)).await.expect("file");
    let other = service::create_file(&db.pool, ALICE, &upload("quiet.pdf", 1)).await.expect("file");
    assert_eq!(service::record_download(&db.pool, ALICE, file.id).await.expect("download"), 1);

    // The increment is in the UPDATE: concurrent downloads on several connections lose nothing.
    let mut downloads = JoinSet::new();
    for _ in 0..20 {
        let pool = db.pool.clone();
        downloads.spawn(async move { service::record_download(&pool, ALICE, file.id).await });
    }
    let mut counts: Vec<i32> = downloads.join_all().await.into_iter().map(|r| r.expect("download")).collect();
    counts.sort_unstable();
    assert_eq!(counts, (2..=21).collect::<Vec<_>>(), "each download saw its own increment");

    let read = service::get_file(&db.pool, ALICE, file.id).await.expect("file");
    assert_eq!(read.download_count, 21);
    // The count is part of the row: `touch_updated_at` moves `updated_at` with it, as with any update.
    assert!(read.updated_at > file.updated_at, "updated_at follows every update of the row");
    assert_eq!(service::get_file(&db.pool, ALICE, other.id).await.expect("file").download_count, 0);
    db.drop().await;
}
