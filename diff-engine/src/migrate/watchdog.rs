//! The watchdog: a second session that cancels what the migrating session runs when the overall deadline
//! comes or a stop is requested (`pg_cancel_backend`, then `pg_terminate_backend` if the statement does not
//! stop). It holds no lock: if its session dies (terminated, `idle_session_timeout`), the migration carries
//! on under the migrating session's lock, and a cancel opens a fresh session.

use super::MigrateError;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::time::Instant;

/// How long a statement gets to stop after it was canceled.
const CANCEL_GRACE: Duration = Duration::from_secs(10);
/// How long connecting, signalling or closing may take.
const QUICK: Duration = Duration::from_secs(5);

/// What a stop request is: any future that completes when the run should stop (a signal).
pub(crate) type StopRequest<'s> = Pin<&'s mut (dyn Future<Output = ()> + Send + 's)>;

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
    /// reported. Work that completes despite the cancel (it was between statements, or committing) counts
    /// as done.
    pub(crate) async fn guard<T>(
        &mut self,
        work: impl Future<Output = Result<T, MigrateError>>,
        version: Option<i64>,
        during: impl FnOnce() -> String,
    ) -> Result<T, MigrateError> {
        let mut work = std::pin::pin!(work);
        let why = tokio::select! {
            result = work.as_mut() => return result,
            () = tokio::time::sleep_until(self.deadline) => Why::Timeout,
            () = self.stop.as_mut(), if !self.stopped => Why::Stop,
        };
        self.stopped |= why == Why::Stop;
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
            Ok(Err(_)) => Err(stopped(during())),
            Err(_) => {
                // Deaf to the cancel: end its session, so nothing still runs once the lock is released.
                self.signal("SELECT pg_terminate_backend($1)").await;
                Err(stopped(during()))
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
