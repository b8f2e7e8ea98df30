//! Scenario 4: a migration edited after a database applied it. `keel migrate` refuses and names the file
//! (whether keel.sum catches the edit first or, after a `keel rehash`, the database's checksum does);
//! `keel status` shows it edited; `keel check` reports it (and does not measure drift against a replay the
//! database never ran).

use crate::harness::{Db, TempDir, keel, sql_files};

const SCHEMA: &str = "
CREATE TABLE projects (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE tasks (id bigint PRIMARY KEY, project bigint NOT NULL REFERENCES projects (id), title text);
";

#[test]
fn an_edited_migration_is_refused_and_reported() {
    let project = TempDir::new("edited");
    project.write("schema.sql", SCHEMA);
    keel(project.path(), &["init", "--schema", "schema.sql"]).run().expect(0);
    assert!(project.read("keel.toml").contains("schema.sql"));
    keel(project.path(), &["generate", "projects"]).dev().run().expect(0);
    // A second migration that builds on the first: the edited one is not the last.
    project.write("schema.sql", &SCHEMA.replace("title text", "title text, done boolean"));
    keel(project.path(), &["generate", "done"]).dev().run().expect(0);
    let files = sql_files(&project.join("migrations"));
    assert_eq!(files.len(), 2, "{files:?}");
    let file = &files[0];

    let db = Db::new();
    keel(project.path(), &["migrate"]).db(&db.url).run().expect(0);
    keel(project.path(), &["check"]).db(&db.url).dev().run().expect(0);

    // Someone edits the applied migration.
    let path = project.join("migrations").join(file);
    let edited = std::fs::read_to_string(&path).expect("read") + "CREATE INDEX tasks_title ON tasks (title);\n";
    std::fs::write(&path, &edited).expect("edit the migration");

    // keel.sum catches it.
    let run = keel(project.path(), &["migrate"]).db(&db.url).run().expect(1);
    assert!(run.all().contains(file.as_str()), "the message names {file}\n{}", run.describe());

    // After a rehash the directory is consistent again, and the database's checksum catches it.
    keel(project.path(), &["rehash"]).run().expect(0);
    let run = keel(project.path(), &["migrate"]).db(&db.url).run().expect(1);
    let version = file.split('_').next().expect("a version");
    assert!(
        run.all().contains(file.as_str()) || run.all().contains(version),
        "the message names {file}\n{}",
        run.describe()
    );
    run.says("edit");
    assert_eq!(db.int("SELECT count(*) FROM pg_indexes WHERE indexname = 'tasks_title'"), 0, "nothing ran");

    // status: edited, exit 2.
    let run = keel(project.path(), &["status"]).db(&db.url).run().expect(2);
    run.says("edited");
    let status = keel(project.path(), &["status", "--output", "json"]).db(&db.url).run().expect(2).json();
    assert_eq!(status["entries"][0]["state"], "edited", "{status:#}");
    assert_eq!(status["entries"][0]["file"].as_str(), Some(file.as_str()), "{status:#}");

    // check --database-url reports it.
    let run = keel(project.path(), &["check", "--output", "json"]).db(&db.url).dev().run().expect(2);
    let check = run.json();
    assert_eq!(check["ok"], false, "{check:#}");
    let problems = check["problems"].to_string();
    assert!(problems.contains(file.as_str()) && problems.contains("edited"), "{check:#}");
    keel(project.path(), &["check"]).db(&db.url).dev().run().expect(2).says(file);
}
