//! [`migrate`]: connect, lock, verify, apply.

use super::connect;
use super::files::ordered;
use super::lock;
use super::status::{State, Status};
use super::table::{self, TableName};
use super::{Applied, Event, MigrateError, MigrateOptions, Migration, Report};
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use std::collections::HashSet;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// How long a statement gets to stop after it was canceled at the timeout.
const CANCEL_GRACE: Duration = Duration::from_secs(10);
/// How long closing a connection may take.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// Applies the pending migrations of `migrations` to the database at `database_url`, each in its own
/// transaction together with its row in the tracking table (or without a transaction when the file starts
/// with `-- no-transaction`), in version order, under the migration advisory lock.
///
/// Refuses to run when the tracking table has a failed row, or when an applied migration's file was edited
/// or is missing. No pending migrations is a success. Progress goes to `on_event`; nothing is printed.
/// Callable by apps at start-up.
pub async fn migrate(
    database_url: &str,
    migrations: &[Migration],
    options: &MigrateOptions,
    on_event: &mut (dyn FnMut(&Event) + Send),
) -> Result<Report, MigrateError> {
    migrate_with(connect::options(database_url)?, migrations, options, on_event).await
}

/// [`migrate`] for apps that build their connection options themselves (TLS certificates, tokens).
pub async fn migrate_with(
    connect_options: PgConnectOptions,
    migrations: &[Migration],
    options: &MigrateOptions,
    on_event: &mut (dyn FnMut(&Event) + Send),
) -> Result<Report, MigrateError> {
    options.check_durations()?;
    let deadline = Instant::now() + options.timeout;
    let table = TableName::parse(&options.table)?;
    let migrations = ordered(migrations)?;
    let mut lock_conn =
        connect::connect(&connect_options, options.wait_for_db, deadline, options.timeout, on_event).await?;
    let run = Run { options, table: &table, migrations: &migrations, connect_options: &connect_options, deadline };
    let result = run.locked(&mut lock_conn, on_event).await;
    close(lock_conn).await;
    result
}

struct Run<'a> {
    options: &'a MigrateOptions,
    table: &'a TableName,
    migrations: &'a [&'a Migration],
    connect_options: &'a PgConnectOptions,
    deadline: Instant,
}

impl Run<'_> {
    async fn locked(
        &self,
        lock_conn: &mut PgConnection,
        on_event: &mut (dyn FnMut(&Event) + Send),
    ) -> Result<Report, MigrateError> {
        let lock_id = match self.options.lock_id {
            Some(id) => id,
            None => lock::default_lock_id(&lock::current_database(lock_conn).await?),
        };
        lock::acquire(lock_conn, lock_id, self.options.lock_wait, self.deadline, self.options.timeout, on_event)
            .await?;
        let result = self.with_connection(lock_conn, on_event).await;
        lock::release(lock_conn, lock_id).await;
        result
    }

    /// Runs the migrations on a second connection; the lock connection watches the clock.
    async fn with_connection(
        &self,
        lock_conn: &mut PgConnection,
        on_event: &mut (dyn FnMut(&Event) + Send),
    ) -> Result<Report, MigrateError> {
        let mut quiet = |_: &Event| {};
        let mut conn = connect::connect(
            self.connect_options,
            self.options.wait_for_db,
            self.deadline,
            self.options.timeout,
            &mut quiet,
        )
        .await?;
        let result = self.apply_all(&mut conn, lock_conn, on_event).await;
        close(conn).await;
        result
    }

    async fn apply_all(
        &self,
        conn: &mut PgConnection,
        lock_conn: &mut PgConnection,
        on_event: &mut (dyn FnMut(&Event) + Send),
    ) -> Result<Report, MigrateError> {
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut *conn)
            .await
            .map_err(MigrateError::database("reading the backend pid"))?;
        let mut watchdog = Watchdog { lock_conn, pid, deadline: self.deadline, timeout: self.options.timeout };

        let rows = watchdog
            .guard(read_rows(conn, self.table, self.options.dry_run), None, || {
                format!("while reading {}", self.table.text)
            })
            .await?;
        let status = Status::build(&rows, self.migrations);
        self.verify(&status)?;
        let recorded: HashSet<i64> = rows.iter().map(|r| r.version).collect();
        let pending: Vec<&Migration> =
            self.migrations.iter().copied().filter(|m| !recorded.contains(&m.version)).collect();
        on_event(&Event::Pending { count: pending.len(), applied: rows.len() });

        let mut report = Report { applied: Vec::new(), already_applied: rows.len(), dry_run: self.options.dry_run };
        if self.options.dry_run {
            for m in &pending {
                on_event(&Event::WouldApply { version: m.version, description: m.description.clone() });
            }
            return Ok(report);
        }
        for (done, migration) in pending.iter().enumerate() {
            if Instant::now() >= self.deadline {
                return Err(MigrateError::Timeout {
                    timeout: self.options.timeout,
                    version: None,
                    during: format!(
                        "before migration {} ({done} applied by this run, {} still pending)",
                        migration.file_name,
                        pending.len() - done
                    ),
                });
            }
            on_event(&Event::Applying {
                version: migration.version,
                description: migration.description.clone(),
                no_transaction: migration.no_transaction,
            });
            let elapsed = watchdog
                .guard(apply_one(conn, self.table, migration), Some(migration.version), || running(migration))
                .await?;
            let elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
            on_event(&Event::Applied {
                version: migration.version,
                description: migration.description.clone(),
                elapsed_ms,
            });
            report.applied.push(Applied {
                version: migration.version,
                description: migration.description.clone(),
                elapsed_ms,
            });
        }
        Ok(report)
    }

    /// Refuses failed rows first (the database may be half-migrated), then the first edited or missing
    /// migration by version.
    fn verify(&self, status: &Status) -> Result<(), MigrateError> {
        let table = self.table.text.clone();
        if let Some(e) = status.entries.iter().find(|e| e.state == State::Failed) {
            return Err(MigrateError::Dirty { table, version: e.version, description: e.description.clone() });
        }
        match status.problems().first() {
            Some(e) if e.state == State::Edited => {
                Err(MigrateError::Edited { version: e.version, file: e.file.clone().unwrap_or_default(), table })
            }
            Some(e) => Err(MigrateError::Missing { version: e.version, description: e.description.clone(), table }),
            None => Ok(()),
        }
    }
}

/// The recorded rows; creates the table first unless this is a dry run (which finds no rows then).
async fn read_rows(
    conn: &mut PgConnection,
    table: &TableName,
    dry_run: bool,
) -> Result<Vec<table::AppliedRow>, MigrateError> {
    if dry_run {
        if !table::exists(conn, table).await? {
            return Ok(Vec::new());
        }
    } else {
        table::ensure(conn, table).await?;
    }
    table::rows(conn, table).await
}

/// One migration and its row: in one transaction, or (`-- no-transaction`) the file as one query, then
/// the row. Returns the execution time recorded.
async fn apply_one(
    conn: &mut PgConnection,
    table: &TableName,
    migration: &Migration,
) -> Result<Duration, MigrateError> {
    let started = std::time::Instant::now();
    let failure = |e: sqlx::Error| MigrateError::failed(migration, &e);
    // The file's own text, run with the simple protocol so a file may hold many statements.
    let sql = AssertSqlSafe(migration.sql.as_str());
    if migration.no_transaction {
        sqlx::raw_sql(sql).execute(&mut *conn).await.map_err(failure)?;
        let elapsed = started.elapsed();
        table::record(conn, table, migration, elapsed).await.map_err(MigrateError::database(format!(
            "recording migration {} in {} (it ran without a transaction and took effect: record it by hand or \
             undo it before running again)",
            migration.file_name, table.text
        )))?;
        return Ok(elapsed);
    }
    let mut tx = conn.begin().await.map_err(MigrateError::database("starting a transaction"))?;
    if let Err(e) = sqlx::raw_sql(sql).execute(&mut *tx).await {
        let _ = tx.rollback().await;
        return Err(failure(e));
    }
    let elapsed = started.elapsed();
    table::record(&mut tx, table, migration, elapsed)
        .await
        .map_err(MigrateError::database(format!("recording migration {} in {}", migration.file_name, table.text)))?;
    tx.commit().await.map_err(failure)?;
    Ok(elapsed)
}

fn running(migration: &Migration) -> String {
    let effect = if migration.no_transaction {
        "it ran without a transaction, so check what it changed (a canceled CREATE INDEX CONCURRENTLY leaves an \
         INVALID index to drop)"
    } else {
        "it was rolled back"
    };
    format!("while migration {} was running: it was canceled, {effect}, and not recorded", migration.file_name)
}

/// Cancels what the migration connection runs when the overall deadline comes, from the lock connection.
struct Watchdog<'a> {
    lock_conn: &'a mut PgConnection,
    /// Backend pid of the migration connection.
    pid: i32,
    deadline: Instant,
    timeout: Duration,
}

impl Watchdog<'_> {
    /// `work`'s result, unless the deadline comes first: then its statement is canceled server-side and,
    /// once it has stopped, a timeout is reported. Work that completes despite the cancel (it was between
    /// statements, or committing) counts as done.
    async fn guard<T>(
        &mut self,
        work: impl Future<Output = Result<T, MigrateError>>,
        version: Option<i64>,
        during: impl FnOnce() -> String,
    ) -> Result<T, MigrateError> {
        let mut work = std::pin::pin!(work);
        if let Ok(result) = tokio::time::timeout_at(self.deadline, work.as_mut()).await {
            return result;
        }
        let _ = sqlx::query("SELECT pg_cancel_backend($1)").bind(self.pid).execute(&mut *self.lock_conn).await;
        // Let the statement end so its transaction is rolled back before the connection closes.
        match tokio::time::timeout(CANCEL_GRACE, work.as_mut()).await {
            Ok(Ok(value)) => Ok(value),
            // It failed by itself, not because it was canceled (SQLSTATE 57014, query_canceled).
            Ok(Err(MigrateError::Failed(f))) if f.code.as_deref() != Some("57014") => Err(MigrateError::Failed(f)),
            Ok(Err(_)) => Err(MigrateError::Timeout { timeout: self.timeout, version, during: during() }),
            Err(_) => {
                // Deaf to the cancel: end its session, so nothing still runs once the lock is released.
                let _ =
                    sqlx::query("SELECT pg_terminate_backend($1)").bind(self.pid).execute(&mut *self.lock_conn).await;
                Err(MigrateError::Timeout { timeout: self.timeout, version, during: during() })
            }
        }
    }
}

async fn close(conn: PgConnection) {
    let _ = tokio::time::timeout(CLOSE_WAIT, conn.close()).await;
}
