//! Lock, concurrency, timeout: the advisory lock held elsewhere, concurrent runners, the overall timeout.

use crate::harness::{
    CREATE_USERS, Dir, backend_pid, connect, database_name, exists, run, scalar_i64, tracking_rows, versions,
    with_database,
};
use keel_diff::migrate::{Event, MigrateError, MigrateOptions, default_lock_id, migrate};
use sqlx::Connection;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_lock_held_elsewhere_times_out_naming_the_holder() {
    with_database(|url| async move {
        let dir = Dir::new(&[CREATE_USERS]);
        let mut holder = connect(&url).await;
        let holder_pid = backend_pid(&mut holder).await;
        let lock_id = default_lock_id(&database_name(&mut holder).await);
        sqlx::query("SELECT pg_advisory_lock($1)").bind(lock_id).execute(&mut holder).await.unwrap();

        let options = MigrateOptions { lock_wait: Duration::from_millis(600), ..MigrateOptions::default() };
        let (result, events) = run(&url, &dir.migrations(), &options).await;
        let error = result.expect_err("the lock is taken");
        assert!(
            matches!(error, MigrateError::LockTimeout { lock_id: id, holder_pid: Some(pid), .. } if id == lock_id && pid == holder_pid),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains(&holder_pid.to_string())
                && message.contains(&lock_id.to_string())
                && message.contains("raise `lock_wait`"),
            "{message}"
        );
        let waiting: Vec<&Event> = events.iter().filter(|e| matches!(e, Event::WaitingForLock { .. })).collect();
        assert_eq!(waiting.len(), 1, "{events:?}");
        assert!(matches!(waiting[0], Event::WaitingForLock { holder_pid: Some(pid), .. } if *pid == holder_pid));
        assert!(!exists(&url, "_sqlx_migrations").await, "nothing happens without the lock");

        // Another lock id does not wait for this one.
        let other = MigrateOptions { lock_id: Some(lock_id ^ 1), ..options.clone() };
        let (result, _) = run(&url, &dir.migrations(), &other).await;
        assert_eq!(versions(&result.unwrap_or_else(|e| panic!("{e}"))), [1]);

        // The runner releases its lock: taking it afterwards from elsewhere succeeds at once.
        sqlx::query("SELECT pg_advisory_unlock($1)").bind(lock_id).execute(&mut holder).await.unwrap();
        let (result, _) = run(&url, &dir.migrations(), &options).await;
        result.unwrap_or_else(|e| panic!("{e}"));
        let free: bool =
            sqlx::query_scalar("SELECT pg_try_advisory_lock($1)").bind(lock_id).fetch_one(&mut holder).await.unwrap();
        assert!(free, "the runner left its lock behind");
        holder.close().await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_runners_apply_each_migration_once() {
    with_database(|url| async move {
        let dir = Dir::new(&[
            ("1_counter.sql", "CREATE TABLE counter (n int);\n"),
            ("2_first.sql", "INSERT INTO counter VALUES (1);\n"),
            ("3_slow.sql", "SELECT pg_sleep(0.2);\nINSERT INTO counter VALUES (2);\n"),
        ]);
        let migrations = dir.migrations();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (url, migrations) = (url.clone(), migrations.clone());
                tokio::spawn(async move {
                    let mut ignore = |_: &Event| {};
                    migrate(&url, &migrations, &MigrateOptions::default(), &mut ignore).await
                })
            })
            .collect();
        let mut applied = Vec::new();
        for task in tasks {
            let report = task.await.expect("the task ran").unwrap_or_else(|e| panic!("{e}"));
            applied.extend(versions(&report));
        }
        applied.sort();
        assert_eq!(applied, [1, 2, 3], "each migration applied by exactly one runner");
        assert_eq!(scalar_i64(&url, "SELECT count(*) FROM counter").await, 2);
        assert_eq!(tracking_rows(&url, "_sqlx_migrations").await.len(), 3);
    })
    .await;
}

#[tokio::test]
async fn the_timeout_cancels_a_running_migration() {
    with_database(|url| async move {
        let dir = Dir::new(&[("1_sleep.sql", "CREATE TABLE before_sleep (a int);\nSELECT pg_sleep(30);\n")]);
        let options = MigrateOptions { timeout: Duration::from_secs(2), ..MigrateOptions::default() };
        let started = Instant::now();
        let (result, _) = run(&url, &dir.migrations(), &options).await;
        assert!(started.elapsed() < Duration::from_secs(20), "finished well before the sleep would have");
        let error = result.expect_err("the timeout elapses");
        assert!(matches!(error, MigrateError::Timeout { version: Some(1), .. }), "{error:?}");
        let message = error.to_string();
        assert!(message.contains("1_sleep.sql") && message.contains("raise `timeout`"), "{message}");
        assert!(!exists(&url, "before_sleep").await, "the canceled migration was rolled back");
        assert_eq!(tracking_rows(&url, "_sqlx_migrations").await.len(), 0);
        // Canceled on the server, not merely abandoned by the client.
        let mut conn = connect(&url).await;
        let mut sleeping = 1;
        for _ in 0..50 {
            sleeping = sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE '%pg_sleep(30)%'",
            )
            .fetch_one(&mut conn)
            .await
            .unwrap();
            if sleeping == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(sleeping, 0, "the statement still runs on the server");
        conn.close().await.unwrap();
    })
    .await;
}
