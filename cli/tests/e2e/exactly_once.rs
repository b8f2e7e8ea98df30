//! `keel migrate` killed or stopped mid-migration: the running statement ends with it (the lock lives on
//! the migrating session, which notices a vanished client), so a runner started next applies the file
//! exactly once. A migration waits on a table the test locks; `runs` counts its runs.

use crate::harness::{Db, TempDir, finish, keel};
use sqlx::{Connection, PgConnection};

const TABLES: (&str, &str) =
    ("migrations/20240101000001_tables.sql", "CREATE TABLE gate (a int);\nCREATE TABLE runs (n bigint);\n");

/// The test's own runtime and a session holding `gate` locked until [`Gate::open`].
struct Gate {
    runtime: tokio::runtime::Runtime,
    conn: PgConnection,
}

impl Gate {
    fn close(url: &str) -> Gate {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        let conn = runtime.block_on(async {
            let mut conn = PgConnection::connect(url).await.expect("connect");
            sqlx::raw_sql("BEGIN; LOCK TABLE gate IN ACCESS EXCLUSIVE MODE").execute(&mut conn).await.expect("lock");
            conn
        });
        Gate { runtime, conn }
    }

    fn open(mut self) {
        self.runtime.block_on(sqlx::raw_sql("COMMIT").execute(&mut self.conn)).expect("unlock");
    }
}

/// Polls until `waiting` sessions wait for a lock (bounded: about 10 s).
fn until_lock_waiters(db: &Db, waiting: i64) {
    let sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";
    let mut now = -1;
    for _ in 0..100 {
        now = db.int(sql);
        if now == waiting {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{now} sessions wait for a lock, expected {waiting}");
}

fn project(db: &Db, second: &str) -> TempDir {
    let project = TempDir::new("exactly-once");
    project.write(TABLES.0, TABLES.1);
    keel(project.path(), &["migrate"]).db(&db.url).run().expect(0);
    project.write("migrations/20240101000002_waits.sql", second);
    project
}

#[test]
fn a_killed_runner_leaves_no_statement_running() {
    let db = Db::new();
    let project = project(&db, "-- no-transaction\nINSERT INTO runs SELECT count(*) FROM gate;\n");
    let gate = Gate::close(&db.url);
    let (command, mut child) = keel(project.path(), &["migrate"]).db(&db.url).spawn();
    until_lock_waiters(&db, 1);
    child.kill().expect("kill -9 keel");
    let killed = finish(command, child);
    assert_ne!(killed.code, 0, "{}", killed.describe());
    // Its statement ends although the table is still locked: it cannot take effect after the lock is gone.
    until_lock_waiters(&db, 0);
    gate.open();
    keel(project.path(), &["migrate"]).db(&db.url).run().expect(0).says("applied 1 migration");
    assert_eq!(db.int("SELECT count(*) FROM runs"), 1, "the file ran once");
}

#[test]
fn sigterm_cancels_the_running_migration_and_exits_non_zero() {
    let db = Db::new();
    let project = project(&db, "INSERT INTO runs VALUES (1);\nINSERT INTO runs SELECT count(*) FROM gate;\n");
    let gate = Gate::close(&db.url);
    let (command, child) = keel(project.path(), &["migrate"]).db(&db.url).spawn();
    until_lock_waiters(&db, 1);
    let status = std::process::Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    assert!(status.expect("run kill").success());
    let run = finish(command, child);
    assert_eq!(run.code, 1, "{}", run.describe());
    run.says("SIGTERM").says("20240101000002_waits.sql").says("rolled back");
    until_lock_waiters(&db, 0);
    gate.open();
    assert_eq!(db.int("SELECT count(*) FROM runs"), 0, "canceled and rolled back");
    assert_eq!(db.applied().len(), 1);
}
