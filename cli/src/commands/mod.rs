//! One module per command. Each returns an [`Outcome`]; errors become exit code 1 in `main`.

mod check;
mod diff;
mod export;
mod generate;
mod init;
pub mod lint;
mod migrate;
mod pull;
mod push;
mod rehash;
mod status;

use crate::args::{Cli, Command, RenameArgs};
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
    match cli.command {
        Command::Init { project, sql, force } => init::run(global, project, &sql, force),
        Command::Diff { from, to, online, renames, database } => {
            diff::run(Session::new(global, &database)?, &from, &to, online, &renames).await
        }
        Command::Generate { name, custom, online, force, project, sql, renames, database } => {
            let options = generate::Options { name, custom, online, force };
            generate::run(Session::new(global, &database)?, &project, &sql, &renames, options).await
        }
        Command::Migrate { dry_run, wait_for_db, lock_wait, timeout, allow_out_of_order, project, database } => {
            let options = migrate::Options { dry_run, wait_for_db, lock_wait, timeout, allow_out_of_order };
            migrate::run(Session::new(global, &database)?, &project, options).await
        }
        Command::Push { force, strict, online, dry_run, project, sql, renames, database } => {
            let options = push::Options { force, strict, online, dry_run };
            push::run(Session::new(global, &database)?, &project, &sql, &renames, options).await
        }
        Command::Pull { out, force, database } => pull::run(Session::new(global, &database)?, &out, force).await,
        Command::Check { project, sql, renames, database } => {
            check::run(Session::for_check(global, &database)?, &project, &sql, &renames).await
        }
        Command::Status { project, database } => status::run(Session::new(global, &database)?, &project).await,
        Command::Export { project, sql, database } => {
            export::run(Session::new(global, &database)?, &project, &sql).await
        }
        Command::Lint { files, project, sql, database } => {
            lint::run(Session::new(global, &database)?, &project, &sql, &files).await
        }
        Command::Rehash { project, database } => rehash::run(Session::new(global, &database)?, &project).await,
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
