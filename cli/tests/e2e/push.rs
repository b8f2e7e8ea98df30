//! Scenario 6: `keel push` with no terminal. A plan that drops a column holding data is refused (exit 2)
//! with the measured count and the database untouched; `--dry-run` changes nothing; `--force` applies;
//! pushing an equal schema says it matches.

use crate::harness::{Db, TempDir, keel};

const SCHEMA: &str = "
CREATE TABLE items (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
";

#[test]
fn push_refuses_to_delete_data_without_force() {
    let project = TempDir::new("push");
    project.write("schema.sql", SCHEMA);
    let db = Db::new();
    db.exec(
        "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, obsolete text, \
                             created_at timestamptz NOT NULL DEFAULT now());
         INSERT INTO items (id, name, obsolete) VALUES (1, 'one', 'precious'), (2, 'two', NULL);",
    );
    let push = |extra: &[&str]| {
        let mut args = vec!["push", "--schema", "schema.sql"];
        args.extend_from_slice(extra);
        keel(project.path(), &args).db(&db.url).dev().run()
    };
    let unchanged = |db: &Db| {
        assert_eq!(db.columns("items"), ["id", "name", "obsolete", "created_at"]);
        assert_eq!(db.texts("SELECT obsolete FROM items WHERE id = 1"), [Some("precious".to_string())]);
    };

    // No terminal, no --force: refused with the measured loss, nothing changed.
    let run = push(&[]).expect(2);
    run.says("obsolete").says("1 non-null").says("--force");
    unchanged(&db);
    let refused = push(&["--output", "json"]).expect(2).json();
    assert_eq!(refused["applied"], false, "{refused:#}");
    assert!(refused["refused"].as_str().is_some_and(|r| r.contains("1 non-null")), "{refused:#}");
    let statements = refused["plan"]["statements"].as_array().expect("statements");
    assert!(statements.iter().any(|s| s["data_loss"] == 1), "the drop is measured: {refused:#}");
    unchanged(&db);

    // --dry-run shows the plan and changes nothing (even with --force); like `diff`, exit 2: differences.
    push(&["--dry-run"]).expect(2).says("obsolete");
    push(&["--dry-run", "--force"]).expect(2);
    unchanged(&db);

    // --force applies.
    push(&["--force"]).expect(0);
    assert_eq!(db.columns("items"), ["id", "name", "created_at"]);
    assert_eq!(db.int("SELECT count(*) FROM items"), 2, "dropping a column keeps the rows");

    // An equal schema: nothing to do.
    push(&[]).expect(0).says("already matches");
    let equal = push(&["--output", "json"]).expect(0).json();
    assert_eq!(equal["plan"]["equal"], true, "{equal:#}");
}
