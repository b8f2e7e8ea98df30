//! The harness: scratch databases on the shared server, migrations directories in the temporary directory,
//! `migrate` with its events, and queries on the migrated database.

use keel_diff::migrate::{Event, MigrateError, MigrateOptions, Migration, Report, migrate, read_migrations};
use keel_test_support::{Server, shared_server};
use sqlx::{Connection, PgConnection};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

pub fn server() -> &'static Server {
    shared_server().unwrap_or_else(|e| panic!("no PostgreSQL for the tests: {e}"))
}

/// Runs `body` with the URL of a fresh database, then drops the database, even when `body` panics.
pub async fn with_database<F, Fut>(body: F)
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
pub async fn catch_panic(body: impl Future<Output = ()> + 'static) -> Result<(), Box<dyn std::any::Any + Send>> {
    let local = tokio::task::LocalSet::new();
    local.run_until(async { tokio::task::spawn_local(body).await }).await.map_err(|e| e.into_panic())
}

/// A migrations directory in the temporary directory, removed when dropped.
pub struct Dir(PathBuf);

impl Dir {
    pub fn new(files: &[(&str, &str)]) -> Dir {
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

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.0.join(name), text).expect("write a migration");
    }

    pub fn remove(&self, name: &str) {
        std::fs::remove_file(self.0.join(name)).expect("remove a migration");
    }

    pub fn migrations(&self) -> Vec<Migration> {
        read_migrations(&self.0).expect("read the migrations")
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `migrate`, with the events it reported.
pub async fn run(
    url: &str,
    migrations: &[Migration],
    options: &MigrateOptions,
) -> (Result<Report, MigrateError>, Vec<Event>) {
    let mut events = Vec::new();
    let result = migrate(url, migrations, options, &mut |e: &Event| events.push(e.clone())).await;
    (result, events)
}

pub async fn run_ok(url: &str, migrations: &[Migration]) -> Report {
    let (result, _) = run(url, migrations, &MigrateOptions::default()).await;
    result.unwrap_or_else(|e| panic!("migrate failed: {e}"))
}

pub fn versions(report: &Report) -> Vec<i64> {
    report.applied.iter().map(|a| a.version).collect()
}

pub async fn connect(url: &str) -> PgConnection {
    PgConnection::connect(url).await.expect("connect")
}

pub async fn scalar_i64(url: &str, sql: &'static str) -> i64 {
    let mut conn = connect(url).await;
    let value = sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    conn.close().await.expect("close");
    value
}

pub async fn exists(url: &str, relation: &str) -> bool {
    let mut conn = connect(url).await;
    let value: bool =
        sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL").bind(relation).fetch_one(&mut conn).await.unwrap();
    conn.close().await.expect("close");
    value
}

/// (version, description, success, checksum) of each tracking row.
pub async fn tracking_rows(url: &str, table: &'static str) -> Vec<(i64, String, bool, Vec<u8>)> {
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

pub async fn sqlx_migrate(url: &str, dir: &Dir) -> Result<(), sqlx::migrate::MigrateError> {
    let migrator = sqlx::migrate::Migrator::new(dir.path()).await?;
    let mut conn = connect(url).await;
    let result = migrator.run(&mut conn).await;
    conn.close().await.expect("close");
    result
}

pub const CREATE_USERS: (&str, &str) = ("1_create_users.sql", "CREATE TABLE users (id int PRIMARY KEY, name text);\n");
pub const ADD_EMAIL: (&str, &str) = (
    "2_add_email.sql",
    "-- two statements in one file\nALTER TABLE users ADD COLUMN email text;\nINSERT INTO users VALUES (1, 'a', 'a@x');\n",
);
pub const PLACEHOLDER: (&str, &str) = ("3_placeholder.sql", "-- Add migration script here\n");

pub async fn backend_pid(conn: &mut PgConnection) -> i32 {
    sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(conn).await.unwrap()
}

pub async fn database_name(conn: &mut PgConnection) -> String {
    sqlx::query_scalar("SELECT current_database()").fetch_one(conn).await.unwrap()
}

/// Backends of this database whose statement waits for a heavyweight lock (e.g. on a table the test locked).
pub async fn lock_waiters(conn: &mut PgConnection) -> Vec<i32> {
    sqlx::query_scalar(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() \
         AND wait_event_type = 'Lock' ORDER BY pid",
    )
    .fetch_all(conn)
    .await
    .expect("read pg_stat_activity")
}

/// Polls `lock_waiters` until `done` says so (bounded: about 10 s), returning the last answer.
pub async fn until_waiters(conn: &mut PgConnection, done: impl Fn(&[i32]) -> bool) -> Vec<i32> {
    let mut waiters = Vec::new();
    for _ in 0..200 {
        waiters = lock_waiters(conn).await;
        if done(&waiters) {
            return waiters;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the expected lock waits never came: {waiters:?}");
}

/// The backend holding a granted advisory lock in this database, if any.
pub async fn advisory_holder(conn: &mut PgConnection) -> Option<i32> {
    sqlx::query_scalar(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .fetch_optional(conn)
    .await
    .expect("read pg_locks")
}
