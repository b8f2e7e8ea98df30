//! `keel check`: for CI. The migrations directory is intact (integrity file, clean replay), the schema has
//! no changes missing from it, and with `--database-url` (only: check reads no DATABASE_URL, so it means the
//! same everywhere): the database's migrations are intact and it has not drifted. The report lists what
//! was checked and against what.

use super::{Outcome, decide_renames, lint};
use crate::args::{ProjectArgs, RenameArgs, SqlArgs};
use crate::integrity;
use crate::lint_baseline::{self, Baseline};
use crate::output::print_json;
use crate::redact::redact;
use crate::session::Session;
use keel_diff::lint::{Finding, Location, Severity, lint_schema};
use keel_diff::migrate::{Migration, State, Status, read_migrations, status};
use keel_diff::{Plan, PlanOptions};
use serde::Serialize;

#[derive(Serialize, Default)]
struct CheckJson {
    ok: bool,
    problems: Vec<String>,
    /// SQL the migrations lack to build the schema source.
    missing_sql: Option<String>,
    /// SQL that turns what the applied migrations build into the database (what was changed by hand).
    drift_sql: Option<String>,
    /// The database's migrations, with `--database-url`.
    status: Option<Status>,
    /// `keel lint` findings on the schema source and the migrations. Errors on the schema are problems;
    /// errors in a migration are problems only while it is pending in the database (`--database-url`): one
    /// already applied cannot be changed, and failing every later run for it would help nobody.
    lint: Vec<Finding>,
    /// Lint findings left out because lint-baseline.toml accepts them (`keel lint --accept`).
    lint_accepted: usize,
    /// What was checked, in order, and what needs a database and was not (`ran: false`).
    checks: Vec<CheckRun>,
}

/// One check of the report: `check` names it (integrity, replay, lint, missing, database, drift), `what`
/// says what it looked at, or why it did not run.
#[derive(Serialize)]
struct CheckRun {
    check: &'static str,
    ran: bool,
    what: String,
}

impl CheckJson {
    fn ran(&mut self, check: &'static str, what: String) {
        self.checks.push(CheckRun { check, ran: true, what: redact(&what) });
    }

    fn skipped(&mut self, check: &'static str, what: String) {
        self.checks.push(CheckRun { check, ran: false, what: redact(&what) });
    }

    /// Lists the checks a problem stopped check before, as not run: a report names every check, so that
    /// a reader (or a CI job reading `checks`) never takes one that did not run for one that passed.
    fn not_reached(&mut self) {
        for (check, what) in CHECKS {
            if !self.checks.iter().any(|c| c.check == check) {
                self.skipped(check, format!("{what} (not reached: the problem below stopped check)"));
            }
        }
    }
}

/// Every check of the report, in order, with what it looks at.
const CHECKS: [(&str, &str); 6] = [
    ("integrity", "the integrity file and the migrations' checksums"),
    ("replay", "a clean replay of the migrations"),
    ("lint", "lint of the schema and of the migrations"),
    ("missing", "changes missing from the migrations"),
    ("database", "the database's migrations"),
    ("drift", "drift"),
];

pub async fn run(
    mut session: Session,
    project: &ProjectArgs,
    sql: &SqlArgs,
    renames: &RenameArgs,
) -> anyhow::Result<Outcome> {
    let mut out = CheckJson::default();
    let dir = session.migrations_dir(project);
    let migrations: Vec<Migration> = match read_migrations(&dir) {
        Ok(m) => m,
        Err(e) => {
            out.problems.push(e.to_string());
            return finish(session, out);
        }
    };
    out.problems.extend(integrity::problems(&dir, &migrations));
    out.problems.extend(session.ignored_migration_files(&dir));
    out.ran("integrity", format!("{} and the migrations' checksums", dir.join(integrity::SUM_FILE).display()));
    // No server for scratch databases is an error (exit 1), not a problem of the migrations.
    session.scratch().await?;
    let place = session.scratch_place().unwrap_or_default();
    out.ran("replay", format!("the migrations replay cleanly (scratch database on {place})"));
    let replay = session.replay(&migrations).await;
    let replayed = match replay {
        Ok(schema) => schema,
        Err(e) => {
            out.problems.push(format!("the migrations do not replay cleanly: {e:#}"));
            return finish(session, out);
        }
    };
    let source = session.desired(project, sql)?;
    let desired = session.load(&source).await?;
    let config = lint::checked_config(&session)?;
    let texts = lint::sql_texts(&migrations);
    let baseline = Baseline::load(lint::baseline_path(&session))?;
    let (schema_findings, accepted) = baseline.filter(lint_schema(&desired, &config), &texts);
    out.lint = schema_findings;
    out.lint_accepted = accepted;
    for finding in out.lint.iter().filter(|f| f.severity == Severity::Error) {
        out.problems.push(format!("lint: {}", lint::finding_text(finding).replace("\n    ", " ")));
    }
    let (migration_findings, accepted) = baseline.filter(lint::lint_migrations(&migrations, &config), &texts);
    out.lint_accepted += accepted;
    out.ran("lint", "lint of the schema and of the migrations".to_string());
    out.ran("missing", format!("changes in {source} missing from the migrations"));
    match decide_renames(&session, &replayed, &desired, renames)? {
        Err(undecided) => out.problems.push(format!("{source} has changes missing from the migrations; {undecided}")),
        Ok(hints) => {
            // What `keel generate` would write (planned for the same versions).
            let server_version_num = Some(keel_diff::version::required_server_version_num(&desired));
            let options = PlanOptions { hints, server_version_num, ..PlanOptions::default() };
            let plan = keel_diff::plan(&replayed, &desired, &options)?;
            if !plan.is_empty() {
                out.problems.push(format!(
                    "{source} has {} missing from the migrations: run `keel generate`",
                    keel_diff::counts::count(plan.statements.len(), "change", "changes")
                ));
                out.missing_sql = Some(plan.to_sql());
            }
        }
    }

    if let Some(url) = session.database_url.clone() {
        let mut conn = session.connect().await?;
        out.ran("database", format!("the migrations applied by the database {url}"));
        let status = status(&mut conn, &migrations, &session.migrations_table()).await?;
        for entry in &status.entries {
            let file = entry.file.as_deref().unwrap_or(&entry.description);
            match entry.state {
                State::Edited => out.problems.push(format!("{file} was edited after the database applied it")),
                State::Missing => out.problems.push(format!(
                    "the database applied migration {} ({}) and there is no such file",
                    entry.version, entry.description
                )),
                State::Failed => {
                    out.problems.push(format!("migration {} failed half-way in the database", entry.version))
                }
                State::Applied | State::Pending => {}
            }
        }
        // Drift is measured against a replay of what the database applied; with an edited, missing or failed
        // migration that replay is not what the database ran, and the problems above already say why.
        if status.problems().is_empty() {
            let applied: Vec<Migration> = migrations
                .iter()
                .filter(|m| status.entries.iter().any(|e| e.version == m.version && e.state == State::Applied))
                .cloned()
                .collect();
            let expected =
                if applied.len() == migrations.len() { replayed.clone() } else { session.replay(&applied).await? };
            let live = session.introspect(&mut conn).await?;
            out.ran("drift", format!("drift of the database {url} from its applied migrations"));
            let drift: Plan = keel_diff::plan(&expected, &live, &PlanOptions::default())?;
            if !drift.is_empty() {
                out.problems.push(format!(
                    "the database has drifted from its applied migrations ({}); drift_sql is what was changed \
                     by hand",
                    keel_diff::counts::count(drift.statements.len(), "difference", "differences")
                ));
                out.drift_sql = Some(drift.to_sql());
            }
        } else {
            out.skipped("drift", "drift (the database's migrations have problems, listed below)".to_string());
        }
        for finding in migration_findings.iter().filter(|f| f.severity == Severity::Error) {
            let pending = status.entries.iter().filter(|e| e.state == State::Pending).any(|e| {
                e.file
                    .as_deref()
                    .is_some_and(|file| matches!(&finding.location, Location::Sql { file: f, .. } if f.ends_with(file)))
            });
            if pending {
                out.problems
                    .push(format!("lint (pending migration): {}", lint::finding_text(finding).replace("\n    ", " ")));
            }
        }
        out.status = Some(status);
    } else {
        out.skipped("database", "the database's migrations (no --database-url)".to_string());
        out.skipped("drift", "drift (no --database-url)".to_string());
    }
    out.lint.extend(migration_findings);
    finish(session, out)
}

fn finish(session: Session, mut out: CheckJson) -> anyhow::Result<Outcome> {
    out.ok = out.problems.is_empty();
    out.not_reached();
    if session.json() {
        print_json(&out)?;
    } else {
        let mut text = String::new();
        for check in &out.checks {
            let verdict = if check.ran { "checked" } else { "not checked" };
            text.push_str(&format!("{verdict}: {}\n", check.what));
        }
        for problem in &out.problems {
            text.push_str(&format!("problem: {problem}\n"));
        }
        if let Some(sql) = &out.missing_sql {
            text.push_str(&format!("-- missing from the migrations:\n{sql}"));
        }
        if let Some(sql) = &out.drift_sql {
            text.push_str(&format!("-- drift (applied migrations → database):\n{sql}"));
        }
        if let Some(status) = &out.status {
            let pending = status.entries.iter().filter(|e| e.state == State::Pending).count();
            if pending > 0 {
                text.push_str(&format!(
                    "{} pending in the database\n",
                    keel_diff::counts::count(pending, "migration", "migrations")
                ));
            }
        }
        if out.lint_accepted > 0 {
            text.push_str(&format!(
                "lint: {}\n",
                lint_baseline::hidden_note(out.lint_accepted, &lint::baseline_path(&session))
            ));
        }
        if out.ok {
            text.push_str("ok\n");
        }
        print!("{}", redact(&text));
    }
    session.finish();
    Ok(if out.ok { Outcome::Done } else { Outcome::Attention })
}
