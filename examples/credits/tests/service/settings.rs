//! `upsert_settings`: `INSERT ... ON CONFLICT (user_id) DO UPDATE ... RETURNING`.

use std::sync::Arc;

use keel_example_credits::{Settings, get_settings, upsert_settings};
use tokio::sync::Barrier;

use crate::support::TestDb;

#[tokio::test]
async fn the_first_upsert_inserts_and_the_second_updates_the_same_row() {
    let db = TestDb::migrated().await;
    let user = "u_settings";
    assert_eq!(get_settings(&db.pool, user).await.expect("read"), None);

    let first_settings = Settings { low_balance_alert: Some(10), ..Settings::default() };
    let first = upsert_settings(&db.pool, user, &first_settings).await.expect("insert");
    assert_eq!((first.user_id.as_str(), first.version), (user, 1));
    assert_eq!(first.settings.0, first_settings);
    assert_eq!(first.created_at, first.updated_at, "a new row: both timestamps are the insert's now()");

    let second_settings = Settings { low_balance_alert: None, email_receipts: true, locale: Some("de-DE".into()) };
    let second = upsert_settings(&db.pool, user, &second_settings).await.expect("update");
    assert_eq!(second.id, first.id, "the same row");
    assert_eq!(second.version, 2, "the update bumps the version");
    assert_eq!(second.created_at, first.created_at, "created_at is the insert's");
    assert!(second.updated_at >= first.updated_at);
    assert_eq!(second.settings.0, second_settings, "the document is replaced");

    assert_eq!(get_settings(&db.pool, user).await.expect("read"), Some(second));
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM user_settings").fetch_one(&db.pool).await.expect("count");
    assert_eq!(rows, 1);
    db.finish().await;
}

#[tokio::test]
async fn concurrent_upserts_of_the_same_user_all_succeed() {
    let db = TestDb::migrated().await;
    let user = "u_race";
    let tasks = 8;
    let barrier = Arc::new(Barrier::new(tasks));
    let upserts: Vec<_> = (0..tasks)
        .map(|n| {
            let (pool, barrier) = (db.pool.clone(), barrier.clone());
            tokio::spawn(async move {
                let settings = Settings { low_balance_alert: Some(n as i64), ..Settings::default() };
                barrier.wait().await;
                upsert_settings(&pool, user, &settings).await
            })
        })
        .collect();
    let mut rows = Vec::new();
    for upsert in upserts {
        rows.push(upsert.await.expect("the task finishes").expect("no upsert fails on the unique user_id"));
    }

    // One insert and seven updates, serialized on the row: each saw a distinct version.
    let mut versions: Vec<i32> = rows.iter().map(|r| r.version).collect();
    versions.sort();
    assert_eq!(versions, (1..=8).collect::<Vec<i32>>());
    assert!(rows.iter().all(|r| r.id == rows[0].id), "one row for the user");
    let stored = get_settings(&db.pool, user).await.expect("read").expect("a row");
    let last = rows.iter().find(|r| r.version == 8).expect("the last write");
    assert_eq!(stored.settings.0, last.settings.0, "the last write's document is stored");
    db.finish().await;
}
