//! One module per command. Each returns an [`Outcome`]; errors become exit code 1 in `main`.

mod check;
mod diff;
mod dry_run;
mod export;
mod generate;
mod init;
pub mod lint;
mod migrate;
mod pull;
mod push;
mod rehash;
mod removed_values;
mod status;

use crate::args::{Cli, Command, DatabaseArgs, ProjectArgs, RenameArgs};
use crate::prompt;
use crate::session::Session;
use anyhow::Context;
use keel_core::Schema;
use keel_diff::Hints;
use std::process::ExitCode;

/// How a command ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0: done, equal, nothing to do.
    Done,
    /// Exit 2: differences found, or a change refused (nothing changed).
    Attention,
}

impl Outcome {
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Done => ExitCode::SUCCESS,
            Outcome::Attention => ExitCode::from(2),
        }
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let global = cli.global;
    // Each command's flags, gathered; what a command does not take stays `None`.
    let project = |schema, migrations| ProjectArgs { schema, migrations };
    let database = |database_url, dev_url| DatabaseArgs { database_url, dev_url };
    match cli.command {
        Command::Init { schema, migrations, sql, force } => {
            init::run(global, project(schema.schema, migrations.migrations), &sql, force)
        }
        Command::Diff { from, to, online, renames, dev_url } => {
            let session = Session::without_database(global, dev_url.dev_url.as_deref())?;
            diff::run(session, &from, &to, online, &renames).await
        }
        Command::Generate { name, custom, online, force, schema, migrations, sql, renames, dev_url } => {
            let options = generate::Options { name, custom, online, force };
            let session = Session::without_database(global, dev_url.dev_url.as_deref())?;
            generate::run(session, &project(schema.schema, migrations.migrations), &sql, &renames, options).await
        }
        Command::Migrate { dry_run, wait_for_db, lock_wait, timeout, allow_out_of_order, migrations, database_url } => {
            let options = migrate::Options { dry_run, wait_for_db, lock_wait, timeout, allow_out_of_order };
            let session = Session::new(global, &database(database_url.database_url, None))?;
            migrate::run(session, &project(None, migrations.migrations), options).await
        }
        Command::Push { force, strict, online, dry_run, schema, sql, renames, database_url, dev_url } => {
            let options = push::Options { force, strict, online, dry_run };
            let session = Session::new(global, &database(database_url.database_url, dev_url.dev_url))?;
            push::run(session, &project(schema.schema, None), &sql, &renames, options).await
        }
        Command::Pull { out, force, database_url } => {
            pull::run(Session::new(global, &database(database_url.database_url, None))?, &out, force).await
        }
        Command::Check { schema, migrations, sql, renames, database } => {
            let session = Session::for_check(global, &database)?;
            check::run(session, &project(schema.schema, migrations.migrations), &sql, &renames).await
        }
        Command::Status { migrations, database_url } => {
            let session = Session::new(global, &database(database_url.database_url, None))?;
            status::run(session, &project(None, migrations.migrations)).await
        }
        Command::Export { schema, sql, dev_url } => {
            let session = Session::without_database(global, dev_url.dev_url.as_deref())?;
            export::run(session, &project(schema.schema, None), &sql).await
        }
        Command::Lint { files, accept, schema, migrations, sql, dev_url } => {
            let session = Session::without_database(global, dev_url.dev_url.as_deref())?;
            lint::run(session, &project(schema.schema, migrations.migrations), &sql, &files, accept).await
        }
        Command::Rehash { migrations, database_url } => {
            let session = Session::new(global, &database(database_url.database_url, None))?;
            rehash::run(session, &project(None, migrations.migrations)).await
        }
    }
}

/// The hints file, if given.
fn read_hints(args: &RenameArgs) -> anyhow::Result<Hints> {
    let Some(path) = &args.hints else { return Ok(Hints::default()) };
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("reading rename hints from {}", path.display()))
}

/// Rename decisions for `current` → `desired`: the hints file, then a person's answers on a terminal.
/// `Err(message)` when questions remain that nobody can answer here.
fn decide_renames(
    session: &Session,
    current: &Schema,
    desired: &Schema,
    args: &RenameArgs,
) -> anyhow::Result<Result<Hints, String>> {
    let mut hints = read_hints(args)?;
    // Answers can raise new questions: columns of a table are compared only once the table's rename is known.
    loop {
        let questions = keel_diff::rename_questions(current, desired, &hints);
        if questions.is_empty() {
            return Ok(Ok(hints));
        }
        if !prompt::interactive() || session.json() {
            return Ok(Err(prompt::undecided(&questions)));
        }
        hints = hints.merged(prompt::ask_renames(&questions)?);
    }
}

/// Refuses a desired schema that the server of `target` (`server_version_num`) cannot hold, naming each
/// use and the version it needs (`keel_diff::version`), before anything runs there: the user reads
/// "needs PostgreSQL 15" rather than a syntax error halfway through.
pub(crate) fn refuse_unsupported(desired: &Schema, server_version_num: i32, target: &str) -> anyhow::Result<()> {
    keel_diff::version::check(desired, server_version_num).map_err(|unsupported| {
        anyhow::anyhow!(
            "{target} runs PostgreSQL {}, which cannot hold the desired schema:\n  {}",
            keel_diff::version::major(server_version_num),
            unsupported.0.join("\n  ")
        )
    })
}
