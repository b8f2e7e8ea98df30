//! The watchdog: a second session that cancels what the migrating session runs when the overall deadline
//! comes or a stop is requested (`pg_cancel_backend`, then `pg_terminate_backend` if the statement does not
//! stop). It holds no lock: if its session dies (terminated, `idle_session_timeout`), the migration carries
//! on under the migrating session's lock, and a cancel opens a fresh session.

use super::MigrateError;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// How long a statement gets to stop after it was canceled.
const CANCEL_GRACE: Duration = Duration::from_secs(10);
/// How long connecting, signalling or closing may take.
const QUICK: Duration = Duration::from_secs(5);

/// What a stop request is: any future that completes when the run should stop (a signal).
pub(crate) type StopRequest<'s> = Pin<&'s mut (dyn Future<Output = ()> + Send + 's)>;

/// How far a guarded migration got, which decides what canceling it would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Its SQL runs (in its transaction, if it has one): a cancel stops it, and rolls it back if it can.
    Running = 0,
    /// Its `-- no-transaction` SQL took effect and its row is being written: a cancel would leave it applied
    /// but unrecorded, so the next run would execute it again. Never canceled.
    Recording = 1,
    /// Its COMMIT was sent: it ends applied and recorded, or (failing) rolled back.
    Committing = 2,
}

/// The [`Phase`] of a guarded migration, set by the migration and read by the watchdog.
#[derive(Debug)]
pub(crate) struct Progress(AtomicU8);

impl Progress {
    pub(crate) fn new() -> Self {
        Progress(AtomicU8::new(Phase::Running as u8))
    }

    pub(crate) fn set(&self, phase: Phase) {
        self.0.store(phase as u8, Ordering::SeqCst);
    }

    fn get(&self) -> Phase {
        match self.0.load(Ordering::SeqCst) {
            1 => Phase::Recording,
            2 => Phase::Committing,
            _ => Phase::Running,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    Timeout,
    Stop,
}

pub(crate) struct Watchdog<'a> {
    conn: Option<PgConnection>,
    connect_options: &'a PgConnectOptions,
    /// Backend pid of the migrating session.
    pid: i32,
    deadline: Instant,
    timeout: Duration,
    stop: StopRequest<'a>,
    stopped: bool,
}

impl<'a> Watchdog<'a> {
    pub(crate) fn new(
        conn: PgConnection,
        connect_options: &'a PgConnectOptions,
        pid: i32,
        deadline: Instant,
        timeout: Duration,
        stop: StopRequest<'a>,
    ) -> Self {
        Watchdog { conn: Some(conn), connect_options, pid, deadline, timeout, stop, stopped: false }
    }

    /// A stop was requested (the work it interrupted may have completed anyway).
    pub(crate) fn stopped(&self) -> bool {
        self.stopped
    }

    /// `work`'s result, unless the deadline or a stop request comes first: then its statement is canceled
    /// server-side and, once it has ended (its transaction rolled back), a timeout or an interruption is
    /// reported, `during` the phase it was in. Work that completes despite the cancel (it was between
    /// statements, or committing) counts as done. Work in [`Phase::Recording`] (per `progress`) is not
    /// canceled but awaited: its file has taken effect, and only its row makes the next run skip it.
    pub(crate) async fn guard<T>(
        &mut self,
        work: impl Future<Output = Result<T, MigrateError>>,
        version: Option<i64>,
        progress: Option<&Progress>,
        during: impl FnOnce(Phase) -> String,
    ) -> Result<T, MigrateError> {
        let mut work = std::pin::pin!(work);
        let phase = || progress.map_or(Phase::Running, Progress::get);
        let why = tokio::select! {
            result = work.as_mut() => return result,
            () = tokio::time::sleep_until(self.deadline) => Why::Timeout,
            () = self.stop.as_mut(), if !self.stopped => Why::Stop,
        };
        self.stopped |= why == Why::Stop;
        if phase() == Phase::Recording {
            return work.await;
        }
        self.signal("SELECT pg_cancel_backend($1)").await;
        let timeout = self.timeout;
        let stopped = move |during: String| match why {
            Why::Timeout => MigrateError::Timeout { timeout, version, during },
            Why::Stop => MigrateError::Interrupted { version, during },
        };
        match tokio::time::timeout(CANCEL_GRACE, work.as_mut()).await {
            Ok(Ok(value)) => Ok(value),
            // It failed by itself, not because it was canceled (SQLSTATE 57014, query_canceled).
            Ok(Err(MigrateError::Failed(f))) if f.code.as_deref() != Some("57014") => Err(MigrateError::Failed(f)),
            Ok(Err(e @ (MigrateError::ConnectionLost { .. } | MigrateError::LockLost { .. }))) => Err(e),
            // Canceled before it took effect (a COMMIT that fails rolls back).
            Ok(Err(MigrateError::Failed(_))) => Err(stopped(during(Phase::Running))),
            // Past its SQL (the cancel came as the file finished), its own error says what became of it.
            Ok(Err(e)) if phase() != Phase::Running => Err(e),
            Ok(Err(_)) => Err(stopped(during(Phase::Running))),
            // The cancel came as the file finished, and its row waits: let it be written.
            Err(_) if phase() == Phase::Recording => work.await,
            Err(_) => {
                // Deaf to the cancel: end its session, so nothing still runs once the lock is released.
                let phase = phase();
                self.signal("SELECT pg_terminate_backend($1)").await;
                Err(stopped(during(phase)))
            }
        }
    }

    /// Sends `pg_cancel_backend` / `pg_terminate_backend` for the migrating session, from the watchdog
    /// session or, when that one is gone, from a fresh one.
    async fn signal(&mut self, sql: &'static str) {
        if let Some(conn) = &mut self.conn {
            let sent = tokio::time::timeout(QUICK, sqlx::query(sql).bind(self.pid).execute(&mut *conn)).await;
            if matches!(sent, Ok(Ok(_))) {
                return;
            }
        }
        if let Some(conn) = self.conn.take() {
            let _ = tokio::time::timeout(QUICK, conn.close()).await;
        }
        if let Ok(Ok(mut conn)) = tokio::time::timeout(QUICK, PgConnection::connect_with(self.connect_options)).await {
            let _ = tokio::time::timeout(QUICK, sqlx::query(sql).bind(self.pid).execute(&mut conn)).await;
            self.conn = Some(conn);
        }
    }

    pub(crate) async fn close(self) {
        if let Some(conn) = self.conn {
            let _ = tokio::time::timeout(QUICK, conn.close()).await;
        }
    }
}
