//! Scenario 1, the release loop on an app crate: init → generate → migrate → change the structs → generate
//! refuses an undecided rename, then a dropped column, then writes the migration with hints and `--force`
//! → migrate keeps the rows → check → status → generate again finds nothing.

use crate::harness::{App, Db, snapshot, sql_files};

const V1: &str = r#"
use chrono::{DateTime, Utc};
use keel::Table;
use uuid::Uuid;

#[derive(Table)]
pub struct Note {
    pub id: Uuid,
    pub user_id: String,
    pub title: String,
    pub body: Option<String>,
    pub legacy: Option<String>,
    pub created_at: DateTime<Utc>,
}
"#;

/// Adds `priority` with a default, renames `title` to `headline`, drops `legacy`, indexes `user_id`.
const V2: &str = r#"
use chrono::{DateTime, Utc};
use keel::Table;
use uuid::Uuid;

#[derive(Table)]
pub struct Note {
    pub id: Uuid,
    #[keel(index)]
    pub user_id: String,
    pub headline: String,
    pub body: Option<String>,
    pub created_at: DateTime<Utc>,
    #[keel(default = "3")]
    pub priority: i32,
}
"#;

const HINTS: &str = r#"{
  "renames": [{"kind": "column", "schema": "public", "table": "notes", "from": "title", "to": "headline"}],
  "new": [{"kind": "column", "schema": "public", "table": "notes", "name": "priority"}]
}"#;

#[test]
fn release_loop() {
    let app = App::new(V1);
    let db = Db::new();
    let migrations = app.migrations();

    // init: keel.toml and the dump target.
    app.keel(&["init"]).run().expect(0);
    assert!(app.dir.join("keel.toml").is_file());
    let dump = app.dir.read("src/bin/keel-schema.rs");
    assert!(dump.contains(&format!("dump_schema_main!({})", app.name)), "{dump}");

    // The first migration, with its header and the integrity file.
    app.keel(&["generate", "create_notes"]).dev().run().expect(0);
    let files = sql_files(&migrations);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].ends_with("_create_notes.sql"), "{files:?}");
    let first = std::fs::read_to_string(migrations.join(&files[0])).expect("the first migration");
    assert!(first.contains("-- Hazards"), "the header lists hazards:\n{first}");
    assert!(first.contains("CREATE TABLE \"public\".\"notes\""), "{first}");
    let sum = std::fs::read_to_string(migrations.join("keel.sum")).expect("migrations/keel.sum");
    assert!(sum.contains(&files[0]), "{sum}");

    // migrate applies it and records it where sqlx does.
    app.keel(&["migrate"]).db(&db.url).run().expect(0);
    assert_eq!(db.applied().len(), 1);
    assert_eq!(db.columns("notes"), ["id", "user_id", "title", "body", "legacy", "created_at"]);
    db.exec("INSERT INTO notes (user_id, title, body, legacy) VALUES ('u1', 'first', 'b1', 'old 1'), ('u2', 'second', NULL, NULL)");

    // The structs change. Without hints, the rename is undecided: exit 2, nothing written.
    app.set_lib(V2);
    let before = snapshot(&migrations);
    let run = app.keel(&["generate", "notes_v2"]).dev().run().expect(2);
    run.says("title").says("headline").says("rename");
    assert_eq!(snapshot(&migrations), before, "a refused generate writes nothing");

    // With the rename decided, the dropped column still needs --force: exit 2, nothing written.
    let hints = app.dir.write("hints.json", HINTS);
    let hints = hints.to_str().expect("UTF-8 path");
    let run = app.keel(&["generate", "notes_v2", "--hints", hints]).dev().run().expect(2);
    run.says("legacy").says("--force");
    assert_eq!(snapshot(&migrations), before, "a refused generate writes nothing");

    let refused =
        app.keel(&["generate", "notes_v2", "--hints", hints, "--output", "json"]).dev().run().expect(2).json();
    assert_eq!(refused["written"].as_array().map(Vec::len), Some(0), "{refused:#}");
    assert!(refused["refused"].as_str().is_some_and(|r| r.contains("legacy")), "{refused:#}");
    assert_eq!(snapshot(&migrations), before, "a refused generate writes nothing");

    // With --force it writes the second migration.
    app.keel(&["generate", "notes_v2", "--hints", hints, "--force"]).dev().run().expect(0);
    let files = sql_files(&migrations);
    assert_eq!(files.len(), 2, "{files:?}");
    let second = std::fs::read_to_string(migrations.join(&files[1])).expect("the second migration");
    assert!(second.contains("RENAME COLUMN \"title\" TO \"headline\""), "{second}");
    assert!(second.contains("DROP COLUMN \"legacy\""), "{second}");
    assert!(second.contains("ADD COLUMN \"priority\""), "{second}");
    assert!(second.contains("CREATE INDEX \"idx_notes_user_id\""), "{second}");
    assert!(second.contains("deletes_data"), "the header lists the drop's hazard:\n{second}");
    assert!(!second.contains("CASCADE"), "{second}");
    let sum = std::fs::read_to_string(migrations.join("keel.sum")).expect("migrations/keel.sum");
    assert!(sum.contains(&files[1]), "{sum}");

    // migrate applies it on top of the rows: the renamed column keeps its values.
    app.keel(&["migrate"]).db(&db.url).run().expect(0);
    assert_eq!(db.applied().len(), 2);
    assert_eq!(db.columns("notes"), ["id", "user_id", "headline", "body", "created_at", "priority"]);
    let rows = db.texts("SELECT user_id || '|' || headline || '|' || coalesce(body, '-') || '|' || priority FROM notes ORDER BY user_id");
    let rows: Vec<String> = rows.into_iter().flatten().collect();
    assert_eq!(rows, ["u1|first|b1|3", "u2|second|-|3"]);
    assert_eq!(
        db.int("SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname = 'idx_notes_user_id'"),
        1
    );

    // The database is the crate's schema (keel's bookkeeping table aside): diff is empty, push has nothing
    // to do.
    let dir = app.path().to_str().expect("UTF-8 path");
    assert_eq!(app.keel(&["diff", "--from", &db.url, "--to", dir]).dev().run().expect(0).stdout, "");
    app.keel(&["push"]).db(&db.url).dev().run().expect(0).says("already matches");

    // check: the directory, the schema and the database agree.
    app.keel(&["check"]).db(&db.url).dev().run().expect(0);

    // status: both applied.
    let status = app.keel(&["status", "--output", "json"]).db(&db.url).run().expect(0).json();
    let entries = status["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 2, "{status:#}");
    for (entry, file) in entries.iter().zip(&files) {
        assert_eq!(entry["state"], "applied", "{status:#}");
        assert_eq!(entry["file"].as_str(), Some(file.as_str()), "{status:#}");
    }

    // migrate again: nothing pending is a success.
    app.keel(&["migrate"]).db(&db.url).run().expect(0);
    assert_eq!(db.applied().len(), 2);

    // generate again: no changes, nothing written, exit 0.
    let before = snapshot(&migrations);
    app.keel(&["generate"]).dev().run().expect(0).says("no changes");
    assert_eq!(snapshot(&migrations), before);
}
