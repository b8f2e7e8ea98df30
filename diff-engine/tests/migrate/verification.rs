//! Verification: refusing edited, missing and failed migrations; dry runs, status and a schema-qualified
//! tracking table.

use crate::harness::{
    ADD_EMAIL, CREATE_USERS, Dir, PLACEHOLDER, connect, exists, run, run_ok, tracking_rows, versions, with_database,
};
use keel_diff::migrate::{Event, MigrateError, MigrateOptions, State, status};
use sqlx::Connection;

#[tokio::test]
async fn refuses_an_applied_migration_that_was_edited() {
    with_database(|url| async move {
        let dir = Dir::new(&[CREATE_USERS, ADD_EMAIL]);
        run_ok(&url, &dir.migrations()).await;
        dir.write(CREATE_USERS.0, "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n");
        dir.write(PLACEHOLDER.0, "CREATE TABLE must_not_exist (a int);\n");
        let (result, _) = run(&url, &dir.migrations(), &MigrateOptions::default()).await;
        let error = result.expect_err("an edited migration is refused");
        assert!(matches!(&error, MigrateError::Edited { version: 1, file, .. } if file == CREATE_USERS.0), "{error:?}");
        let message = error.to_string();
        assert!(message.contains(CREATE_USERS.0) && message.contains("edited after it was applied"), "{message}");
        assert!(!exists(&url, "must_not_exist").await, "nothing runs after a refusal");
    })
    .await;
}

#[tokio::test]
async fn refuses_when_an_applied_migration_is_missing() {
    with_database(|url| async move {
        let dir = Dir::new(&[CREATE_USERS, ADD_EMAIL]);
        run_ok(&url, &dir.migrations()).await;
        dir.remove(ADD_EMAIL.0);
        let (result, _) = run(&url, &dir.migrations(), &MigrateOptions::default()).await;
        let error = result.expect_err("a missing migration is refused");
        assert!(matches!(&error, MigrateError::Missing { version: 2, description, .. } if description == "add email"));
        let message = error.to_string();
        assert!(message.contains("2 (add email)") && message.contains("missing"), "{message}");
    })
    .await;
}

#[tokio::test]
async fn refuses_a_row_marked_failed() {
    with_database(|url| async move {
        let dir = Dir::new(&[CREATE_USERS]);
        run_ok(&url, &dir.migrations()).await;
        let mut conn = connect(&url).await;
        sqlx::raw_sql(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (2, 'half done', false, '\\x00', -1)",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
        dir.write("2_half_done.sql", "SELECT 1;\n");
        let (result, _) = run(&url, &dir.migrations(), &MigrateOptions::default()).await;
        let error = result.expect_err("a failed row is refused");
        assert!(matches!(error, MigrateError::Dirty { version: 2, .. }), "{error:?}");
        assert!(error.to_string().contains("delete its row"), "{error}");
    })
    .await;
}

#[tokio::test]
async fn dry_run_changes_nothing() {
    with_database(|url| async move {
        let dir = Dir::new(&[CREATE_USERS, ADD_EMAIL]);
        let dry = MigrateOptions { dry_run: true, ..MigrateOptions::default() };
        let (result, events) = run(&url, &dir.migrations(), &dry).await;
        let report = result.unwrap_or_else(|e| panic!("{e}"));
        assert!(report.dry_run && report.applied.is_empty());
        let would: Vec<i64> = events
            .iter()
            .filter_map(|e| if let Event::WouldApply { version, .. } = e { Some(*version) } else { None })
            .collect();
        assert_eq!(would, [1, 2]);
        assert!(events.iter().any(|e| matches!(e, Event::Locked { .. })));
        assert!(!exists(&url, "_sqlx_migrations").await, "a dry run does not create the tracking table");
        assert!(!exists(&url, "users").await);

        run_ok(&url, &dir.migrations()[..1]).await;
        let (result, events) = run(&url, &dir.migrations(), &dry).await;
        assert_eq!(result.unwrap_or_else(|e| panic!("{e}")).already_applied, 1);
        assert!(events.iter().any(|e| matches!(e, Event::WouldApply { version: 2, .. })));
        assert!(!events.iter().any(|e| matches!(e, Event::WouldApply { version: 1, .. })));
        assert_eq!(tracking_rows(&url, "_sqlx_migrations").await.len(), 1);

        // A dry run verifies as a real run does.
        dir.write(CREATE_USERS.0, "-- edited\n");
        let (result, _) = run(&url, &dir.migrations(), &dry).await;
        assert!(matches!(result, Err(MigrateError::Edited { version: 1, .. })), "{result:?}");
    })
    .await;
}

#[tokio::test]
async fn status_reports_each_state_without_changing_anything() {
    with_database(|url| async move {
        let dir = Dir::new(&[CREATE_USERS, ADD_EMAIL, PLACEHOLDER]);
        let mut conn = connect(&url).await;
        let fresh = status(&mut conn, &dir.migrations(), "_sqlx_migrations").await.unwrap();
        assert!(fresh.entries.iter().all(|e| e.state == State::Pending && e.installed_on.is_none()));
        assert_eq!(fresh.pending().len(), 3);
        assert!(!exists(&url, "_sqlx_migrations").await, "status does not create the table");

        run_ok(&url, &dir.migrations()).await;
        dir.write(ADD_EMAIL.0, "-- edited\n");
        dir.remove(PLACEHOLDER.0);
        dir.write("4_next.sql", "SELECT 1;\n");
        let now = status(&mut conn, &dir.migrations(), "_sqlx_migrations").await.unwrap();
        let states: Vec<(i64, State)> = now.entries.iter().map(|e| (e.version, e.state)).collect();
        assert_eq!(states, [(1, State::Applied), (2, State::Edited), (3, State::Missing), (4, State::Pending)]);
        assert_eq!(now.entries[2].file, None);
        assert_eq!(now.entries[2].description, "placeholder");
        let installed = now.entries[0].installed_on.as_deref().expect("an applied migration has a time");
        assert!(installed.len() == 20 && installed.ends_with('Z') && &installed[10..11] == "T", "{installed}");
        assert_eq!(now.problems().len(), 2);
        let json = serde_json::to_value(&now).unwrap();
        assert_eq!(json["entries"][1]["state"], "edited");
        conn.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn uses_a_schema_qualified_tracking_table() {
    with_database(|url| async move {
        let dir = Dir::new(&[CREATE_USERS]);
        let options = MigrateOptions { table: "keel.Migrations".into(), ..MigrateOptions::default() };
        let (result, _) = run(&url, &dir.migrations(), &options).await;
        assert_eq!(versions(&result.unwrap_or_else(|e| panic!("{e}"))), [1]);
        assert_eq!(tracking_rows(&url, "keel.migrations").await.len(), 1);
        assert!(!exists(&url, "_sqlx_migrations").await);
        let (again, _) = run(&url, &dir.migrations(), &options).await;
        assert_eq!(again.unwrap_or_else(|e| panic!("{e}")).already_applied, 1);
        let mut conn = connect(&url).await;
        let now = status(&mut conn, &dir.migrations(), "keel.migrations").await.unwrap();
        assert_eq!(now.entries[0].state, State::Applied);
        conn.close().await.unwrap();

        let bad = MigrateOptions { table: "x; DROP TABLE users".into(), ..MigrateOptions::default() };
        let (result, _) = run(&url, &dir.migrations(), &bad).await;
        assert!(matches!(result, Err(MigrateError::BadTableName { .. })), "{result:?}");
    })
    .await;
}
