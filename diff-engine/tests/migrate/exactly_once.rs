//! Exactly once: the migration lock lives on the migrating session, so losing a connection never lets a
//! second runner apply a migration that still runs; a stop request cancels the running statement.
//! A `-- no-transaction` migration waits on a table the test locks, and counts its runs in `runs`.

use crate::harness::{
    Dir, advisory_holder, connect, run_ok, scalar_i64, tracking_rows, until_waiters, versions, with_database,
};
use keel_diff::migrate::{Event, MigrateError, MigrateOptions, migrate, migrate_until};
use sqlx::Connection;
use std::time::Duration;

const TABLES: (&str, &str) = ("1_tables.sql", "CREATE TABLE gate (a int);\nCREATE TABLE runs (n bigint);\n");
const ONCE: (&str, &str) = ("2_once.sql", "-- no-transaction\nINSERT INTO runs SELECT count(*) FROM gate;\n");

fn spawn_runner(
    url: &str,
    dir: &Dir,
    options: MigrateOptions,
) -> tokio::task::JoinHandle<Result<keel_diff::migrate::Report, MigrateError>> {
    let (url, migrations) = (url.to_string(), dir.migrations());
    tokio::spawn(async move {
        let mut ignore = |_: &Event| {};
        migrate(&url, &migrations, &options, &mut ignore).await
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn terminating_the_lock_session_mid_migration_runs_a_no_transaction_file_once() {
    with_database(|url| async move {
        let dir = Dir::new(&[TABLES]);
        run_ok(&url, &dir.migrations()).await;
        dir.write(ONCE.0, ONCE.1);
        let mut gate = connect(&url).await;
        let mut tx = gate.begin().await.unwrap();
        sqlx::query("LOCK TABLE gate IN ACCESS EXCLUSIVE MODE").execute(&mut *tx).await.unwrap();

        let a = spawn_runner(&url, &dir, MigrateOptions::default());
        let mut watcher = connect(&url).await;
        let a_pid = until_waiters(&mut watcher, |w| w.len() == 1).await[0];
        let holder = advisory_holder(&mut watcher).await.expect("runner A holds the migration lock");
        sqlx::query("SELECT pg_terminate_backend($1)").bind(holder).execute(&mut watcher).await.unwrap();

        // B starts at once; it may run the file only once A's statement can no longer take effect.
        let b = spawn_runner(&url, &dir, MigrateOptions { lock_wait: Duration::from_secs(30), ..Default::default() });
        until_waiters(&mut watcher, |w| w.iter().any(|pid| *pid != a_pid)).await;
        tx.commit().await.unwrap();

        let a = a.await.unwrap();
        let b = b.await.unwrap().unwrap_or_else(|e| panic!("runner B: {e}"));
        assert_eq!(versions(&b), [2], "runner A: {a:?}");
        let error = a.expect_err("runner A lost its session while migrating");
        assert!(matches!(error, MigrateError::ConnectionLost { no_transaction: true, .. }), "{error:?}");
        assert!(error.to_string().contains("2_once.sql"), "{error}");
        assert_eq!(scalar_i64(&url, "SELECT count(*) FROM runs").await, 1, "the file ran once");
        assert_eq!(tracking_rows(&url, "_sqlx_migrations").await.len(), 2);
        watcher.close().await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn terminating_the_watchdog_session_keeps_the_lock() {
    with_database(|url| async move {
        let dir = Dir::new(&[TABLES]);
        run_ok(&url, &dir.migrations()).await;
        dir.write(ONCE.0, ONCE.1);
        let mut gate = connect(&url).await;
        let mut tx = gate.begin().await.unwrap();
        sqlx::query("LOCK TABLE gate IN ACCESS EXCLUSIVE MODE").execute(&mut *tx).await.unwrap();

        let a = spawn_runner(&url, &dir, MigrateOptions::default());
        let mut watcher = connect(&url).await;
        let a_pid = until_waiters(&mut watcher, |w| w.len() == 1).await[0];
        // Every other session of runner A (its watchdog): terminated.
        let others: Vec<i32> = sqlx::query_scalar(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
             AND application_name = 'keel migrate' AND pid <> $1",
        )
        .bind(a_pid)
        .fetch_all(&mut watcher)
        .await
        .unwrap();
        assert!(!others.is_empty(), "runner A has a second session");
        for pid in others {
            sqlx::query("SELECT pg_terminate_backend($1)").bind(pid).execute(&mut watcher).await.unwrap();
        }

        let options = MigrateOptions {
            lock_wait: Duration::from_millis(500),
            timeout: Duration::from_secs(5),
            ..Default::default()
        };
        let b = spawn_runner(&url, &dir, options).await.unwrap();
        assert!(matches!(b, Err(MigrateError::LockTimeout { holder_pid: Some(pid), .. }) if pid == a_pid), "{b:?}");
        tx.commit().await.unwrap();
        let a = a.await.unwrap().unwrap_or_else(|e| panic!("runner A: {e}"));
        assert_eq!(versions(&a), [2]);
        assert_eq!(scalar_i64(&url, "SELECT count(*) FROM runs").await, 1, "the file ran once");
        watcher.close().await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_timeout_cancels_even_after_the_watchdog_session_was_terminated() {
    with_database(|url| async move {
        let dir = Dir::new(&[TABLES]);
        run_ok(&url, &dir.migrations()).await;
        dir.write(ONCE.0, ONCE.1);
        let mut gate = connect(&url).await;
        let mut tx = gate.begin().await.unwrap();
        sqlx::query("LOCK TABLE gate IN ACCESS EXCLUSIVE MODE").execute(&mut *tx).await.unwrap();

        let a = spawn_runner(&url, &dir, MigrateOptions { timeout: Duration::from_secs(3), ..Default::default() });
        let mut watcher = connect(&url).await;
        let a_pid = until_waiters(&mut watcher, |w| w.len() == 1).await[0];
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() \
             AND application_name = 'keel migrate' AND pid <> $1",
        )
        .bind(a_pid)
        .execute(&mut watcher)
        .await
        .unwrap();
        let error = a.await.unwrap().expect_err("the timeout elapses");
        assert!(matches!(error, MigrateError::Timeout { version: Some(2), .. }), "{error:?}");
        // Canceled on the server from a fresh session while the table is still locked.
        until_waiters(&mut watcher, |w| w.is_empty()).await;
        tx.commit().await.unwrap();
        assert_eq!(scalar_i64(&url, "SELECT count(*) FROM runs").await, 0);
        watcher.close().await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stop_request_cancels_the_running_statement() {
    with_database(|url| async move {
        let dir = Dir::new(&[TABLES]);
        run_ok(&url, &dir.migrations()).await;
        dir.write("2_waits.sql", "INSERT INTO runs VALUES (1);\nINSERT INTO runs SELECT count(*) FROM gate;\n");
        let mut gate = connect(&url).await;
        let mut tx = gate.begin().await.unwrap();
        sqlx::query("LOCK TABLE gate IN ACCESS EXCLUSIVE MODE").execute(&mut *tx).await.unwrap();

        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (task_url, migrations) = (url.clone(), dir.migrations());
        let a = tokio::spawn(async move {
            let mut ignore = |_: &Event| {};
            let options = keel_diff::migrate::MigrateOptions::default();
            let connect = task_url.parse().expect("a URL");
            migrate_until(connect, &migrations, &options, &mut ignore, async {
                let _ = stopped.await;
            })
            .await
        });
        let mut watcher = connect(&url).await;
        until_waiters(&mut watcher, |w| w.len() == 1).await;
        stop.send(()).unwrap();
        let error = a.await.unwrap().expect_err("stopped");
        assert!(matches!(error, MigrateError::Interrupted { version: Some(2), .. }), "{error:?}");
        assert!(error.to_string().contains("rolled back"), "{error}");
        // Canceled on the server while the table was still locked: nothing waits any more.
        until_waiters(&mut watcher, |w| w.is_empty()).await;
        tx.commit().await.unwrap();
        assert_eq!(scalar_i64(&url, "SELECT count(*) FROM runs").await, 0);
        assert_eq!(tracking_rows(&url, "_sqlx_migrations").await.len(), 1);
        watcher.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_migration_that_releases_the_lock_is_rolled_back_and_stops_the_run() {
    with_database(|url| async move {
        let dir = Dir::new(&[
            ("1_unlock.sql", "CREATE TABLE unlocked (a int);\nSELECT pg_advisory_unlock_all();\n"),
            ("2_after.sql", "CREATE TABLE after_unlock (a int);\n"),
        ]);
        let (result, _) = crate::harness::run(&url, &dir.migrations(), &MigrateOptions::default()).await;
        let error = result.expect_err("the lock was released by the migration");
        assert!(matches!(error, MigrateError::LockLost { .. }), "{error:?}");
        assert!(error.to_string().contains("1_unlock.sql") && error.to_string().contains("rolled back"), "{error}");
        assert!(!crate::harness::exists(&url, "unlocked").await && !crate::harness::exists(&url, "after_unlock").await);
        assert_eq!(tracking_rows(&url, "_sqlx_migrations").await.len(), 0);
    })
    .await;
}
