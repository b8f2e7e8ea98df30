//! The migrating session: the settings keel gives it, and what a lost session looks like.

use super::MigrateError;
use sqlx::PgConnection;
use std::time::Duration;

/// How often the server checks, while a statement runs, that the client is still there (PostgreSQL 14+):
/// when keel dies (`kill -9`), its running statement stops within this instead of running on, unlocked
/// once it ends, and maybe taking effect without being recorded.
const CLIENT_CHECK_MS: u32 = 1000;

/// Settings of the migrating session, before anything runs.
pub(crate) async fn prepare(conn: &mut PgConnection) -> Result<(), MigrateError> {
    let context = "setting up the migrating session";
    let version: i32 = sqlx::query_scalar("SELECT current_setting('server_version_num')::int")
        .fetch_one(&mut *conn)
        .await
        .map_err(MigrateError::database(context))?;
    if version >= 140_000 {
        sqlx::query("SELECT set_config('client_connection_check_interval', $1, false)")
            .bind(CLIENT_CHECK_MS.to_string())
            .execute(&mut *conn)
            .await
            .map_err(MigrateError::database(context))?;
    }
    Ok(())
}

/// `lock_timeout` for the next migration (a file's own `SET lock_timeout` runs after this, so it wins).
pub(crate) async fn set_lock_timeout(conn: &mut PgConnection, timeout: Duration) -> Result<(), sqlx::Error> {
    let ms = timeout.as_millis().max(1);
    sqlx::query("SELECT set_config('lock_timeout', $1, false)").bind(format!("{ms}ms")).execute(conn).await?;
    Ok(())
}

/// The session is gone (terminated, the server restarting, the network): whatever ran in it has ended.
pub(crate) fn is_lost(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // 57P01/57P02/57P03/57P05: terminated by an administrator, crash shutdown, cannot connect now,
            // idle_session_timeout; 25P03: idle_in_transaction_session_timeout; 08: connection exception.
            matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "57P05" | "25P03") || code.starts_with("08")
        }),
        _ => false,
    }
}

/// The statement was canceled (SQLSTATE 57014, query_canceled), e.g. by the watchdog's `pg_cancel_backend`.
pub(crate) fn is_canceled(error: &MigrateError) -> bool {
    match error {
        MigrateError::Database { source: sqlx::Error::Database(db), .. } => db.code().as_deref() == Some("57014"),
        _ => false,
    }
}
