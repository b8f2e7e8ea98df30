//! What `keel migrate` tells a newcomer: a dry run lists each pending migration with its hazards and lint
//! findings (exit 2 while something is pending, like `status`); a database built by `keel push` fails its
//! first migration with a hint that says so and what to do.

use crate::harness::{Db, TempDir, keel};

const V1: &str = "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, obsolete text);\n";
const V2: &str = "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL);\n";
/// Hand-written: no header, so no declared hazards; lint flags the NOT NULL column without a default.
const HAND_WRITTEN: (&str, &str) =
    ("migrations/20991231000000_add_flag.sql", "ALTER TABLE items ADD COLUMN flag boolean NOT NULL;\n");

#[test]
fn dry_run_lists_pending_migrations_with_hazards_and_lint() {
    let project = TempDir::new("dry-run");
    let db = Db::new();
    project.write("v1.sql", V1);
    project.write("v2.sql", V2);
    keel(project.path(), &["generate", "create_items", "--schema", "v1.sql"]).dev().run().expect(0);
    keel(project.path(), &["migrate"]).db(&db.url).run().expect(0);
    keel(project.path(), &["generate", "drop_obsolete", "--schema", "v2.sql", "--force"]).dev().run().expect(0);
    project.write(HAND_WRITTEN.0, HAND_WRITTEN.1);
    keel(project.path(), &["rehash"]).run().expect(0);

    let dry = keel(project.path(), &["migrate", "--dry-run", "--output", "json"]).db(&db.url).run().expect(2).json();
    assert_eq!(dry["dry_run"], true, "{dry:#}");
    assert_eq!(dry["already_applied"], 1, "{dry:#}");
    assert_eq!(dry["applied"], serde_json::json!([]), "{dry:#}");
    let pending = dry["pending"].as_array().unwrap_or_else(|| panic!("a pending list: {dry:#}"));
    assert_eq!(pending.len(), 2, "{dry:#}");
    let generated = &pending[0];
    assert_eq!(generated["description"], "drop obsolete", "{dry:#}");
    assert!(generated["file"].as_str().is_some_and(|f| f.ends_with("_drop_obsolete.sql")), "{dry:#}");
    assert!(generated["version"].is_i64(), "{dry:#}");
    assert_eq!(generated["hazards_declared"], true, "{dry:#}");
    let hazards: Vec<&str> = generated["hazards"]
        .as_array()
        .expect("hazards")
        .iter()
        .flat_map(|h| h["hazards"].as_array().expect("a statement's hazards"))
        .filter_map(|h| h.as_str())
        .collect();
    assert!(hazards.contains(&"deletes_data"), "dropping a column deletes data: {dry:#}");
    let hand = &pending[1];
    assert_eq!(hand["version"], 20991231000000_i64, "{dry:#}");
    assert_eq!(hand["hazards_declared"], false, "a hand-written file declares none: {dry:#}");
    let rules: Vec<&str> =
        hand["lint"].as_array().expect("lint findings").iter().filter_map(|f| f["rule"].as_str()).collect();
    assert!(rules.contains(&"not-null-without-default"), "{dry:#}");

    // The text form says the same, and nothing changed.
    let text = keel(project.path(), &["migrate", "--dry-run"]).db(&db.url).run().expect(2);
    text.says("would apply").says("_drop_obsolete.sql").says("deletes_data").says("not-null-without-default");
    text.says("20991231000000_add_flag.sql").says("no hazards declared");
    assert_eq!(db.columns("items"), ["id", "name", "obsolete"], "a dry run changes nothing");
    assert_eq!(db.int("SELECT count(*) FROM _sqlx_migrations"), 1);

    // Nothing pending: exit 0, an empty list.
    keel(project.path(), &["migrate"]).db(&db.url).run().expect(0);
    let done = keel(project.path(), &["migrate", "--dry-run", "--output", "json"]).db(&db.url).run().expect(0).json();
    assert_eq!(done["pending"], serde_json::json!([]), "{done:#}");
    assert_eq!(done["already_applied"], 3, "{done:#}");
}

#[test]
fn migrating_a_pushed_database_says_it_was_pushed_and_what_to_do() {
    let project = TempDir::new("pushed");
    let db = Db::new();
    project.write("schema.sql", V2);
    keel(project.path(), &["generate", "create_items", "--schema", "schema.sql"]).dev().run().expect(0);
    keel(project.path(), &["push", "--schema", "schema.sql"]).db(&db.url).dev().run().expect(0);

    let run = keel(project.path(), &["migrate"]).db(&db.url).run().expect(1);
    run.says("already exists").says("no migration is recorded").says("keel push");
    // Both ways out: recreate a development database, or record the migrations as applied.
    run.says("dropdb").says("createdb").says("record");
    assert!(!run.all().contains("migrating with"), "{}", run.describe());
    let json = keel(project.path(), &["migrate", "--output", "json"]).db(&db.url).run().expect(1).json();
    assert!(json["error"].as_str().is_some_and(|e| e.contains("keel push")), "{json:#}");

    // A failure later in the history is not blamed on push.
    let db2 = Db::new();
    keel(project.path(), &["migrate"]).db(&db2.url).run().expect(0);
    project.write("migrations/20991231000000_again.sql", V2);
    keel(project.path(), &["rehash"]).run().expect(0);
    let later = keel(project.path(), &["migrate"]).db(&db2.url).run().expect(1);
    later.says("already exists");
    assert!(!later.all().contains("keel push"), "{}", later.describe());
}
