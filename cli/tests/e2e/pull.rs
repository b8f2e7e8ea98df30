//! Scenario 7: `keel pull` writes structs that declare exactly the database they were pulled from. The
//! database is the guidelines' example (examples/files pushed into an empty database); the pulled modules
//! go into an app crate, and `keel diff` between the crate and the database is empty.

use crate::harness::{App, Db, TempDir, keel, workspace};

#[test]
fn pulled_structs_diff_empty_against_their_database() {
    let db = Db::new();
    let scratch = TempDir::new("pull");
    let example = workspace().join("examples").join("files");
    keel(scratch.path(), &["push", "--force", "--schema", example.to_str().expect("UTF-8 path")])
        .db(&db.url)
        .dev()
        .builds_crate()
        .run()
        .expect(0);
    for table in ["folders", "files", "file_versions", "tags", "file_tags"] {
        assert!(db.has_table(table), "the example's {table} was pushed");
    }

    let app = App::new("pub mod schema;\n");
    let out = app.dir.join("src/schema");
    keel(scratch.path(), &["pull", "--out", out.to_str().expect("UTF-8 path")]).db(&db.url).run().expect(0);
    assert!(out.join("mod.rs").is_file(), "pull writes src/schema/mod.rs");
    app.keel(&["init"]).run().expect(0);

    let app_dir = app.path().to_str().expect("UTF-8 path");
    let run = app.keel(&["diff", "--from", app_dir, "--to", &db.url]).dev().run().expect(0);
    assert_eq!(run.stdout.trim(), "", "the pulled crate declares the database exactly\n{}", run.describe());
    let run = app.keel(&["diff", "--from", &db.url, "--to", app_dir]).dev().run().expect(0);
    assert_eq!(run.stdout.trim(), "", "and the other way round\n{}", run.describe());
}
