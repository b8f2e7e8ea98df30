//! What can go wrong reading, verifying and applying migrations; every message is one line that says what
//! to do.

use crate::counts::plural;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("migrations directory {} does not exist (or is not a directory)", .path.display())]
    NoDirectory { path: PathBuf },

    #[error("cannot read {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "migration file {file}: the part before the first `_` must be an integer version \
         (e.g. `20240101120000_create_users.sql`)"
    )]
    BadFileName { file: String },

    #[error("migration files {first} and {second} have the same version {version}: give one of them a new version")]
    DuplicateVersion { version: i64, first: String, second: String },

    #[error(
        "migration file {file} is a reversible (up/down) migration, which keel does not support: \
         migrations are forward-only `<version>_<description>.sql` files"
    )]
    Reversible { file: String },

    #[error("invalid migrations table name {name:?}: {reason}")]
    BadTableName { name: String, reason: String },

    /// SQL that a replay into a scratch database must not run (roles, tablespaces...): `file:line: why`.
    #[error("{file}:{source}")]
    Unreplayable {
        file: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    #[error("invalid migrate option: {0}")]
    BadOption(String),

    #[error("invalid database URL: {0}")]
    BadUrl(String),

    #[error("{}", self.naming(&Setting::field))]
    Connect {
        attempts: u32,
        error: String,
        /// When the error was transient: what would have kept retrying.
        advice: Option<ConnectAdvice>,
    },

    #[error(
        "{table} marks migration {version} ({description}) as failed (success = false), so it may be partly \
         applied: check the database, finish or undo that migration by hand, then delete its row from {table}"
    )]
    Dirty { table: String, version: i64, description: String },

    #[error(
        "migration {file} (version {version}) was edited after it was applied: its checksum differs from the one \
         recorded in {table}; restore the file as it was applied and make the change in a new migration"
    )]
    Edited { version: i64, file: String, table: String },

    #[error(
        "migration {version} ({description}) is recorded in {table} as applied but its file is missing from the \
         migrations directory: restore the file"
    )]
    Missing { version: i64, description: String, table: String },

    #[error("{}", self.naming(&Setting::field))]
    LockTimeout { lock_id: i64, holder_pid: Option<i32>, holder_application: Option<String>, waited: Duration },

    #[error("{0}")]
    Failed(Box<MigrationFailure>),

    #[error(
        "{file}:{line}:{column}: `{statement}` is refused: {reason}. keel runs each migration in a transaction \
         of its own and commits it together with its row in the tracking table: remove the statement, or, if the \
         file must control transactions itself, start it with `-- no-transaction`. Nothing was run"
    )]
    TransactionControl { file: String, line: usize, column: usize, statement: String, reason: String },

    #[error("{}", self.naming(&Setting::field))]
    OutOfOrder { latest: i64, files: Vec<String> },

    #[error(
        "the connection to the database was lost while migration {file} was running ({error}): {}",
        if *.no_transaction {
            "it ran without a transaction, so some or all of it may have taken effect, and it was not recorded; \
             check the database (and record or undo it by hand) before running again"
        } else {
            "PostgreSQL rolled it back when the session ended, and the migration lock ended with it; run again"
        }
    )]
    ConnectionLost { file: String, no_transaction: bool, error: String },

    #[error(
        "migration lock {lock_id} is no longer held by the migrating session {during} (a migration released it?): \
         stopped so that another runner cannot apply the same migration; {effect}"
    )]
    LockLost { lock_id: i64, during: String, effect: String },

    #[error("stopped {during}")]
    Interrupted {
        /// The migration that was running (and was canceled), if any.
        version: Option<i64>,
        during: String,
    },

    #[error("{}", self.naming(&Setting::field))]
    Timeout {
        timeout: Duration,
        /// The migration that was running (and was canceled), if any.
        version: Option<i64>,
        /// `while ...` / `before ...`, for the message.
        during: String,
    },

    #[error("database error while {context}: {source}")]
    Database {
        context: String,
        #[source]
        source: sqlx::Error,
    },
}

/// An option of [`MigrateOptions`](crate::MigrateOptions) a message advises changing. The message names it
/// as the option (`lock_wait`); a front end with flags of its own names its flag instead, through
/// [`MigrateError::naming`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    WaitForDb,
    LockWait,
    Timeout,
    AllowOutOfOrder,
}

impl Setting {
    /// The option's field in [`MigrateOptions`](crate::MigrateOptions), quoted: `` `lock_wait` ``.
    pub fn field(self) -> String {
        let field = match self {
            Setting::WaitForDb => "wait_for_db",
            Setting::LockWait => "lock_wait",
            Setting::Timeout => "timeout",
            Setting::AllowOutOfOrder => "allow_out_of_order",
        };
        format!("`{field}`")
    }
}

/// Why a transient connection error was the last attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectAdvice {
    /// `wait_for_db` had passed: raising it keeps retrying longer.
    WaitLonger,
    /// The overall `timeout` left no time for another attempt.
    NoTimeLeft,
}

impl MigrateError {
    /// The message, with each option it advises changing named by `name` (`to_string()` names the
    /// [`Setting::field`]s).
    pub fn naming(&self, name: &dyn Fn(Setting) -> String) -> String {
        match self {
            MigrateError::Connect { attempts, error, advice } => {
                let advice = match advice {
                    Some(ConnectAdvice::WaitLonger) => {
                        format!("; raise {} to keep retrying longer", name(Setting::WaitForDb))
                    }
                    Some(ConnectAdvice::NoTimeLeft) => {
                        format!("; the overall {} leaves no time for another attempt", name(Setting::Timeout))
                    }
                    None => String::new(),
                };
                format!(
                    "cannot connect to the database (gave up after {attempts} attempt{}): {error}{advice}",
                    plural(*attempts, "", "s")
                )
            }
            MigrateError::LockTimeout { lock_id, holder_pid, holder_application, waited } => format!(
                "could not take migration lock {lock_id} within {}: it is held by {}; wait for that migration run \
                 to finish (or stop it), or raise {}",
                seconds(waited),
                holder(*holder_pid, holder_application.as_deref()),
                name(Setting::LockWait)
            ),
            MigrateError::OutOfOrder { latest, files } => format!(
                "{} pending migration{} older than the latest applied one ({latest}): {}; they were probably merged \
                 from another branch after newer migrations were applied. Check that they still make sense after the \
                 newer ones, then run again with {} (or give them new versions)",
                files.len(),
                plural(files.len(), " is", "s are"),
                files.join(", "),
                name(Setting::AllowOutOfOrder)
            ),
            MigrateError::Timeout { timeout, during, .. } => {
                format!(
                    "the overall timeout of {} elapsed {during}; raise {}",
                    seconds(timeout),
                    name(Setting::Timeout)
                )
            }
            other => other.to_string(),
        }
    }

    pub(crate) fn database(context: impl Into<String>) -> impl FnOnce(sqlx::Error) -> MigrateError {
        let context = context.into();
        move |source| MigrateError::Database { context, source }
    }

    /// `migration` failed with `error` (SQLSTATE, message, file:line:column).
    pub(crate) fn failed(migration: &super::Migration, error: &sqlx::Error) -> MigrateError {
        MigrateError::Failed(Box::new(MigrationFailure::new(
            migration.version,
            &migration.file_name,
            &migration.sql,
            migration.no_transaction,
            error,
        )))
    }
}

/// A migration that PostgreSQL rejected. Nothing of it was recorded; when it ran in a transaction,
/// nothing of it stayed either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFailure {
    pub version: i64,
    pub file: String,
    pub no_transaction: bool,
    /// SQLSTATE, e.g. `42P01`; `None` when the failure was not the server's (a lost connection).
    pub code: Option<String>,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    /// 1-based line and column in the file, when PostgreSQL gave a position.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The text of that line.
    pub line_text: Option<String>,
    /// The migration creates what the database already holds while the tracking table records no migration:
    /// the schema was made another way (`keel push`, by hand), and the hint says what to do.
    pub schema_without_history: bool,
}

/// SQLSTATEs of creating what already exists: duplicate table, object, column, schema, function.
const ALREADY_EXISTS: &[&str] = &["42P07", "42710", "42701", "42P06", "42723"];

impl MigrationFailure {
    pub(crate) fn new(version: i64, file: &str, sql: &str, no_transaction: bool, error: &sqlx::Error) -> Self {
        let mut failure = MigrationFailure {
            version,
            file: file.to_string(),
            no_transaction,
            code: None,
            message: error.to_string(),
            detail: None,
            hint: None,
            line: None,
            column: None,
            line_text: None,
            schema_without_history: false,
        };
        if let Some(db) = error.as_database_error() {
            failure.code = db.code().map(|c| c.into_owned());
            failure.message = db.message().to_string();
            if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                failure.detail = pg.detail().map(str::to_string);
                failure.hint = pg.hint().map(str::to_string);
                if let Some(sqlx::postgres::PgErrorPosition::Original(position)) = pg.position()
                    && let Some((line, column, text)) = locate(sql, position)
                {
                    (failure.line, failure.column, failure.line_text) = (Some(line), Some(column), Some(text));
                }
            }
        }
        if failure.code.as_deref() == Some("55P03") && failure.hint.is_none() {
            failure.hint = Some(
                "another session holds a lock this migration needs, and it waited longer than lock_timeout (keel.toml \
                 `[migrate] lock_timeout_ms`, or the file's own `SET lock_timeout`): run it again once that session \
                 is done"
                    .to_string(),
            );
        }
        if no_transaction && failure.code.as_deref() == Some("25001") && failure.hint.is_none() {
            failure.hint = Some(
                "a `-- no-transaction` file is sent as one query, and PostgreSQL runs a query of several statements \
                 as one implicit transaction: put the statement that cannot run in a transaction in a file of its own"
                    .to_string(),
            );
        }
        failure
    }

    /// Called for the first migration of a run when `table` recorded none: a failure because an object
    /// already exists then means the schema was built without migrations, which the hint says.
    pub(crate) fn on_empty_history(&mut self, table: &str) {
        if !self.code.as_deref().is_some_and(|code| ALREADY_EXISTS.contains(&code)) {
            return;
        }
        self.schema_without_history = true;
        let hint = format!(
            "the database already holds this schema, but no migration is recorded in {table}: it was probably \
             built by `keel push` (or by hand); recreate a development database empty and migrate it, or, for a \
             database to keep, record the migrations it already matches as applied in {table} instead of running \
             them (keel has no command for that yet)"
        );
        self.hint = Some(match self.hint.take() {
            Some(server) => format!("{server}; {hint}"),
            None => hint,
        });
    }
}

impl fmt::Display for MigrationFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "migration {} failed", self.file)?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, " at line {line}:{column}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(code) = &self.code {
            write!(f, " (SQLSTATE {code})")?;
        }
        if let Some(detail) = &self.detail {
            write!(f, "; detail: {detail}")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "; hint: {hint}")?;
        }
        if let (Some(line), Some(text)) = (self.line, &self.line_text) {
            write!(f, "; line {line}: `{}`", text.trim())?;
        }
        if self.no_transaction {
            write!(
                f,
                "; it ran without a transaction, so earlier statements may have taken effect (a failed CREATE INDEX \
                 CONCURRENTLY leaves an INVALID index to drop); it was not recorded"
            )
        } else {
            write!(f, "; it was rolled back and not recorded")
        }
    }
}

/// 1-based line and column (in characters) of a 1-based character position, with the line's text: where
/// PostgreSQL's error position points in the SQL that was sent.
pub fn locate(sql: &str, position: usize) -> Option<(usize, usize, String)> {
    let index = position.checked_sub(1)?;
    let (mut line, mut line_start, mut column) = (1, 0, 1);
    let mut chars = sql.char_indices();
    // One past the last character is a position too: "syntax error at end of input".
    for _ in 0..index {
        let (byte, ch) = chars.next()?;
        if ch == '\n' {
            (line, line_start, column) = (line + 1, byte + 1, 1);
        } else {
            column += 1;
        }
    }
    let text = sql[line_start..].lines().next().unwrap_or_default();
    Some((line, column, excerpt(text.trim_end_matches('\r'), column)))
}

/// The longest line excerpt a message quotes, in characters.
const EXCERPT_CHARS: usize = 120;

/// A line as a message quotes it: whole when short, else [`EXCERPT_CHARS`] around the 1-based `column`
/// with `...` where it was cut (a generated line can be megabytes).
fn excerpt(line: &str, column: usize) -> String {
    let count = line.chars().count();
    if count <= EXCERPT_CHARS {
        return line.to_string();
    }
    let start = column.saturating_sub(1 + EXCERPT_CHARS / 2).min(count - EXCERPT_CHARS);
    let cut: String = line.chars().skip(start).take(EXCERPT_CHARS).collect();
    let before = if start > 0 { "..." } else { "" };
    let after = if start + EXCERPT_CHARS < count { "..." } else { "" };
    format!("{before}{cut}{after}")
}

fn seconds(d: &Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) { format!("{}s", ms / 1000) } else { format!("{:.1}s", d.as_secs_f64()) }
}

fn holder(pid: Option<i32>, application: Option<&str>) -> String {
    match (pid, application) {
        (Some(pid), Some(app)) => format!("backend pid {pid} (application {app:?})"),
        (Some(pid), None) => format!("backend pid {pid}"),
        (None, _) => "a session that has since released it".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_positions() {
        let sql = "-- c\nSELECT 1;\r\nSELECT * FROM\n  nope;";
        assert_eq!(locate(sql, 1), Some((1, 1, "-- c".into())));
        assert_eq!(locate(sql, 6), Some((2, 1, "SELECT 1;".into())));
        assert_eq!(locate(sql, 33), Some((4, 3, "  nope;".into())));
        assert_eq!(locate("é\nab", 4), Some((2, 2, "ab".into())));
        assert_eq!(locate(sql, 0), None);
        assert_eq!(locate("SELECT", 7), Some((1, 7, "SELECT".into())));
        assert_eq!(locate(sql, 500), None);
    }

    #[test]
    fn long_lines_are_cut_around_the_position() {
        let line = format!("{}X{}", "a".repeat(1000), "b".repeat(1000));
        let (_, column, text) = locate(&line, 1001).expect("located");
        assert_eq!(column, 1001);
        assert!(text.starts_with("...a") && text.ends_with("b...") && text.contains('X'), "{text}");
        assert_eq!(text.chars().count(), EXCERPT_CHARS + 6);
        let (_, _, start) = locate(&line, 1).expect("located");
        assert!(start.starts_with("aaa") && start.ends_with("..."), "{start}");
        let (_, _, end) = locate(&line, 2002).expect("the end is a position");
        assert!(end.starts_with("...") && end.ends_with("bbb"), "{end}");
    }

    fn failure(code: &str) -> MigrationFailure {
        MigrationFailure {
            version: 1,
            file: "1_init.sql".into(),
            no_transaction: false,
            code: Some(code.into()),
            message: "relation \"notes\" already exists".into(),
            detail: None,
            hint: None,
            line: None,
            column: None,
            line_text: None,
            schema_without_history: false,
        }
    }

    #[test]
    fn only_objects_that_exist_already_point_at_a_pushed_database() {
        let mut exists = failure("42P07");
        exists.on_empty_history("_sqlx_migrations");
        assert!(exists.schema_without_history);
        let text = exists.to_string();
        assert!(text.contains("no migration is recorded in _sqlx_migrations") && text.contains("keel push"), "{text}");
        let mut other = failure("42703");
        other.on_empty_history("_sqlx_migrations");
        assert!(!other.schema_without_history && other.hint.is_none(), "{other}");
    }

    #[test]
    fn formats_durations() {
        assert_eq!(seconds(&Duration::from_secs(60)), "60s");
        assert_eq!(seconds(&Duration::from_millis(1500)), "1.5s");
    }
}
