//! Exactly once: the migration lock lives on the migrating session, so losing a connection never lets a
//! second runner apply a migration that still runs; a stop request cancels the running statement.
//! A `-- no-transaction` migration waits on a table the test locks, and counts its runs in `runs`.

use crate::harness::{
    Dir, advisory_holder, connect, lock_waiters, run_ok, scalar_i64, tracking_rows, versions, with_database,
};
use keel_diff::migrate::{Event, MigrateError, MigrateOptions, migrate, migrate_until};
use sqlx::{Connection, PgConnection};
use std::time::Duration;

const TABLES: (&str, &str) = ("1_tables.sql", "CREATE TABLE gate (a int);\nCREATE TABLE runs (n bigint);\n");
const ONCE: (&str, &str) = ("2_once.sql", "-- no-transaction\nINSERT INTO runs SELECT count(*) FROM gate;\n");

/// How long a bounded wait here may take: generous, a loaded 2-core machine is slow to connect and lock.
const PATIENCE: Duration = Duration::from_secs(60);

/// Polls `lock_waiters` until `done` says so (bounded by [`PATIENCE`]), returning the last answer.
async fn until_waiters(conn: &mut PgConnection, done: impl Fn(&[i32]) -> bool) -> Vec<i32> {
    let start = tokio::time::Instant::now();
    loop {
        let waiters = lock_waiters(conn).await;
        if done(&waiters) {
            return waiters;
        }
        assert!(start.elapsed() < PATIENCE, "the expected lock waits never came: {waiters:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Terminates every session of runner A but `a_pid` (its watchdog), and waits until they are gone.
async fn terminate_watchdog(conn: &mut PgConnection, a_pid: i32) {
    let others = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
                  AND application_name = 'keel migrate' AND pid <> $1";
    let pids: Vec<i32> = sqlx::query_scalar(others).bind(a_pid).fetch_all(&mut *conn).await.unwrap();
    assert!(!pids.is_empty(), "runner A has a second session");
    for pid in pids {
        sqlx::query("SELECT pg_terminate_backend($1)").bind(pid).execute(&mut *conn).await.unwrap();
    }
    let start = tokio::time::Instant::now();
    while !sqlx::query_scalar::<_, i32>(others).bind(a_pid).fetch_all(&mut *conn).await.unwrap().is_empty() {
        assert!(start.elapsed() < PATIENCE, "the watchdog session outlived pg_terminate_backend");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

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

/// The tables applied and `file` pending, its wait on `gate` blocked: the returned session holds
/// `gate`'s lock in an open transaction until [`open`].
async fn pending_behind_a_closed_gate(url: &str, (name, sql): (&str, &str)) -> (Dir, PgConnection) {
    let dir = Dir::new(&[TABLES]);
    run_ok(url, &dir.migrations()).await;
    dir.write(name, sql);
    let mut gate = connect(url).await;
    sqlx::raw_sql("BEGIN; LOCK TABLE gate IN ACCESS EXCLUSIVE MODE").execute(&mut gate).await.unwrap();
    (dir, gate)
}

/// Ends the transaction holding `gate`'s lock.
async fn open(gate: &mut PgConnection) {
    sqlx::raw_sql("COMMIT").execute(gate).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn terminating_the_lock_session_mid_migration_runs_a_no_transaction_file_once() {
    with_database(|url| async move {
        let (dir, mut gate) = pending_behind_a_closed_gate(&url, ONCE).await;

        let a = spawn_runner(&url, &dir, MigrateOptions::default());
        let mut watcher = connect(&url).await;
        let a_pid = until_waiters(&mut watcher, |w| w.len() == 1).await[0];
        let holder = advisory_holder(&mut watcher).await.expect("runner A holds the migration lock");
        sqlx::query("SELECT pg_terminate_backend($1)").bind(holder).execute(&mut watcher).await.unwrap();

        // B starts at once; it may run the file only once A's statement can no longer take effect.
        let b = spawn_runner(&url, &dir, MigrateOptions { lock_wait: PATIENCE, ..Default::default() });
        until_waiters(&mut watcher, |w| w.iter().any(|pid| *pid != a_pid)).await;
        open(&mut gate).await;

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
        let (dir, mut gate) = pending_behind_a_closed_gate(&url, ONCE).await;

        let a = spawn_runner(&url, &dir, MigrateOptions::default());
        let mut watcher = connect(&url).await;
        let a_pid = until_waiters(&mut watcher, |w| w.len() == 1).await[0];
        terminate_watchdog(&mut watcher, a_pid).await;
        assert_eq!(advisory_holder(&mut watcher).await, Some(a_pid), "runner A still holds the lock");
        let options = MigrateOptions { lock_wait: Duration::from_millis(500), timeout: PATIENCE, ..Default::default() };
        let b = spawn_runner(&url, &dir, options).await.unwrap();
        assert!(matches!(b, Err(MigrateError::LockTimeout { holder_pid: Some(pid), .. }) if pid == a_pid), "{b:?}");
        open(&mut gate).await;
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
        let (dir, mut gate) = pending_behind_a_closed_gate(&url, ONCE).await;

        // Long enough to connect, lock and reach the file on a loaded machine; checked below.
        let timeout = Duration::from_secs(20);
        let started = tokio::time::Instant::now();
        let a = spawn_runner(&url, &dir, MigrateOptions { timeout, ..Default::default() });
        let mut watcher = connect(&url).await;
        let a_pid = until_waiters(&mut watcher, |w| w.len() == 1).await[0];
        terminate_watchdog(&mut watcher, a_pid).await;
        assert!(started.elapsed() < timeout && !a.is_finished(), "the watchdog was gone before the deadline");
        let error = a.await.unwrap().expect_err("the timeout elapses");
        assert!(matches!(error, MigrateError::Timeout { version: Some(2), .. }), "{error:?}");
        // Canceled on the server from a fresh session while the table is still locked.
        until_waiters(&mut watcher, |w| w.is_empty()).await;
        open(&mut gate).await;
        assert_eq!(scalar_i64(&url, "SELECT count(*) FROM runs").await, 0);
        watcher.close().await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stop_request_cancels_the_running_statement() {
    with_database(|url| async move {
        let waits = ("2_waits.sql", "INSERT INTO runs VALUES (1);\nINSERT INTO runs SELECT count(*) FROM gate;\n");
        let (dir, mut gate) = pending_behind_a_closed_gate(&url, waits).await;

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
        open(&mut gate).await;
        assert_eq!(scalar_i64(&url, "SELECT count(*) FROM runs").await, 0);
        assert_eq!(tracking_rows(&url, "_sqlx_migrations").await.len(), 1);
        watcher.close().await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stop_after_a_no_transaction_file_ran_still_records_it() {
    with_database(|url| async move {
        let dir = Dir::new(&[TABLES]);
        run_ok(&url, &dir.migrations()).await;
        dir.write(ONCE.0, ONCE.1);
        dir.write("3_after.sql", "CREATE TABLE after_stop (a int);\n");
        // Holding the tracking table makes the runner wait between the file and its row.
        let mut tracking = connect(&url).await;
        let mut tx = tracking.begin().await.unwrap();
        sqlx::query("LOCK TABLE _sqlx_migrations IN SHARE MODE").execute(&mut *tx).await.unwrap();

        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (seen, seen_by_test) = tokio::sync::oneshot::channel::<()>();
        let (task_url, migrations) = (url.clone(), dir.migrations());
        let mut a = tokio::spawn(async move {
            let mut ignore = |_: &Event| {};
            let connect = task_url.parse().expect("a URL");
            migrate_until(connect, &migrations, &MigrateOptions::default(), &mut ignore, async {
                let _ = stopped.await;
                let _ = seen.send(());
            })
            .await
        });
        let mut watcher = connect(&url).await;
        until_waiters(&mut watcher, |w| w.len() == 1).await;
        assert_eq!(scalar_i64(&url, "SELECT count(*) FROM runs").await, 1, "the file ran before its row waits");
        stop.send(()).unwrap();
        seen_by_test.await.expect("the runner saw the stop");
        // A runner that cancels the row ends now, with the file run and unrecorded; one that records it waits.
        let early = tokio::time::timeout(Duration::from_secs(2), &mut a).await;
        assert!(early.is_err(), "the row was canceled: {early:?}");
        tx.commit().await.unwrap();

        let error = a.await.unwrap().expect_err("stopped before 3_after.sql");
        assert!(matches!(error, MigrateError::Interrupted { version: None, .. }), "{error:?}");
        assert!(error.to_string().contains("before migration 3_after.sql (1 applied by this run"), "{error}");
        let recorded: Vec<i64> = tracking_rows(&url, "_sqlx_migrations").await.iter().map(|r| r.0).collect();
        assert_eq!(recorded, [1, 2]);
        assert_eq!(versions(&run_ok(&url, &dir.migrations()).await), [3]);
        assert_eq!(scalar_i64(&url, "SELECT count(*) FROM runs").await, 1, "the file ran once");
        watcher.close().await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stop_during_commit_rolls_back_and_says_so() {
    with_database(|url| async move {
        let dir = Dir::new(&[("1_parent.sql", "CREATE TABLE parent (id int PRIMARY KEY);\nINSERT INTO parent VALUES (1);\n")]);
        run_ok(&url, &dir.migrations()).await;
        // Its foreign key is checked at COMMIT, which then waits on the row the test locks.
        dir.write(
            "2_child.sql",
            "CREATE TABLE child (p int REFERENCES parent DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO child VALUES (1);\n",
        );
        let mut row = connect(&url).await;
        let mut tx = row.begin().await.unwrap();
        sqlx::query("SELECT id FROM parent FOR UPDATE").execute(&mut *tx).await.unwrap();

        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (task_url, migrations) = (url.clone(), dir.migrations());
        let a = tokio::spawn(async move {
            let mut ignore = |_: &Event| {};
            let connect = task_url.parse().expect("a URL");
            migrate_until(connect, &migrations, &MigrateOptions::default(), &mut ignore, async {
                let _ = stopped.await;
            })
            .await
        });
        let mut watcher = connect(&url).await;
        let waiter = until_waiters(&mut watcher, |w| w.len() == 1).await[0];
        let query: String = sqlx::query_scalar("SELECT query FROM pg_stat_activity WHERE pid = $1")
            .bind(waiter)
            .fetch_one(&mut watcher)
            .await
            .unwrap();
        assert_eq!(query.trim(), "COMMIT", "the runner waits in its COMMIT");
        stop.send(()).unwrap();
        let error = a.await.unwrap().expect_err("stopped");
        assert!(matches!(error, MigrateError::Interrupted { version: Some(2), .. }), "{error:?}");
        assert!(error.to_string().contains("rolled back"), "{error}");
        tx.commit().await.unwrap();
        assert!(!crate::harness::exists(&url, "child").await);
        assert_eq!(tracking_rows(&url, "_sqlx_migrations").await.len(), 1);
        assert_eq!(versions(&run_ok(&url, &dir.migrations()).await), [2]);
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
