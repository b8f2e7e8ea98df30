//! `keel generate [NAME]`: the next migration, from what the existing migrations build to the schema.

use super::lint;
use super::{Outcome, decide_renames};
use crate::args::{ProjectArgs, RenameArgs, SqlArgs};
use crate::migration_files::{NewFile, custom_file, next_version, plan_files, slug};
use crate::output::{PlanJson, data_losing, plan_text, print_json};
use crate::session::Session;
use crate::{integrity, prompt};
use anyhow::{Context, bail};
use keel_diff::PlanOptions;
use keel_diff::lint::{Finding, Location, SqlContext, SqlFile, lint_schema, lint_sql};
use keel_diff::migrate::{Migration, read_migrations};
use serde::Serialize;
use std::path::Path;

pub struct Options {
    pub name: Option<String>,
    pub custom: bool,
    pub online: bool,
    pub force: bool,
}

#[derive(Serialize)]
struct GenerateJson<'a> {
    written: Vec<String>,
    /// The plan the files hold; null for `--custom` and when renames were undecided.
    plan: Option<PlanJson<'a>>,
    /// Why nothing was written, when keel refused.
    refused: Option<String>,
    /// `keel lint` findings on the schema and the files written.
    lint: &'a [Finding],
}

/// The migrations already in `dir` (none when it does not exist yet), refusing to build on a directory
/// whose integrity file does not match.
pub fn existing_migrations(dir: &Path) -> anyhow::Result<Vec<Migration>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let migrations = read_migrations(dir)?;
    let problems = integrity::problems(dir, &migrations);
    if !problems.is_empty() {
        bail!("the migrations directory does not match its integrity file:\n  {}", problems.join("\n  "));
    }
    Ok(migrations)
}

pub async fn run(
    mut session: Session,
    project: &ProjectArgs,
    sql: &SqlArgs,
    renames: &RenameArgs,
    options: Options,
) -> anyhow::Result<Outcome> {
    let dir = session.migrations_dir(project);
    let migrations = existing_migrations(&dir)?;
    session.warn_ignored_migration_files(&dir);
    let latest = migrations.last().map(|m| m.version);
    if options.custom {
        let name = slug(options.name.as_deref().unwrap_or("custom"));
        let file = custom_file(&name, next_version(latest)?);
        let written = write_files(&dir, &[file])?;
        report(&session, &written, None, None, &[])?;
        return Ok(Outcome::Done);
    }

    let source = session.desired(project, sql)?;
    session.say(format!(
        "replaying {} from {}",
        keel_diff::counts::count(migrations.len(), "migration", "migrations"),
        dir.display()
    ));
    let current = session.replay(&migrations).await?;
    session.say(format!("reading the schema from {source}"));
    let desired = session.load(&source).await?;
    let hints = match decide_renames(&session, &current, &desired, renames)? {
        Ok(hints) => hints,
        Err(undecided) => {
            report(&session, &[], None, Some(&undecided), &[])?;
            return Ok(Outcome::Attention);
        }
    };
    // Every generated migration bounds its lock waits: a migration queued behind a long transaction would
    // queue every query of the table behind itself.
    let lock_timeout = session.lock_timeout();
    // The files run later, on servers this command never sees (the replay's scratch server is whichever
    // was at hand): they are planned for every version the schema runs on, the oldest that holds what it
    // uses (a schema with virtual columns runs on 18 and later only, so its migrations may SET EXPRESSION).
    let server_version_num = Some(keel_diff::version::required_server_version_num(&desired));
    let plan_options =
        PlanOptions { hints, online: options.online, lock_timeout, server_version_num, ..PlanOptions::default() };
    let plan = keel_diff::plan(&current, &desired, &plan_options)?;
    if plan.is_empty() {
        if !session.json() {
            session.say(format!("No changes: the migrations in `{}` already build {source}.", dir.display()));
        }
        report(&session, &[], Some(&plan), None, &[])?;
        session.finish();
        return Ok(Outcome::Done);
    }

    let losing = data_losing(&plan);
    if !losing.is_empty() && !options.force {
        let list: Vec<String> = losing.iter().map(|s| format!("  {}", s.summary)).collect();
        let message = format!("this migration would delete or change stored data:\n{}", list.join("\n"));
        let consent = prompt::interactive() && !session.json() && {
            session.say(plan_text(&plan, false));
            prompt::confirm(&format!("{message}\nWrite it?"))?
        };
        if !consent {
            let refused = format!("{message}\nNothing written. Rerun with --force to write it anyway.");
            report(&session, &[], Some(&plan), Some(&refused), &[])?;
            return Ok(Outcome::Attention);
        }
    }

    let name = match &options.name {
        Some(name) => slug(name),
        None => slug(&plan.statements[0].summary),
    };
    let mut files = plan_files(&plan, &name, next_version(latest)?, &source.to_string())?;
    let findings = lint_files(&session, &dir, &mut files, &current, &desired)?;
    let written = write_files(&dir, &files)?;
    report(&session, &written, Some(&plan), None, &findings)?;
    if !session.json() {
        for finding in &findings {
            session.say(lint::finding_text(finding));
        }
        if !options.online
            && keel_diff::plan(&current, &desired, &PlanOptions { online: true, ..plan_options })?.to_sql()
                != plan.to_sql()
        {
            session.say(format!(
                "note: on tables with traffic, the online variant builds indexes CONCURRENTLY and validates \
                 constraints without blocking writes: delete {}, run `keel rehash`, then `keel generate {name} --online`",
                written.join(", ")
            ));
        }
    }
    session.finish();
    Ok(Outcome::Done)
}

/// Lints what is about to be written (the schema's conventions, each file's safety with the current schema
/// as what the previous release reads) and writes each file's findings into its header, with the line
/// numbers they cite shifted to the file as written.
fn lint_files(
    session: &Session,
    dir: &Path,
    files: &mut [NewFile],
    current: &keel_core::Schema,
    desired: &keel_core::Schema,
) -> anyhow::Result<Vec<Finding>> {
    let config = lint::checked_config(session)?;
    let mut all = lint_schema(desired, &config);
    for file in files.iter_mut() {
        let name = dir.join(&file.file_name).display().to_string();
        let context = SqlContext { previous: Some(current) };
        let mut findings = lint_sql(SqlFile { name: &name, sql: &file.content }, context, &config);
        if !findings.is_empty() {
            // The header is everything before the first blank line; the block goes at its end.
            let header_end = file.content.find("\n\n").map_or(file.content.len(), |i| i + 1);
            let header_lines = file.content[..header_end].matches('\n').count();
            let shift = findings.len() + 1;
            let mut block = String::from("-- keel lint (`keel lint --help`; severities in keel.toml [lint]):\n");
            for f in &mut findings {
                if let Location::Sql { line, .. } = &mut f.location
                    && *line > header_lines
                {
                    *line += shift;
                }
                let at = match &f.location {
                    Location::Sql { line, column, .. } => format!("{line}:{column}"),
                    other => other.to_string(),
                };
                let text = format!("--   {at} {} {}: {} Fix: {}", f.severity, f.rule, f.message, f.fix);
                block.push_str(&text.replace(['\n', '\r'], " "));
                block.push('\n');
            }
            file.content.insert_str(header_end, &block);
        }
        all.extend(findings);
    }
    Ok(all)
}

/// Writes the files (never over an existing one) and the integrity file.
fn write_files(dir: &Path, files: &[NewFile]) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut written = Vec::new();
    for file in files {
        let path = dir.join(&file.file_name);
        let mut handle = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .with_context(|| format!("creating {}", path.display()))?;
        std::io::Write::write_all(&mut handle, file.content.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(path.display().to_string());
    }
    integrity::write(dir, &read_migrations(dir)?)?;
    Ok(written)
}

fn report(
    session: &Session,
    written: &[String],
    plan: Option<&keel_diff::Plan>,
    refused: Option<&str>,
    lint: &[Finding],
) -> anyhow::Result<()> {
    if session.json() {
        let json = GenerateJson {
            written: written.to_vec(),
            plan: plan.map(PlanJson::new),
            refused: refused.map(str::to_string),
            lint,
        };
        return print_json(&json);
    }
    if let Some(refused) = refused {
        session.say(format!("refused: {refused}"));
    }
    if !written.is_empty() {
        if let Some(plan) = plan {
            session.say(plan_text(plan, session.global.verbose));
        }
        for path in written {
            println!("wrote {path}");
        }
    }
    Ok(())
}
