//! Hostile input to the library: durations past the clock, a byte order mark, files that are no
//! migrations, and role statements in a replay.

use crate::harness::{CREATE_USERS, Dir, connect, exists, run, scalar_i64, tracking_rows, with_database};
use keel_diff::migrate::{MigrateError, MigrateOptions, Migration, ignored_files, replay};
use std::time::Duration;

#[tokio::test]
async fn durations_past_the_clock_are_an_error_not_a_panic() {
    with_database(|url| async move {
        let dir = Dir::new(&[CREATE_USERS]);
        for (name, options) in [
            ("timeout", MigrateOptions { timeout: Duration::MAX, ..Default::default() }),
            ("lock_wait", MigrateOptions { lock_wait: Duration::from_secs(u64::MAX), ..Default::default() }),
            ("wait_for_db", MigrateOptions { wait_for_db: Duration::MAX, ..Default::default() }),
        ] {
            let (result, _) = run(&url, &dir.migrations(), &options).await;
            let error = result.expect_err(name);
            assert!(matches!(error, MigrateError::BadOption(_)) && error.to_string().contains(name), "{error}");
        }
        assert!(!exists(&url, "users").await, "nothing ran");
    })
    .await;
}

#[tokio::test]
async fn a_byte_order_mark_is_not_sent_and_the_checksum_is_sqlx_s() {
    with_database(|url| async move {
        let dir = Dir::new(&[("1_create_users.sql", "\u{feff}CREATE TABLE users (id int PRIMARY KEY);\n")]);
        let (result, _) = run(&url, &dir.migrations(), &MigrateOptions::default()).await;
        result.unwrap_or_else(|e| panic!("{e}"));
        assert!(exists(&url, "users").await);
        let theirs = sqlx::migrate::Migrator::new(dir.path()).await.expect("sqlx reads it");
        let recorded = tracking_rows(&url, "_sqlx_migrations").await;
        assert_eq!(recorded[0].3, theirs.iter().next().expect("one").checksum.to_vec());
    })
    .await;
}

#[test]
fn sql_files_that_are_no_migrations_are_listed() {
    let dir = Dir::new(&[
        CREATE_USERS,
        ("abc.sql", "x"),
        ("20240101-init.sql", "x"),
        ("X.SQL", "x"),
        (".#1_lock.sql", "x"),
        ("notes.txt", "x"),
    ]);
    assert_eq!(ignored_files(dir.path()).expect("listed"), ["20240101-init.sql", "X.SQL", "abc.sql"]);
}

#[tokio::test]
async fn a_replay_refuses_role_statements_before_running_anything() {
    with_database(|url| async move {
        let role = format!("keel_replay_role_{}", std::process::id());
        let migrations = [
            Migration::new(1, "a", "1_a.sql", "CREATE TABLE a (id int);\n"),
            Migration::new(2, "r", "2_r.sql", &format!("CREATE TABLE b (id int);\nCREATE ROLE {role};\n")),
        ];
        let mut conn = connect(&url).await;
        let error = replay(&mut conn, &migrations).await.expect_err("refused").to_string();
        assert!(error.starts_with("2_r.sql:2: CREATE ROLE is cluster-wide"), "{error}");
        assert!(!exists(&url, "a").await, "nothing ran");
        let roles =
            scalar_i64(&url, "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'keel\\_replay\\_role\\_%'").await;
        assert_eq!(roles, 0);
    })
    .await;
}
