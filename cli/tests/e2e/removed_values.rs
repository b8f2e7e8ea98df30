//! Removing an enum value that rows still hold: `keel push` measures, on the target, how many rows of
//! which column hold each removed value, suggests the UPDATE to run first, and refuses (exit 2, nothing
//! changed) instead of failing halfway, with or without --force.

use crate::harness::{Db, TempDir, keel};

const SCHEMA: &str = "
CREATE TYPE channel AS ENUM ('email', 'push');
CREATE TABLE notes (id int PRIMARY KEY, channel channel NOT NULL, also channel[]);
";

#[test]
fn push_refuses_to_remove_enum_values_rows_hold_and_says_which() {
    let project = TempDir::new("removed-values");
    project.write("schema.sql", SCHEMA);
    let db = Db::new();
    db.exec(
        "CREATE TYPE channel AS ENUM ('email', 'sms', 'fax', 'push');
         CREATE TABLE notes (id int PRIMARY KEY, channel channel NOT NULL, also channel[]);
         INSERT INTO notes VALUES (1, 'sms', NULL), (2, 'email', '{fax,email}'), (3, 'sms', NULL), (4, 'fax', NULL);",
    );
    let push = |extra: &[&str]| {
        let mut args = vec!["push", "--schema", "schema.sql"];
        args.extend_from_slice(extra);
        keel(project.path(), &args).db(&db.url).dev().run()
    };
    let unchanged = |db: &Db| {
        let labels = db.texts("SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder)::text FROM pg_enum");
        assert_eq!(labels, [Some("email,sms,fax,push".to_string())], "the type is unchanged");
        assert_eq!(db.int("SELECT count(*) FROM notes WHERE channel = 'sms'"), 2);
    };

    for extra in [&[][..], &["--force"][..]] {
        let run = push(extra).expect(2);
        run.says("2 rows of public.notes.channel hold 'sms'").says("1 row of public.notes.channel holds 'fax'");
        run.says("1 row of public.notes.also holds 'fax'");
        run.says(r#"UPDATE "public"."notes" SET "channel" = 'email' WHERE "channel" = 'sms';"#);
        run.says("array_replace");
        run.says("nothing changed");
        assert!(!run.all().contains("deletes 2 rows hold"), "{}", run.describe());
        assert!(!run.all().contains("statement 3 failed"), "refused before running: {}", run.describe());
        unchanged(&db);
    }
    let json = push(&["--output", "json"]).expect(2).json();
    assert_eq!(json["applied"], false, "{json:#}");
    assert!(json["refused"].as_str().is_some_and(|r| r.contains("hold 'sms'")), "{json:#}");
    unchanged(&db);
    // A dry run says it too, in json as well: a push would refuse, whatever its flags.
    push(&["--dry-run"]).expect(2).says("2 rows of public.notes.channel hold 'sms'");
    let json = push(&["--dry-run", "--output", "json"]).expect(2).json();
    assert!(json["refused"].as_str().is_some_and(|r| r.contains("hold 'sms'")), "{json:#}");
    unchanged(&db);

    // Once the rows hold kept values, the push goes through.
    db.exec(
        "UPDATE notes SET channel = 'email' WHERE channel IN ('sms', 'fax');
         UPDATE notes SET also = array_replace(also, 'fax', 'email');",
    );
    push(&[]).expect(0);
    let labels = db.texts("SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder)::text FROM pg_enum");
    assert_eq!(labels, [Some("email,push".to_string())]);
}
