//! A migration merged from another branch after newer ones were applied: `status` calls it out of order,
//! `migrate` refuses it (exit 2) unless `--allow-out-of-order`; `rehash` says which applied file it
//! re-sums. Transaction control in SQL that keel runs in a transaction is refused with its place.

use crate::harness::{Db, TempDir, keel};

#[test]
fn an_out_of_order_migration_is_shown_and_refused_unless_allowed() {
    let project = TempDir::new("out-of-order");
    project.write("migrations/1_a.sql", "CREATE TABLE a (id int);\n");
    project.write("migrations/3_c.sql", "CREATE TABLE c (id int);\n");
    let db = Db::new();
    keel(project.path(), &["migrate"]).db(&db.url).run().expect(0);
    project.write("migrations/2_b.sql", "CREATE TABLE b (id int);\n");

    keel(project.path(), &["status"]).db(&db.url).run().expect(2).says("out of order");
    let status = keel(project.path(), &["status", "--output", "json"]).db(&db.url).run().expect(2).json();
    let flags: Vec<bool> =
        status["entries"].as_array().expect("entries").iter().map(|e| e["out_of_order"] == true).collect();
    assert_eq!(flags, [false, true, false], "{status:#}");

    keel(project.path(), &["migrate"]).db(&db.url).run().expect(2).says("2_b.sql").says("--allow-out-of-order");
    assert_eq!(db.applied().len(), 2);
    keel(project.path(), &["migrate", "--allow-out-of-order"]).db(&db.url).run().expect(0);
    assert_eq!(db.applied().len(), 3);
}

#[test]
fn rehash_names_the_edited_migrations_it_re_sums() {
    let project = TempDir::new("rehash");
    project.write("migrations/1_a.sql", "CREATE TABLE a (id int);\n");
    project.write("migrations/2_b.sql", "CREATE TABLE b (id int);\n");
    keel(project.path(), &["rehash"]).run().expect(0);
    let db = Db::new();
    keel(project.path(), &["migrate"]).db(&db.url).run().expect(0);

    project.write("migrations/1_a.sql", "CREATE TABLE a (id bigint);\n");
    project.write("migrations/3_c.sql", "CREATE TABLE c (id int);\n");
    let run = keel(project.path(), &["rehash"]).run().expect(0);
    run.says("1_a.sql").says("if this migration is applied anywhere");
    assert!(!run.all().contains("2_b.sql") && !run.all().contains("3_c.sql"), "{}", run.describe());

    // With a database, it says whether that one applied it.
    project.write("migrations/1_a.sql", "CREATE TABLE a (id int8);\n");
    keel(project.path(), &["rehash"]).db(&db.url).run().expect(0).says("1_a.sql").says("applied in this database");
}

#[test]
fn transaction_control_in_a_schema_sql_file_is_refused_with_its_place() {
    let project = TempDir::new("rollback");
    let schema = project.write("schema.sql", "CREATE TABLE a (id int);\nROLLBACK;\nCREATE TABLE b (id int);\n");
    let run = keel(project.path(), &["diff", "--from", "empty", "--to"]).arg(&schema).dev().run();
    assert_eq!(run.code, 1, "{}", run.describe());
    run.says("schema.sql:2:1").says("ROLLBACK");
}
