//! `keel lint`: conventions on the schema source, safety on SQL files; also run by `generate` and `check`.

use super::Outcome;
use crate::args::{ProjectArgs, SqlArgs};
use crate::output::print_json;
use crate::redact::redact;
use crate::session::Session;
use crate::source::{self, Desired, Source};
use anyhow::{Context, bail};
use keel_core::Schema;
use keel_diff::counts::count;
use keel_diff::lint::{Finding, LintConfig, Severity, SqlContext, SqlFile, lint_schema, lint_sql};
use keel_diff::migrate::{Migration, read_migrations};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Serialize)]
struct LintJson<'a> {
    errors: usize,
    warnings: usize,
    findings: &'a [Finding],
}

pub async fn run(
    mut session: Session,
    project: &ProjectArgs,
    sql: &SqlArgs,
    files: &[PathBuf],
) -> anyhow::Result<Outcome> {
    let config = checked_config(&session)?;
    let mut findings = Vec::new();
    if files.is_empty() || project.schema.is_some() || !sql.paths.is_empty() {
        match session.schema_source(project) {
            Ok(source) => {
                let desired = session.with_sql(source, project, sql)?;
                findings.extend(lint_schema(&schema_for_lint(&mut session, &desired).await?, &config));
            }
            // Outside a crate and without keel.toml, the migrations can still be checked.
            Err(e) if project.schema.is_none() && sql.paths.is_empty() => {
                session.say(format!("note: schema conventions not checked: {e:#}"))
            }
            Err(e) => return Err(e),
        }
    }
    if files.is_empty() {
        let dir = session.migrations_dir(project);
        if dir.exists() {
            findings.extend(lint_migrations(&read_migrations(&dir)?, &config));
        }
    }
    for path in files {
        let sql = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let name = path.display().to_string();
        findings.extend(lint_sql(SqlFile { name: &name, sql: &sql }, SqlContext::default(), &config));
    }
    report(&session, &findings)?;
    session.finish();
    Ok(if has_errors(&findings) { Outcome::Attention } else { Outcome::Done })
}

/// `[lint]` of keel.toml, refusing rule ids no rule has (a typo would silence nothing, silently).
pub fn checked_config(session: &Session) -> anyhow::Result<LintConfig> {
    let config = session.config.lint.clone();
    let problems = config.problems();
    if !problems.is_empty() {
        bail!("keel.toml [lint]: {} (see `keel lint --help`)", problems.join("; "));
    }
    Ok(config)
}

/// The model the conventions are checked on: a declared schema as declared (no PostgreSQL needed), any
/// other source as it loads. SQL files beside declared tables need PostgreSQL: they are checked in the
/// union, as every other command sees it.
async fn schema_for_lint(session: &mut Session, desired: &Desired) -> anyhow::Result<Schema> {
    match &desired.source {
        Source::Crate(dir) if desired.sql.is_empty() => source::dump_crate(dir),
        Source::JsonFile(path) if desired.sql.is_empty() => source::read_json(path),
        _ => session.load(desired).await,
    }
}

/// Every migration file, each in the transaction mode it runs in.
pub fn lint_migrations(migrations: &[Migration], config: &LintConfig) -> Vec<Finding> {
    migrations
        .iter()
        .flat_map(|m| {
            let name = m.path.display().to_string();
            lint_sql(SqlFile { name: &name, sql: &m.sql }, SqlContext::default(), config)
        })
        .collect()
}

pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

/// `location: severity rule: message` and the fix under it.
pub fn finding_text(finding: &Finding) -> String {
    format!(
        "{}: {} {}: {}\n    fix: {}",
        finding.location, finding.severity, finding.rule, finding.message, finding.fix
    )
}

fn report(session: &Session, findings: &[Finding]) -> anyhow::Result<()> {
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = findings.iter().filter(|f| f.severity == Severity::Warning).count();
    if session.json() {
        return print_json(&LintJson { errors, warnings, findings });
    }
    for finding in findings {
        let styled = match finding.severity {
            Severity::Error => console::style(finding_text(finding)).red().to_string(),
            Severity::Warning => console::style(finding_text(finding)).yellow().to_string(),
            _ => finding_text(finding),
        };
        println!("{}", redact(&styled));
    }
    let infos = findings.len() - errors - warnings;
    println!(
        "{}, {}, {}",
        count(errors, "error", "errors"),
        count(warnings, "warning", "warnings"),
        count(infos, "note", "notes")
    );
    Ok(())
}
