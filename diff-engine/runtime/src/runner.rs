//! [`migrate`]: connect, lock, verify, apply.

use super::connect;
use super::files::ordered;
use super::lock;
use super::session;
use super::status::{State, Status};
use super::table::{self, TableName};
use super::tx_control;
use super::watchdog::{Phase, Progress, StopRequest, Watchdog};
use super::{Applied, Event, MigrateError, MigrateOptions, Migration, Report};
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use std::collections::HashSet;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// How long closing a connection may take.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// Applies the pending migrations of `migrations` to the database at `database_url`, each in its own
/// transaction together with its row in the tracking table (or without a transaction when the file starts
/// with `-- no-transaction`), in version order, under the migration advisory lock held by the session that
/// runs them.
///
/// Refuses to run when the tracking table has a failed row, when an applied migration's file was edited
/// or is missing, when a pending migration is older than an applied one (unless
/// [`MigrateOptions::allow_out_of_order`]), or when a transactional file controls transactions itself. No
/// pending migrations is a success. Progress goes to `on_event`; nothing is printed. Callable by apps at
/// start-up.
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
    migrate_until(connect_options, migrations, options, on_event, std::future::pending()).await
}

/// [`migrate_with`], stopped when `stop` completes (e.g. on SIGTERM): a running statement is canceled
/// server-side and has ended (its transaction rolled back) when [`MigrateError::Interrupted`] is returned.
pub async fn migrate_until(
    connect_options: PgConnectOptions,
    migrations: &[Migration],
    options: &MigrateOptions,
    on_event: &mut (dyn FnMut(&Event) + Send),
    stop: impl Future<Output = ()> + Send,
) -> Result<Report, MigrateError> {
    options.check_durations()?;
    let deadline = Instant::now() + options.timeout;
    let table = TableName::parse(&options.table)?;
    let migrations = ordered(migrations)?;
    let mut stop = std::pin::pin!(stop);
    let connecting = connect::connect(&connect_options, options.wait_for_db, deadline, options.timeout, on_event);
    let mut conn = tokio::select! {
        conn = connecting => conn?,
        () = stop.as_mut() => return Err(interrupted("while connecting to the database")),
    };
    let run = Run { options, table: &table, migrations: &migrations, connect_options: &connect_options, deadline };
    let result = run.locked(&mut conn, stop.as_mut(), on_event).await;
    close(conn).await;
    result
}

fn interrupted(during: &str) -> MigrateError {
    MigrateError::Interrupted { version: None, during: during.to_string() }
}

struct Run<'a> {
    options: &'a MigrateOptions,
    table: &'a TableName,
    migrations: &'a [&'a Migration],
    connect_options: &'a PgConnectOptions,
    deadline: Instant,
}

impl Run<'_> {
    /// Takes the lock on the migrating session `conn`, runs, releases it.
    async fn locked(
        &self,
        conn: &mut PgConnection,
        mut stop: StopRequest<'_>,
        on_event: &mut (dyn FnMut(&Event) + Send),
    ) -> Result<Report, MigrateError> {
        let lock_id = match self.options.lock_id {
            Some(id) => id,
            None => lock::default_lock_id(&lock::current_database(conn).await?),
        };
        let acquiring =
            lock::acquire(conn, lock_id, self.options.lock_wait, self.deadline, self.options.timeout, on_event);
        tokio::select! {
            locked = acquiring => locked?,
            () = stop.as_mut() => {
                return Err(interrupted(&format!("while waiting for migration lock {lock_id}")));
            }
        }
        let result = self.holding(conn, lock_id, stop, on_event).await;
        // Best effort, bounded: the session may be gone (and the lock with it), or still busy with a statement
        // that ignored the cancel; closing it then ends the lock.
        let _ = tokio::time::timeout(CLOSE_WAIT, lock::release(conn, lock_id)).await;
        result
    }

    /// Under the lock: a watchdog session, then the migrations.
    async fn holding(
        &self,
        conn: &mut PgConnection,
        lock_id: i64,
        stop: StopRequest<'_>,
        on_event: &mut (dyn FnMut(&Event) + Send),
    ) -> Result<Report, MigrateError> {
        session::prepare(conn).await?;
        let table = table::resolve(conn, self.table).await?;
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut *conn)
            .await
            .map_err(MigrateError::database("reading the backend pid"))?;
        let mut quiet = |_: &Event| {};
        let options = self.options;
        let watchdog_conn =
            connect::connect(self.connect_options, options.wait_for_db, self.deadline, options.timeout, &mut quiet)
                .await?;
        let mut watchdog =
            Watchdog::new(watchdog_conn, self.connect_options, pid, self.deadline, options.timeout, stop);
        let result = self.apply_all(conn, &table, lock_id, &mut watchdog, on_event).await;
        watchdog.close().await;
        result
    }

    async fn apply_all(
        &self,
        conn: &mut PgConnection,
        table: &TableName,
        lock_id: i64,
        watchdog: &mut Watchdog<'_>,
        on_event: &mut (dyn FnMut(&Event) + Send),
    ) -> Result<Report, MigrateError> {
        let rows = watchdog
            .guard(read_rows(conn, table, self.options.dry_run), None, None, |_| {
                format!("while reading {}", table.text)
            })
            .await?;
        let status = Status::build(&rows, self.migrations);
        self.verify(&status)?;
        let recorded: HashSet<i64> = rows.iter().map(|r| r.version).collect();
        let pending: Vec<&Migration> =
            self.migrations.iter().copied().filter(|m| !recorded.contains(&m.version)).collect();
        tx_control::refuse(pending.iter().copied())?;
        on_event(&Event::Pending { count: pending.len(), applied: rows.len() });

        let mut report = Report { applied: Vec::new(), already_applied: rows.len(), dry_run: self.options.dry_run };
        if self.options.dry_run {
            for m in &pending {
                on_event(&Event::WouldApply { version: m.version, description: m.description.clone() });
            }
            return Ok(report);
        }
        for (done, migration) in pending.iter().enumerate() {
            let before = || {
                format!(
                    "before migration {} ({done} applied by this run, {} still pending)",
                    migration.file_name,
                    pending.len() - done
                )
            };
            if watchdog.stopped() {
                return Err(interrupted(&before()));
            }
            if Instant::now() >= self.deadline {
                return Err(MigrateError::Timeout { timeout: self.options.timeout, version: None, during: before() });
            }
            on_event(&Event::Applying {
                version: migration.version,
                description: migration.description.clone(),
                no_transaction: migration.no_transaction,
            });
            let progress = Progress::new();
            let applying = self.apply_one(conn, table, lock_id, migration, &progress);
            let during = |phase| running(migration, table, phase);
            let elapsed = match watchdog.guard(applying, Some(migration.version), Some(&progress), during).await {
                Err(MigrateError::Failed(mut failure)) if rows.is_empty() && done == 0 => {
                    failure.on_empty_history(&table.text);
                    return Err(MigrateError::Failed(failure));
                }
                elapsed => elapsed?,
            };
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

    /// One migration and its row: in one transaction, or (`-- no-transaction`) the file as one query, then
    /// the row; each time only while this session still holds the lock. Returns the execution time recorded.
    /// `progress` tells the watchdog when the file has taken effect, or is committing.
    async fn apply_one(
        &self,
        conn: &mut PgConnection,
        table: &TableName,
        lock_id: i64,
        migration: &Migration,
        progress: &Progress,
    ) -> Result<Duration, MigrateError> {
        let file = &migration.file_name;
        // The session's failures: a lost session, else PostgreSQL rejecting the file.
        let failure = |e: sqlx::Error| {
            if session::is_lost(&e) {
                MigrateError::ConnectionLost {
                    file: file.clone(),
                    no_transaction: migration.no_transaction,
                    error: e.to_string(),
                }
            } else {
                MigrateError::failed(migration, &e)
            }
        };
        let before = || format!("before migration {file}");
        ensure_locked(conn, lock_id, None, before, "it did not run").await?;
        if let Some(timeout) = self.options.lock_timeout {
            session::set_lock_timeout(conn, timeout)
                .await
                .map_err(MigrateError::database(format!("setting lock_timeout before migration {file}")))?;
        }
        let started = std::time::Instant::now();
        // The file's own text, run with the simple protocol so a file may hold many statements.
        let sql = AssertSqlSafe(migration.sql.as_str());
        if migration.no_transaction {
            sqlx::raw_sql(sql).execute(&mut *conn).await.map_err(failure)?;
            let elapsed = started.elapsed();
            // It took effect: from now on the watchdog lets its row be written rather than cancel it.
            progress.set(Phase::Recording);
            return match record_ran(conn, table, lock_id, migration, elapsed).await {
                // A cancel sent as the file finished lands here instead; it was meant for the file, so retry.
                Err(e) if session::is_canceled(&e) => record_ran(conn, table, lock_id, migration, elapsed).await,
                recorded => recorded,
            }
            .map(|()| elapsed);
        }
        let mut tx = conn.begin().await.map_err(MigrateError::database("starting a transaction"))?;
        if let Err(e) = sqlx::raw_sql(sql).execute(&mut *tx).await {
            let _ = tx.rollback().await;
            return Err(failure(e));
        }
        let elapsed = started.elapsed();
        if let Err(e) = ensure_locked(
            &mut tx,
            lock_id,
            Some(migration),
            || format!("after migration {file} ran"),
            "it was rolled back",
        )
        .await
        {
            let _ = tx.rollback().await;
            return Err(e);
        }
        table::record(&mut tx, table, migration, elapsed)
            .await
            .map_err(MigrateError::database(format!("recording migration {file} in {}", table.text)))?;
        progress.set(Phase::Committing);
        tx.commit().await.map_err(|e| {
            if session::is_lost(&e) {
                MigrateError::Database {
                    context: format!(
                        "committing migration {file}: the session was lost during the commit, so it is either \
                         applied and recorded in {} or not at all; check that table",
                        table.text
                    ),
                    source: e,
                }
            } else {
                MigrateError::failed(migration, &e)
            }
        })?;
        Ok(elapsed)
    }

    /// Refuses failed rows first (the database may be half-migrated), then the first edited or missing
    /// migration by version, then out-of-order pending migrations unless they are allowed.
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
            None if self.options.allow_out_of_order => Ok(()),
            None => {
                let files: Vec<String> =
                    status.out_of_order().iter().map(|e| e.file.clone().unwrap_or_default()).collect();
                let latest = status.entries.iter().filter(|e| e.installed_on.is_some()).map(|e| e.version).max();
                match latest {
                    Some(latest) if !files.is_empty() => Err(MigrateError::OutOfOrder { latest, files }),
                    _ => Ok(()),
                }
            }
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

/// Records a `-- no-transaction` migration that ran, if this session still holds the lock.
async fn record_ran(
    conn: &mut PgConnection,
    table: &TableName,
    lock_id: i64,
    migration: &Migration,
    elapsed: Duration,
) -> Result<(), MigrateError> {
    let file = &migration.file_name;
    let unrecorded = "it ran without a transaction and took effect, and it was not recorded: record it by hand (or \
                      undo it) before running again";
    ensure_locked(conn, lock_id, Some(migration), || format!("after migration {file} ran"), unrecorded).await?;
    table::record(conn, table, migration, elapsed)
        .await
        .map_err(MigrateError::database(format!("recording migration {file} in {} ({unrecorded})", table.text)))
}

/// What became of `migration` when the watchdog stopped it in `phase`.
fn running(migration: &Migration, table: &TableName, phase: Phase) -> String {
    let file = &migration.file_name;
    if phase == Phase::Committing {
        return format!(
            "while migration {file} was committing: its session was ended, so it is either applied and recorded \
             in {} or not at all; check that table",
            table.text
        );
    }
    let effect = if migration.no_transaction {
        "it ran without a transaction, so check what it changed (a canceled CREATE INDEX CONCURRENTLY leaves an \
         INVALID index to drop)"
    } else {
        "it was rolled back"
    };
    format!("while migration {file} was running: it was canceled, {effect}, and not recorded")
}

/// Refuses to go on when this session no longer holds the migration lock (a migration released it), so
/// another runner that may have taken it cannot apply the same migration; `effect` says what became of the
/// migration.
/// `ran`: the migration that has run in this session (a lost session is reported as losing it).
async fn ensure_locked(
    conn: &mut PgConnection,
    lock_id: i64,
    ran: Option<&Migration>,
    during: impl FnOnce() -> String,
    effect: &str,
) -> Result<(), MigrateError> {
    match lock::held(conn, lock_id).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(MigrateError::LockLost { lock_id, during: during(), effect: effect.to_string() }),
        Err(e) => match ran {
            Some(m) if session::is_lost(&e) => Err(MigrateError::ConnectionLost {
                file: m.file_name.clone(),
                no_transaction: m.no_transaction,
                error: e.to_string(),
            }),
            _ => Err(MigrateError::Database {
                context: format!("checking migration lock {lock_id} {}", during()),
                source: e,
            }),
        },
    }
}

async fn close(conn: PgConnection) {
    let _ = tokio::time::timeout(CLOSE_WAIT, conn.close()).await;
}
