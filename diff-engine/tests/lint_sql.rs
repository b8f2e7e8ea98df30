//! Migration-safety linting of SQL files (`keel_diff::lint::sql`): keel's own rules, squawk's through
//! keel, the transaction assumption, configuration, determinism, and a plan linted as `keel generate`
//! writes it. No database needed.

use keel_core::model::{Column, ColumnType, Index, Namespace, Schema, Table};
use keel_diff::lint::sql::{RULES, SQUAWK_PREFIX, plan_files};
use keel_diff::lint::{Finding, LintConfig, Location, Override, Severity, SqlContext, SqlFile, lint_plan, lint_sql};
use keel_diff::{PlanOptions, plan};
use std::time::Duration;

fn lint(sql: &str) -> Vec<Finding> {
    lint_sql(SqlFile { name: "m.sql", sql }, SqlContext::default(), &LintConfig::default())
}

fn lint_after(previous: &Schema, sql: &str) -> Vec<Finding> {
    lint_sql(SqlFile { name: "m.sql", sql }, SqlContext { previous: Some(previous) }, &LintConfig::default())
}

/// The findings of one rule.
fn of<'a>(findings: &'a [Finding], rule: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.rule == rule).collect()
}

/// The one finding of a rule, at `line:column` of `m.sql`, with this severity.
fn one<'a>(findings: &'a [Finding], rule: &str, severity: Severity, line: usize, column: usize) -> &'a Finding {
    let found = of(findings, rule);
    assert_eq!(found.len(), 1, "expected one {rule} finding in {findings:#?}");
    let finding = found[0];
    assert_eq!(finding.severity, severity, "{finding:#?}");
    assert_eq!(finding.location, Location::Sql { file: "m.sql".into(), line, column }, "{finding:#?}");
    assert!(!finding.message.contains('\n') && !finding.fix.is_empty(), "{finding:#?}");
    finding
}

fn none(findings: &[Finding], rule: &str) {
    assert!(of(findings, rule).is_empty(), "expected no {rule} finding in {findings:#?}");
}

fn table(columns: Vec<Column>) -> Table {
    Table { columns, ..Table::default() }
}

fn schema(tables: Vec<(&str, Table)>) -> Schema {
    let mut namespace = Namespace::default();
    for (name, table) in tables {
        namespace.tables.insert(name.to_string(), table);
    }
    let mut schema = Schema::default();
    schema.schemas.insert("public".to_string(), namespace);
    schema
}

fn files_table() -> Table {
    table(vec![
        Column::new("id", ColumnType::Uuid).default("gen_random_uuid()"),
        Column::new("name", ColumnType::Text),
        Column::new("description", ColumnType::Text).nullable(),
    ])
}

#[test]
fn the_rules_are_listed_with_their_severities() {
    let ids: Vec<(&str, Severity)> = RULES.iter().map(|r| (r.id, r.default)).collect();
    for expected in [
        ("not-null-without-default", Severity::Error),
        ("drop-still-read", Severity::Warning),
        ("concurrently-in-transaction", Severity::Error),
        ("no-transaction-single-statement", Severity::Error),
        ("sql-syntax", Severity::Warning),
    ] {
        assert!(ids.contains(&expected), "{expected:?} missing from {ids:?}");
    }
    assert!(RULES.iter().all(|r| !r.id.starts_with(SQUAWK_PREFIX) && !r.summary.is_empty()));
}

// ---------------------------------------------------------------------------------------------------------
// not-null-without-default
// ---------------------------------------------------------------------------------------------------------

#[test]
fn a_not_null_column_without_default_is_an_error() {
    let findings = lint("SELECT 1;\nALTER TABLE files ADD COLUMN size bigint NOT NULL;\n");
    let finding = one(&findings, "not-null-without-default", Severity::Error, 2, 19);
    assert!(finding.message.contains("public.files.size"), "{finding:#?}");
    assert!(finding.fix.contains("DEFAULT") && finding.fix.contains("SET NOT NULL"), "{finding:#?}");
    // A primary key is NOT NULL too.
    let findings = lint("ALTER TABLE app.files ADD COLUMN key uuid PRIMARY KEY;");
    one(&findings, "not-null-without-default", Severity::Error, 1, 23);
}

#[test]
fn setting_not_null_on_a_new_column_without_a_backfill_is_an_error() {
    let sql = "ALTER TABLE files ADD COLUMN size bigint;\nALTER TABLE files ALTER COLUMN size SET NOT NULL;\n";
    let findings = lint(sql);
    let finding = one(&findings, "not-null-without-default", Severity::Error, 2, 19);
    assert!(finding.message.contains("public.files.size") && finding.fix.contains("UPDATE"), "{finding:#?}");
    // An UPDATE of another table is no backfill.
    let sql = "ALTER TABLE files ADD COLUMN size bigint;\nUPDATE other SET size = 0;\n\
               ALTER TABLE files ALTER COLUMN size SET NOT NULL;\n";
    one(&lint(sql), "not-null-without-default", Severity::Error, 3, 19);
}

#[test]
fn a_not_null_column_with_a_default_or_a_backfill_is_fine() {
    for sql in [
        "ALTER TABLE files ADD COLUMN size bigint NOT NULL DEFAULT 0;",
        "ALTER TABLE files ADD COLUMN size bigint;",
        "ALTER TABLE files ADD COLUMN n bigint NOT NULL GENERATED ALWAYS AS IDENTITY;",
        "ALTER TABLE files ADD COLUMN n bigint NOT NULL GENERATED ALWAYS AS (length(name)) STORED;",
        "ALTER TABLE files ADD COLUMN n bigserial NOT NULL;",
        // The table is new, so empty.
        "CREATE TABLE files (id uuid PRIMARY KEY);\nALTER TABLE files ADD COLUMN size bigint NOT NULL;",
        // Nullable, backfilled, then NOT NULL.
        "ALTER TABLE files ADD COLUMN size bigint;\nUPDATE files SET size = 0;\n\
         ALTER TABLE files ALTER COLUMN size SET NOT NULL;",
        // SET NOT NULL of a column this file did not add: squawk's business (a full scan), not this rule's.
        "ALTER TABLE files ALTER COLUMN name SET NOT NULL;",
    ] {
        none(&lint(sql), "not-null-without-default");
    }
}

// ---------------------------------------------------------------------------------------------------------
// drop-still-read
// ---------------------------------------------------------------------------------------------------------

#[test]
fn without_the_previous_schema_every_drop_is_flagged() {
    let findings = lint("DROP TABLE files, app.tags;\nALTER TABLE files DROP COLUMN description;\n");
    let drops = of(&findings, "drop-still-read");
    assert_eq!(drops.len(), 3, "{findings:#?}");
    let at = |line, column| Location::Sql { file: "m.sql".into(), line, column };
    let table = drops.iter().find(|f| f.location == at(1, 12)).expect("DROP TABLE files");
    assert_eq!(table.severity, Severity::Warning);
    assert!(table.message.contains("public.files"), "{table:#?}");
    assert!(table.fix.contains("expand/contract") && table.fix.contains("later migration"), "{table:#?}");
    assert!(drops.iter().any(|f| f.location == at(1, 19) && f.message.contains("app.tags")), "{drops:#?}");
    let column = drops.iter().find(|f| f.location == at(2, 31)).expect("DROP COLUMN");
    assert!(column.message.contains("public.files.description"), "{column:#?}");
}

#[test]
fn with_the_previous_schema_only_what_it_has_is_flagged() {
    let previous = schema(vec![("files", files_table())]);
    let sql = "ALTER TABLE files DROP COLUMN description;\nALTER TABLE files DROP COLUMN gone;\n\
               DROP TABLE tags;\nDROP TABLE \"Files\";\n";
    let findings = lint_after(&previous, sql);
    let finding = one(&findings, "drop-still-read", Severity::Warning, 1, 31);
    assert!(finding.message.contains("public.files.description") && finding.message.contains("still reads"));
    // The same file, the table itself.
    let findings = lint_after(&previous, "DROP TABLE public.files;");
    one(&findings, "drop-still-read", Severity::Warning, 1, 12);
}

#[test]
fn dropping_what_the_file_created_is_fine() {
    let sql = "CREATE TABLE scratch (id int);\nDROP TABLE scratch;\n\
               ALTER TABLE files ADD COLUMN tmp int;\nALTER TABLE files DROP COLUMN tmp;\n";
    none(&lint(sql), "drop-still-read");
    none(&lint("ALTER TABLE files ADD COLUMN size bigint;"), "drop-still-read");
}

// ---------------------------------------------------------------------------------------------------------
// concurrently-in-transaction, no-transaction-single-statement
// ---------------------------------------------------------------------------------------------------------

#[test]
fn concurrently_in_a_transactional_file_is_an_error() {
    for (sql, column) in [
        ("CREATE INDEX CONCURRENTLY idx_files_name ON files (name);", 14),
        ("DROP INDEX CONCURRENTLY idx_files_name;", 12),
        ("REINDEX INDEX CONCURRENTLY idx_files_name;", 15),
        ("REINDEX (CONCURRENTLY) TABLE files;", 10),
        ("ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;", 49),
    ] {
        let findings = lint(sql);
        let finding = one(&findings, "concurrently-in-transaction", Severity::Error, 1, column);
        assert!(finding.fix.contains("-- no-transaction"), "{finding:#?}");
    }
}

#[test]
fn concurrently_in_a_no_transaction_file_is_fine() {
    for sql in [
        "-- no-transaction\nCREATE INDEX CONCURRENTLY idx_files_name ON files (name);",
        "-- no-transaction\nDROP INDEX CONCURRENTLY idx_files_name;",
        "-- no-transaction\nREINDEX INDEX CONCURRENTLY idx_files_name;",
        "-- no-transaction\nALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;",
        // Without CONCURRENTLY, a transaction is fine.
        "CREATE INDEX idx_files_name ON files (name);\nALTER TABLE events DETACH PARTITION events_2020;",
    ] {
        let findings = lint(sql);
        none(&findings, "concurrently-in-transaction");
        none(&findings, "no-transaction-single-statement");
    }
}

#[test]
fn a_no_transaction_file_holds_one_statement() {
    let sql = "-- no-transaction\nSET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY i ON files (name);\n";
    let findings = lint(sql);
    let finding = one(&findings, "no-transaction-single-statement", Severity::Error, 3, 1);
    assert!(finding.message.contains("2 statements"), "{finding:#?}");
    none(&findings, "concurrently-in-transaction");
    // Not marked: a transaction holds any number.
    none(&lint("SET lock_timeout = '5s';\nCREATE INDEX i ON files (name);\n"), "no-transaction-single-statement");
    // The marker counts only as the first line (as sqlx reads it).
    let findings = lint("\n-- no-transaction\nCREATE INDEX CONCURRENTLY i ON files (name);\n");
    one(&findings, "concurrently-in-transaction", Severity::Error, 3, 14);
}

// ---------------------------------------------------------------------------------------------------------
// squawk, through keel
// ---------------------------------------------------------------------------------------------------------

#[test]
fn squawk_rules_fire_with_their_names_and_locations() {
    let findings = lint("-- drop it\nALTER TABLE files DROP COLUMN description;\n");
    let finding = one(&findings, "squawk/ban-drop-column", Severity::Warning, 2, 19);
    assert!(finding.message.contains("Dropping a column"), "{finding:#?}");
    assert!(!finding.fix.is_empty());

    let findings = lint("ALTER TABLE files ADD COLUMN size bigint NOT NULL;");
    let finding = one(&findings, "squawk/adding-required-field", Severity::Warning, 1, 19);
    assert_eq!(finding.fix, "Make the field nullable or add a non-VOLATILE DEFAULT");
}

#[test]
fn columns_count_characters_not_bytes() {
    let findings = lint("-- ünïcödé\nALTER TABLE \"fïlés\" DROP COLUMN \"déscription\";\n");
    one(&findings, "squawk/ban-drop-column", Severity::Warning, 2, 21);
    let finding = one(&findings, "drop-still-read", Severity::Warning, 2, 33);
    assert!(finding.message.contains("public.fïlés.déscription"), "{finding:#?}");
}

#[test]
fn the_transaction_assumption_follows_the_no_transaction_marker() {
    // squawk assumes a transaction: an explicit one nests in it.
    let sql = "BEGIN;\nALTER TABLE files ADD COLUMN size bigint;\nCOMMIT;\n";
    assert!(!of(&lint(sql), "squawk/transaction-nesting").is_empty(), "{:#?}", lint(sql));
    let marked = format!("-- no-transaction\n{sql}");
    let findings = lint(&marked);
    none(&findings, "squawk/transaction-nesting");
    // ... and keel counts the statements of the marked file.
    one(&findings, "no-transaction-single-statement", Severity::Error, 3, 1);

    // squawk's own check of CONCURRENTLY in a transaction.
    let sql = "CREATE INDEX CONCURRENTLY i ON files (name);\nCREATE INDEX CONCURRENTLY j ON files (id);\n";
    assert_eq!(of(&lint(sql), "squawk/ban-concurrent-index-creation-in-transaction").len(), 2);
    none(&lint(&format!("-- no-transaction\n{sql}")), "squawk/ban-concurrent-index-creation-in-transaction");
}

#[test]
fn a_syntax_error_is_one_finding() {
    let findings = lint("ALTER TABLE files ADD COLUMN size bigint NOT NULL;\nALTER TABLE files FROB;\nSELEC 1;\n");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let finding = &findings[0];
    assert_eq!((finding.rule.as_str(), finding.severity), ("sql-syntax", Severity::Warning));
    assert!(matches!(finding.location, Location::Sql { line: 2, .. }), "{finding:#?}");
}

// ---------------------------------------------------------------------------------------------------------
// Configuration, determinism
// ---------------------------------------------------------------------------------------------------------

#[test]
fn configuration_changes_severities_per_rule_and_per_file() {
    let sql = "ALTER TABLE files DROP COLUMN description;\nALTER TABLE files ADD COLUMN size bigint NOT NULL;\n";
    let config = LintConfig {
        rules: [("drop-still-read".to_string(), Severity::Error)].into(),
        overrides: vec![
            Override {
                rule: "squawk/ban-drop-column".into(),
                table: None,
                column: None,
                file: Some("old.sql".into()),
                severity: Severity::Off,
            },
            Override {
                rule: "*".into(),
                table: None,
                column: None,
                file: Some("legacy/0001_init.sql".into()),
                severity: Severity::Info,
            },
        ],
    };
    let run = |name: &str| lint_sql(SqlFile { name, sql }, SqlContext::default(), &config);

    let plain = run("migrations/new.sql");
    assert!(plain.iter().any(|f| f.rule == "drop-still-read" && f.severity == Severity::Error), "{plain:#?}");
    assert!(plain.iter().any(|f| f.rule == "squawk/ban-drop-column"), "{plain:#?}");

    let old = run("migrations/old.sql");
    assert!(old.iter().all(|f| f.rule != "squawk/ban-drop-column"), "{old:#?}");
    assert!(old.iter().any(|f| f.rule == "not-null-without-default" && f.severity == Severity::Error));

    let legacy = run("db/legacy/0001_init.sql");
    assert!(!legacy.is_empty() && legacy.iter().all(|f| f.severity == Severity::Info), "{legacy:#?}");

    // squawk's rules are configurable by name; keel's own are known.
    assert!(config.unknown_rules().is_empty(), "{:?}", config.unknown_rules());
}

#[test]
fn linting_is_deterministic_and_ordered() {
    let sql = "DROP TABLE b, a;\nALTER TABLE files DROP COLUMN x, DROP COLUMN y;\n\
               ALTER TABLE files ADD COLUMN size bigint NOT NULL;\nCREATE INDEX CONCURRENTLY i ON files (name);\n";
    let first = lint(sql);
    assert!(first.len() >= 8, "{first:#?}");
    for _ in 0..5 {
        assert_eq!(lint(sql), first);
    }
    let locations: Vec<&Location> = first.iter().map(|f| &f.location).collect();
    assert!(locations.is_sorted(), "{locations:#?}");
}

// ---------------------------------------------------------------------------------------------------------
// A plan, as `keel generate` writes it
// ---------------------------------------------------------------------------------------------------------

#[test]
fn a_plan_is_linted_one_file_per_unit() {
    let current = schema(vec![("files", files_table())]);
    let mut files = files_table();
    files.columns.retain(|c| c.name != "description");
    files.indexes.insert("idx_files_name".into(), Index::on_columns(["name"]));
    let desired = schema(vec![("files", files)]);
    let options = PlanOptions { online: true, lock_timeout: Some(Duration::from_secs(5)), ..PlanOptions::default() };
    let planned = plan(&current, &desired, &options).expect("plan");

    let written = plan_files(&planned);
    assert_eq!(written.len(), 2, "{written:#?}");
    // Adds run early, drops late.
    assert_eq!(written[0].name, "unit-1.sql");
    assert_eq!(
        written[0].sql,
        "-- no-transaction\n-- 1. create index idx_files_name on public.files\n\
         CREATE INDEX CONCURRENTLY \"idx_files_name\" ON \"public\".\"files\" (\"name\");\n"
    );
    assert_eq!(written[1].name, "unit-2.sql");
    assert!(written[1].sql.starts_with("SET LOCAL lock_timeout = '5000ms';\n\n-- 2. "), "{}", written[1].sql);
    assert!(written[1].sql.contains("DROP COLUMN"), "{}", written[1].sql);

    let findings = lint_plan(&planned, SqlContext { previous: Some(&current) }, &LintConfig::default());
    let in_file = |f: &Finding, name: &str| matches!(&f.location, Location::Sql { file, .. } if file == name);
    let drop = findings.iter().find(|f| f.rule == "drop-still-read").expect("the drop is flagged");
    assert!(in_file(drop, "unit-2.sql") && drop.message.contains("public.files.description"), "{drop:#?}");
    assert!(findings.iter().any(|f| f.rule == "squawk/ban-drop-column" && in_file(f, "unit-2.sql")));
    for rule in ["concurrently-in-transaction", "no-transaction-single-statement", "sql-syntax"] {
        none(&findings, rule);
    }
    assert_eq!(lint_plan(&planned, SqlContext { previous: Some(&current) }, &LintConfig::default()), findings);
}

// ---------------------------------------------------------------------------------------------------------
// configuration that would silently do nothing
// ---------------------------------------------------------------------------------------------------------

fn config_from(json: serde_json::Value) -> LintConfig {
    serde_json::from_value(json).expect("a lint configuration")
}

#[test]
fn squawk_opt_in_rules_run_when_configured() {
    let sql = "-- no-transaction\nDROP INDEX CONCURRENTLY idx_files_name;\n";
    let file = SqlFile { name: "drop.sql", sql };
    let default = lint_sql(file, SqlContext::default(), &LintConfig::default());
    assert!(!default.iter().any(|f| f.rule == "squawk/ban-drop-index"), "opt-in: off by default {default:#?}");
    let config = config_from(serde_json::json!({ "rules": { "squawk/ban-drop-index": "error" } }));
    let configured = lint_sql(file, SqlContext::default(), &config);
    let found = configured.iter().find(|f| f.rule == "squawk/ban-drop-index").expect("the opt-in rule runs");
    assert_eq!(found.severity, Severity::Error);
}

#[test]
fn configuration_that_could_never_match_is_a_problem() {
    let config = config_from(serde_json::json!({
        "rules": { "squawk/ban-drop-colum": "off", "*": "off" },
        "overrides": [
            { "rule": "drop-still-read", "table": "files", "severity": "off" },
            { "rule": "table-plural", "file": "x.sql", "severity": "off" },
            { "rule": "*", "file": "x.sql", "severity": "off" }
        ]
    }));
    assert_eq!(config.unknown_rules(), ["*", "squawk/ban-drop-colum"]);
    let problems = config.problems();
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert!(problems.iter().any(|p| p.contains("drop-still-read") && p.contains("file")), "{problems:#?}");
    assert!(problems.iter().any(|p| p.contains("table-plural") && p.contains("not by file")), "{problems:#?}");
}
