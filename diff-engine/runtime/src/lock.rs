//! The migration lock: a session advisory lock, taken with `pg_try_advisory_lock` by the session that runs
//! the migrations (a lock on a session of its own could lapse while a migration still runs) and polled, so
//! a wait can be bounded and reported.

use super::{Event, MigrateError};
use crate::locks::{self, AdvisoryError, Holder};
use sqlx::PgConnection;
use std::time::Duration;
use tokio::time::Instant;

/// The lock id sqlx's PostgreSQL migrator takes for a database: `0x3d32ad9e` times the CRC-32 (ISO-HDLC,
/// the zlib one) of the database name. keel takes the same by default, so keel and sqlx runners exclude
/// each other.
pub fn default_lock_id(database_name: &str) -> i64 {
    0x3d32_ad9e * i64::from(crc32(database_name.as_bytes()))
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

pub(crate) async fn current_database(conn: &mut PgConnection) -> Result<String, MigrateError> {
    sqlx::query_scalar("SELECT current_database()")
        .fetch_one(conn)
        .await
        .map_err(MigrateError::database("reading the database name"))
}

/// Takes the lock, polling until `lock_wait` has passed or `deadline` (the overall timeout) comes.
pub(crate) async fn acquire(
    conn: &mut PgConnection,
    lock_id: i64,
    lock_wait: Duration,
    deadline: Instant,
    timeout: Duration,
    on_event: &mut (dyn FnMut(&Event) + Send),
) -> Result<(), MigrateError> {
    let started = Instant::now();
    let mut on_wait =
        |holder: Option<&Holder>| on_event(&Event::WaitingForLock { lock_id, holder_pid: holder.map(|h| h.pid) });
    let taken = locks::take_advisory(conn, lock_id, (started + lock_wait).min(deadline), &mut on_wait).await;
    match taken {
        Ok(()) => {
            on_event(&Event::Locked { lock_id });
            Ok(())
        }
        // The overall timeout came before the lock wait ended.
        Err(AdvisoryError::Timeout { holder, .. }) if started + lock_wait > deadline => Err(MigrateError::Timeout {
            timeout,
            version: None,
            during: format!(
                "while waiting for migration lock {lock_id} held by {}",
                holder.map_or("another session".to_string(), |h| format!("backend pid {}", h.pid))
            ),
        }),
        Err(AdvisoryError::Timeout { holder, .. }) => Err(MigrateError::LockTimeout {
            lock_id,
            holder_pid: holder.as_ref().map(|h| h.pid),
            holder_application: holder.and_then(|h| h.application),
            waited: lock_wait,
        }),
        Err(AdvisoryError::Database { source, .. }) => {
            Err(MigrateError::database(format!("taking migration lock {lock_id}"))(source))
        }
    }
}

/// Releases the lock. Best effort: closing the connection releases it anyway.
pub(crate) async fn release(conn: &mut PgConnection, lock_id: i64) {
    crate::locks::release_advisory(conn, lock_id).await;
}

/// Whether this session holds the lock (a migration may have released it: `pg_advisory_unlock_all()`).
pub(crate) async fn held(conn: &mut PgConnection, lock_id: i64) -> Result<bool, sqlx::Error> {
    let (high, low) = crate::locks::halves(lock_id);
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 \
         AND pid = pg_backend_pid() AND classid::bigint = $1 AND objid::bigint = $2)",
    )
    .bind(high)
    .bind(low)
    .fetch_one(conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_is_the_zlib_one() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn lock_ids_follow_sqlx() {
        // 0x3d32ad9e * zlib.crc32(b"postgres")
        assert_eq!(default_lock_id("postgres"), 368_907_709_894_077_238);
    }
}
