//! The migration runner against a real PostgreSQL (each test in its own scratch database): applying and
//! re-running, the tracking table and its compatibility with `sqlx migrate` both ways, refusing edited,
//! missing and failed migrations, `-- no-transaction` files, failure reports, the advisory lock (held
//! elsewhere, shared with sqlx, concurrent runners), the overall timeout, dry runs, status, connection
//! retries, and reading a migrations directory as sqlx does.

use keel_diff::migrate::{
    Event, MigrateError, MigrateOptions, Migration, Report, State, default_lock_id, migrate, read_migrations, status,
};
use keel_diff::scratch::{Server, shared_server};
use sqlx::{Connection, PgConnection};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------------------

fn server() -> &'static Server {
    shared_server().unwrap_or_else(|e| panic!("no PostgreSQL for the tests: {e}"))
}

/// Runs `body` with the URL of a fresh database, then drops the database, even when `body` panics.
async fn with_database<F, Fut>(body: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()> + 'static,
{
    let database = server().create_database().await.expect("create a scratch database");
    let result = catch_panic(body(database.url.clone())).await;
    database.drop_database().await.expect("drop the scratch database");
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// Runs `body` as a local task (sqlx's `Migrator::run` future is not `Send`), keeping its panic.
async fn catch_panic(body: impl Future<Output = ()> + 'static) -> Result<(), Box<dyn std::any::Any + Send>> {
    let local = tokio::task::LocalSet::new();
    local.run_until(async { tokio::task::spawn_local(body).await }).await.map_err(|e| e.into_panic())
}

/// A migrations directory in the temporary directory, removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new(files: &[(&str, &str)]) -> Dir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "keel-migrate-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("create a migrations directory");
        let dir = Dir(path);
        for (name, text) in files {
            dir.write(name, text);
        }
        dir
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.0.join(name), text).expect("write a migration");
    }

    fn remove(&self, name: &str) {
        std::fs::remove_file(self.0.join(name)).expect("remove a migration");
    }

    fn migrations(&self) -> Vec<Migration> {
        read_migrations(&self.0).expect("read the migrations")
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `migrate`, with the events it reported.
async fn run(
    url: &str,
    migrations: &[Migration],
    options: &MigrateOptions,
) -> (Result<Report, MigrateError>, Vec<Event>) {
    let mut events = Vec::new();
    let result = migrate(url, migrations, options, &mut |e: &Event| events.push(e.clone())).await;
    (result, events)
}

async fn run_ok(url: &str, migrations: &[Migration]) -> Report {
    let (result, _) = run(url, migrations, &MigrateOptions::default()).await;
    result.unwrap_or_else(|e| panic!("migrate failed: {e}"))
}

fn versions(report: &Report) -> Vec<i64> {
    report.applied.iter().map(|a| a.version).collect()
}

async fn connect(url: &str) -> PgConnection {
    PgConnection::connect(url).await.expect("connect")
}

async fn scalar_i64(url: &str, sql: &'static str) -> i64 {
    let mut conn = connect(url).await;
    let value = sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    conn.close().await.expect("close");
    value
}

async fn exists(url: &str, relation: &str) -> bool {
    let mut conn = connect(url).await;
    let value: bool =
        sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL").bind(relation).fetch_one(&mut conn).await.unwrap();
    conn.close().await.expect("close");
    value
}

/// (version, description, success, checksum) of each tracking row.
async fn tracking_rows(url: &str, table: &'static str) -> Vec<(i64, String, bool, Vec<u8>)> {
    let mut conn = connect(url).await;
    let sql = match table {
        "_sqlx_migrations" => "SELECT version, description, success, checksum FROM _sqlx_migrations ORDER BY version",
        "keel.migrations" => "SELECT version, description, success, checksum FROM keel.migrations ORDER BY version",
        other => panic!("no query for {other}"),
    };
    let rows = sqlx::query_as(sql).fetch_all(&mut conn).await.expect("read the tracking table");
    conn.close().await.expect("close");
    rows
}

async fn sqlx_migrate(url: &str, dir: &Dir) -> Result<(), sqlx::migrate::MigrateError> {
    let migrator = sqlx::migrate::Migrator::new(dir.path()).await?;
    let mut conn = connect(url).await;
    let result = migrator.run(&mut conn).await;
    conn.close().await.expect("close");
    result
}

const CREATE_USERS: (&str, &str) = ("1_create_users.sql", "CREATE TABLE users (id int PRIMARY KEY, name text);\n");
const ADD_EMAIL: (&str, &str) = (
    "2_add_email.sql",
    "-- two statements in one file\nALTER TABLE users ADD COLUMN email text;\nINSERT INTO users VALUES (1, 'a', 'a@x');\n",
);
const PLACEHOLDER: (&str, &str) = ("3_placeholder.sql", "-- Add migration script here\n");

// ---------------------------------------------------------------------------------------------------------
// Applying
// ---------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------
// Lock, concurrency, timeout
// ---------------------------------------------------------------------------------------------------------

async fn backend_pid(conn: &mut PgConnection) -> i32 {
    sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(conn).await.unwrap()
}

async fn database_name(conn: &mut PgConnection) -> String {
    sqlx::query_scalar("SELECT current_database()").fetch_one(conn).await.unwrap()
}

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
                && message.contains("--lock-wait"),
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
        assert!(message.contains("1_sleep.sql") && message.contains("--timeout"), "{message}");
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

// ---------------------------------------------------------------------------------------------------------
// Compatibility with sqlx
// ---------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------
// Connecting
// ---------------------------------------------------------------------------------------------------------

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test]
async fn retries_a_refused_connection_a_few_times() {
    let url = format!("postgres://postgres@127.0.0.1:{}/postgres", free_port());
    let (result, events) = run(&url, &[], &MigrateOptions::default()).await;
    let error = result.expect_err("nothing listens there");
    assert!(matches!(error, MigrateError::Connect { attempts: 3, .. }), "{error:?}");
    assert!(error.to_string().contains("--wait-for-db"), "{error}");
    let retries: Vec<u64> = events
        .iter()
        .filter_map(|e| if let Event::ConnectFailed { retry_in_ms, .. } = e { Some(*retry_in_ms) } else { None })
        .collect();
    assert_eq!(retries, [100, 200], "exponential backoff from 100 ms");

    // With --wait-for-db it keeps trying for that long.
    let options = MigrateOptions { wait_for_db: Duration::from_secs(1), ..MigrateOptions::default() };
    let (result, _) = run(&url, &[], &options).await;
    assert!(matches!(result, Err(MigrateError::Connect { attempts, .. }) if attempts > 3), "{result:?}");
}

#[tokio::test]
async fn does_not_retry_an_unknown_database() {
    with_database(|url| async move {
        let mut conn = connect(&url).await;
        let name = database_name(&mut conn).await;
        conn.close().await.unwrap();
        let missing = url.replacen(&name, "keel_no_such_database", 1);
        let (result, events) = run(&missing, &[], &MigrateOptions::default()).await;
        let error = result.expect_err("the database does not exist");
        assert!(matches!(error, MigrateError::Connect { attempts: 1, .. }), "{error:?}");
        assert!(!events.iter().any(|e| matches!(e, Event::ConnectFailed { .. })));
    })
    .await;
}

// ---------------------------------------------------------------------------------------------------------
// Reading a migrations directory
// ---------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn reads_a_directory_as_sqlx_does() {
    let dir = Dir::new(&[
        CREATE_USERS,
        ADD_EMAIL,
        ("20240101120000_add_index.sql", "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON users (name);\n"),
        ("keel.sum", "h1:..."),
        ("notes.txt", "x"),
        ("1_notes.md", "x"),
    ]);
    let ours = dir.migrations();
    let theirs = sqlx::migrate::Migrator::new(dir.path()).await.unwrap();
    let ours_summary: Vec<_> =
        ours.iter().map(|m| (m.version, m.description.clone(), m.checksum.clone(), m.no_transaction)).collect();
    let theirs_summary: Vec<_> =
        theirs.iter().map(|m| (m.version, m.description.to_string(), m.checksum.to_vec(), m.no_tx)).collect();
    assert_eq!(ours_summary, theirs_summary);
    assert_eq!(ours[2].file_name, "20240101120000_add_index.sql");
    assert_eq!(ours[2].path, dir.path().join("20240101120000_add_index.sql"));
    assert_eq!(ours[0].sql, CREATE_USERS.1);
}

#[test]
fn refuses_directories_sqlx_would_misread() {
    let error = read_migrations(Path::new("/nonexistent/keel/migrations")).expect_err("no directory");
    assert!(error.to_string().contains("/nonexistent/keel/migrations"), "{error}");

    let dir = Dir::new(&[CREATE_USERS, ("01_again.sql", "SELECT 1;")]);
    let error = read_migrations(dir.path()).expect_err("two files with version 1");
    let message = error.to_string();
    assert!(message.contains("01_again.sql") && message.contains(CREATE_USERS.0), "{message}");

    let dir = Dir::new(&[("v1_users.sql", "SELECT 1;")]);
    let error = read_migrations(dir.path()).expect_err("no integer version");
    assert!(error.to_string().contains("v1_users.sql"), "{error}");

    let dir = Dir::new(&[("1_users.up.sql", "SELECT 1;"), ("1_users.down.sql", "SELECT 1;")]);
    let error = read_migrations(dir.path()).expect_err("reversible migrations");
    assert!(error.to_string().contains("not support"), "{error}");
}

#[test]
fn events_serialize_with_a_tag() {
    let event = Event::WaitingForLock { lock_id: 7, holder_pid: Some(42) };
    assert_eq!(
        serde_json::to_value(&event).unwrap(),
        serde_json::json!({ "event": "waiting_for_lock", "lock_id": 7, "holder_pid": 42 })
    );
    let event = Event::Applied { version: 1, description: "x".into(), elapsed_ms: 3 };
    assert_eq!(serde_json::to_value(&event).unwrap()["event"], "applied");
}
