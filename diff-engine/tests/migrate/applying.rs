//! Applying: pending migrations, re-runs, `-- no-transaction` files and failure reports.

use crate::harness::{
    ADD_EMAIL, CREATE_USERS, Dir, PLACEHOLDER, exists, run, scalar_i64, tracking_rows, versions, with_database,
};
use keel_diff::migrate::{Event, MigrateError, MigrateOptions};

#[tokio::test]
async fn applies_pending_migrations_then_reruns_as_a_no_op() {
    with_database(|url| async move {
        let dir = Dir::new(&[CREATE_USERS, ADD_EMAIL, PLACEHOLDER, ("keel.sum", "not a migration")]);
        let migrations = dir.migrations();
        let (result, events) = run(&url, &migrations, &MigrateOptions::default()).await;
        let report = result.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(versions(&report), [1, 2, 3]);
        assert_eq!((report.already_applied, report.dry_run), (0, false));
        assert!(matches!(events.first(), Some(Event::Connecting { attempt: 1 })), "{events:?}");
        assert!(events.iter().any(|e| matches!(e, Event::Locked { .. })));
        assert!(events.iter().any(|e| matches!(e, Event::Pending { count: 3, applied: 0 })));
        let applied: Vec<i64> = events
            .iter()
            .filter_map(|e| if let Event::Applied { version, .. } = e { Some(*version) } else { None })
            .collect();
        assert_eq!(applied, [1, 2, 3]);
        assert_eq!(scalar_i64(&url, "SELECT count(*) FROM users WHERE email = 'a@x'").await, 1);

        // The rows sqlx would write: description from the file name, sqlx's checksum, success, a time.
        let rows = tracking_rows(&url, "_sqlx_migrations").await;
        let expected: Vec<_> =
            migrations.iter().map(|m| (m.version, m.description.clone(), true, m.checksum.clone())).collect();
        assert_eq!(rows, expected);
        assert_eq!(rows[0].1, "create users");
        assert_eq!(scalar_i64(&url, "SELECT count(*) FROM _sqlx_migrations WHERE execution_time > 0").await, 3);

        let (again, events) = run(&url, &migrations, &MigrateOptions::default()).await;
        let again = again.unwrap_or_else(|e| panic!("{e}"));
        assert!(again.applied.is_empty());
        assert_eq!(again.already_applied, 3);
        assert!(events.iter().any(|e| matches!(e, Event::Pending { count: 0, applied: 3 })));
    })
    .await;
}

#[tokio::test]
async fn applies_a_no_transaction_file_with_create_index_concurrently() {
    with_database(|url| async move {
        let dir = Dir::new(&[
            ("1_t.sql", "CREATE TABLE t (a int);\n"),
            ("2_index.sql", "-- no-transaction\nCREATE INDEX CONCURRENTLY idx_t_a ON t (a);\n"),
        ]);
        let migrations = dir.migrations();
        assert!(migrations[1].no_transaction && !migrations[0].no_transaction);
        let (result, events) = run(&url, &migrations, &MigrateOptions::default()).await;
        assert_eq!(versions(&result.unwrap_or_else(|e| panic!("{e}"))), [1, 2]);
        assert!(events.iter().any(|e| matches!(e, Event::Applying { version: 2, no_transaction: true, .. })));
        assert_eq!(
            scalar_i64(&url, "SELECT count(*) FROM pg_index WHERE indexrelid = 'idx_t_a'::regclass AND indisvalid")
                .await,
            1
        );
        assert_eq!(tracking_rows(&url, "_sqlx_migrations").await.len(), 2);

        // A no-transaction file is one query: PostgreSQL runs several statements as one implicit
        // transaction, so CONCURRENTLY cannot be combined with anything else (sqlx behaves the same).
        dir.write("3_two.sql", "-- no-transaction\nSET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY i2 ON t (a);\n");
        let (result, _) = run(&url, &dir.migrations(), &MigrateOptions::default()).await;
        let Err(MigrateError::Failed(failure)) = result else { panic!("expected a failure: {result:?}") };
        assert_eq!(failure.code.as_deref(), Some("25001"));
        assert!(failure.hint.as_deref().is_some_and(|h| h.contains("file of its own")), "{failure:?}");
        assert_eq!(tracking_rows(&url, "_sqlx_migrations").await.len(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_failing_migration_reports_where_and_leaves_nothing() {
    with_database(|url| async move {
        let dir = Dir::new(&[
            CREATE_USERS,
            (
                "2_bad.sql",
                "CREATE TABLE early (id int);\nINSERT INTO early VALUES (1);\nSELECT *\n  FROM nope_missing;\n",
            ),
        ]);
        let (result, _) = run(&url, &dir.migrations(), &MigrateOptions::default()).await;
        let error = result.expect_err("the migration fails");
        let message = error.to_string();
        let MigrateError::Failed(failure) = error else { panic!("expected a migration failure: {error:?}") };
        assert_eq!((failure.version, failure.file.as_str()), (2, "2_bad.sql"));
        assert_eq!(failure.code.as_deref(), Some("42P01"));
        assert_eq!((failure.line, failure.column), (Some(4), Some(8)));
        assert_eq!(failure.line_text.as_deref(), Some("  FROM nope_missing;"));
        assert!(message.contains("2_bad.sql") && message.contains("line 4:8"), "{message}");
        assert!(!message.contains('\n'), "{message}");
        // Its earlier statements were rolled back and it was not recorded; the good one before it stays.
        assert!(!exists(&url, "early").await);
        assert!(exists(&url, "users").await);
        assert_eq!(tracking_rows(&url, "_sqlx_migrations").await.len(), 1);

        // Detail and hint are carried too. (A pending file may change: it was never applied.)
        dir.write("2_bad.sql", "INSERT INTO users VALUES (1, 'a'), (1, 'b');\n");
        let (result, _) = run(&url, &dir.migrations(), &MigrateOptions::default()).await;
        let Err(MigrateError::Failed(failure)) = result else { panic!("expected a failure: {result:?}") };
        assert_eq!(failure.code.as_deref(), Some("23505"));
        assert_eq!(failure.detail.as_deref(), Some("Key (id)=(1) already exists."));

        dir.write("2_bad.sql", "-- comment\nSELECT no_such_function(1);\n");
        let (result, _) = run(&url, &dir.migrations(), &MigrateOptions::default()).await;
        let Err(MigrateError::Failed(failure)) = result else { panic!("expected a failure: {result:?}") };
        assert_eq!(failure.code.as_deref(), Some("42883"));
        assert!(failure.hint.is_some(), "{failure:?}");
        assert_eq!((failure.line, failure.column), (Some(2), Some(8)));
        assert_eq!(scalar_i64(&url, "SELECT count(*) FROM users").await, 0);
        assert_eq!(tracking_rows(&url, "_sqlx_migrations").await.len(), 1);
    })
    .await;
}
