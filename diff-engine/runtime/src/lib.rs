//! keel's migration runtime, what an app that migrates at start-up links (sqlx, tokio, checksums: no
//! planner, no SQL parser, no process spawning). The migration runner: applies a `migrations/` directory to a database, compatibly with `sqlx migrate`
//! (same files, same tracking table and rows, same advisory lock id), for `keel migrate` and for apps that
//! migrate at start-up.
//!
//! - [`read_migrations`] reads the directory exactly as sqlx does (same versions, descriptions, checksums).
//! - [`migrate`] connects (retrying transient errors), takes `pg_try_advisory_lock` on the session that
//!   runs the migrations (so the lock cannot lapse while one runs: if that session dies, so does its
//!   statement), verifies what was applied (refusing edited, missing, failed and out-of-order migrations, and
//!   transaction control in transactional files), then applies each pending migration in its own
//!   transaction together with its row in the tracking table. The overall timeout and a stop request
//!   ([`migrate_until`]) cancel a running statement server-side, from a second session.
//! - [`status`] compares the directory with the tracking table without changing anything.
//!
//! Nothing here prints: progress is reported through the `on_event` callback.

mod connect;
pub mod counts;
mod error;
mod files;
mod lex;
mod lock;
pub mod locks;
mod replay;
mod runner;
mod session;
mod statements;
mod status;
mod table;
mod tx_control;
mod watchdog;

use std::path::PathBuf;
use std::time::Duration;

/// The connection options `migrate` uses for a URL (for [`migrate_until`]).
pub use connect::options as connect_options;
pub use error::{ConnectAdvice, MigrateError, MigrationFailure, Setting, locate as line_and_column};
pub use files::{BOM, ignored_files, read_migrations};
pub use lock::default_lock_id;
pub use replay::replay_with;
pub use runner::{migrate, migrate_until, migrate_with};
pub use statements::{MAX_DEPTH, too_deep};
pub use status::{State, Status, StatusEntry, status};
pub use table::locate as locate_table;
pub use tx_control::{TransactionControl, transaction_control};

/// The tracking table sqlx uses, and keel by default.
pub const DEFAULT_TABLE: &str = "_sqlx_migrations";

/// One migration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// The integer before the first `_` of the file name.
    pub version: i64,
    /// The rest of the file name, `.sql` removed and `_` turned into spaces (what sqlx records).
    pub description: String,
    /// The file name, e.g. `20240101120000_create_users.sql`.
    pub file_name: String,
    pub path: PathBuf,
    /// The file's text, sent to the server as it is.
    pub sql: String,
    /// SHA-384 of the file's text, as sqlx computes it.
    pub checksum: Vec<u8>,
    /// The file starts with `-- no-transaction`: it runs outside a transaction.
    pub no_transaction: bool,
}

/// How [`migrate`] runs.
#[derive(Debug, Clone)]
pub struct MigrateOptions {
    /// Tracking table, [`DEFAULT_TABLE`] by default; may be schema-qualified (`keel.migrations`). Parts are
    /// read as PostgreSQL reads identifiers: unquoted ones folded to lower case, `"Quoted"` ones kept.
    pub table: String,
    /// Advisory lock id; `None` is the id sqlx derives from the database name ([`default_lock_id`]), so
    /// keel and sqlx runners exclude each other.
    pub lock_id: Option<i64>,
    /// How long to wait for the lock before failing.
    pub lock_wait: Duration,
    /// The whole run: connecting, waiting for the lock, applying.
    pub timeout: Duration,
    /// How long to keep retrying transient errors of the first connection (refused, starting up, too many
    /// connections). Zero still retries a few times.
    pub wait_for_db: Duration,
    /// Lock and verify, report what would be applied, change nothing (not even create the table).
    pub dry_run: bool,
    /// `lock_timeout` of the migrating session, set before each migration (a file's own `SET lock_timeout`
    /// runs after, so it wins); `None` leaves the server's setting.
    pub lock_timeout: Option<Duration>,
    /// Apply a pending migration whose version is lower than an applied one's instead of refusing.
    pub allow_out_of_order: bool,
}

/// The longest `lock_wait`, `timeout` and `wait_for_db` (a year): longer ones are typos, and past some
/// point a deadline no longer fits in the clock.
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 60 * 60);

impl MigrateOptions {
    /// Refuses durations over [`MAX_DURATION`], naming the option.
    pub fn check_durations(&self) -> Result<(), MigrateError> {
        for (name, value) in
            [("lock_wait", self.lock_wait), ("timeout", self.timeout), ("wait_for_db", self.wait_for_db)]
        {
            if value > MAX_DURATION {
                return Err(MigrateError::BadOption(format!(
                    "{name} of {}s is more than the {}s (a year) allowed",
                    value.as_secs(),
                    MAX_DURATION.as_secs()
                )));
            }
        }
        Ok(())
    }
}

impl Default for MigrateOptions {
    fn default() -> Self {
        MigrateOptions {
            table: DEFAULT_TABLE.to_string(),
            lock_id: None,
            lock_wait: Duration::from_secs(60),
            timeout: Duration::from_secs(5 * 60),
            wait_for_db: Duration::ZERO,
            dry_run: false,
            lock_timeout: None,
            allow_out_of_order: false,
        }
    }
}

/// Progress of [`migrate`], in the order it happens.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A connection attempt to the database (1-based).
    Connecting {
        attempt: u32,
    },
    /// The attempt failed with a transient error; the next one follows after `retry_in_ms`.
    ConnectFailed {
        attempt: u32,
        error: String,
        retry_in_ms: u64,
    },
    /// Someone else holds the migration lock (emitted once); `holder_pid` is their backend pid.
    WaitingForLock {
        lock_id: i64,
        holder_pid: Option<i32>,
    },
    Locked {
        lock_id: i64,
    },
    /// After verification: `count` migrations to apply, `applied` already recorded.
    Pending {
        count: usize,
        applied: usize,
    },
    Applying {
        version: i64,
        description: String,
        no_transaction: bool,
    },
    Applied {
        version: i64,
        description: String,
        elapsed_ms: u64,
    },
    /// Dry run: this migration would be applied.
    WouldApply {
        version: i64,
        description: String,
    },
}

/// What [`migrate`] did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// Applied by this run, in order (empty on a dry run).
    pub applied: Vec<Applied>,
    /// Recorded in the tracking table before this run.
    pub already_applied: usize,
    pub dry_run: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Applied {
    pub version: i64,
    pub description: String,
    pub elapsed_ms: u64,
}
