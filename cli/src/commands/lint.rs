//! `keel lint`: conventions on the schema source, safety on SQL files; also run by `generate` and `check`.

use super::Outcome;
use crate::args::{ProjectArgs, SqlArgs};
use crate::lint_baseline::{self, Baseline, SqlTexts};
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
use std::path::{Path, PathBuf};

#[derive(Serialize)]
struct LintJson<'a> {
    errors: usize,
    warnings: usize,
    findings: &'a [Finding],
    /// Findings left out because the baseline accepts them.
    accepted: usize,
    /// The baseline file, when there is one.
    baseline: Option<String>,
}

pub async fn run(
    mut session: Session,
    project: &ProjectArgs,
    sql: &SqlArgs,
    files: &[PathBuf],
    accept: bool,
) -> anyhow::Result<Outcome> {
    let config = checked_config(&session)?;
    let mut findings = Vec::new();
    let mut texts = SqlTexts::default();
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
            let migrations = read_migrations(&dir)?;
            findings.extend(lint_migrations(&migrations, &config));
            texts = sql_texts(&migrations);
        }
    }
    for path in files {
        let sql = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let name = path.display().to_string();
        findings.extend(lint_sql(SqlFile { name: &name, sql: &sql }, SqlContext::default(), &config));
        texts.insert(name, sql);
    }
    let mut baseline = Baseline::load(baseline_path(&session))?;
    if accept {
        // A whole run replaces the baseline (findings fixed since leave it); named files add to it.
        if files.is_empty() {
            baseline.clear();
        }
        baseline.accept(&findings, &texts);
        baseline.write()?;
        let accepted = keel_diff::counts::count(findings.len(), "finding", "findings");
        if session.json() {
            print_json(&serde_json::json!({
                "accepted": findings.len(),
                "baseline": baseline.path.display().to_string(),
            }))?;
        } else {
            println!("accepted {accepted} in {} ({} in all)", baseline.path.display(), baseline.len());
        }
        session.finish();
        return Ok(Outcome::Done);
    }
    let (findings, accepted) = baseline.filter(findings, &texts);
    report(&session, &findings, accepted, &baseline)?;
    session.finish();
    Ok(if has_errors(&findings) { Outcome::Attention } else { Outcome::Done })
}

/// `lint-baseline.toml` beside keel.toml.
pub fn baseline_path(session: &Session) -> PathBuf {
    session.config.path(Path::new(lint_baseline::FILE_NAME))
}

/// The migrations' texts by the file names their findings carry.
pub fn sql_texts(migrations: &[Migration]) -> SqlTexts {
    let mut texts = SqlTexts::default();
    for m in migrations {
        texts.insert(m.path.display().to_string(), m.sql.clone());
    }
    texts
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

fn report(session: &Session, findings: &[Finding], accepted: usize, baseline: &Baseline) -> anyhow::Result<()> {
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = findings.iter().filter(|f| f.severity == Severity::Warning).count();
    if session.json() {
        let baseline = (!baseline.is_empty()).then(|| baseline.path.display().to_string());
        return print_json(&LintJson { errors, warnings, findings, accepted, baseline });
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
    if accepted > 0 {
        println!("{}", lint_baseline::hidden_note(accepted, &baseline.path));
    }
    Ok(())
}
