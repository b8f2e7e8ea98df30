//! `keel migrate`: the production runner (keel-diff's `migrate`) with progress and exit codes.

use super::Outcome;
use crate::args::ProjectArgs;
use crate::integrity;
use crate::output::print_json;
use crate::redact::redact;
use crate::session::Session;
use anyhow::{anyhow, bail};
use keel_diff::migrate::{
    Event, MigrateError, MigrateOptions, Setting, connect_options, migrate_until, read_migrations,
};
use std::sync::Mutex;
use std::time::Duration;

pub struct Options {
    pub dry_run: bool,
    pub wait_for_db: Option<u64>,
    pub lock_wait: Option<u64>,
    pub timeout: Option<u64>,
    pub allow_out_of_order: bool,
}

pub async fn run(session: Session, project: &ProjectArgs, options: Options) -> anyhow::Result<Outcome> {
    let url = session.require_database_url()?.to_string();
    let dir = session.migrations_dir(project);
    let migrations = read_migrations(&dir)?;
    session.warn_ignored_migration_files(&dir);
    let problems = integrity::problems(&dir, &migrations);
    if dir.join(integrity::SUM_FILE).exists() && !problems.is_empty() {
        bail!("refusing to migrate: {}", problems.join("; "));
    }
    let config = &session.config.migrate;
    let runner = MigrateOptions {
        table: session.migrations_table(),
        lock_id: config.lock_id,
        lock_wait: Duration::from_secs(options.lock_wait.or(config.lock_wait_secs).unwrap_or(60)),
        timeout: Duration::from_secs(options.timeout.or(config.timeout_secs).unwrap_or(300)),
        wait_for_db: Duration::from_secs(options.wait_for_db.unwrap_or(0)),
        dry_run: options.dry_run,
        // Every migration's session, hand-written ones too (a file's own `SET lock_timeout` wins).
        lock_timeout: config.lock_timeout_ms.filter(|ms| *ms > 0).map(Duration::from_millis),
        allow_out_of_order: options.allow_out_of_order,
    };
    let (json, verbose) = (session.json(), session.global.verbose);
    // The runner's pending migrations, in its order: a dry run reports each.
    let mut would_apply = Vec::new();
    let mut on_event = |event: &Event| {
        if let Event::WouldApply { version, .. } = event {
            would_apply.push(*version);
            return;
        }
        if json {
            return;
        }
        let line = match event {
            Event::Connecting { attempt } if *attempt > 1 => format!("connecting (attempt {attempt})"),
            Event::Connecting { .. } => return,
            Event::ConnectFailed { error, retry_in_ms, .. } => {
                format!("database not reachable ({}); retrying in {retry_in_ms} ms", redact(error))
            }
            Event::WaitingForLock { lock_id, holder_pid } => {
                let holder = holder_pid.map(|p| format!(" (held by backend pid {p})")).unwrap_or_default();
                format!("waiting for the migration lock {lock_id}{holder}")
            }
            Event::Locked { .. } => return,
            Event::Pending { count: 0, applied } => {
                format!(
                    "up to date: {} applied, none pending",
                    keel_diff::counts::count(*applied, "migration", "migrations")
                )
            }
            Event::Pending { count, applied } => format!("{count} pending ({applied} already applied)"),
            Event::Applying { version, description, no_transaction } => {
                if verbose && let Some(m) = migrations.iter().find(|m| m.version == *version) {
                    eprintln!("{}", console::style(redact(&m.sql)).dim());
                }
                let how = if *no_transaction { " (outside a transaction)" } else { "" };
                format!("applying {version} {description}{how}")
            }
            Event::Applied { version, elapsed_ms, .. } => format!("applied {version} in {elapsed_ms} ms"),
            Event::WouldApply { .. } => return,
        };
        eprintln!("{line}");
    };
    // SIGINT/SIGTERM: the running statement is canceled server-side and has ended before keel exits.
    let received = Mutex::new(None);
    let stop = async {
        let stop = crate::signals::first().await;
        *received.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(stop.name());
    };
    let result = migrate_until(connect_options(&url)?, &migrations, &runner, &mut on_event, stop).await;
    let report = match result {
        Ok(report) => report,
        Err(error @ MigrateError::OutOfOrder { .. }) => {
            // Refused, as a difference is: exit 2.
            let message = format!("refusing to migrate: {}", error.naming(&flag));
            if json {
                print_json(&serde_json::json!({ "error": message }))?;
            }
            eprintln!("{} {message}", console::style("error:").red().bold());
            return Ok(Outcome::Attention);
        }
        Err(error @ MigrateError::Interrupted { .. }) => {
            let name = received.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).unwrap_or("a signal");
            return Err(anyhow!(error).context(format!("interrupted by {name}")));
        }
        Err(MigrateError::Failed(failure)) if failure.schema_without_history => {
            let options = connect_options(&url)?;
            // A URL without a database names the user's (PostgreSQL's default).
            let database = shell_word(options.get_database().unwrap_or(options.get_username()));
            return Err(anyhow!(
                "applying the migrations in {}: {failure}\n  a development database: `dropdb {database} && createdb \
                 {database}` (connection options as in the database URL), then `keel migrate`\n  a database to keep: \
                 record the migrations as applied, as \"A database built by keel push\" in docs/troubleshooting.md \
                 shows",
                dir.display()
            ));
        }
        Err(error) => {
            let error = anyhow::Error::new(Flagged(error));
            return Err(error.context(format!("applying the migrations in {}", dir.display())));
        }
    };
    if options.dry_run {
        let pending = super::dry_run::pending(&migrations, &would_apply, &session.config.lint);
        let outcome = if pending.is_empty() { Outcome::Done } else { Outcome::Attention };
        if json {
            print_json(&super::dry_run::json(&report, pending))?;
        } else {
            print!("{}", super::dry_run::text(&pending));
        }
        // Like `status`: exit 2 while migrations are pending.
        return Ok(outcome);
    }
    if json {
        print_json(&report)?;
    } else if !report.applied.is_empty() {
        println!("applied {}", keel_diff::counts::count(report.applied.len(), "migration", "migrations"));
    }
    Ok(Outcome::Done)
}

/// The flag of `keel migrate` that sets a runner option: the library's messages name the option, keel's
/// name the flag.
fn flag(setting: Setting) -> String {
    match setting {
        Setting::WaitForDb => "--wait-for-db",
        Setting::LockWait => "--lock-wait",
        Setting::Timeout => "--timeout",
        Setting::AllowOutOfOrder => "--allow-out-of-order",
    }
    .to_string()
}

/// A runner error as `keel migrate` says it: the options it advises changing named by their flags.
#[derive(Debug)]
struct Flagged(MigrateError);

impl std::fmt::Display for Flagged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.naming(&flag))
    }
}

impl std::error::Error for Flagged {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.0)
    }
}

/// `name` as one word of a shell command: as it is when it is plain, else in single quotes.
fn shell_word(name: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-.".contains(c);
    if !name.is_empty() && !name.starts_with('-') && name.chars().all(plain) {
        name.to_string()
    } else {
        // A leading `-` would read as an option: `--` ends them.
        let dashes = if name.starts_with('-') { "-- " } else { "" };
        format!("{dashes}'{}'", name.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::shell_word;

    #[test]
    fn a_database_name_is_one_shell_word() {
        assert_eq!(shell_word("notes_dev"), "notes_dev");
        assert_eq!(shell_word("my app"), "'my app'");
        assert_eq!(shell_word("it's$HOME"), r"'it'\''s$HOME'");
        assert_eq!(shell_word("-x"), "-- '-x'");
    }
}
