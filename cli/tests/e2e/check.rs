//! `keel check`, the CI gate: passes on intact migrations that build the schema; exits 2 with the missing
//! SQL when the schema changed without a migration, with the drift when a database was changed by hand,
//! and with a clear message when two branches' migrations met in keel.sum.

use crate::harness::{Db, TempDir, keel};

const V1: &str = "CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL);";
const V2: &str =
    "CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL, pinned boolean NOT NULL DEFAULT false);";

#[test]
fn check_reports_missing_migrations_drift_and_merge_conflicts() {
    let project = TempDir::new("check");
    project.write("v1.sql", V1);
    project.write("v2.sql", V2);
    keel(project.path(), &["generate", "notes", "--schema", "v1.sql"]).dev().run().expect(0);
    keel(project.path(), &["check", "--schema", "v1.sql"]).dev().run().expect(0).says("ok");

    // The schema moved on without a migration.
    let run = keel(project.path(), &["check", "--schema", "v2.sql", "--output", "json"]).dev().run().expect(2);
    let report = run.json();
    assert_eq!(report["ok"], false, "{report:#}");
    let missing = report["missing_sql"].as_str().expect("missing_sql");
    assert!(missing.contains("ADD COLUMN \"pinned\""), "{missing}");

    // A database changed by hand after its migrations.
    let db = Db::new();
    keel(project.path(), &["migrate"]).db(&db.url).run().expect(0);
    keel(project.path(), &["check", "--schema", "v1.sql"]).db(&db.url).dev().run().expect(0);
    db.exec("ALTER TABLE notes ADD COLUMN hand_made text");
    let report = keel(project.path(), &["check", "--schema", "v1.sql", "--output", "json"])
        .db(&db.url)
        .dev()
        .run()
        .expect(2)
        .json();
    let drift = report["drift_sql"].as_str().expect("drift_sql");
    assert!(drift.contains("hand_made"), "{report:#}");
    assert!(report["status"]["entries"][0]["state"] == "applied", "{report:#}");

    // Two branches each added a migration; git left conflict markers in keel.sum.
    let sum = project.read("migrations/keel.sum");
    project.write("migrations/keel.sum", &format!("<<<<<<< HEAD\n{sum}=======\n{sum}>>>>>>> other\n"));
    keel(project.path(), &["check", "--schema", "v1.sql"]).dev().run().expect(2).says("merge conflict");
    keel(project.path(), &["generate", "--schema", "v2.sql"]).dev().run().expect(1).says("merge conflict");
}

/// `check` means the same on every machine: a database comes only from `--database-url`, never from
/// `DATABASE_URL` (the environment or ./.env) or keel.toml, and the output says which checks ran.
#[test]
fn check_reads_a_database_only_from_its_flag() {
    let project = TempDir::new("check-env");
    project.write("v1.sql", V1);
    keel(project.path(), &["generate", "notes", "--schema", "v1.sql"]).dev().run().expect(0);
    let db = Db::new();
    keel(project.path(), &["migrate"]).db(&db.url).run().expect(0);
    db.exec("ALTER TABLE notes ADD COLUMN hand_made text");

    // DATABASE_URL in the environment, as the development loop leaves it: not read.
    let run = keel(project.path(), &["check", "--schema", "v1.sql"]).env("DATABASE_URL", &db.url).dev().run().expect(0);
    run.says("not checked: drift (no --database-url)").says("ok");
    run.says("checked: the migrations replay cleanly");

    // In ./.env and keel.toml: not read either.
    project.write(".env", &format!("DATABASE_URL={}\n", db.url));
    project.write("keel.toml", "database_url = \"${DATABASE_URL}\"\n");
    let report =
        keel(project.path(), &["check", "--schema", "v1.sql", "--output", "json"]).dev().run().expect(0).json();
    assert_eq!(report["ok"], true, "{report:#}");
    let drift = report["checks"].as_array().expect("checks").iter().find(|c| c["check"] == "drift").cloned();
    let drift = drift.unwrap_or_else(|| panic!("the report lists the drift check\n{report:#}"));
    assert_eq!(drift["ran"], false, "{report:#}");

    let help = keel(project.path(), &["check", "--help"]).run().expect(0);
    let help = help.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("Without --database-url, check connects to no database of yours"), "{help}");

    // Named with the flag: checked, and reported.
    let run = keel(project.path(), &["check", "--schema", "v1.sql"]).db(&db.url).dev().run().expect(2);
    run.says("the database has drifted").says("checked: drift of the database");
}

/// A problem that stops check early (migrations that do not replay) leaves the checks after it listed as
/// not run, in the text and in `checks`: none is missing from the report, as if it had passed.
#[test]
fn checks_an_early_problem_stops_are_listed_as_not_run() {
    let project = TempDir::new("check-stopped");
    project.write("v1.sql", V1);
    keel(project.path(), &["generate", "notes", "--schema", "v1.sql"]).dev().run().expect(0);
    let migration = std::fs::read_dir(project.join("migrations"))
        .expect("migrations")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|e| e == "sql"))
        .expect("a migration");
    let sql = std::fs::read_to_string(&migration).expect("read");
    std::fs::write(&migration, format!("{sql}\nALTER TABLE no_such_table ADD COLUMN x int;\n")).expect("write");

    let run = keel(project.path(), &["check", "--schema", "v1.sql"]).dev().run().expect(2);
    run.says("do not replay cleanly").says("not checked: changes missing from the migrations (not reached");
    let report =
        keel(project.path(), &["check", "--schema", "v1.sql", "--output", "json"]).dev().run().expect(2).json();
    let checks: Vec<(String, bool)> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| (c["check"].as_str().expect("a name").to_string(), c["ran"].as_bool().expect("ran")))
        .collect();
    let names: Vec<&str> = checks.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["integrity", "replay", "lint", "missing", "database", "drift"], "{report:#}");
    assert!(checks[2..].iter().all(|(_, ran)| !ran), "{report:#}");
}
