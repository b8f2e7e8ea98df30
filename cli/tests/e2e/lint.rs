//! `keel lint` on the command line: exit codes (0 clean or warnings only, 2 errors, 1 when the lint itself
//! fails), JSON findings with rule, severity, location and fix, keel.toml severities, and the findings
//! `generate` writes into the migration it generates.

use crate::harness::{TempDir, keel};

const BAD: &str = "CREATE TABLE notes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL,
    body text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);";

#[test]
fn lint_reports_findings_with_exit_codes_and_configured_severities() {
    let project = TempDir::new("lint");
    project.write("bad.sql", BAD);
    project.write("good.sql", &BAD.replace("user_id uuid", "user_id text"));

    let run = keel(project.path(), &["lint", "--schema", "bad.sql", "--output", "json"]).dev().run().expect(2);
    let report = run.json();
    let findings = report["findings"].as_array().expect("findings");
    let uuid = findings.iter().find(|f| f["rule"] == "user-id-uuid").unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(uuid["severity"], "error", "{report:#}");
    assert_eq!(uuid["location"]["table"], "notes", "{report:#}");
    assert_eq!(uuid["location"]["column"], "user_id", "{report:#}");
    assert!(uuid["fix"].as_str().is_some_and(|f| !f.is_empty()), "{report:#}");
    assert!(report["errors"].as_u64().is_some_and(|n| n >= 1), "{report:#}");

    keel(project.path(), &["lint", "--schema", "good.sql"]).dev().run().expect(0);

    // keel.toml turns the error into a warning: no errors, exit 0, still reported.
    project.write("keel.toml", "[lint]\nrules = { \"user-id-uuid\" = \"warning\" }\n");
    keel(project.path(), &["lint", "--schema", "bad.sql"]).dev().run().expect(0).says("user-id-uuid");
    // A rule id that does not exist is a configuration error, not a silent no-op.
    project.write("keel.toml", "[lint]\nrules = { \"user-id-uid\" = \"off\" }\n");
    keel(project.path(), &["lint", "--schema", "bad.sql"]).dev().run().expect(1).says("user-id-uid");
}

#[test]
fn lint_checks_sql_files_and_generate_writes_findings_into_the_migration() {
    let project = TempDir::new("lint-sql");
    project.write("index.sql", "CREATE INDEX CONCURRENTLY idx_notes_body ON notes (body);\n");
    let report = keel(project.path(), &["lint", "index.sql", "--output", "json"]).run().expect(2).json();
    let findings = report["findings"].as_array().expect("findings");
    let f =
        findings.iter().find(|f| f["rule"] == "concurrently-in-transaction").unwrap_or_else(|| panic!("{report:#}"));
    // At the CONCURRENTLY keyword.
    assert_eq!((f["location"]["line"].as_u64(), f["location"]["column"].as_u64()), (Some(1), Some(14)), "{report:#}");
    project.write("index.sql", "-- no-transaction\nCREATE INDEX CONCURRENTLY idx_notes_body ON notes (body);\n");
    let report = keel(project.path(), &["lint", "index.sql", "--output", "json"]).run().json();
    let findings = report["findings"].as_array().expect("findings");
    assert!(!findings.iter().any(|f| f["rule"] == "concurrently-in-transaction"), "{report:#}");

    // generate: a dropped column is written with its lint finding at the end of the file.
    let good = BAD.replace("user_id uuid", "user_id text");
    project.write("v1.sql", &good);
    project.write("v2.sql", &good.replace("    body text,\n", ""));
    keel(project.path(), &["generate", "notes", "--schema", "v1.sql"]).dev().run().expect(0);
    keel(project.path(), &["generate", "drop_body", "--schema", "v2.sql", "--force"]).dev().run().expect(0);
    let dir = project.join("migrations");
    let second = crate::harness::sql_files(&dir).into_iter().find(|f| f.contains("drop_body")).expect("second file");
    let text = std::fs::read_to_string(dir.join(&second)).expect("read the migration");
    assert!(text.contains("-- keel lint"), "{text}");
    let body = text.find("\n\n").expect("a header, then the statements");
    let cited = text[..body].lines().find(|l| l.contains("drop-still-read")).unwrap_or_else(|| panic!("{text}"));
    // `--   LINE:COLUMN warning drop-still-read: ...` in the header names the line of the DROP in this file.
    let line: usize =
        cited.trim_start_matches("--").trim().split(':').next().and_then(|n| n.parse().ok()).expect("line");
    assert!(text.lines().nth(line - 1).is_some_and(|l| l.contains("DROP COLUMN")), "line {line} of:\n{text}");
    // Linting the written file finds the same place.
    let path = dir.join(&second);
    let report = keel(project.path(), &["lint", path.to_str().expect("UTF-8"), "--output", "json"]).run().json();
    let again = report["findings"].as_array().expect("findings");
    let drop = again.iter().find(|f| f["rule"] == "drop-still-read").unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(drop["location"]["line"].as_u64(), Some(line as u64), "{report:#}");
}

/// The summary counts in words that agree with the count: "1 warning", not "1 warnings".
#[test]
fn the_summary_says_one_warning() {
    let project = TempDir::new("lint-one");
    project.write("index.sql", "CREATE INDEX CONCURRENTLY idx_notes_body ON notes (body);\n");
    let rules = r#"rules = { "concurrently-in-transaction" = "warning", "squawk/require-lock-timeout" = "off" }"#;
    project.write("keel.toml", &format!("[lint]\n{rules}\n"));
    let run = keel(project.path(), &["lint", "index.sql"]).run().expect(0);
    assert!(run.stdout.lines().any(|line| line == "0 errors, 1 warning, 0 notes"), "{}", run.describe());
}

/// `keel lint --accept` records today's findings in lint-baseline.toml; later runs of lint and check leave
/// them out and say how many and where, until the statement of one changes. Reformatting the file around
/// an accepted statement keeps it accepted.
#[test]
fn accepted_findings_are_not_reported_again() {
    let project = TempDir::new("lint-baseline");
    project.write("keel.toml", "schema = \"migrations\"\n");
    project.write("migrations/20260101000000_notes.sql", "CREATE TABLE notes (id uuid PRIMARY KEY);\n");
    let title = "ALTER TABLE notes ADD COLUMN title text NOT NULL;\n";
    project.write("migrations/20260102000000_title.sql", title);
    let lint = |args: &[&str]| keel(project.path(), &[&["lint"], args].concat()).dev().run();

    let before = lint(&["--output", "json"]).expect(2).json();
    let found = before["findings"].as_array().expect("findings").len();
    assert!(found >= 1, "{before:#}");
    assert!(before["findings"].as_array().expect("findings").iter().any(|f| f["rule"] == "not-null-without-default"));

    lint(&["--accept"]).expect(0).says("lint-baseline.toml");
    let written = project.read("lint-baseline.toml");
    assert!(written.contains("rule = \"not-null-without-default\""), "{written}");
    assert!(written.contains("file = \"20260102000000_title.sql\""), "{written}");
    lint(&["--accept"]).expect(0);
    assert_eq!(project.read("lint-baseline.toml"), written, "the same findings write the same file");

    let after = lint(&[]).expect(0);
    let note = format!(
        "{} not shown (lint-baseline.toml)",
        if found == 1 { "1 accepted finding".to_string() } else { format!("{found} accepted findings") }
    );
    after.says(&note);
    assert!(!after.stdout.contains("not-null-without-default"), "{}", after.describe());
    let json = lint(&["--output", "json"]).expect(0).json();
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(0), "{json:#}");
    assert_eq!(json["accepted"].as_u64(), Some(found as u64), "{json:#}");

    // check leaves them out too.
    let check = keel(project.path(), &["check", "--output", "json"]).dev().run().json();
    assert_eq!(check["lint_accepted"].as_u64(), Some(found as u64), "{check:#}");
    assert!(
        !check["lint"].as_array().expect("lint").iter().any(|f| f["rule"] == "not-null-without-default"),
        "{check:#}"
    );

    // Other statements and comments around it change: still accepted. A new finding shows.
    project.write(
        "migrations/20260102000000_title.sql",
        "-- reviewed\nSELECT 1;\n\nALTER TABLE notes\n    ADD COLUMN title text NOT NULL;\n",
    );
    project.write("migrations/20260103000000_body.sql", "ALTER TABLE notes ADD COLUMN body text NOT NULL;\n");
    let json = lint(&["--output", "json"]).expect(2).json();
    let shown: Vec<&str> =
        json["findings"].as_array().expect("findings").iter().filter_map(|f| f["location"]["file"].as_str()).collect();
    assert!(!shown.is_empty() && shown.iter().all(|f| f.ends_with("20260103000000_body.sql")), "{json:#}");

    // The accepted statement itself changes: shown again.
    project.write("migrations/20260102000000_title.sql", "ALTER TABLE notes ADD COLUMN subtitle text NOT NULL;\n");
    let json = lint(&["--output", "json"]).expect(2).json();
    let again = json["findings"].as_array().expect("findings").iter().any(|f| {
        f["rule"] == "not-null-without-default"
            && f["location"]["file"].as_str().is_some_and(|file| file.ends_with("title.sql"))
    });
    assert!(again, "{json:#}");
}

/// Commands that work on no database of the user's do not read one: a DATABASE_URL keel would refuse (here
/// through keel.toml's `${DATABASE_URL}`) fails only the commands that use it.
#[test]
fn commands_without_a_database_ignore_database_url() {
    let project = TempDir::new("lint-no-db");
    project.write("good.sql", &BAD.replace("user_id uuid", "user_id text"));
    project.write("keel.toml", "database_url = \"${DATABASE_URL}\"\n");
    let refused = "mysql://app:pw@localhost/app";
    for args in [&["lint", "--schema", "good.sql"][..], &["export", "--schema", "good.sql"][..]] {
        keel(project.path(), args).env("DATABASE_URL", refused).dev().run().expect(0);
    }
    keel(project.path(), &["status"]).env("DATABASE_URL", refused).run().expect(1).says("database_url");
}
