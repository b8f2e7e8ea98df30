//! What a migration file cannot break: transaction control in a transactional file is refused before
//! anything runs, `SET search_path` does not hide the tracking table, `lock_timeout` reaches every
//! migration, and a pending migration older than an applied one is refused unless allowed.

use crate::harness::{CREATE_USERS, Dir, connect, exists, run, run_ok, tracking_rows, versions, with_database};
use keel_diff::migrate::{MigrateError, MigrateOptions, replay, status};
use sqlx::Connection;
use std::time::Duration;

#[tokio::test]
async fn transaction_control_in_a_transactional_migration_is_refused_before_anything_runs() {
    with_database(|url| async move {
        let dir = Dir::new(&[
            CREATE_USERS,
            (
                "2_commit.sql",
                "INSERT INTO users VALUES (1, 'a');\n  COMMIT;\nINSERT INTO users VALUES (2, 'b');\n",
            ),
        ]);
        let (result, _) = run(&url, &dir.migrations(), &MigrateOptions::default()).await;
        let error = result.expect_err("COMMIT is refused");
        assert!(
            matches!(&error, MigrateError::TransactionControl { file, line: 2, column: 3, .. } if file == "2_commit.sql"),
            "{error:?}"
        );
        assert!(error.to_string().contains("2_commit.sql:2:3") && error.to_string().contains("`COMMIT`"), "{error}");
        assert!(!exists(&url, "users").await, "nothing ran, not even the migration before it");

        // Replayed into a scratch database (keel check, diff from migrations): refused the same way.
        let mut conn = connect(&url).await;
        let replayed = replay(&mut conn, &dir.migrations()).await;
        assert!(matches!(replayed, Err(MigrateError::TransactionControl { .. })), "{replayed:?}");
        conn.close().await.unwrap();

        // In a function body or a string it is fine; a `-- no-transaction` file controls its own.
        dir.write(
            "2_commit.sql",
            "CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN COMMIT; END $$;\nSELECT 'COMMIT;';\n",
        );
        dir.write("3_own.sql", "-- no-transaction\nBEGIN;\nINSERT INTO users VALUES (3, 'c');\nCOMMIT;\n");
        assert_eq!(versions(&run_ok(&url, &dir.migrations()).await), [1, 2, 3]);
    })
    .await;
}

#[tokio::test]
async fn set_search_path_in_a_migration_does_not_hide_the_tracking_table() {
    with_database(|url| async move {
        let dir = Dir::new(&[
            ("1_other.sql", "CREATE SCHEMA other;\nSET search_path = other;\nCREATE TABLE t1 (a int);\n"),
            ("2_again.sql", "-- no-transaction\nSET search_path = other;\n"),
            ("3_t2.sql", "CREATE TABLE t2 (a int);\n"),
        ]);
        let (result, _) = run(&url, &dir.migrations(), &MigrateOptions::default()).await;
        assert_eq!(versions(&result.unwrap_or_else(|e| panic!("{e}"))), [1, 2, 3]);
        assert_eq!(tracking_rows(&url, "_sqlx_migrations").await.len(), 3, "recorded in public._sqlx_migrations");
        assert!(exists(&url, "other.t1").await && exists(&url, "other.t2").await);
        assert!(!exists(&url, "other._sqlx_migrations").await);
    })
    .await;
}

#[tokio::test]
async fn lock_timeout_reaches_hand_written_migrations() {
    with_database(|url| async move {
        let dir = Dir::new(&[("1_t.sql", "CREATE TABLE t (a int);\n")]);
        run_ok(&url, &dir.migrations()).await;
        dir.write("2_alter.sql", "-- written by hand\nALTER TABLE t ADD COLUMN b int;\n");
        let mut holder = connect(&url).await;
        let mut tx = holder.begin().await.unwrap();
        sqlx::query("LOCK TABLE t IN ACCESS SHARE MODE").execute(&mut *tx).await.unwrap();

        let options = MigrateOptions {
            lock_timeout: Some(Duration::from_millis(300)),
            timeout: Duration::from_secs(8),
            ..MigrateOptions::default()
        };
        let (result, _) = run(&url, &dir.migrations(), &options).await;
        let Err(MigrateError::Failed(failure)) = &result else { panic!("expected a lock timeout: {result:?}") };
        assert_eq!(failure.code.as_deref(), Some("55P03"), "{failure:?}");
        let message = result.as_ref().unwrap_err().to_string();
        assert!(message.contains("lock timeout") && message.contains("lock_timeout"), "{message}");
        assert_eq!(tracking_rows(&url, "_sqlx_migrations").await.len(), 1);

        // A file's own setting wins: this one waits until the table is free.
        dir.write("2_alter.sql", "SET lock_timeout = 0;\nALTER TABLE t ADD COLUMN b int;\n");
        let migrations = dir.migrations();
        let (task_url, task_options) = (url.clone(), options.clone());
        let waiting = tokio::task::spawn_local(async move { run(&task_url, &migrations, &task_options).await.0 });
        let mut watcher = connect(&url).await;
        crate::harness::until_waiters(&mut watcher, |w| w.len() == 1).await;
        tx.commit().await.unwrap();
        assert_eq!(versions(&waiting.await.unwrap().unwrap_or_else(|e| panic!("{e}"))), [2]);
        watcher.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn an_out_of_order_migration_is_reported_and_refused_unless_allowed() {
    with_database(|url| async move {
        let dir = Dir::new(&[CREATE_USERS, ("3_c.sql", "CREATE TABLE c (a int);\n")]);
        run_ok(&url, &dir.migrations()).await;
        dir.write("2_b.sql", "CREATE TABLE b (a int);\n");
        dir.write("4_d.sql", "CREATE TABLE d (a int);\n");

        let mut conn = connect(&url).await;
        let status = status(&mut conn, &dir.migrations(), "_sqlx_migrations").await.unwrap();
        let flags: Vec<(i64, bool)> = status.entries.iter().map(|e| (e.version, e.out_of_order)).collect();
        assert_eq!(flags, [(1, false), (2, true), (3, false), (4, false)]);
        conn.close().await.unwrap();

        let (result, _) = run(&url, &dir.migrations(), &MigrateOptions::default()).await;
        let error = result.expect_err("out of order");
        assert!(matches!(&error, MigrateError::OutOfOrder { latest: 3, files } if files == &["2_b.sql"]), "{error:?}");
        assert!(error.to_string().contains("run again with `allow_out_of_order`"), "{error}");
        assert_eq!(tracking_rows(&url, "_sqlx_migrations").await.len(), 2, "nothing applied, not even 4");

        let allowed = MigrateOptions { allow_out_of_order: true, ..MigrateOptions::default() };
        let (result, _) = run(&url, &dir.migrations(), &allowed).await;
        assert_eq!(versions(&result.unwrap_or_else(|e| panic!("{e}"))), [2, 4]);
    })
    .await;
}
