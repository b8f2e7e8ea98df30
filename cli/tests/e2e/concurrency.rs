//! Scenario 3: eight `keel migrate` processes at once on one fresh database. The advisory lock lets one
//! apply; the others wait, find nothing pending and succeed. Each migration would fail if run twice, and
//! counts its runs in a table.

use crate::harness::{Db, TempDir, finish, keel};

const MIGRATIONS: [(&str, &str); 3] = [
    (
        "20240101000001_create_runs.sql",
        "CREATE TABLE runs (migration int NOT NULL);\n\
         CREATE TABLE accounts (id int PRIMARY KEY);\n\
         SELECT pg_sleep(0.5);\n\
         INSERT INTO runs VALUES (1);\n",
    ),
    (
        "20240101000002_add_balance.sql",
        "ALTER TABLE accounts ADD COLUMN balance int NOT NULL DEFAULT 0;\n\
         INSERT INTO accounts (id) VALUES (1);\n\
         INSERT INTO runs VALUES (2);\n",
    ),
    (
        "20240101000003_create_ledger.sql",
        "CREATE TABLE ledger (account int NOT NULL REFERENCES accounts (id));\n\
         INSERT INTO ledger VALUES (1);\n\
         INSERT INTO runs VALUES (3);\n",
    ),
];

#[test]
fn eight_concurrent_runners_apply_each_migration_once() {
    let project = TempDir::new("concurrent");
    for (name, sql) in MIGRATIONS {
        project.write(&format!("migrations/{name}"), sql);
    }
    let db = Db::new();

    // First, what a fresh database says: all pending (exit 2), and a dry run changes nothing (no tracking table).
    let status = keel(project.path(), &["status", "--output", "json"]).db(&db.url).run().expect(2).json();
    let states: Vec<&str> =
        status["entries"].as_array().expect("entries").iter().filter_map(|e| e["state"].as_str()).collect();
    assert_eq!(states, ["pending"; 3], "{status:#}");
    let dry = keel(project.path(), &["migrate", "--dry-run", "--output", "json"]).db(&db.url).run().expect(2).json();
    assert_eq!(dry["dry_run"], true, "{dry:#}");
    assert_eq!(db.int("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), 0, "a dry run creates nothing");

    let runners: Vec<_> = (0..8)
        .map(|_| keel(project.path(), &["migrate", "--lock-wait", "120", "--timeout", "240"]).db(&db.url).spawn())
        .collect();
    let runs: Vec<_> = runners.into_iter().map(|(command, child)| finish(command, child)).collect();
    for run in &runs {
        assert_eq!(run.code, 0, "every runner succeeds: `{}`\n{}", run.command, run.describe());
    }
    let applied_by: Vec<_> = runs.iter().filter(|r| r.stdout.contains("applied 3 migrations")).collect();
    assert_eq!(applied_by.len(), 1, "one runner applies all three: {runs:#?}");

    let counts = db.texts("SELECT migration || ':' || count(*) FROM runs GROUP BY migration ORDER BY migration");
    let counts: Vec<String> = counts.into_iter().flatten().collect();
    assert_eq!(counts, ["1:1", "2:1", "3:1"], "each migration ran exactly once");
    let versions: Vec<i64> = db.applied().into_iter().map(|(v, _)| v).collect();
    assert_eq!(versions, [20240101000001, 20240101000002, 20240101000003]);
    assert_eq!(db.int("SELECT count(*) FROM _sqlx_migrations"), 3, "one row per file");
}
