//! Generated columns and the server's version: `push` and `diff --from <database>` plan for the server they
//! run on (a new expression is `SET EXPRESSION` from 17 on, the column kept in its place), and a virtual
//! column is refused before 18, naming the column and the version it needs.

use crate::harness::{Db, TempDir, keel};

fn version(db: &Db) -> i64 {
    db.int("SELECT current_setting('server_version_num')::bigint")
}

#[test]
fn push_and_diff_plan_for_the_server_they_run_on() {
    let db = Db::new();
    db.exec(
        "CREATE TABLE t (id int PRIMARY KEY, price int, total int GENERATED ALWAYS AS (price * 2) STORED, note text);
         INSERT INTO t (id, price) VALUES (1, 10);",
    );
    let in_place = version(&db) >= 170000;
    let project = TempDir::new("generated");
    project.write(
        "schema.sql",
        "CREATE TABLE t (id int PRIMARY KEY, price int, total int GENERATED ALWAYS AS (price * 3) STORED, note text);",
    );

    let diff = keel(project.path(), &["diff", "--from", &db.url, "--to", "schema.sql"]).dev().run().expect(2);
    assert_eq!(diff.stdout.contains("SET EXPRESSION AS"), in_place, "{}", diff.describe());
    assert_eq!(diff.stdout.contains("DROP COLUMN"), !in_place, "{}", diff.describe());

    keel(project.path(), &["push", "--schema", "schema.sql", "--force"]).db(&db.url).dev().run().expect(0);
    assert_eq!(db.int("SELECT total::bigint FROM t"), 30);
    let place = if in_place { ["id", "price", "total", "note"] } else { ["id", "price", "note", "total"] };
    assert_eq!(db.columns("t"), place, "SET EXPRESSION keeps the column's place; a drop and add moves it last");
}

#[test]
fn a_virtual_column_is_refused_before_18_naming_it() {
    let db = Db::new();
    let project = TempDir::new("virtual");
    project.write(
        "schema.json",
        r#"{"format_version": 1, "schemas": {"public": {"tables": {"prices": {
            "columns": [{"name": "price", "type": {"kind": "integer"}, "nullable": true},
                        {"name": "doubled", "type": {"kind": "integer"}, "nullable": true,
                         "generated": "(price * 2)", "generated_kind": "virtual"}]}}}}}"#,
    );
    let push = keel(project.path(), &["push", "--schema", "schema.json", "--force"]).db(&db.url).dev().run();
    if version(&db) >= 180000 {
        push.expect(0);
        assert_eq!(db.int("SELECT count(*) FROM pg_attribute WHERE attgenerated = 'v' AND attname = 'doubled'"), 1);
    } else {
        assert_ne!(push.code, 0, "{}", push.describe());
        push.says("the virtual generated column public.prices.doubled needs PostgreSQL 18");
        assert!(!db.has_table("prices"), "nothing ran");
    }
}
