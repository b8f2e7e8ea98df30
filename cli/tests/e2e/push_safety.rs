//! `keel push` against other sessions: values written while it waits for its lock stop it (the counts
//! shown are what was agreed to); a table lock held elsewhere makes it give up after the lock timeout,
//! naming the holder; concurrent pushes take turns under the migration lock.

use crate::harness::{Db, Run, TempDir, finish, keel};
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use std::process::Child;
use std::time::{Duration, Instant};

/// Another session on the database, held open across `keel` runs (a transaction stays open).
struct Other {
    runtime: tokio::runtime::Runtime,
    conn: PgConnection,
}

impl Other {
    fn connect(db: &Db, application: &str) -> Other {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
        let mut conn = runtime.block_on(PgConnection::connect(&db.url)).expect("connect");
        let set = format!("SET application_name = '{application}'");
        runtime.block_on(sqlx::raw_sql(AssertSqlSafe(set)).execute(&mut conn)).expect("set application_name");
        Other { runtime, conn }
    }

    fn exec(&mut self, sql: &str) {
        let run = sqlx::raw_sql(AssertSqlSafe(sql.to_string())).execute(&mut self.conn);
        self.runtime.block_on(run).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    fn int(&mut self, sql: &str) -> i64 {
        let query = sqlx::query_scalar(AssertSqlSafe(sql.to_string())).fetch_one(&mut self.conn);
        self.runtime.block_on(query).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    fn texts(&mut self, sql: &str) -> Vec<String> {
        let query = sqlx::query_scalar(AssertSqlSafe(sql.to_string())).fetch_all(&mut self.conn);
        self.runtime.block_on(query).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    fn pid(&mut self) -> i64 {
        self.int("SELECT pg_backend_pid()::bigint")
    }

    /// Waits (bounded) until another session of this database waits for a lock, while `keel` runs. Not
    /// from inside a transaction: it would see the activity of its start only.
    fn until_someone_waits_for_a_lock(&mut self, keel: &mut Child) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if keel.try_wait().expect("poll keel").is_some() {
                let output = keel.stderr.take().map(std::io::read_to_string).and_then(Result::ok);
                panic!("keel ended before waiting for a lock:\n{}", output.unwrap_or_default());
            }
            let waiting = self.int(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
            );
            if waiting > 0 {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let sessions = self.texts(
            "SELECT concat_ws(' | ', pid, application_name, state, wait_event_type, wait_event, left(query, 100)) \
             FROM pg_stat_activity WHERE datname = current_database()",
        );
        let _ = keel.kill();
        let output = keel.stderr.take().map(std::io::read_to_string).and_then(Result::ok);
        panic!(
            "nobody started waiting for a lock within a minute:\n{}\n--- keel's stderr:\n{}",
            sessions.join("\n"),
            output.unwrap_or_default()
        );
    }
}

/// Waits for a spawned `keel`, killing it (and failing) when it runs longer than `limit`.
fn finish_within(command: String, mut child: Child, limit: Duration) -> Run {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if child.try_wait().expect("poll keel").is_some() {
            return finish(command, child);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let run = finish(command, child);
    panic!("`{}` still ran after {limit:?}: it waits for the lock forever\n{}", run.command, run.describe());
}

const SCHEMA: &str = "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL);\n";

fn project(keel_toml: &str) -> TempDir {
    let project = TempDir::new("push-safety");
    project.write("schema.sql", SCHEMA);
    project.write("keel.toml", keel_toml);
    project
}

/// The reported race: the plan measured 0 values in the column it drops, and another transaction
/// committed 100 before the drop got its lock.
#[test]
fn push_stops_when_values_arrive_while_it_waits_for_its_lock() {
    let project = project("[migrate]\nlock_timeout_ms = 60000\n");
    let db = Db::new();
    db.exec("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, obsolete text)");
    let mut filler = Other::connect(&db, "e2e-filler");
    filler.exec("BEGIN");
    filler.exec("INSERT INTO items SELECT i, 'item ' || i, 'precious ' || i FROM generate_series(1, 100) i");

    let (command, mut child) = keel(project.path(), &["push", "--schema", "schema.sql"]).db(&db.url).dev().spawn();
    Other::connect(&db, "e2e-watcher").until_someone_waits_for_a_lock(&mut child);
    filler.exec("COMMIT");
    let run = finish_within(command, child, Duration::from_secs(60)).expect(2);

    run.says("drop column public.items.obsolete: 100 non-null values now, 0 when you agreed").says("nothing changed");
    assert_eq!(db.columns("items"), ["id", "name", "obsolete"]);
    assert_eq!(db.int("SELECT count(obsolete) FROM items"), 100, "every value stays");
}

/// Every push has a lock timeout (keel.toml `[migrate] lock_timeout_ms`), not only `--online` ones.
#[test]
fn push_gives_up_after_the_lock_timeout_and_names_the_holder() {
    let project = project("[migrate]\nlock_timeout_ms = 300\n");
    let db = Db::new();
    db.exec("CREATE TABLE items (id bigint PRIMARY KEY)");
    let mut reader = Other::connect(&db, "e2e-reader");
    let pid = reader.pid();
    reader.exec("BEGIN; SELECT count(*) FROM items");

    let (command, child) = keel(project.path(), &["push", "--schema", "schema.sql"]).db(&db.url).dev().spawn();
    let run = finish_within(command, child, Duration::from_secs(60)).expect(1);

    run.says(&format!("held by pid {pid} (application \"e2e-reader\")")).says("nothing was changed");
    reader.exec("ROLLBACK");
    assert_eq!(db.columns("items"), ["id"], "nothing changed");
}

#[test]
fn push_waits_for_the_migration_lock_and_names_the_holder() {
    let project = project("[migrate]\nlock_wait_secs = 1\n");
    let db = Db::new();
    let mut migrator = Other::connect(&db, "e2e-migrator");
    let pid = migrator.pid();
    let database: Vec<Option<String>> = db.texts("SELECT current_database()::text");
    let lock_id = keel_diff::migrate::default_lock_id(database[0].as_deref().expect("a name"));
    migrator.exec(&format!("SELECT pg_advisory_lock({lock_id})"));

    let run = keel(project.path(), &["push", "--schema", "schema.sql"]).db(&db.url).dev().run().expect(1);
    run.says(&format!("waiting for the migration lock {lock_id}"))
        .says(&format!("held by pid {pid} (application \"e2e-migrator\")"))
        .says("nothing changed");
    assert!(!db.has_table("items"), "nothing changed");

    migrator.exec(&format!("SELECT pg_advisory_unlock({lock_id})"));
    keel(project.path(), &["push", "--schema", "schema.sql"]).db(&db.url).dev().run().expect(0);
    assert!(db.has_table("items"));
}

/// Six pushes of one change at once: one applies it, the others wait for it and find nothing to do.
#[test]
fn six_concurrent_pushes_take_turns() {
    let project = project("");
    project.write(
        "schema.sql",
        "CREATE TYPE status AS ENUM ('open', 'closed');
         CREATE TABLE owners (id bigint PRIMARY KEY, name text NOT NULL);
         CREATE TABLE items (id bigint PRIMARY KEY, owner bigint NOT NULL REFERENCES owners (id),
                             status status NOT NULL DEFAULT 'open', name text NOT NULL);
         CREATE INDEX idx_items_owner ON items (owner);
         CREATE VIEW open_items AS SELECT id, name FROM items WHERE status = 'open';",
    );
    let db = Db::new();
    db.exec("CREATE TABLE items (id bigint PRIMARY KEY)");

    let pushes: Vec<_> =
        (0..6).map(|_| keel(project.path(), &["push", "--schema", "schema.sql"]).db(&db.url).dev().spawn()).collect();
    let runs: Vec<Run> =
        pushes.into_iter().map(|(command, child)| finish_within(command, child, Duration::from_secs(120))).collect();

    for run in &runs {
        assert_eq!(run.code, 0, "every push succeeds: `{}`\n{}", run.command, run.describe());
    }
    let applied = runs.iter().filter(|r| r.stdout.contains("applied")).count();
    let matched = runs.iter().filter(|r| r.stdout.contains("already matches")).count();
    assert_eq!((applied, matched), (1, 5), "one applies, five find nothing to do: {runs:#?}");
    assert_eq!(db.columns("items"), ["id", "owner", "status", "name"]);
    assert!(db.has_table("owners"));
    keel(project.path(), &["push", "--schema", "schema.sql"]).db(&db.url).dev().run().expect(0).says("already matches");
}
