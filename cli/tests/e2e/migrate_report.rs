//! What `keel migrate` tells a newcomer: a dry run lists each pending migration with its hazards and lint
//! findings (exit 2 while something is pending, like `status`); a database built by `keel push` fails its
//! first migration with a hint that says so and what to do.

use crate::harness::{Db, TempDir, keel};

const V2: &str = "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL);\n";
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
