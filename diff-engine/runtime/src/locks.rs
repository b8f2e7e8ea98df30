//! The migration lock as other callers take it: the advisory lock `keel push` takes (so that pushes and
//! migration runs exclude each other), and who holds a lock.

use sqlx::PgConnection;
use std::fmt;
use std::time::Duration;
use tokio::time::Instant;

const POLL: Duration = Duration::from_millis(200);

/// A session holding a lock.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Holder {
    /// Its backend pid.
    pub pid: i32,
    pub application: Option<String>,
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.application {
            Some(application) => write!(f, "pid {} (application {application:?})", self.pid),
            None => write!(f, "pid {}", self.pid),
        }
    }
}

/// `held by pid 12 (application "psql")`, or who else may be meant when nobody holds it any more.
pub fn held_by(holder: Option<&Holder>) -> String {
    match holder {
        Some(holder) => format!("held by {holder}"),
        None => "held by a session that has since released it".to_string(),
    }
}

/// A bigint advisory lock shows in pg_locks as classid = high 32 bits, objid = low 32 bits, objsubid = 1.
pub(crate) fn halves(lock_id: i64) -> (i64, i64) {
    let bits = lock_id as u64;
    (i64::from((bits >> 32) as u32), i64::from(bits as u32))
}

/// The session holding advisory lock `lock_id` in this database.
pub async fn advisory_holder(conn: &mut PgConnection, lock_id: i64) -> Result<Option<Holder>, sqlx::Error> {
    let (high, low) = halves(lock_id);
    let row: Option<(Option<i32>, Option<String>)> = sqlx::query_as(
        "SELECT l.pid, NULLIF(a.application_name, '') FROM pg_locks l \
         LEFT JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 \
           AND l.classid::bigint = $1 AND l.objid::bigint = $2 \
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
         LIMIT 1",
    )
    .bind(high)
    .bind(low)
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|(pid, application)| Some(Holder { pid: pid?, application })))
}

#[derive(Debug, thiserror::Error)]
pub enum AdvisoryError {
    #[error("lock {lock_id} (the migration lock) is still {} after {}s", held_by(.holder.as_ref()), .waited.as_secs())]
    Timeout { lock_id: i64, waited: Duration, holder: Option<Holder> },
    #[error("taking lock {lock_id}: {source}")]
    Database {
        lock_id: i64,
        #[source]
        source: sqlx::Error,
    },
}

/// The migration lock's id for this connection's database: `configured`, else the one sqlx derives
/// ([`crate::default_lock_id`]).
pub async fn migration_lock_id(conn: &mut PgConnection, configured: Option<i64>) -> Result<i64, sqlx::Error> {
    match configured {
        Some(id) => Ok(id),
        None => {
            let database: String = sqlx::query_scalar("SELECT current_database()").fetch_one(conn).await?;
            Ok(crate::default_lock_id(&database))
        }
    }
}

/// Takes session advisory lock `lock_id` on `conn`, polling until `give_up`; `on_wait` hears once who holds
/// it when it is taken. Who holds it is read only to report it, not at every poll.
pub async fn take_advisory(
    conn: &mut PgConnection,
    lock_id: i64,
    give_up: Instant,
    on_wait: &mut (dyn FnMut(Option<&Holder>) + Send),
) -> Result<(), AdvisoryError> {
    let database = |source| AdvisoryError::Database { lock_id, source };
    let started = Instant::now();
    let mut reported = false;
    loop {
        let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(lock_id)
            .fetch_one(&mut *conn)
            .await
            .map_err(database)?;
        if locked {
            return Ok(());
        }
        let now = Instant::now();
        if now >= give_up {
            let holder = advisory_holder(conn, lock_id).await.map_err(database)?;
            return Err(AdvisoryError::Timeout { lock_id, waited: now.duration_since(started), holder });
        }
        if !reported {
            reported = true;
            on_wait(advisory_holder(conn, lock_id).await.map_err(database)?.as_ref());
        }
        tokio::time::sleep_until((now + POLL).min(give_up)).await;
    }
}

/// Releases the lock. Best effort: closing the connection releases it anyway.
pub async fn release_advisory(conn: &mut PgConnection, lock_id: i64) {
    let _ = sqlx::query("SELECT pg_advisory_unlock($1)").bind(lock_id).execute(conn).await;
}
