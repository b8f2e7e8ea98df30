//! The schema folder: SQL files beside the derives (keel.toml `sql`, `--sql`) are part of the desired
//! schema. `generate` writes the derived table and the files' objects into one migration, `check` passes,
//! `diff --to .` and `export` see the union; removing a file is a change the migrations do not have (exit
//! 2); a broken file is an error naming the file, the line and PostgreSQL's message (exit 1).

use crate::harness::{App, Db, TempDir, keel, sql_files};

const LIB: &str = r#"
use chrono::{DateTime, Utc};
use keel::Table;
use uuid::Uuid;

#[derive(Table)]
pub struct Note {
    pub id: Uuid,
    pub user_id: String,
    pub title: String,
    pub created_at: DateTime<Utc>,
}
"#;

/// Objects the derives do not declare, built on their table: an enum, a CHECK constraint, an expression
/// index and a second table.
const EXTRAS: &str = "-- Declared beside the structs: run after their tables.
CREATE TYPE note_status AS ENUM ('draft', 'published');

ALTER TABLE notes ADD CONSTRAINT notes_title_not_blank CHECK (title <> '');
CREATE INDEX idx_notes_lower_title ON notes (lower(title));

CREATE TABLE note_labels (
    note_id uuid NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    label text NOT NULL,
    PRIMARY KEY (note_id, label)
);
";

#[test]
fn sql_files_beside_the_derives_are_part_of_the_desired_schema() {
    let app = App::new(LIB);
    app.dir.write("schema/001_extras.sql", EXTRAS);

    // The template shows the key, commented out.
    app.keel(&["init"]).run().expect(0);
    let config = app.dir.read("keel.toml");
    assert!(config.lines().any(|line| line == "# sql = \"schema\""), "{config}");

    // Not configured: a schema/ of SQL files is not picked up by its place, and keel says so.
    let run = app.keel(&["export"]).dev().run().expect(0);
    assert!(!run.stdout.contains("note_labels"), "{}", run.describe());
    run.says("schema holds .sql files").says("sql = \"schema\"");

    // `keel init --sql schema` writes the key.
    app.keel(&["init", "--sql", "schema", "--force"]).run().expect(0);
    let config = app.dir.read("keel.toml");
    assert!(config.lines().any(|line| line == "sql = \"schema\""), "{config}");

    // generate: one migration with the derived table and the file's objects.
    let run = app.keel(&["generate", "init"]).dev().run().expect(0);
    let files = sql_files(&app.migrations());
    assert_eq!(files.len(), 1, "{files:?}\n{}", run.describe());
    let migration = app.dir.read(&format!("migrations/{}", files[0]));
    for expected in [
        "CREATE TABLE \"public\".\"notes\"",
        "CREATE TYPE \"public\".\"note_status\" AS ENUM ('draft', 'published')",
        "\"notes_title_not_blank\" CHECK",
        "CREATE INDEX \"idx_notes_lower_title\"",
        "CREATE TABLE \"public\".\"note_labels\"",
    ] {
        assert!(migration.contains(expected), "the migration lacks {expected}:\n{migration}");
    }
    assert!(migration.contains("with the SQL in `schema`"), "the header names the files' origin:\n{migration}");

    // check passes; the project's side of a diff and export see the union.
    app.keel(&["check"]).dev().run().expect(0).says("ok");
    assert_eq!(app.keel(&["diff", "--from", "migrations", "--to", "."]).dev().run().expect(0).stdout, "");
    let exported = app.keel(&["export"]).dev().run().expect(0).stdout;
    assert!(exported.contains("note_labels") && exported.contains("idx_notes_lower_title"), "{exported}");
    // A schema exported with the files already holds them: they are not run again over it.
    let json = app.keel(&["export", "--output", "json"]).dev().run().expect(0).stdout;
    app.dir.write("exported.json", &json);
    assert_eq!(app.keel(&["diff", "--from", "exported.json", "--to", "."]).dev().run().expect(0).stdout, "");

    // lint checks the conventions on the union: the file's table has no timestamps.
    let lint = app.keel(&["lint", "--output", "json"]).dev().run().expect(0).json();
    let on_labels = lint["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["rule"] == "timestamps" && f.to_string().contains("note_labels"));
    assert!(on_labels, "{lint:#}");

    // push builds the union in a database; a second push has nothing to do.
    let db = Db::new();
    app.keel(&["push"]).db(&db.url).dev().run().expect(0);
    assert!(db.has_table("note_labels"));
    assert_eq!(db.int("SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_notes_lower_title'"), 1);
    app.keel(&["push"]).db(&db.url).dev().run().expect(0).says("already matches");

    // --sql replaces keel.toml's files, and needs a declared schema.
    app.dir.write("other/only_index.sql", "CREATE INDEX idx_notes_user_id ON notes (user_id);\n");
    let exported = app.keel(&["export", "--sql", "other"]).dev().run().expect(0).stdout;
    assert!(exported.contains("idx_notes_user_id") && !exported.contains("note_labels"), "{exported}");
    app.keel(&["export", "--schema", "migrations", "--sql", "other"]).dev().run().expect(1).says("--sql");
    // keel.toml's files go with the project's schema only: another --schema stands alone.
    let replayed = app.keel(&["export", "--schema", "migrations"]).dev().run().expect(0).stdout;
    assert!(replayed.contains("note_labels"), "{replayed}");

    // Removing the file: the migrations now hold more than the desired schema.
    std::fs::rename(app.dir.join("schema/001_extras.sql"), app.dir.join("001_extras.sql.off")).expect("move");
    let report = app.keel(&["check", "--output", "json"]).dev().run().expect(2).json();
    let missing = report["missing_sql"].as_str().unwrap_or_else(|| panic!("missing_sql: {report:#}"));
    assert!(missing.contains("DROP TABLE \"public\".\"note_labels\""), "{missing}");
    assert!(missing.contains("DROP INDEX \"public\".\"idx_notes_lower_title\""), "{missing}");

    // A broken file: exit 1, naming the file, the line and PostgreSQL's message.
    app.dir.write("schema/002_broken.sql", "-- a typo\nCREATE INDEX idx_notes_title ON notes (title;\n");
    let run = app.keel(&["check"]).dev().run().expect(1);
    run.says("schema/002_broken.sql:2:").says("syntax error").says("SQLSTATE 42601");
    app.dir.write("schema/002_broken.sql", "ALTER TABLE notes ADD CONSTRAINT c CHECK (nope > 0);\n");
    let run = app.keel(&["generate"]).dev().run().expect(1);
    run.says("schema/002_broken.sql").says("column \"nope\" does not exist").says("SQLSTATE 42703");
    assert_eq!(sql_files(&app.migrations()), files, "nothing written");
    // lint reads the union too, so it needs the files to run.
    app.dir.write("schema/002_broken.sql", "CREATE TABLE notes (id bigint);\n");
    let run = app.keel(&["lint"]).dev().run().expect(1);
    run.says("schema/002_broken.sql").says("\"notes\" already exists").says("SQLSTATE 42P07").says("hint:");

    // A path in keel.toml that does not exist is an error, not an empty folder.
    std::fs::remove_dir_all(app.dir.join("schema")).expect("remove schema/");
    app.keel(&["check"]).dev().run().expect(1).says("keel.toml").says("does not exist");
}

/// Without a crate: a `.json` schema with SQL files, configured with `${VAR}` and paths relative to
/// keel.toml; keel.toml `sql` beside a source that holds its SQL itself is an error.
#[test]
fn sql_files_go_with_a_json_schema_and_only_with_declared_ones() {
    let project = TempDir::new("sql-folder-json");
    project.write("tables.sql", "CREATE TABLE notes (id bigint PRIMARY KEY, title text NOT NULL);\n");
    let json = keel(project.path(), &["export", "--schema", "tables.sql", "--output", "json"]).dev().run().expect(0);
    project.write("app/schema.json", &json.stdout);
    // File-name order: 10_ uses the type 02_ creates.
    project.write(
        "app/db/10_index.sql",
        "CREATE INDEX idx_notes_title ON notes (title);\nALTER TABLE notes ADD COLUMN kind note_kind;\n",
    );
    project.write("app/db/02_enum.sql", "CREATE TYPE note_kind AS ENUM ('a', 'b');\n");
    project.write("app/keel.toml", "schema = \"schema.json\"\nsql = [\"${KEEL_E2E_SQL_DIR}\"]\n");

    // From another directory: the paths are keel.toml's.
    let export = |dir: &str| {
        keel(project.path(), &["export", "--config", "app/keel.toml"]).env("KEEL_E2E_SQL_DIR", dir).dev().run()
    };
    let sql = export("db").expect(0).stdout;
    assert!(sql.contains("idx_notes_title") && sql.contains("\"kind\" \"public\".\"note_kind\""), "{sql}");
    // An entry that expands to nothing names no file.
    let sql = export("").expect(0).stdout;
    assert!(!sql.contains("idx_notes_title") && sql.contains("\"notes\""), "{sql}");
    // A ROLLBACK would silently discard what came before it (a file runs as one transaction): refused.
    project.write("app/db/20_undo.sql", "CREATE TABLE extra (id int);\n  ROLLBACK;\n");
    export("db").expect(1).says("20_undo.sql:2:3").says("`ROLLBACK` is refused");
    std::fs::remove_file(project.join("app/db/20_undo.sql")).expect("remove the file");

    // The project's schema on either side of a diff carries the files; another source does not.
    let run =
        keel(project.path(), &["diff", "--config", "app/keel.toml", "--from", "tables.sql", "--to", "app/schema.json"])
            .env("KEEL_E2E_SQL_DIR", "db")
            .dev()
            .run()
            .expect(2);
    assert!(
        run.stdout.contains("CREATE INDEX \"idx_notes_title\"") && run.stdout.contains("note_kind"),
        "{}",
        run.describe()
    );

    // `sql` beside a source that is not declared: an error that says what to do.
    project.write("app/keel.toml", "schema = \"../tables.sql\"\nsql = \"db\"\n");
    keel(project.path(), &["export", "--config", "app/keel.toml"]).dev().run().expect(1).says("keel.toml `sql`");
}

/// Views, functions and triggers in the schema folder are managed like the tables; a kind keel does not
/// manage yet (grants) is refused by name instead of being left out of every migration without a word.
#[test]
fn sql_objects_are_declared_in_sql_and_unmanaged_kinds_are_refused() {
    let app = App::new(LIB);
    app.dir.write(
        "schema/views.sql",
        "CREATE VIEW recent_notes AS SELECT id, title FROM notes WHERE created_at > now() - interval '7 days';\n",
    );
    app.dir.write(
        "schema/functions.sql",
        "CREATE FUNCTION note_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM notes';\n\
         CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.title := upper(NEW.title); \
         RETURN NEW; END $$;\n\
         CREATE TRIGGER notes_shout BEFORE INSERT ON notes FOR EACH ROW EXECUTE FUNCTION shout();\n",
    );
    keel(app.path(), &["init", "--sql", "schema"]).run().expect(0);
    app.keel(&["generate", "init"]).dev().run().expect(0);
    let files = sql_files(&app.migrations());
    assert_eq!(files.len(), 1, "{files:?}");
    let migration = app.dir.read(&format!("migrations/{}", files[0]));
    for statement in [
        "CREATE VIEW \"public\".\"recent_notes\"",
        "CREATE OR REPLACE FUNCTION public.note_count()",
        "CREATE TRIGGER \"notes_shout\" BEFORE INSERT ON \"public\".\"notes\"",
    ] {
        assert!(migration.contains(statement), "{statement} in:\n{migration}");
    }
    app.keel(&["check"]).dev().run().expect(0);

    app.dir.write("schema/grants.sql", "GRANT SELECT ON notes TO PUBLIC;\n");
    let run = app.keel(&["check"]).dev().run().expect(1);
    run.says("grants public.notes");
    run.says("does not manage yet");
}
