//! Compatibility with sqlx: each accepts the other's tracking table, and sqlx waits for the lock keel takes.

use crate::harness::{
    CREATE_USERS, Dir, backend_pid, catch_panic, connect, database_name, run_ok, server, sqlx_migrate, tracking_rows,
    versions, with_database,
};
use keel_diff::migrate::default_lock_id;
use sqlx::Connection;
use std::time::Duration;

/// Column name, type, nullability and default of each column, and the primary key, of a tracking table.
async fn table_shape(url: &str) -> Vec<(String, String, String, Option<String>)> {
    let mut conn = connect(url).await;
    let shape = sqlx::query_as(
        "SELECT column_name::text, data_type::text, is_nullable::text, column_default::text \
         FROM information_schema.columns WHERE table_name = '_sqlx_migrations' ORDER BY ordinal_position",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let primary_key: String = sqlx::query_scalar(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint \
         WHERE conrelid = '_sqlx_migrations'::regclass AND contype = 'p'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(primary_key, "PRIMARY KEY (version)");
    conn.close().await.unwrap();
    shape
}

#[tokio::test]
async fn sqlx_and_keel_accept_each_others_tracking_tables() {
    let dir = Dir::new(&[
        CREATE_USERS,
        ("2_index.sql", "-- no-transaction\nCREATE INDEX CONCURRENTLY idx_users_name ON users (name);\n"),
    ]);
    let keel_database = server().create_database().await.unwrap();
    let sqlx_database = server().create_database().await.unwrap();
    let (keel_url, sqlx_url) = (keel_database.url.clone(), sqlx_database.url.clone());
    let result = catch_panic(async move {
        // keel first, then sqlx: nothing to do, no checksum complaint.
        assert_eq!(versions(&run_ok(&keel_url, &dir.migrations()).await), [1, 2]);
        sqlx_migrate(&keel_url, &dir).await.unwrap_or_else(|e| panic!("sqlx after keel: {e}"));
        // sqlx first, then keel: everything applied.
        sqlx_migrate(&sqlx_url, &dir).await.unwrap_or_else(|e| panic!("sqlx: {e}"));
        let report = run_ok(&sqlx_url, &dir.migrations()).await;
        assert!(report.applied.is_empty());
        assert_eq!(report.already_applied, 2);
        // Same table, same rows.
        assert_eq!(table_shape(&keel_url).await, table_shape(&sqlx_url).await);
        assert_eq!(
            tracking_rows(&keel_url, "_sqlx_migrations").await,
            tracking_rows(&sqlx_url, "_sqlx_migrations").await
        );
        // Each goes on from where the other stopped.
        dir.write("3_more.sql", "ALTER TABLE users ADD COLUMN more text;\n");
        assert_eq!(versions(&run_ok(&sqlx_url, &dir.migrations()).await), [3]);
        sqlx_migrate(&sqlx_url, &dir).await.unwrap_or_else(|e| panic!("sqlx after keel: {e}"));
        sqlx_migrate(&keel_url, &dir).await.unwrap_or_else(|e| panic!("sqlx: {e}"));
        assert!(run_ok(&keel_url, &dir.migrations()).await.applied.is_empty());
        assert_eq!(
            tracking_rows(&keel_url, "_sqlx_migrations").await,
            tracking_rows(&sqlx_url, "_sqlx_migrations").await
        );
    })
    .await;
    keel_database.drop_database().await.unwrap();
    sqlx_database.drop_database().await.unwrap();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[tokio::test]
async fn sqlx_waits_for_the_lock_keel_takes() {
    with_database(|url| async move {
        let dir = Dir::new(&[CREATE_USERS]);
        let mut holder = connect(&url).await;
        let lock_id = default_lock_id(&database_name(&mut holder).await);
        sqlx::query("SELECT pg_advisory_lock($1)").bind(lock_id).execute(&mut holder).await.unwrap();

        let mut sqlx_conn = connect(&url).await;
        let sqlx_pid = backend_pid(&mut sqlx_conn).await;
        let migrator = sqlx::migrate::Migrator::new(dir.path()).await.unwrap();
        let sqlx_run = tokio::task::spawn_local(async move {
            let result = migrator.run(&mut sqlx_conn).await;
            let _ = sqlx_conn.close().await;
            result
        });
        // sqlx blocks in pg_advisory_lock on the very id keel computes.
        let bits = lock_id as u64;
        let mut waiting = false;
        for _ in 0..100 {
            waiting = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND pid = $1 \
                 AND classid::bigint = $2 AND objid::bigint = $3)",
            )
            .bind(sqlx_pid)
            .bind(i64::from((bits >> 32) as u32))
            .bind(i64::from(bits as u32))
            .fetch_one(&mut holder)
            .await
            .unwrap();
            if waiting {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(waiting, "sqlx did not wait for keel's lock id");
        assert!(!sqlx_run.is_finished());
        sqlx::query("SELECT pg_advisory_unlock($1)").bind(lock_id).execute(&mut holder).await.unwrap();
        sqlx_run.await.unwrap().unwrap_or_else(|e| panic!("sqlx: {e}"));
        holder.close().await.unwrap();
        assert!(run_ok(&url, &dir.migrations()).await.applied.is_empty());
    })
    .await;
}
